//! The live loss chart (plotters on a canvas): smoothed per-step loss, per-epoch train and
//! test loss, with a log-scale toggle and a choice of x axis (epochs, images seen, steps);
//! earlier runs the person ticked are laid over it, thin, each in its own colour.

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
use crate::ui::earlier_runs::EarlierRun;
use crate::ui::loss_axis::{EarlierLines, LossAxis, LossLines, RunShape, loss_csv};
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
/// The legend's one line for every earlier run (each run's colour is in the list).
const EARLIER_LABEL: &str = "earlier runs (listed below)";

/// An earlier run's smoothed training loss: thin, in the run's colour.
fn earlier_steps(run: &EarlierLines) -> Pen {
    Pen {
        colour: run.colour,
        width: 1,
        dashed: false,
        markers: false,
    }
}

/// An earlier run's test loss per epoch: dashed, a dot an epoch.
fn earlier_test(run: &EarlierLines) -> Pen {
    Pen {
        dashed: true,
        markers: true,
        ..earlier_steps(run)
    }
}

#[component]
pub fn LossChart(
    #[prop(into)] history: Signal<LossHistory>,
    #[prop(into)] epochs: Signal<usize>,
    /// This run's images and batch size (none before the first run): where its steps fall on
    /// an axis of images or steps.
    #[prop(into)]
    shape: Signal<Option<RunShape>>,
    /// The test loss with no code (the mean training digit), drawn as a flat reference.
    #[prop(into)]
    no_code: Signal<Option<f32>>,
    /// Earlier runs to lay over this one (the ticked ones of the list under the chart).
    #[prop(into)]
    earlier: Signal<Vec<EarlierRun>>,
    /// What the x axis counts; the person's choice flows up through `choose_axis`.
    #[prop(into)]
    axis: Signal<LossAxis>,
    choose_axis: Callback<LossAxis>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let log = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let lines = Memo::new(move |_| {
        let shape = shape.get();
        let (axis, epochs) = (axis.get(), epochs.get());
        earlier.with(|earlier| history.with(|h| LossLines::new(axis, h, shape, epochs, earlier)))
    });
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let reference = no_code.get().map(f64::from);
        let result = lines.with(|lines| draw(canvas, lines, log.get(), reference));
        error.set(result.err());
    });
    let pick_axis = move |ev: leptos::ev::Event| {
        if let Ok(axis) = LossAxis::from_key(&event_target_value(&ev)) {
            choose_axis.run(axis);
        }
    };
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
                    let run = match no_code.get() {
                        Some(y) => format!("{run} Beside it, {NO_CODE_LABEL}: {y:.4}."),
                        None => run,
                    };
                    let run = match axis.get() {
                        LossAxis::Epochs => run,
                        other => format!("{run} Drawn against {}.", other.label()),
                    };
                    earlier.with(|runs| match runs.len() {
                        0 => run,
                        n => format!("{run} Laid over it: {} (listed below the chart).",
                            crate::ui::format::count(n, "earlier run", "earlier runs")),
                    })
                }
                // What the x axis counts and how far it reaches, for tests.
                data-x-axis=move || axis.get().key()
                data-x-end=move || lines.with(LossLines::x_end)
                // The reference line's loss, for tests.
                data-no-code=move || no_code.get().map(|y| y.to_string())
                // The earlier runs drawn: "run id:last test loss", for tests.
                data-earlier=move || lines.with(|lines| {
                    lines.earlier.iter()
                        .map(|r| format!("{}:{}", r.run_id, r.final_test_loss.map_or("-".into(), |l| l.to_string())))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                // Where each earlier run's last test loss stands on the x axis: "run id:x".
                data-earlier-x=move || lines.with(|lines| {
                    lines.earlier.iter()
                        .map(|r| format!("{}:{}", r.run_id, r.test.last().map_or("-".into(), |p| p.0.to_string())))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
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
                    " log scale (loss)"
                </label>
                <label title="Runs on different numbers of images or batch sizes compare fairly by what they have been through, not by epochs">
                    " x axis "
                    <select data-testid="loss-x-axis" prop:value=move || axis.get().key() on:change=pick_axis>
                        {LossAxis::ALL.iter().map(|a| view! { <option value=a.key()>{a.choice()}</option> }).collect_view()}
                    </select>
                </label>
                " "
                <button class="small" disabled=no_training title=move || no_training().then_some(NOTHING_TO_SAVE)
                    on:click=move |_| {
                    if let Some(c) = canvas.get() {
                        error.set(offer_canvas_png(&c, "training-loss.png").err());
                    }
                }>"PNG"</button>
                <button class="small" data-testid="loss-chart-csv" disabled=no_training title=move || no_training().then_some(NOTHING_TO_SAVE)
                    on:click=move |_| {
                    error.set(offer_download("training-loss.csv", history.with(|h| loss_csv(h, shape.get_untracked())).as_bytes()).err());
                }>"CSV"</button>
                {move || error.get().map(|e| view! { <span class="warning">" chart: " {e}</span> })}
            </figcaption>
        </figure>
    }
}

fn draw(
    canvas: web_sys::HtmlCanvasElement,
    lines: &LossLines,
    log: bool,
    reference: Option<f64>,
) -> Result<(), String> {
    let (root, context) = blank_canvas(canvas)?;
    // Room for the labels; the legend sits inside the plot, top right.
    let plot = root.margin(14, 44, 70, 16);
    let ((x0, x1), (y0, y1)) = lines.ranges(log, reference);
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
            (lines, reference),
            x0..x1,
            (y0..y1).log_scale(),
            ticks,
        )
    } else {
        series(&plot, &context, (lines, reference), x0..x1, y0..y1, ticks)
    }?;
    root.present().map_err(plot_error)
}

fn series<Y>(
    plot: &DrawingArea<CanvasBackend, Shift>,
    context: &CanvasRenderingContext2d,
    (lines, reference): (&LossLines, Option<f64>),
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
    // Under this run's lines, which stay on top.
    for run in &lines.earlier {
        line(&mut chart, &run.steps, earlier_steps(run))?;
        line(&mut chart, &run.test, earlier_test(run))?;
    }
    let flat: Vec<(f64, f64)> = reference
        .map(|y| vec![(x_start, y), (x_end, y)])
        .unwrap_or_default();
    let mut legend_lines = vec![
        ("train, per step (smoothed)", &lines.steps, STEP),
        ("train, per epoch", &lines.train, TRAIN),
        ("test, per epoch", &lines.test, TEST),
    ];
    if !flat.is_empty() {
        legend_lines.push((NO_CODE_LABEL, &flat, NO_CODE));
    }
    for (_, points, pen) in &legend_lines {
        line(&mut chart, points, *pen)?;
    }
    let none = Vec::new();
    if let Some(first) = lines.earlier.first() {
        legend_lines.push((EARLIER_LABEL, &none, earlier_steps(first)));
    }
    let plot = axis_text(
        &chart,
        context,
        ticks,
        (lines.axis.label(), "loss (MSE per pixel)"),
    );
    legend(
        context,
        legend_lines.iter().enumerate().map(|(i, (label, _, pen))| {
            let at = (plot.right - 200.0, plot.top + 12.0 + 18.0 * i as f64);
            (at, *pen, *label)
        }),
    );
    Ok(())
}
