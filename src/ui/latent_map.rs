//! The latent map as data: each test image's code on the first two principal components,
//! placed in a canvas, coloured by digit, and the point under a click.

use crate::analysis::Projection;

/// One colour per digit 0–9 (Tableau's ten, distinguishable on white).
pub const DIGIT_COLOURS: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

/// Canvas positions of the projected points in a `size × size` square with a `margin`, both
/// axes on one scale (so distances on the map are distances in the projection). Points of a
/// one-component projection lie on the middle line.
pub fn map_positions(map: &Projection, size: f64, margin: f64) -> Vec<(f64, f64)> {
    let k = map.components;
    if k == 0 {
        return Vec::new();
    }
    let xy: Vec<(f64, f64)> = map
        .points
        .chunks_exact(k)
        .map(|p| (f64::from(p[0]), p.get(1).map_or(0.0, |&y| f64::from(y))))
        .collect();
    let (lo, hi) = xy
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(x, y)| {
            (lo.min(x).min(y), hi.max(x).max(y))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let scale = (size - 2.0 * margin) / span;
    let centre = (lo + hi) / 2.0;
    xy.into_iter()
        .map(|(x, y)| {
            (
                size / 2.0 + (x - centre) * scale,
                // Screen y grows downwards; the second component grows upwards.
                size / 2.0 - (y - centre) * scale,
            )
        })
        .collect()
}

/// The point nearest to `(x, y)`, if one lies within `radius`.
pub fn nearest_point(positions: &[(f64, f64)], x: f64, y: f64, radius: f64) -> Option<usize> {
    positions
        .iter()
        .enumerate()
        .map(|(i, &(px, py))| (i, (px - x).powi(2) + (py - y).powi(2)))
        .filter(|&(_, d2)| d2 <= radius * radius)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn points_fill_the_square_on_one_scale() {
        let map = Projection {
            points: vec![-2.0, 0.0, 2.0, 0.0, 0.0, 1.0],
            components: 2,
            explained: vec![0.8, 0.2],
        };
        let pos = map_positions(&map, 100.0, 10.0);
        // The x range −2..2 spans 80 pixels: 20 per unit, y on the same scale, upwards.
        assert_eq!(pos, vec![(10.0, 50.0), (90.0, 50.0), (50.0, 30.0)]);
        assert_eq!(nearest_point(&pos, 52.0, 33.0, 6.0), Some(2));
        assert_eq!(nearest_point(&pos, 30.0, 80.0, 6.0), None);
    }
}
