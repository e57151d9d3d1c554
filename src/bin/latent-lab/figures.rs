//! PNG figures drawn with plotters: loss curves, decorrelation, transfer, image strips.

use std::path::Path;
use std::sync::Once;

use latent_lab::analysis::DecorrelationStats;
use latent_lab::data::pixels_to_bytes;
use latent_lab::files::{temporary_sibling, write_atomic_with};
use latent_lab::reference::REPORT_LATENT_SWEEP;
use plotters::prelude::*;
use plotters::style::FontStyle;

use latent_lab::results::Results;

/// Bundled so that figures look the same on every machine (no system font lookup).
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

fn register_font() {
    REGISTER.call_once(|| {
        // The font is compiled in; failing to parse it is a build defect.
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("bundled DejaVuSans.ttf is not a valid font"));
    });
}

type DrawResult = Result<(), String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    format!("drawing a figure failed: {e}")
}

const SIZE: (u32, u32) = (900, 560);

/// Writes the figure, drawn on [`temporary_sibling`]`(path)`, then renames it to `path`
/// ([`write_atomic_with`]): a figure is whole or not there (the PNG is written only when
/// presented, so an error while drawing leaves nothing behind).
fn finish(root: DrawingArea<BitMapBackend, plotters::coord::Shift>, path: &Path) -> DrawResult {
    // `root` already draws on the temporary file: presenting it writes that file.
    write_atomic_with(path, move |_temporary| {
        root.present().map_err(std::io::Error::other)
    })
    .map_err(|e| format!("{}: {e}", path.display()))
}

/// Decoded frames side by side, 28×28 each, scaled 4×, white ink on black as in MNIST.
pub fn image_strip(path: &Path, pixels: &[f32], frames: usize) -> DrawResult {
    const SCALE: usize = 4;
    const GAP: usize = 4;
    let side = 28 * SCALE;
    let width = frames * side + (frames + 1) * GAP;
    let height = side + 2 * GAP;
    let tmp = temporary_sibling(path);
    let root = BitMapBackend::new(&tmp, (width as u32, height as u32)).into_drawing_area();
    root.fill(&RGBColor(40, 40, 40)).map_err(err)?;
    let bytes = pixels_to_bytes(pixels);
    for f in 0..frames {
        let x0 = GAP + f * (side + GAP);
        for y in 0..28 {
            for x in 0..28 {
                let g = bytes[f * 784 + y * 28 + x];
                root.draw(&Rectangle::new(
                    [
                        ((x0 + x * SCALE) as i32, (GAP + y * SCALE) as i32),
                        (
                            (x0 + (x + 1) * SCALE) as i32,
                            (GAP + (y + 1) * SCALE) as i32,
                        ),
                    ],
                    RGBColor(g, g, g).filled(),
                ))
                .map_err(err)?;
            }
        }
    }
    finish(root, path)
}

/// Every chart of the report.
pub fn all(out: &Path, results: &Results) -> DrawResult {
    register_font();
    let sweep: Vec<(String, Vec<f32>, Vec<f32>)> = results
        .latent_sweep
        .iter()
        .map(|e| {
            (
                format!("d={}", e.latent_dim),
                e.curve.train.clone(),
                e.curve.test.clone(),
            )
        })
        .collect();
    loss_curves(
        &out.join("sweep_curves.png"),
        "A. Latent sweep (two-layer)",
        &sweep,
    )?;
    let depth: Vec<(String, Vec<f32>, Vec<f32>)> = results
        .depth
        .iter()
        .map(|e| {
            (
                format!(
                    "{} layer{} ({} params)",
                    e.layers,
                    if e.layers > 1 { "s" } else { "" },
                    e.params
                ),
                e.curve.train.clone(),
                e.curve.test.clone(),
            )
        })
        .collect();
    loss_curves(
        &out.join("depth_curves.png"),
        "B. Depth at latent size 20",
        &depth,
    )?;
    sweep_losses(&out.join("sweep_losses.png"), results)?;
    decorrelation(&out.join("decorrelation.png"), results)?;
    transfer_curves(&out.join("transfer_curves.png"), results)
}

fn palette(i: usize) -> RGBColor {
    const COLORS: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
    ];
    COLORS[i % COLORS.len()]
}

fn range_of<'a>(values: impl Iterator<Item = &'a f32>) -> (f32, f32) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if lo > hi { (0.0, 1.0) } else { (lo, hi) }
}

