//! The live loss chart (plotters on a canvas): smoothed per-step loss, per-epoch train and
//! test loss, with a log-scale toggle.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::coord::ranged1d::AsRangedCoord;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::CanvasRenderingContext2d;

use super::canvas::context_2d;
use super::download::{offer_canvas_png, offer_download};

use crate::ui::loss_history::LossHistory;
use crate::ui::ticks::{linear_ticks, log_ticks, tick_label};

const STEP_COLOUR: RGBColor = RGBColor(150, 170, 210);
const TRAIN_COLOUR: RGBColor = RGBColor(40, 90, 200);
const TEST_COLOUR: RGBColor = RGBColor(220, 90, 30);

#[component]
pub fn LossChart(
    #[prop(into)] history: Signal<LossHistory>,
    #[prop(into)] epochs: Signal<usize>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let log = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let result = history.with(|h| draw(canvas, h, epochs.get(), log.get()));
        error.set(result.err());
    });
    view! {
        <figure class="chart">
            <canvas
                node_ref=canvas
                width="640"
                height="320"
                data-testid="loss-chart"
                role="img"
                aria-label=move || history.with(|h| match (h.steps.first(), h.steps.last(), h.epochs.last()) {
                    (Some(first), Some(last), epoch) => format!(
                        "Training loss by epoch: from {:.4} to {:.4} after {:.2} epochs{}",
                        first.1, last.1, last.0,
                        epoch.map_or(String::new(), |e| format!("; test loss {:.4} after epoch {}", e.2, e.0))
                    ),
                    _ => "Training loss by epoch: no training yet.".to_string(),
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
                    " log scale"
                </label>
                " "
                <button class="small" on:click=move |_| {
                    if let Some(c) = canvas.get() {
                        error.set(offer_canvas_png(&c, "training-loss.png").err());
                    }
                }>"PNG"</button>
                <button class="small" on:click=move |_| {
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
) -> Result<(), String> {
    let context = context_2d(&canvas)?;
    let backend =
        CanvasBackend::with_canvas_object(canvas).ok_or("the canvas has no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    // Room for the labels, which are drawn with the canvas's own text (see `ui::ticks`).
    let plot = root.margin(14, 44, 70, 16);
    let ((x0, x1), (y0, y1)) = history.ranges(epochs, log);
    let y_ticks = if log {
        log_ticks(y0, y1)
    } else {
        linear_ticks(y0, y1, 5)
    };
    if log {
        series(
            &plot,
            &context,
            history,
            x0..x1,
            (y0..y1).log_scale(),
            &y_ticks,
        )
    } else {
        series(&plot, &context, history, x0..x1, y0..y1, &y_ticks)
    }?;
    root.present().map_err(|e| e.to_string())
}

fn series<Y>(
    plot: &DrawingArea<CanvasBackend, Shift>,
    context: &CanvasRenderingContext2d,
    history: &LossHistory,
    x: std::ops::Range<f64>,
    y: Y,
    y_ticks: &[f64],
) -> Result<(), String>
where
    Y: AsRangedCoord<Value = f64>,
{
    let err = |e: DrawingAreaErrorKind<_>| e.to_string();
    let (x0, x1) = (x.start, x.end);
    let mut chart = ChartBuilder::on(plot)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    let x_ticks = linear_ticks(x0, x1, 6);
    let grid = RGBColor(232, 232, 238);
    let axis = RGBColor(120, 120, 130);
    // Grid lines at the ticks, then the axes.
    let y_range = chart.y_range();
    for &t in &x_ticks {
        chart
            .draw_series(LineSeries::new(
                [(t, y_range.start), (t, y_range.end)],
                grid,
            ))
            .map_err(err)?;
    }
    for &t in y_ticks {
        chart
            .draw_series(LineSeries::new([(x0, t), (x1, t)], grid))
            .map_err(err)?;
    }
    chart
        .draw_series(LineSeries::new(
            [(x0, y_range.end), (x0, y_range.start), (x1, y_range.start)],
            axis,
        ))
        .map_err(err)?;

    chart
        .draw_series(LineSeries::new(history.steps.iter().copied(), &STEP_COLOUR))
        .map_err(err)?;
    let train: Vec<(f64, f64)> = history.epochs.iter().map(|e| (e.0, e.1)).collect();
    let test: Vec<(f64, f64)> = history.epochs.iter().map(|e| (e.0, e.2)).collect();
    for (points, colour) in [(&train, TRAIN_COLOUR), (&test, TEST_COLOUR)] {
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                colour.stroke_width(2),
            ))
            .map_err(err)?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
            .map_err(err)?;
    }

    // Text: tick labels, axis names, legend.
    context.set_font("12px system-ui, sans-serif");
    context.set_fill_style_str("#4a5060");
    context.set_text_align("center");
    context.set_text_baseline("top");
    for &t in &x_ticks {
        let (px, py) = chart.backend_coord(&(t, y_range.start));
        let _ = context.fill_text(&tick_label(t), px as f64, py as f64 + 6.0);
    }
    context.set_text_align("right");
    context.set_text_baseline("middle");
    for &t in y_ticks {
        let (px, py) = chart.backend_coord(&(x0, t));
        let _ = context.fill_text(&tick_label(t), px as f64 - 6.0, py as f64);
    }
    let (left, bottom) = chart.backend_coord(&(x0, y_range.start));
    let (right, top) = chart.backend_coord(&(x1, y_range.end));
    context.set_text_align("center");
    context.set_text_baseline("top");
    let _ = context.fill_text("epoch", (left + right) as f64 / 2.0, bottom as f64 + 24.0);
    context.save();
    let _ = context.translate(14.0, (top + bottom) as f64 / 2.0);
    let _ = context.rotate(-std::f64::consts::FRAC_PI_2);
    let _ = context.fill_text("loss (MSE per pixel)", 0.0, 0.0);
    context.restore();

    context.set_text_align("left");
    context.set_text_baseline("middle");
    let legend = [
        ("train, per step (smoothed)", STEP_COLOUR),
        ("train, per epoch", TRAIN_COLOUR),
        ("test, per epoch", TEST_COLOUR),
    ];
    for (i, (label, colour)) in legend.iter().enumerate() {
        let (lx, ly) = (right as f64 - 190.0, top as f64 + 12.0 + 18.0 * i as f64);
        context.set_stroke_style_str(&format!("rgb({},{},{})", colour.0, colour.1, colour.2));
        context.set_line_width(2.0);
        context.begin_path();
        context.move_to(lx, ly);
        context.line_to(lx + 18.0, ly);
        context.stroke();
        let _ = context.fill_text(label, lx + 24.0, ly);
    }
    Ok(())
}
