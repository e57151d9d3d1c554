//! The latent map as data: each test image's code on the first two principal components,
//! placed in a canvas, coloured by digit, and the point under a click.

use crate::analysis::Projection;

/// One colour per digit 0–9, from Okabe and Ito's and Paul Tol's colour-blind-safe schemes:
/// the ten of them that stay furthest apart for protanopia, deuteranopia and normal vision
/// (tested below), each at least 2:1 against the white map; the legend names each digit.
pub const DIGIT_COLOURS: [(u8, u8, u8); 10] = [
    (51, 34, 136),   // 0 indigo (Tol)
    (86, 180, 233),  // 1 sky blue (Okabe–Ito)
    (230, 159, 0),   // 2 orange (Okabe–Ito)
    (34, 136, 51),   // 3 green (Tol)
    (204, 51, 17),   // 4 red (Tol)
    (204, 121, 167), // 5 reddish purple (Okabe–Ito)
    (0, 0, 0),       // 6 black
    (170, 68, 153),  // 7 purple (Tol)
    (204, 102, 119), // 8 rose (Tol)
    (85, 85, 85),    // 9 dark grey
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

/// Where to write each digit's numeral on the map: the mean position of its points, for the
/// digits that have any, in digit order.
pub fn class_centres(positions: &[(f64, f64)], labels: &[u8]) -> Vec<(u8, f64, f64)> {
    let mut sums = [(0.0f64, 0.0f64, 0usize); 10];
    for (&(x, y), &label) in positions.iter().zip(labels) {
        let s = &mut sums[usize::from(label) % 10];
        *s = (s.0 + x, s.1 + y, s.2 + 1);
    }
    (0u8..10)
        .zip(sums)
        .filter(|(_, (_, _, n))| *n > 0)
        .map(|(digit, (x, y, n))| (digit, x / n as f64, y / n as f64))
        .collect()
}

/// Canvas positions of one recorded epoch's map (`points`: x, y pairs), on the scale of
/// every recorded epoch (`all`), so that points moving between epochs move on the canvas and
/// the axes stay still.
pub fn epoch_positions(all: &[Vec<f32>], epoch: usize, size: f64, margin: f64) -> Vec<(f64, f64)> {
    let Some(points) = all.get(epoch) else {
        return Vec::new();
    };
    let (lo, hi) = all
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(f64::from(v)), hi.max(f64::from(v)))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let scale = (size - 2.0 * margin) / span;
    let centre = (lo + hi) / 2.0;
    points
        .chunks_exact(2)
        .map(|p| {
            (
                size / 2.0 + (f64::from(p[0]) - centre) * scale,
                size / 2.0 - (f64::from(p[1]) - centre) * scale,
            )
        })
        .collect()
}

/// The points inside the rectangle between two corners (in either order), in index order.
pub fn points_in_rect(positions: &[(f64, f64)], a: (f64, f64), b: (f64, f64)) -> Vec<usize> {
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    positions
        .iter()
        .enumerate()
        .filter(|(_, (x, y))| (x0..=x1).contains(x) && (y0..=y1).contains(y))
        .map(|(i, _)| i)
        .collect()
}

/// A drag larger than this many canvas pixels both ways brushes; a smaller one is a click.
pub const BRUSH_MIN_PX: f64 = 4.0;

/// Whether a drag from `a` to `b` is a brush rather than a click.
pub fn is_brush(a: (f64, f64), b: (f64, f64)) -> bool {
    (a.0 - b.0).abs() > BRUSH_MIN_PX && (a.1 - b.1).abs() > BRUSH_MIN_PX
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn each_digit_is_named_at_the_mean_of_its_points() {
        let positions = [(0.0, 0.0), (10.0, 4.0), (5.0, 5.0), (7.0, 1.0)];
        let labels = [3, 3, 9, 3];
        assert_eq!(
            class_centres(&positions, &labels),
            vec![(3, 17.0 / 3.0, 5.0 / 3.0), (9, 5.0, 5.0)]
        );
        assert!(class_centres(&[], &[]).is_empty());
    }

    #[test]
    fn epochs_share_one_scale() {
        // Epoch 0 spans −1..1, epoch 1 spans −2..2: epoch 0 fills half of the square.
        let all = vec![vec![-1.0, 0.0, 1.0, 0.0], vec![-2.0, 0.0, 2.0, 0.0]];
        assert_eq!(
            epoch_positions(&all, 1, 100.0, 10.0),
            vec![(10.0, 50.0), (90.0, 50.0)]
        );
        assert_eq!(
            epoch_positions(&all, 0, 100.0, 10.0),
            vec![(30.0, 50.0), (70.0, 50.0)]
        );
        assert!(epoch_positions(&all, 2, 100.0, 10.0).is_empty());
    }

    #[test]
    fn a_brush_holds_the_points_inside_its_rectangle() {
        let positions = [(1.0, 1.0), (5.0, 5.0), (9.0, 2.0), (5.0, 9.5)];
        assert_eq!(
            points_in_rect(&positions, (0.0, 0.0), (6.0, 6.0)),
            vec![0, 1]
        );
        assert_eq!(
            points_in_rect(&positions, (10.0, 10.0), (4.0, 1.5)),
            vec![1, 2, 3],
            "corners in any order"
        );
        assert!(points_in_rect(&positions, (20.0, 20.0), (30.0, 30.0)).is_empty());
        assert!(is_brush((0.0, 0.0), (10.0, 10.0)));
        assert!(
            !is_brush((0.0, 0.0), (10.0, 2.0)),
            "a flick along one axis is a click"
        );
    }

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

    /// The digit colours as a red-green colour-blind eye sees them (Viénot, Brettel and
    /// Mollon 1999, on linear RGB): every two digits stay apart.
    #[test]
    fn digit_colours_stay_apart_for_red_green_colour_blindness() {
        fn linear(c: u8) -> f64 {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        fn simulate((r, g, b): (u8, u8, u8), m: [[f64; 3]; 3]) -> [f64; 3] {
            let v = [linear(r), linear(g), linear(b)];
            m.map(|row| {
                (row[0] * v[0] + row[1] * v[1] + row[2] * v[2])
                    .clamp(0.0, 1.0)
                    .powf(1.0 / 2.2)
                    * 255.0
            })
        }
        let protan = [
            [0.11238, 0.88762, 0.0],
            [0.11238, 0.88762, 0.0],
            [0.00401, -0.00401, 1.0],
        ];
        let deutan = [
            [0.29275, 0.70725, 0.0],
            [0.29275, 0.70725, 0.0],
            [-0.02234, 0.02234, 1.0],
        ];
        let closest = |palette: &[(u8, u8, u8)], m| {
            let seen: Vec<[f64; 3]> = palette.iter().map(|&c| simulate(c, m)).collect();
            let mut min = f64::MAX;
            for i in 0..seen.len() {
                for j in i + 1..seen.len() {
                    let d = (0..3)
                        .map(|k| (seen[i][k] - seen[j][k]).powi(2))
                        .sum::<f64>()
                        .sqrt();
                    min = min.min(d);
                }
            }
            min
        };
        // Tableau's ten, used before: two digits nearly merge for a deuteranope.
        let tableau = [
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
        for (name, m) in [("protanopia", protan), ("deuteranopia", deutan)] {
            let ours = closest(&DIGIT_COLOURS, m);
            let before = closest(&tableau, m);
            assert!(
                ours > before,
                "{name}: closest pair {ours:.1} here, {before:.1} before"
            );
            assert!(ours >= 45.0, "{name}: closest pair only {ours:.1} apart");
        }
    }
}
