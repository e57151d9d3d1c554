//! How far from the data an interpolation's frames lie (issue 20, part 3): each frame's code
//! against the nearest real test digit's code, relative to how near real digits lie to each
//! other. A frame at 1 is as close to the data as a typical real digit is to its neighbour;
//! far above 1, the decoder is asked about a place no digit taught it.

/// Euclidean distance from each of the `frames` (rows of `d` values) to its nearest row of
/// `data` (rows of `d` values). Empty data gives infinity.
pub fn nearest_data_distances(frames: &[f32], data: &[f32], d: usize) -> Vec<f32> {
    assert!(d > 0, "codes have at least one coordinate");
    assert_eq!(frames.len() % d, 0, "frames are rows of {d} values");
    assert_eq!(data.len() % d, 0, "data are rows of {d} values");
    frames
        .chunks_exact(d)
        .map(|frame| {
            data.chunks_exact(d)
                .map(|row| squared_distance(frame, row))
                .fold(f64::INFINITY, f64::min)
                .sqrt() as f32
        })
        .collect()
}

/// The typical distance from a real digit's code to its nearest other digit's: the median,
/// over the rows of `data`, of the distance to the nearest other row. `None` with fewer than
/// two rows.
pub fn typical_neighbour_distance(data: &[f32], d: usize) -> Option<f32> {
    assert!(d > 0, "codes have at least one coordinate");
    let rows: Vec<&[f32]> = data.chunks_exact(d).collect();
    if rows.len() < 2 {
        return None;
    }
    // Each pair once: the distance is symmetric, and n² of them is the whole cost.
    let mut nearest = vec![f64::INFINITY; rows.len()];
    for (i, a) in rows.iter().enumerate() {
        for (j, b) in rows.iter().enumerate().skip(i + 1) {
            let d2 = squared_distance(a, b);
            nearest[i] = nearest[i].min(d2);
            nearest[j] = nearest[j].min(d2);
        }
    }
    let mut nearest: Vec<f64> = nearest.into_iter().map(f64::sqrt).collect();
    nearest.sort_by(f64::total_cmp);
    let n = nearest.len();
    let median = if n % 2 == 1 {
        nearest[n / 2]
    } else {
        0.5 * (nearest[n / 2 - 1] + nearest[n / 2])
    };
    Some(median as f32)
}

/// Each frame's nearest-data distance over the typical neighbour distance (`None` where the
/// data cannot say: fewer than two rows, or every real code the same).
pub fn relative_nearest_data_distances(frames: &[f32], data: &[f32], d: usize) -> Option<Vec<f32>> {
    let typical = typical_neighbour_distance(data, d).filter(|&t| t > 0.0)?;
    Some(
        nearest_data_distances(frames, data, d)
            .into_iter()
            .map(|distance| distance / typical)
            .collect(),
    )
}

/// The α of a strip of `frames` frames from the first digit (0) to the second (1), then
/// ⌈(frames − 1)/2⌉ more at the same spacing past each end: the path runs on to −0.5 and 1.5
/// (or half a step beyond), and 0 and 1 stay frames of it, exactly.
pub fn alphas_past_ends(frames: usize) -> Vec<f32> {
    if frames < 2 {
        return super::interpolation_alphas(frames);
    }
    let steps = (frames - 1) as i64;
    // ⌈(frames − 1)/2⌉ = ⌊frames/2⌋
    let extra = frames as i64 / 2;
    (-extra..=steps + extra)
        .map(|i| i as f32 / steps as f32)
        .collect()
}

/// True for an α outside [0, 1]: a frame past one of the two digits.
pub fn is_extrapolation(alpha: f32) -> bool {
    !(0.0..=1.0).contains(&alpha)
}

fn squared_distance(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four real codes in the plane: the corners of a 3 × 4 rectangle.
    const DATA: [f32; 8] = [0.0, 0.0, 3.0, 0.0, 0.0, 4.0, 3.0, 4.0];

    #[test]
    fn a_frame_on_a_real_code_is_at_distance_zero() {
        let frames = [3.0, 4.0, 0.0, 0.0];
        assert_eq!(nearest_data_distances(&frames, &DATA, 2), vec![0.0, 0.0]);
    }

    #[test]
    fn distances_are_euclidean_to_the_nearest_row() {
        // (1.5, 2) is 2.5 from all four corners; (6, 8) is 5 from (3, 4).
        let frames = [1.5, 2.0, 6.0, 8.0];
        assert_eq!(nearest_data_distances(&frames, &DATA, 2), vec![2.5, 5.0]);
    }

    #[test]
    fn the_typical_neighbour_distance_is_the_median_nearest_other() {
        // Each corner's nearest other corner is 3 away.
        assert_eq!(typical_neighbour_distance(&DATA, 2), Some(3.0));
        // Nearest others 1, 1, 2 (0 and 1 are neighbours; 3 is 2 from 1): median 1.
        assert_eq!(typical_neighbour_distance(&[0.0, 1.0, 3.0], 1), Some(1.0));
        assert_eq!(typical_neighbour_distance(&[5.0], 1), None);
    }

    #[test]
    fn relative_distances_divide_by_the_typical_one() {
        let relative = relative_nearest_data_distances(&[6.0, 8.0, 3.0, 0.0], &DATA, 2).unwrap();
        assert_eq!(relative, vec![5.0 / 3.0, 0.0]);
        // Identical real codes cannot say what "near" is.
        assert_eq!(
            relative_nearest_data_distances(&[1.0], &[2.0, 2.0], 1),
            None
        );
    }

    #[test]
    fn alphas_past_ends_run_on_at_the_same_spacing() {
        let alphas = alphas_past_ends(5);
        assert_eq!(
            alphas,
            vec![-0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5]
        );
        let outside: Vec<bool> = alphas.iter().map(|&a| is_extrapolation(a)).collect();
        assert_eq!(
            outside,
            [true, true, false, false, false, false, false, true, true]
        );
        // 10 frames (steps of 1/9): 5 more each side, to −5/9 and 14/9; 0 and 1 exactly.
        let ten = alphas_past_ends(10);
        assert_eq!(ten.len(), 20);
        assert_eq!((ten[0], ten[19]), (-5.0 / 9.0, 14.0 / 9.0));
        assert_eq!((ten[5], ten[14]), (0.0, 1.0));
        assert_eq!(alphas_past_ends(2), vec![-1.0, 0.0, 1.0, 2.0]);
        assert_eq!(alphas_past_ends(1), vec![0.0]);
    }
}
