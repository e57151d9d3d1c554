//! `#/interpolate` as data: the test-image gallery, the exercise's preset pairs, the number
//! of frames, and the pixel blend the latent strips are contrasted with.

use crate::analysis::{alphas_past_ends, interpolation_alphas, is_extrapolation};
use crate::data::IMAGE_PIXELS;
use crate::engine::protocol::FrameDiagnostics;
use crate::reference::INTERPOLATION_PAIRS;
use crate::ui::chart::{ChartSpec, Colour, GREY, Series};

pub const MIN_FRAMES: usize = 2;
pub const MAX_FRAMES: usize = 20;
pub const DEFAULT_FRAMES: usize = 10;

/// Test images the page can show without asking the engine: indices into the bundled test
/// subset, their labels and pixels (784 bytes each).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gallery {
    pub indices: Vec<usize>,
    pub labels: Vec<u8>,
    pub pixels: Vec<u8>,
}

impl Gallery {
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// The pixels of the gallery image with test index `index`.
    pub fn image(&self, index: usize) -> Option<&[u8]> {
        let at = self.indices.iter().position(|&i| i == index)?;
        self.pixels.get(at * IMAGE_PIXELS..(at + 1) * IMAGE_PIXELS)
    }

    /// The label of the gallery image with test index `index`.
    pub fn label(&self, index: usize) -> Option<u8> {
        let at = self.indices.iter().position(|&i| i == index)?;
        self.labels.get(at).copied()
    }

    /// The test index of the first image of `digit` (the reproduction's choice for a pair).
    pub fn first_of_digit(&self, digit: u8) -> Option<usize> {
        let at = self.labels.iter().position(|&l| l == digit)?;
        self.indices.get(at).copied()
    }
}

/// The exercise's pairs (3→5, 5→8, 0→4, 2→9) as test indices, first image of each digit.
pub fn presets(gallery: &Gallery) -> Vec<((u8, u8), (usize, usize))> {
    INTERPOLATION_PAIRS
        .iter()
        .filter_map(|&(a, b)| {
            Some((
                (a, b),
                (gallery.first_of_digit(a)?, gallery.first_of_digit(b)?),
            ))
        })
        .collect()
}

/// The number of frames typed in the form, checked.
pub fn parse_frames(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (MIN_FRAMES..=MAX_FRAMES).contains(&n) => Ok(n),
        _ => Err(format!(
            "frames: enter a whole number from {MIN_FRAMES} to {MAX_FRAMES}, not '{}'",
            text.trim()
        )),
    }
}

/// `(1 − α)·a + α·b` pixel by pixel, one 784-byte frame per α: what mixing the images
/// themselves (not their codes) looks like.
pub fn blend_pixels(a: &[u8], b: &[u8], alphas: &[f32]) -> Vec<u8> {
    alphas
        .iter()
        .flat_map(|&t| {
            a.iter().zip(b).map(move |(&x, &y)| {
                ((1.0 - t) * f32::from(x) + t * f32::from(y))
                    .round()
                    .clamp(0.0, 255.0) as u8
            })
        })
        .collect()
}

/// The α of a strip of `frames` frames, with or without the frames past both digits.
pub fn strip_alphas(frames: usize, past_ends: bool) -> Vec<f32> {
    if past_ends {
        alphas_past_ends(frames)
    } else {
        interpolation_alphas(frames)
    }
}

/// The range the α slider offers: the strips' own.
pub fn alpha_range(past_ends: bool) -> (f32, f32) {
    if past_ends { (-0.5, 1.5) } else { (0.0, 1.0) }
}

/// One frame of a strip, in words: its α, whether it extrapolates, the classifier's guess and
/// how far from the data it lies.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameRow {
    pub alpha: f32,
    pub extrapolated: bool,
    /// The classifier's top guess and its probability.
    pub guess: Option<(u8, f32)>,
    /// Distance to the nearest real digit's code, in typical neighbour gaps.
    pub relative_distance: Option<f32>,
}