/// Eval-mode train (dashed) and test (solid) loss per epoch, with a marker per epoch.
fn loss_curves(path: &Path, title: &str, series: &[(String, Vec<f32>, Vec<f32>)]) -> DrawResult {
    let epochs = series.iter().map(|s| s.2.len()).max().unwrap_or(1).max(2);
    let (lo, hi) = range_of(series.iter().flat_map(|s| s.1.iter().chain(&s.2)));
    let tmp = temporary_sibling(path);
    let root = BitMapBackend::new(&tmp, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.8f32..epochs as f32 + 0.2, lo * 0.9..hi * 1.05)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("MSE loss per pixel")
        .y_label_formatter(&|v| format!("{v:.3}"))
        .draw()
        .map_err(err)?;
    for (i, (name, train, test)) in series.iter().enumerate() {
        let color = palette(i);
        let points = |v: &Vec<f32>| -> Vec<(f32, f32)> {
            v.iter()
                .enumerate()
                .map(|(e, &l)| ((e + 1) as f32, l))
                .collect()
        };
        chart
            .draw_series(LineSeries::new(points(test), color.stroke_width(2)))
            .map_err(err)?
            .label(name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(DashedLineSeries::new(
                points(train),
                6,
                4,
                color.stroke_width(1),
            ))
            .map_err(err)?;
        chart
            .draw_series(
                points(test)
                    .into_iter()
                    .map(|p| Circle::new(p, 3, color.filled())),
            )
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(err)?;
    finish(root, path)
}

/// Final test loss against latent size (log x), ours and the report's, and where the results
/// have them, the references both have to come in under: a linear code of each size (PCA) and
/// no code at all (the mean digit, flat).
pub fn sweep_losses(path: &Path, results: &Results) -> DrawResult {
    register_font();
    let ours: Vec<(f32, f32)> = results
        .latent_sweep
        .iter()
        .map(|e| (e.latent_dim as f32, e.test_loss))
        .collect();
    let report: Vec<(f32, f32)> = REPORT_LATENT_SWEEP
        .iter()
        .map(|r| (r.0 as f32, r.3))
        .collect();
    let mut series = vec![
        ("test loss, this run", ours, palette(0)),
        ("test loss, the report", report, palette(1)),
    ];
    if let Some(baselines) = &results.linear_baselines {
        let linear: Vec<(f32, f32)> = baselines
            .entries
            .iter()
            .filter(|e| e.latent_dim > 0)
            .map(|e| (e.latent_dim as f32, e.test_loss))
            .collect();
        // The page's colours for these two: green, and grey for the flat reference.
        series.push(("test loss, a linear code (PCA)", linear, palette(2)));
        if let Some(none) = baselines.at(0) {
            series.push((
                "test loss, no code (the mean digit)",
                vec![(1.0, none.test_loss), (100.0, none.test_loss)],
                palette(7),
            ));
        }
    }
    let (_, hi) = range_of(
        series
            .iter()
            .flat_map(|(_, points, _)| points.iter().map(|p| &p.1)),
    );
    per_latent_size_chart(
        path,
        "Final test loss against latent size",
        "MSE loss per pixel",
        hi * 1.1,
        &series,
    )
}

/// Mean |Pearson r| against latent size, both conventions for undefined pairs.
fn decorrelation(path: &Path, results: &Results) -> DrawResult {
    let points = |value: fn(&DecorrelationStats) -> Option<f64>| -> Vec<(f32, f32)> {
        results
            .decorrelation
            .iter()
            .filter_map(|s| Some((s.latent_dim as f32, value(s)? as f32)))
            .collect()
    };
    per_latent_size_chart(
        path,
        "D. Mean |Pearson r| between latent coordinates",
        "mean |r| over pairs",
        1.0,
        &[
            (
                "undefined pairs as 0 (report)",
                points(|s| s.mean_abs_pearson),
                palette(0),
            ),
            (
                "defined pairs only",
                points(|s| s.mean_abs_pearson_defined),
                palette(1),
            ),
        ],
    )
}

/// A line of a per-latent-size chart: its label, its (d, value) points and its colour.
type LatentSizeSeries<'a> = (&'a str, Vec<(f32, f32)>, RGBColor);

/// Lines with markers against latent size on a log x axis (1 to 100), y from 0 to `y_max`.
fn per_latent_size_chart(
    path: &Path,
    title: &str,
    y_desc: &str,
    y_max: f32,
    series: &[LatentSizeSeries],
) -> DrawResult {
    let tmp = temporary_sibling(path);
    let root = BitMapBackend::new(&tmp, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d((0.8f32..130f32).log_scale(), 0f32..y_max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("latent size d (log scale)")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc(y_desc)
        .y_label_formatter(&|v| format!("{v:.3}"))
        .draw()
        .map_err(err)?;
    for &(name, ref points, color) in series {
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
            .map_err(err)?
            .label(name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    finish(root, path)
}

/// Test accuracy per scenario, one panel per labelled-set size.
fn transfer_curves(path: &Path, results: &Results) -> DrawResult {
    let mut sizes: Vec<usize> = results.transfer.iter().map(|t| t.labels).collect();
    sizes.dedup();
    let tmp = temporary_sibling(path);
    let root = BitMapBackend::new(&tmp, (1200, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let panels = root.split_evenly((1, sizes.len().max(1)));
    for (panel, &n) in panels.iter().zip(&sizes) {
        let runs: Vec<_> = results.transfer.iter().filter(|t| t.labels == n).collect();
        let max_epoch = runs.iter().map(|t| t.epochs).max().unwrap_or(1).max(2);
        let mut chart = ChartBuilder::on(panel)
            .caption(format!("E. {n} labels"), ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(50)
            .build_cartesian_2d(0f32..max_epoch as f32 * 1.02, 0f32..100f32)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc("test accuracy (%)")
            .draw()
            .map_err(err)?;
        for (i, run) in runs.iter().enumerate() {
            let color = palette(i);
            let points: Vec<(f32, f32)> = run
                .curve
                .epochs
                .iter()
                .zip(&run.curve.test_accuracy)
                .map(|(&e, &a)| (e as f32, a * 100.0))
                .collect();
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(err)?
                .label(run.scenario.to_string())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(err)?;
    }
    finish(root, path)
}
