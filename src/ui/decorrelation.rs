//! `#/decorrelation` as data: mean |Pearson r| between latent coordinates per latent size
//! (this browser's bundled test subset beside the full-MNIST reproduction), the text that
//! reads them, the correlation heatmap's pixels and a coordinate's histogram bars.

use super::chart::{BLUE, ChartSpec, GREY, ORANGE, Series};
use crate::analysis::{DecorrelationStats, Histogram};
use crate::engine::latent_analysis::{CorrelationMatrix, LatentAnalysis};
use crate::model::{Architecture, LATENT_SIZES};
use crate::results::Results;
use crate::weights::ModelSpec;

/// The pretrained model of the latent sweep with this latent size (its store name).
pub fn sweep_model_name(latent_dim: usize) -> String {
    ModelSpec::Autoencoder {
        architecture: Architecture::TwoLayer,
        latent_dim,
    }
    .name()
}

#[derive(Debug, Clone, PartialEq)]
pub struct DecorrelationRow {
    pub latent_dim: usize,
    /// Computed in this browser on the bundled test subset.
    pub browser: Option<DecorrelationStats>,
    /// From the full-MNIST reproduction (whole test set).
    pub reproduction: Option<DecorrelationStats>,
}

impl DecorrelationRow {
    /// The browser's figures where they exist, else the reproduction's.
    pub fn best(&self) -> Option<&DecorrelationStats> {
        self.browser.as_ref().or(self.reproduction.as_ref())
    }
}

/// One row per latent size of the sweep; `analysis` finds the browser's analysis of a model.
pub fn decorrelation_rows<'a>(
    analysis: impl Fn(&str) -> Option<&'a LatentAnalysis>,
    results: Option<&Results>,
) -> Vec<DecorrelationRow> {
    LATENT_SIZES
        .iter()
        .map(|&d| DecorrelationRow {
            latent_dim: d,
            browser: analysis(&sweep_model_name(d)).map(|a| a.stats),
            reproduction: results
                .and_then(|r| r.decorrelation.iter().find(|s| s.latent_dim == d))
                .copied(),
        })
        .collect()
}

/// Mean |r| (both conventions) and the fraction of dead coordinates against latent size;
/// the browser's figures solid, the reproduction's dashed.
pub fn decorrelation_chart(rows: &[DecorrelationRow]) -> ChartSpec {
    fn browser(r: &DecorrelationRow) -> Option<&DecorrelationStats> {
        r.browser.as_ref()
    }
    fn full(r: &DecorrelationRow) -> Option<&DecorrelationStats> {
        r.reproduction.as_ref()
    }
    let points = |pick: fn(&DecorrelationRow) -> Option<&DecorrelationStats>,
                  value: fn(&DecorrelationStats) -> Option<f64>| {
        rows.iter()
            .filter_map(|r| pick(r).and_then(value).map(|v| (r.latent_dim as f64, v)))
            .collect::<Vec<_>>()
    };
    let zero: fn(&DecorrelationStats) -> Option<f64> = |s| s.mean_abs_pearson;
    let defined: fn(&DecorrelationStats) -> Option<f64> = |s| s.mean_abs_pearson_defined;
    let dead: fn(&DecorrelationStats) -> Option<f64> =
        |s| Some(s.dead_units as f64 / s.latent_dim.max(1) as f64);
    ChartSpec {
        series: vec![
            Series::new(
                "mean |r|, dead pairs as 0 (report)",
                points(browser, zero),
                BLUE,
            ),
            Series::new(
                "mean |r|, defined pairs only",
                points(browser, defined),
                ORANGE,
            ),
            Series::new("dead coordinates (fraction)", points(browser, dead), GREY),
            Series::new("full MNIST, dead pairs as 0", points(full, zero), BLUE).dashed(),
            Series::new(
                "full MNIST, defined pairs only",
                points(full, defined),
                ORANGE,
            )
            .dashed(),
        ],
        x_label: "latent size".into(),
        y_label: "mean |Pearson r| · fraction dead".into(),
        log_x: true,
        log_y: false,
        whole_x: false,
    }
}

