//! The live loss chart (plotters on a canvas): smoothed per-step loss, per-epoch train and
//! test loss, with a log-scale toggle.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::coord::ranged1d::AsRangedCoord;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::CanvasRenderingContext2d;

use super::chart_frame::{Pen, axis_text, blank_canvas, grid_and_axes, legend, line, plot_error};
use super::download::{NOTHING_TO_SAVE, offer_canvas_png, offer_download};
use crate::ui::chart::{BLUE, GREY, ORANGE};
use crate::ui::loss_history::LossHistory;
use crate::ui::ticks::{linear_ticks, log_ticks};

/// The smoothed loss of every step: a thin pale line.
const STEP: Pen = Pen {
    colour: (150, 170, 210),
    width: 1,
    dashed: false,
    markers: false,
};
/// An epoch's mean train loss and its test loss: bold lines with a dot an epoch.
const TRAIN: Pen = Pen {
    colour: BLUE,
    width: 2,
    dashed: false,
    markers: true,
};
const TEST: Pen = Pen {
    colour: ORANGE,
    width: 2,
    dashed: false,
    markers: true,
};
/// No code at all (the mean digit): the line a training has to come in under.
const NO_CODE: Pen = Pen {
    colour: GREY,
    width: 1,
    dashed: true,
    markers: false,
};
/// Its legend.
pub const NO_CODE_LABEL: &str = "no code: the mean digit (test)";

#[component]
pub fn LossChart(
    #[prop(into)] history: Signal<LossHistory>,
    #[prop(into)] epochs: Signal<usize>,
    /// The test loss with no code (the mean training digit), drawn as a flat reference.
    #[prop(into)]
    no_code: Signal<Option<f32>>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let log = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let reference = no_code.get().map(f64::from);
        let result = history.with(|h| draw(canvas, h, epochs.get(), log.get(), reference));
        error.set(result.err());
    });
    let no_training = move || history.with(|h| h.steps.is_empty());
    view! {
        <figure class="chart">
            <canvas
                node_ref=canvas
                width="640"
                height="320"
                data-testid="loss-chart"
                role="img"
                aria-label=move || {
                    let run = history.with(|h| match (h.steps.first(), h.steps.last(), h.epochs.last()) {
                        (Some(first), Some(last), epoch) => format!(
                            "Training loss by epoch: from {:.4} to {:.4} after {:.2} epochs{}.",
                            first.1, last.1, last.0,
                            epoch.map_or(String::new(), |e| format!("; test loss {:.4} after epoch {}", e.2, e.0))
                        ),
                        _ => "Training loss by epoch: no training yet.".to_string(),
                    });
                    match no_code.get() {
                        Some(y) => format!("{run} Beside it, {NO_CODE_LABEL}: {y:.4}."),
                        None => run,
                    }
                }
                // The reference line's loss, for tests.
                data-no-code=move || no_code.get().map(|y| y.to_string())
                // The plotted step series in numbers, for tests and screen readers.
                data-points=move || history.with(|h| h.steps.len())
                data-epochs=move || history.with(|h| h.epochs.len())
                data-first=move || history.with(|h| h.steps.first().map_or(f64::NAN, |p| p.1))
                data-last=move || history.with(|h| h.steps.last().map_or(f64::NAN, |p| p.1))
                // Every epoch's train and test loss, in full: two runs of one link compare equal.
                data-epoch-losses=move || history.with(|h| {
                    h.epochs.iter().map(|e| format!("{}/{}", e.1, e.2)).collect::<Vec<_>>().join(" ")
                })
            ></canvas>
            <figcaption>
                <label>
                    <input
                        type="checkbox"
                        prop:checked=move || log.get()
                        on:change=move |ev| log.set(event_target_checked(&ev))
                    />
                    " log scale"
                </label>
                " "
                <button class="small" disabled=no_training title=move || no_training().then_some(NOTHING_TO_SAVE)
                    on:click=move |_| {
                    if let Some(c) = canvas.get() {
                        error.set(offer_canvas_png(&c, "training-loss.png").err());
                    }
                }>"PNG"</button>
                <button class="small" disabled=no_training title=move || no_training().then_some(NOTHING_TO_SAVE)
                    on:click=move |_| {
                    error.set(offer_download("training-loss.csv", history.with(LossHistory::to_csv).as_bytes()).err());
                }>"CSV"</button>
                {move || error.get().map(|e| view! { <span class="warning">" chart: " {e}</span> })}
            </figcaption>
        </figure>
    }
}

fn draw(
    canvas: web_sys::HtmlCanvasElement,
    history: &LossHistory,
    epochs: usize,
    log: bool,
    reference: Option<f64>,
) -> Result<(), String> {
    let (root, context) = blank_canvas(canvas)?;
    // Room for the labels; the legend sits inside the plot, top right.
    let plot = root.margin(14, 44, 70, 16);
    let ((x0, x1), (y0, y1)) = history.ranges(epochs, log, reference);
    let x_ticks = linear_ticks(x0, x1, 6);
    let y_ticks = if log {
        log_ticks(y0, y1)
    } else {
        linear_ticks(y0, y1, 5)
    };
    let ticks = (&x_ticks[..], &y_ticks[..]);
    if log {
        series(
            &plot,
            &context,
            (history, reference),
            x0..x1,
            (y0..y1).log_scale(),
            ticks,
        )
    } else {
        series(&plot, &context, (history, reference), x0..x1, y0..y1, ticks)
    }?;
    root.present().map_err(plot_error)
}

fn series<Y>(
    plot: &DrawingArea<CanvasBackend, Shift>,
    context: &CanvasRenderingContext2d,
    (history, reference): (&LossHistory, Option<f64>),
    x: std::ops::Range<f64>,
    y: Y,
    ticks: (&[f64], &[f64]),
) -> Result<(), String>
where
    Y: AsRangedCoord<Value = f64>,
{
    let (x_start, x_end) = (x.start, x.end);
    let mut chart = ChartBuilder::on(plot)
        .build_cartesian_2d(x, y)
        .map_err(plot_error)?;
    grid_and_axes(&mut chart, ticks.0, ticks.1)?;
    let train: Vec<(f64, f64)> = history.epochs.iter().map(|e| (e.0, e.1)).collect();
    let test: Vec<(f64, f64)> = history.epochs.iter().map(|e| (e.0, e.2)).collect();
    let flat: Vec<(f64, f64)> = reference
        .map(|y| vec![(x_start, y), (x_end, y)])
        .unwrap_or_default();
    let mut lines = vec![
        ("train, per step (smoothed)", &history.steps, STEP),
        ("train, per epoch", &train, TRAIN),
        ("test, per epoch", &test, TEST),
    ];
    if !flat.is_empty() {
        lines.push((NO_CODE_LABEL, &flat, NO_CODE));
    }
    for (_, points, pen) in &lines {
        line(&mut chart, points, *pen)?;
    }
    let plot = axis_text(&chart, context, ticks, ("epoch", "loss (MSE per pixel)"));
    legend(
        context,
        lines.iter().enumerate().map(|(i, (label, _, pen))| {
            let at = (plot.right - 200.0, plot.top + 12.0 + 18.0 * i as f64);
            (at, *pen, *label)
        }),
    );
    Ok(())
}
