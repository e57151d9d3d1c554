//! The latent map as data: each test image's code on the first two principal components,
//! placed in a canvas, coloured by digit, and the point under a click.

use crate::analysis::Projection;
use crate::engine::ModelInfo;
use crate::engine::latent_analysis::LatentAnalysis;
use crate::model::Architecture;
use crate::weights::ModelSpec;

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

/// When map `i` of a recording was taken: "epoch 3", or, where the recording knows its steps,
/// "step 40 (epoch 1 done)" — a watched run has maps between its epochs.
pub fn snapshot_label(epochs: &[usize], steps: &[usize], i: usize) -> String {
    let epoch = epochs.get(i).copied().unwrap_or(0);
    match steps.get(i) {
        Some(step) if steps.len() == epochs.len() => {
            let done = if epoch == 1 { "epoch" } else { "epochs" };
            format!("step {step} ({epoch} {done} done)")
        }
        _ => format!("epoch {epoch}"),
    }
}

/// One model's row of the side-by-side numbers under the two latent maps.
#[derive(Debug, Clone, PartialEq)]
pub struct MapComparisonRow {
    pub model: String,
    /// Its objective on the test set, as its file says (a VAE's: MSE + β·KL/784).
    pub test_loss: String,
    /// Mean |r| over the defined pairs of coordinates, on this page's test subset.
    pub mean_abs_r: String,
    pub dead: String,
    /// The shares of variance on the map's two axes.
    pub axes: String,
}

/// The numbers that say what differs between two maps' models (`—` where not known yet).
pub fn map_comparison_row(
    info: Option<&ModelInfo>,
    analysis: Option<&LatentAnalysis>,
) -> MapComparisonRow {
    let dash = || "—".to_string();
    let vae = info.is_some_and(|m| {
        matches!(
            m.spec,
            ModelSpec::Autoencoder {
                architecture: Architecture::Vae,
                ..
            }
        )
    });
    MapComparisonRow {
        model: info
            .map(|m| m.name.clone())
            .or_else(|| analysis.map(|a| a.model.clone()))
            .unwrap_or_else(dash),
        test_loss: info.and_then(|m| m.test_loss).map_or_else(dash, |l| {
            if vae {
                format!("{l:.4} (MSE + β·KL/784)")
            } else {
                format!("{l:.4} (MSE)")
            }
        }),
        mean_abs_r: analysis
            .and_then(|a| a.stats.mean_abs_pearson_defined)
            .map_or_else(dash, |r| format!("{r:.3}")),
        dead: analysis.map_or_else(dash, |a| a.stats.dead_units.to_string()),
        axes: analysis.map_or_else(dash, |a| {
            let [x, y] = axes_percent(&a.map);
            format!("{x:.0}% + {y:.0}%")
        }),
    }
}

/// The share of the codes' variance on a map's two axes, in percent.
fn axes_percent(map: &Projection) -> [f64; 2] {
    [0, 1].map(|i| map.explained.get(i).copied().unwrap_or(0.0) * 100.0)
}

/// A map of an analysis in words: which test images, whose codes, and how much of their
/// variance its two axes hold.
pub fn analysis_map_caption(analysis: &LatentAnalysis) -> String {
    let [x, y] = axes_percent(&analysis.map);
    format!(
        "{} test images of {}, on the first two principal components of their codes ({x:.0}% and {y:.0}% of the variance).",
        analysis.images, analysis.model
    )
}