/// What the numbers say, in sentences computed from them.
pub fn decorrelation_summary(rows: &[DecorrelationRow]) -> Vec<String> {
    let with_pairs: Vec<(usize, &DecorrelationStats)> = rows
        .iter()
        .filter_map(|r| r.best().map(|s| (r.latent_dim, s)))
        .filter(|(_, s)| s.mean_abs_pearson.is_some())
        .collect();
    let mut text = Vec::new();
    let (Some(&(d0, first)), Some(&(d1, last))) = (with_pairs.first(), with_pairs.last()) else {
        return vec!["No model with two or more latent coordinates has been analysed yet.".into()];
    };
    if d0 == d1 {
        return text;
    }
    let zero = |s: &DecorrelationStats| s.mean_abs_pearson.unwrap_or(0.0);
    let defined = |s: &DecorrelationStats| s.mean_abs_pearson_defined;
    text.push(format!(
        "Counting dead pairs as 0 (the report's convention), mean |r| goes from {:.3} at latent size {d0} to {:.3} at {d1}.",
        zero(first),
        zero(last)
    ));
    if let (Some(a), Some(b)) = (defined(first), defined(last)) {
        text.push(format!(
            "Over the pairs of live coordinates only, it goes from {a:.3} to {b:.3}."
        ));
        // The report's mean is the live pairs' mean times the share of pairs that are defined,
        // so on a log scale its fall splits exactly into those two parts.
        let (z0, z1) = (zero(first), zero(last));
        if z0 > z1 && z1 > 0.0 && a > 0.0 && b > 0.0 {
            let (f0, f1) = (z0 / a, z1 / b);
            if b >= a {
                text.push(format!(
                    "So the live coordinates do not become less correlated as the code grows: the whole fall comes from dead coordinates counted as 0 (defined pairs: {:.0}% of all at {d0}, {:.0}% at {d1}).",
                    f0 * 100.0,
                    f1 * 100.0
                ));
            } else {
                let share = ((f0 / f1).ln() / (z0 / z1).ln()).clamp(0.0, 1.0);
                text.push(format!(
                    "The report's mean is the live pairs' mean times the share of pairs that are defined ({:.0}% at {d0}, {:.0}% at {d1}): on a log scale, about {:.0}% of its fall comes from dead coordinates counted as 0, the rest from live coordinates becoming less correlated.",
                    f0 * 100.0,
                    f1 * 100.0,
                    share * 100.0
                ));
            }
        } else if z0 <= z1 {
            text.push(
                "Larger codes are not less correlated here, whichever convention is used.".into(),
            );
        }
    }
    let dead: Vec<String> = rows
        .iter()
        .filter_map(|r| r.best().map(|s| (r.latent_dim, s.dead_units)))
        .filter(|&(_, dead)| dead > 0)
        .map(|(d, dead)| format!("{dead} of {d}"))
        .collect();
    if dead.is_empty() {
        text.push("No coordinate is dead in any model.".into());
    } else {
        text.push(format!(
            "Dead coordinates (a ReLU that never fires on these images): {}.",
            dead.join(", ")
        ));
    }
    text
}

/// The table as CSV (empty fields where a figure is missing or undefined).
pub fn decorrelation_csv(rows: &[DecorrelationRow]) -> String {
    let f = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    let mut csv = String::from(
        "latent_dim,browser_mean_abs_r,browser_mean_abs_r_defined,browser_dead,full_mean_abs_r,full_mean_abs_r_defined,full_dead\n",
    );
    for r in rows {
        let (b, full) = (r.browser.as_ref(), r.reproduction.as_ref());
        csv.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            r.latent_dim,
            f(b.and_then(|s| s.mean_abs_pearson)),
            f(b.and_then(|s| s.mean_abs_pearson_defined)),
            b.map_or(String::new(), |s| s.dead_units.to_string()),
            f(full.and_then(|s| s.mean_abs_pearson)),
            f(full.and_then(|s| s.mean_abs_pearson_defined)),
            full.map_or(String::new(), |s| s.dead_units.to_string()),
        ));
    }
    csv
}