/// The rows of a strip's diagnostics table, one per frame.
pub fn frame_rows(diagnostics: &FrameDiagnostics) -> Vec<FrameRow> {
    let relative = diagnostics.relative_distances();
    diagnostics
        .alphas
        .iter()
        .enumerate()
        .map(|(i, &alpha)| FrameRow {
            alpha,
            extrapolated: is_extrapolation(alpha),
            guess: diagnostics
                .guesses
                .get(i)
                .zip(diagnostics.confidences.get(i))
                .map(|(&g, &p)| (g, p)),
            relative_distance: relative.as_ref().and_then(|r| r.get(i).copied()),
        })
        .collect()
}

/// Each path's frames' distance from the data on one chart, a line per model (the two paths
/// compare at a glance), beside the unit line: a real digit's distance to its nearest neighbour.
/// A path not there yet (or without a typical distance) has no line.
pub fn distance_chart(paths: &[(String, Option<&FrameDiagnostics>, Colour)]) -> ChartSpec {
    let mut series: Vec<Series> = paths
        .iter()
        .filter_map(|(model, diagnostics, colour)| {
            let d = (*diagnostics)?;
            let points: Vec<(f64, f64)> = d
                .alphas
                .iter()
                .zip(d.relative_distances()?)
                .map(|(&a, r)| (f64::from(a), f64::from(r)))
                .collect();
            (!points.is_empty()).then(|| Series::new(model.clone(), points, *colour))
        })
        .collect();
    let alphas = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (lo, hi) = alphas.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), a| {
        (lo.min(a), hi.max(a))
    });
    if lo <= hi {
        series.push(
            Series::new(
                "a real digit's nearest neighbour",
                vec![(lo, 1.0), (hi, 1.0)],
                GREY,
            )
            .dashed(),
        );
    }
    ChartSpec {
        series,
        x_label: "α".into(),
        y_label: "distance to the data".into(),
        log_x: false,
        log_y: false,
        whole_x: false,
    }
}

/// How far from the data a path runs between its two ends (0 < α < 1): the mean and the
/// largest distance, in typical neighbour gaps, and how many of those frames the classifier
/// read as neither end's digit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathSummary {
    pub mean_distance: f32,
    pub max_distance: f32,
    pub frames: usize,
    /// `None` without a classifier's guesses.
    pub neither_end: Option<usize>,
}

/// The summary of a strip's frames strictly between its ends; `None` without such frames or
/// a unit of distance. `ends` are the two digits' labels, where known.
pub fn path_summary(diagnostics: &FrameDiagnostics, ends: Option<(u8, u8)>) -> Option<PathSummary> {
    let relative = diagnostics.relative_distances()?;
    let inner: Vec<usize> = diagnostics
        .alphas
        .iter()
        .enumerate()
        .filter(|(_, a)| **a > 0.0 && **a < 1.0)
        .map(|(i, _)| i)
        .collect();
    if inner.is_empty() {
        return None;
    }
    let distances: Vec<f32> = inner
        .iter()
        .filter_map(|&i| relative.get(i).copied())
        .collect();
    let neither_end = match ends {
        Some((a, b)) if diagnostics.guesses.len() == diagnostics.alphas.len() => Some(
            inner
                .iter()
                .filter(|&&i| diagnostics.guesses[i] != a && diagnostics.guesses[i] != b)
                .count(),
        ),
        _ => None,
    };
    Some(PathSummary {
        mean_distance: distances.iter().sum::<f32>() / distances.len() as f32,
        max_distance: distances.iter().copied().fold(0.0, f32::max),
        frames: inner.len(),
        neither_end,
    })
}