/// The model a latent map is compared with by default (issue 20: AE and VAE side by side): a
/// plain model's VAE of the same latent size, a VAE's plain two-layer model, else the bundled
/// VAE at latent 20 (or the first model) — never the model itself. `None` with nothing else.
pub fn counterpart_model(model: &str, names: &[String]) -> Option<String> {
    let has = |n: &str| names.iter().any(|m| m == n);
    let size = model
        .split(" (")
        .next()
        .and_then(|base| base.rsplit_once("-d"))
        .and_then(|(_, d)| d.parse::<usize>().ok());
    let preferred = match (model.starts_with("vae-"), size) {
        (true, Some(d)) => Some(format!("two-layer-d{d}")),
        (false, Some(d)) => Some(format!("vae-d{d}")),
        (_, None) => None,
    };
    preferred
        .filter(|p| has(p) && p != model)
        .or_else(|| {
            ["vae-d20", "two-layer-d20"]
                .iter()
                .find(|n| has(n) && **n != model)
                .map(|n| n.to_string())
        })
        .or_else(|| names.iter().find(|n| *n != model).cloned())
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

    #[test]
    fn a_map_is_compared_with_its_counterpart_of_the_same_size() {
        let names: Vec<String> = [
            "two-layer-d5",
            "two-layer-d20",
            "two-layer-d100",
            "vae-d20",
            "vae-d100",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            counterpart_model("two-layer-d100", &names).as_deref(),
            Some("vae-d100")
        );
        assert_eq!(
            counterpart_model("vae-d20", &names).as_deref(),
            Some("two-layer-d20")
        );
        assert_eq!(
            counterpart_model("vae-d20 (trained 2)", &names).as_deref(),
            Some("two-layer-d20")
        );
        // No VAE of that size: the bundled one at 20.
        assert_eq!(
            counterpart_model("two-layer-d5", &names).as_deref(),
            Some("vae-d20")
        );
        let plain: Vec<String> = vec!["two-layer-d20".into(), "one-layer-d20".into()];
        assert_eq!(
            counterpart_model("two-layer-d20", &plain).as_deref(),
            Some("one-layer-d20")
        );
        assert_eq!(counterpart_model("x", &[]), None);
        assert_eq!(counterpart_model("two-layer-d20", &plain[..1]), None);
    }

    #[test]
    fn a_compared_map_says_which_loss_and_what_its_axes_hold() {
        use crate::analysis::{DecorrelationStats, Projection};
        use crate::engine::ModelOrigin;
        use crate::weights::WeightsManifest;
        let mut manifest = WeightsManifest::new(
            ModelSpec::Autoencoder {
                architecture: Architecture::Vae,
                latent_dim: 20,
            },
            1,
        );
        manifest.test_loss = Some(0.03125);
        let info = ModelInfo::from_manifest("vae-d20".into(), &manifest, ModelOrigin::Pretrained);
        let analysis = LatentAnalysis {
            model: "vae-d20".into(),
            latent_dim: 20,
            images: 3,
            stats: DecorrelationStats {
                latent_dim: 20,
                mean_abs_pearson: Some(0.1),
                mean_abs_pearson_defined: Some(0.1234),
                dead_units: 2,
            },
            matrix: Default::default(),
            histograms: vec![],
            map: Projection {
                points: vec![0.0; 6],
                components: 2,
                explained: vec![0.15, 0.0625],
            },
            labels: vec![1, 2, 3],
        };
        let row = map_comparison_row(Some(&info), Some(&analysis));
        assert_eq!(row.model, "vae-d20");
        assert_eq!(row.test_loss, "0.0312 (MSE + β·KL/784)");
        assert_eq!(row.mean_abs_r, "0.123");
        assert_eq!(row.dead, "2");
        assert_eq!(row.axes, "15% + 6%");
        assert_eq!(
            analysis_map_caption(&analysis),
            "3 test images of vae-d20, on the first two principal components of their codes (15% and 6% of the variance)."
        );
        let empty = map_comparison_row(None, None);
        assert_eq!((empty.model.as_str(), empty.test_loss.as_str()), ("—", "—"));
    }

    #[test]
    fn a_map_says_when_it_was_taken() {
        assert_eq!(snapshot_label(&[0, 1, 2], &[], 2), "epoch 2");
        assert_eq!(
            snapshot_label(&[0, 0, 1], &[0, 10, 32], 1),
            "step 10 (0 epochs done)"
        );
        assert_eq!(
            snapshot_label(&[0, 0, 1], &[0, 10, 32], 2),
            "step 32 (1 epoch done)"
        );
    }
}