/// Side of one heatmap cell, in canvas pixels, for a `d × d` matrix about 300 pixels wide.
/// At least one pixel, so the canvas is never wider than `max(300, d)` pixels (1,000 at the
/// largest latent size: 4 MB of pixels, not the 36 MB a 3-pixel floor gave).
pub fn heatmap_cell(d: usize) -> usize {
    (300 / d.max(1)).clamp(1, 60)
}

/// The colour of a correlation: white at 0, red towards +1, blue towards −1.
pub fn correlation_colour(r: f32) -> [u8; 3] {
    let t = r.clamp(-1.0, 1.0).abs();
    let target: [f32; 3] = if r >= 0.0 {
        [178.0, 24.0, 43.0]
    } else {
        [33.0, 102.0, 172.0]
    };
    // + 0.5 and truncate: the same as `round` for these positive values, without the call to
    // libm's roundf that `round` is in WebAssembly (three a cell, a million cells).
    target.map(|c| (255.0 + (c - 255.0) * t + 0.5) as u8)
}

/// The correlation matrix as an RGBA image, `cell` pixels per entry. Dead coordinates' rows
/// and columns are grey with dark diagonal stripes, so they cannot be mistaken for r = 0.
pub fn heatmap_rgba(matrix: &CorrelationMatrix, d: usize, cell: usize) -> (usize, usize, Vec<u8>) {
    let side = d * cell;
    let mut rgba = vec![0u8; side * side * 4];
    for y in 0..side {
        for x in 0..side {
            let (i, j) = (y / cell, x / cell);
            let rgb = match matrix.get(i * d + j) {
                Some(r) => correlation_colour(r),
                None if (x + y) % 4 == 0 => [120, 120, 128],
                None => [205, 205, 210],
            };
            let at = (y * side + x) * 4;
            rgba[at..at + 3].copy_from_slice(&rgb);
            rgba[at + 3] = 255;
        }
    }
    (side, side, rgba)
}

/// Where cell (i, j) of a `d × d` heatmap lies, as CSS for a mark laid over the canvas: in
/// fractions of the canvas's side, so the mark stays on its cell at any size the canvas is shown.
pub fn heatmap_mark_style(i: usize, j: usize, d: usize) -> String {
    let side = 100.0 / d.max(1) as f64;
    format!(
        "left:{:.3}%;top:{:.3}%;width:{side:.3}%;height:{side:.3}%",
        j as f64 * side,
        i as f64 * side
    )
}

/// The correlation of coordinates i and j of a `d × d` matrix as the page writes it: to two
/// places, or why it has none.
pub fn correlation_text(matrix: &CorrelationMatrix, d: usize, i: usize, j: usize) -> String {
    (i < d && j < d)
        .then(|| matrix.get(i * d + j))
        .flatten()
        .map_or_else(
            || "undefined (a dead coordinate)".to_string(),
            |r| format!("{r:.2}"),
        )
}

/// What the keyboard's cursor on the heatmap is on, read out as it moves.
pub fn heatmap_cursor_text(matrix: &CorrelationMatrix, d: usize, i: usize, j: usize) -> String {
    format!(
        "Row {i}, column {j}: r = {}. Enter plots coordinate {j} against coordinate {i}.",
        correlation_text(matrix, d, i, j)
    )
}

/// Bars `(x, y, width, height)` of a histogram in a `width × height` box (y down, bars
/// standing on the bottom edge, the tallest reaching the top).
pub fn histogram_bars(h: &Histogram, width: f64, height: f64) -> Vec<(f64, f64, f64, f64)> {
    let most = h.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bar = width / h.counts.len().max(1) as f64;
    h.counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let tall = height * c as f64 / most;
            (i as f64 * bar, height - tall, bar, tall)
        })
        .collect()
}

