//! How each latent coordinate's activations are spread over a set.

use serde::{Deserialize, Serialize};

/// Counts of one coordinate's values in `counts.len()` equal bins spanning `[min, max]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub min: f32,
    pub max: f32,
    pub counts: Vec<u32>,
}

impl Histogram {
    /// A coordinate that never varies (a dead ReLU unit gives 0 for every image).
    pub fn is_constant(&self) -> bool {
        self.max <= self.min
    }
}

/// One histogram of `bins` bins per coordinate of `codes` (`n` rows of `d` values). A constant
/// coordinate puts every value in its first bin.
pub fn coordinate_histograms(codes: &[f32], n: usize, d: usize, bins: usize) -> Vec<Histogram> {
    assert_eq!(codes.len(), n * d, "codes must hold n·d values");
    assert!(bins > 0, "a histogram needs at least one bin");
    (0..d)
        .map(|i| {
            let column = codes.iter().skip(i).step_by(d.max(1)).copied();
            let (min, max) = column
                .clone()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            let (min, max) = if n == 0 { (0.0, 0.0) } else { (min, max) };
            let mut counts = vec![0u32; bins];
            let width = (max - min) / bins as f32;
            for v in column {
                let bin = if width > 0.0 {
                    (((v - min) / width) as usize).min(bins - 1)
                } else {
                    0
                };
                counts[bin] += 1;
            }
            Histogram { min, max, counts }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_in_their_bins() {
        // Coordinate 0: 0, 1, 2, 3, 4 over 4 bins of width 1 (the maximum joins the last bin);
        // coordinate 1: always 0 (dead).
        let codes = [0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 3.0, 0.0, 4.0, 0.0];
        let h = coordinate_histograms(&codes, 5, 2, 4);
        assert_eq!(h.len(), 2);
        assert_eq!((h[0].min, h[0].max), (0.0, 4.0));
        assert_eq!(h[0].counts, vec![1, 1, 1, 2]);
        assert!(!h[0].is_constant());
        assert_eq!(h[1].counts, vec![5, 0, 0, 0]);
        assert!(h[1].is_constant());
    }

    #[test]
    fn counts_add_up_to_the_rows() {
        let codes: Vec<f32> = (0..300).map(|i| ((i * 37) % 101) as f32 / 7.0).collect();
        for h in coordinate_histograms(&codes, 100, 3, 10) {
            assert_eq!(h.counts.iter().sum::<u32>(), 100);
        }
    }
}