/// One sentence per model, then which path stays nearer the data.
pub fn path_comparison(paths: &[(String, Option<PathSummary>)]) -> Option<String> {
    let known: Vec<(&String, &PathSummary)> = paths
        .iter()
        .filter_map(|(m, s)| s.as_ref().map(|s| (m, s)))
        .collect();
    if known.is_empty() {
        return None;
    }
    let mut text = known
        .iter()
        .map(|(m, s)| {
            let read = s.neither_end.map_or(String::new(), |n| {
                format!("; {n} of its {} inner frames read as neither end's digit", s.frames)
            });
            format!(
                "{m}: the path between A and B lies {:.2} from the data on average, {:.2} at most{read}.",
                s.mean_distance, s.max_distance
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    if let [(a, sa), (b, sb)] = known.as_slice() {
        let (near, far) = if sa.mean_distance <= sb.mean_distance {
            (a, b)
        } else {
            (b, a)
        };
        text.push_str(&format!(
            " {near}'s path stays nearer the data than {far}'s."
        ));
    }
    Some(text)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn gallery() -> Gallery {
        // Digits 0..9 at test indices 100 + digit, then a second 3 at index 7.
        let mut indices: Vec<usize> = (0..10).map(|d| 100 + d).collect();
        let mut labels: Vec<u8> = (0..10).collect();
        indices.insert(4, 7);
        labels.insert(4, 3);
        let pixels = labels
            .iter()
            .flat_map(|&l| vec![l * 10; IMAGE_PIXELS])
            .collect();
        Gallery {
            indices,
            labels,
            pixels,
        }
    }

    #[test]
    fn presets_use_the_first_image_of_each_digit() {
        let g = gallery();
        let p = presets(&g);
        assert_eq!(p.len(), 4);
        assert_eq!(p[0], ((3, 5), (103, 105)));
        assert_eq!(p[2], ((0, 4), (100, 104)));
        assert_eq!(g.image(7).unwrap()[0], 30);
        assert_eq!(g.label(7), Some(3));
        assert_eq!(g.image(99), None);
        assert!(presets(&Gallery::default()).is_empty());
    }

    #[test]
    fn frames_are_checked() {
        assert_eq!(parse_frames(" 10 "), Ok(10));
        assert_eq!(parse_frames("2"), Ok(2));
        assert!(parse_frames("1").is_err());
        assert!(parse_frames("21").unwrap_err().contains("2 to 20"));
        assert!(parse_frames("ten").is_err());
    }

    fn diagnostics() -> FrameDiagnostics {
        FrameDiagnostics {
            alphas: vec![-0.5, 0.0, 0.5, 1.0, 1.5],
            distances: vec![4.0, 0.0, 1.0, 0.0, 3.0],
            typical_distance: Some(2.0),
            classifier: Some("c".into()),
            guesses: vec![3, 3, 8, 5, 5],
            confidences: vec![0.5, 0.99, 0.4, 0.97, 0.6],
        }
    }

    #[test]
    fn frame_rows_mark_extrapolation_and_scale_distances() {
        let rows = frame_rows(&diagnostics());
        assert_eq!(rows.len(), 5);
        let marked: Vec<bool> = rows.iter().map(|r| r.extrapolated).collect();
        assert_eq!(marked, [true, false, false, false, true]);
        assert_eq!(rows[0].relative_distance, Some(2.0));
        assert_eq!(rows[2].guess, Some((8, 0.4)));
        let without = FrameDiagnostics {
            guesses: Vec::new(),
            confidences: Vec::new(),
            typical_distance: None,
            ..diagnostics()
        };
        let rows = frame_rows(&without);
        assert!(
            rows.iter()
                .all(|r| r.guess.is_none() && r.relative_distance.is_none())
        );
    }

    #[test]
    fn the_distance_chart_plots_each_path_beside_the_unit_line() {
        use crate::ui::chart::{BLUE, ORANGE};
        let d = diagnostics();
        // The second path: the same frames between A and B only (α 0 to 1).
        let inner = FrameDiagnostics {
            alphas: d.alphas[1..4].to_vec(),
            distances: d.distances[1..4].to_vec(),
            guesses: d.guesses[1..4].to_vec(),
            confidences: d.confidences[1..4].to_vec(),
            ..d.clone()
        };
        let chart = distance_chart(&[
            ("a".into(), Some(&d), BLUE),
            ("b".into(), Some(&inner), ORANGE),
        ]);
        let names: Vec<&str> = chart.series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(names, ["a", "b", "a real digit's nearest neighbour"]);
        assert_eq!(chart.series[0].points[4], (1.5, 1.5));
        assert_eq!(
            chart.series[1].points,
            vec![(0.0, 0.0), (0.5, 0.5), (1.0, 0.0)]
        );
        assert_eq!(
            chart.series[2].points,
            vec![(-0.5, 1.0), (1.5, 1.0)],
            "the unit line spans the widest path"
        );
        assert_eq!(chart.point_count(), 5 + 3 + 2);
        // A path still waiting for its frames has no line; with none, nothing is plotted.
        let waiting =
            distance_chart(&[("a".into(), None, BLUE), ("b".into(), Some(&inner), ORANGE)]);
        assert_eq!(waiting.series.len(), 2);
        assert_eq!(waiting.series[1].points, vec![(0.0, 1.0), (1.0, 1.0)]);
        assert_eq!(distance_chart(&[("a".into(), None, BLUE)]).point_count(), 0);
    }

    #[test]
    fn strips_run_past_the_ends_only_when_asked() {
        assert_eq!(strip_alphas(5, false), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(strip_alphas(5, true).len(), 9);
        assert_eq!(alpha_range(true), (-0.5, 1.5));
    }

    #[test]
    fn blend_starts_and_ends_at_the_images() {
        let a = vec![0u8, 100, 255];
        let b = vec![200u8, 100, 55];
        let frames = blend_pixels(&a, &b, &[0.0, 0.5, 1.0]);
        assert_eq!(&frames[0..3], &a[..]);
        assert_eq!(&frames[3..6], &[100, 100, 155]);
        assert_eq!(&frames[6..9], &b[..]);
    }

    #[test]
    fn a_path_is_summarised_between_its_ends_and_compared() {
        let diagnostics = FrameDiagnostics {
            alphas: vec![-0.5, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5],
            distances: vec![4.0, 0.0, 1.0, 3.0, 2.0, 0.0, 8.0],
            typical_distance: Some(2.0),
            classifier: Some("c".into()),
            guesses: vec![3, 3, 3, 8, 5, 5, 5],
            confidences: vec![0.9; 7],
        };
        let s = path_summary(&diagnostics, Some((3, 5))).unwrap();
        // Inner frames: α 0.25, 0.5, 0.75 → 0.5, 1.5, 1.0 gaps; one reads as an 8.
        assert_eq!(s.frames, 3);
        assert!((s.mean_distance - 1.0).abs() < 1e-6);
        assert_eq!(s.max_distance, 1.5);
        assert_eq!(s.neither_end, Some(1));
        assert_eq!(path_summary(&diagnostics, None).unwrap().neither_end, None);
        let no_unit = FrameDiagnostics {
            typical_distance: None,
            ..diagnostics.clone()
        };
        assert_eq!(path_summary(&no_unit, None), None);
        let nearer = PathSummary {
            mean_distance: 0.5,
            ..s
        };
        let text =
            path_comparison(&[("ae".into(), Some(s)), ("vae".into(), Some(nearer))]).unwrap();
        assert!(text.starts_with("ae: the path between A and B lies 1.00 from the data on average, 1.50 at most; 1 of its 3 inner frames"), "{text}");
        assert!(
            text.ends_with("vae's path stays nearer the data than ae's."),
            "{text}"
        );
        assert_eq!(path_comparison(&[("ae".into(), None)]), None);
    }
}