/// Canvas positions of a scatter of `xs` against `ys` in a `width × height` box with a
/// `margin`, each axis on its own range (y upwards). A coordinate that never varies (dead)
/// puts every point on its middle line.
pub fn scatter_positions(
    xs: &[f32],
    ys: &[f32],
    width: f64,
    height: f64,
    margin: f64,
) -> Vec<(f64, f64)> {
    let range = |v: &[f32]| {
        let lo = v.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        (f64::from(lo), f64::from(hi))
    };
    let place = |v: f32, (lo, hi): (f64, f64), length: f64| {
        if hi > lo {
            margin + (f64::from(v) - lo) / (hi - lo) * (length - 2.0 * margin)
        } else {
            length / 2.0
        }
    };
    let (rx, ry) = (range(xs), range(ys));
    xs.iter()
        .zip(ys)
        .map(|(&x, &y)| (place(x, rx, width), height - place(y, ry, height)))
        .collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn a_scatter_spans_its_box_and_a_dead_coordinate_sits_in_the_middle() {
        let p = scatter_positions(&[0.0, 1.0, 2.0], &[5.0, 5.0, 5.0], 110.0, 60.0, 5.0);
        assert_eq!(p, vec![(5.0, 30.0), (55.0, 30.0), (105.0, 30.0)]);
        let p = scatter_positions(&[1.0, 3.0], &[-1.0, 1.0], 20.0, 20.0, 0.0);
        assert_eq!(p, vec![(0.0, 20.0), (20.0, 0.0)], "y grows upwards");
    }

    fn stats(d: usize, zero: Option<f64>, defined: Option<f64>, dead: usize) -> DecorrelationStats {
        DecorrelationStats {
            latent_dim: d,
            mean_abs_pearson: zero,
            mean_abs_pearson_defined: defined,
            dead_units: dead,
        }
    }

    fn rows(values: &[(usize, Option<f64>, Option<f64>, usize)]) -> Vec<DecorrelationRow> {
        values
            .iter()
            .map(|&(d, z, def, dead)| DecorrelationRow {
                latent_dim: d,
                browser: Some(stats(d, z, def, dead)),
                reproduction: None,
            })
            .collect()
    }

    #[test]
    fn summary_splits_the_fall_between_dead_and_live_coordinates() {
        let r = rows(&[
            (1, None, None, 1),
            (5, Some(0.10), Some(0.16), 1),
            (100, Some(0.05), Some(0.12), 35),
        ]);
        let text = decorrelation_summary(&r);
        assert!(
            text[0].contains("from 0.100 at latent size 5 to 0.050 at 100"),
            "{text:?}"
        );
        assert!(text[1].contains("from 0.160 to 0.120"));
        // Defined shares: 0.10 / 0.16 = 62.5% and 0.05 / 0.12 = 41.7%; the report's measure falls
        // by ln 2 in all, ln 1.5 of it from the shares: 58%.
        assert!(text[2].contains("(62% at 5, 42% at 100)"), "{}", text[2]);
        assert!(text[2].contains("about 58% of its fall"), "{}", text[2]);
        assert_eq!(
            text[3],
            "Dead coordinates (a ReLU that never fires on these images): 1 of 1, 1 of 5, 35 of 100."
        );
    }

    #[test]
    fn summary_says_when_live_coordinates_do_not_decorrelate() {
        let r = rows(&[
            (5, Some(0.10), Some(0.10), 0),
            (50, Some(0.05), Some(0.12), 20),
        ]);
        let text = decorrelation_summary(&r);
        assert!(
            text[2].contains("whole fall comes from dead coordinates"),
            "{text:?}"
        );
        assert!(decorrelation_summary(&rows(&[(1, None, None, 0)]))[0].starts_with("No model"));
    }

    #[test]
    fn csv_leaves_undefined_figures_empty() {
        let r = rows(&[(1, None, None, 1), (5, Some(0.25), Some(0.5), 0)]);
        assert_eq!(
            decorrelation_csv(&r),
            "latent_dim,browser_mean_abs_r,browser_mean_abs_r_defined,browser_dead,full_mean_abs_r,full_mean_abs_r_defined,full_dead\n1,,,1,,,\n5,0.25,0.5,0,,,\n"
        );
    }

    #[test]
    fn chart_has_a_dead_fraction_for_every_latent_size() {
        let r = rows(&[
            (1, None, None, 1),
            (5, Some(0.1), Some(0.2), 0),
            (10, Some(0.1), Some(0.2), 5),
        ]);
        let chart = decorrelation_chart(&r);
        assert_eq!(chart.series[0].points.len(), 2, "d = 1 has no pair");
        assert_eq!(
            chart.series[2].points,
            vec![(1.0, 1.0), (5.0, 0.0), (10.0, 0.5)]
        );
        assert!(chart.series[3].points.is_empty(), "no reproduction given");
    }

    #[test]
    fn heatmap_colours_correlations_and_marks_dead_coordinates() {
        assert_eq!(correlation_colour(0.0), [255, 255, 255]);
        assert_eq!(correlation_colour(1.0), [178, 24, 43]);
        assert_eq!(correlation_colour(-1.0), [33, 102, 172]);
        // 2 × 2: coordinate 1 dead.
        let matrix = CorrelationMatrix::from_values(&[Some(1.0), None, None, None]);
        let (w, h, rgba) = heatmap_rgba(&matrix, 2, 3);
        assert_eq!((w, h, rgba.len()), (6, 6, 6 * 6 * 4));
        assert_eq!(&rgba[0..4], &[178, 24, 43, 255]);
        let px = |x: usize, y: usize| &rgba[(y * 6 + x) * 4..(y * 6 + x) * 4 + 3];
        assert_eq!(px(4, 0), &[120, 120, 128], "stripe on a dead column");
        assert_eq!(px(5, 0), &[205, 205, 210]);
        assert_eq!(heatmap_cell(100), 3);
        assert_eq!(heatmap_cell(150), 2);
        let largest = crate::model::MAX_LATENT_DIM;
        assert_eq!(largest * heatmap_cell(largest), largest, "bounded");
        assert_eq!(heatmap_cell(5), 60);
    }

    #[test]
    fn a_heatmap_mark_covers_its_cell_at_any_size() {
        // 20 × 20: cell (2, 5) starts 5/20 across and 2/20 down, and is 1/20 wide.
        assert_eq!(
            heatmap_mark_style(2, 5, 20),
            "left:25.000%;top:10.000%;width:5.000%;height:5.000%"
        );
        assert_eq!(
            heatmap_mark_style(2, 1, 3),
            "left:33.333%;top:66.667%;width:33.333%;height:33.333%"
        );
        assert_eq!(
            heatmap_mark_style(0, 0, 0),
            "left:0.000%;top:0.000%;width:100.000%;height:100.000%",
            "no division by zero"
        );
    }

    #[test]
    fn the_heatmap_cursor_reads_its_cell() {
        // 2 × 2: r(0, 1) = −0.25; coordinate 1 dead on the diagonal.
        let matrix = CorrelationMatrix::from_values(&[Some(1.0), Some(-0.25), Some(-0.25), None]);
        assert_eq!(correlation_text(&matrix, 2, 0, 1), "-0.25");
        assert_eq!(correlation_text(&matrix, 2, 0, 0), "1.00");
        assert_eq!(
            correlation_text(&matrix, 2, 1, 1),
            "undefined (a dead coordinate)"
        );
        assert_eq!(
            correlation_text(&matrix, 2, 0, 2),
            "undefined (a dead coordinate)",
            "past the matrix: not the next row's entry"
        );
        assert_eq!(
            heatmap_cursor_text(&matrix, 2, 1, 0),
            "Row 1, column 0: r = -0.25. Enter plots coordinate 0 against coordinate 1."
        );
    }

    #[test]
    fn histogram_bars_scale_to_the_tallest() {
        let h = Histogram {
            min: 0.0,
            max: 1.0,
            counts: vec![2, 4, 0, 1],
        };
        let bars = histogram_bars(&h, 200.0, 100.0);
        assert_eq!(bars[0], (0.0, 50.0, 50.0, 50.0));
        assert_eq!(bars[1], (50.0, 0.0, 50.0, 100.0));
        assert_eq!(bars[2], (100.0, 100.0, 50.0, 0.0));
        assert_eq!(bars[3], (150.0, 75.0, 50.0, 25.0));
    }
}
