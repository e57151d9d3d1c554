//! A line chart (plotters on a canvas) of a [`ChartSpec`]: any number of series, solid or
//! dashed, linear or log axes, a legend, and buttons to save it as PNG or CSV.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::coord::ranged1d::AsRangedCoord;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::CanvasRenderingContext2d;

use super::chart_frame::{Pen, axis_text, blank_canvas, grid_and_axes, legend, line, plot_error};
use super::download::{NOTHING_TO_SAVE, offer_canvas_png, offer_download};
use crate::ui::chart::{ChartSpec, Series};
use crate::ui::ticks::{linear_ticks, log_ticks, whole_ticks};

#[component]
pub fn LineChart(
    #[prop(into)] spec: Signal<ChartSpec>,
    /// `data-testid` of the canvas.
    testid: &'static str,
    /// File names of the PNG and CSV downloads (without extension).
    file_stem: &'static str,
    #[prop(default = 640)] width: u32,
    #[prop(default = 340)] height: u32,
    #[prop(optional, into)] caption: Option<String>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let result = spec.with(|s| draw(canvas, s));
        error.set(result.err());
    });
    let save_png = move |_| {
        let Some(canvas) = canvas.get() else { return };
        let result = offer_canvas_png(&canvas, &format!("{file_stem}.png"));
        error.set(result.err());
    };
    let save_csv = move |_| {
        let csv = spec.with(ChartSpec::to_csv);
        error.set(offer_download(&format!("{file_stem}.csv"), csv.as_bytes()).err());
    };
    let nothing_plotted = move || spec.with(ChartSpec::point_count) == 0;
    view! {
        <figure class="chart">
            <canvas
                node_ref=canvas
                width=width
                height=height
                data-testid=testid
                role="img"
                aria-label=move || spec.with(ChartSpec::describe)
                // What is plotted, in numbers, for tests and screen readers.
                data-points=move || spec.with(ChartSpec::point_count)
                data-series=move || spec.with(|s| s.series.iter().filter(|x| !s.drawable(x).is_empty()).count())
            ></canvas>
            // No wider than the chart, so a long caption never widens the figure past it.
            <figcaption style=format!("max-width: {width}px")>
                {caption}
                " "
                <button class="small" on:click=save_png data-testid=format!("{testid}-png")
                    disabled=nothing_plotted title=move || nothing_plotted().then_some(NOTHING_TO_SAVE)>"PNG"</button>
                <button class="small" on:click=save_csv data-testid=format!("{testid}-csv")
                    disabled=nothing_plotted title=move || nothing_plotted().then_some(NOTHING_TO_SAVE)>"CSV"</button>
                {move || error.get().map(|e| view! { <span class="warning">" chart: " {e}</span> })}
            </figcaption>
        </figure>
    }
}

fn draw(canvas: web_sys::HtmlCanvasElement, spec: &ChartSpec) -> Result<(), String> {
    let (root, context) = blank_canvas(canvas)?;
    let Some(((x0, x1), (y0, y1))) = spec.ranges() else {
        context.set_font("14px system-ui, sans-serif");
        context.set_fill_style_str("#5b6475");
        let _ = context.fill_text("Nothing to plot yet.", 20.0, 30.0);
        return root.present().map_err(plot_error);
    };
    // Room for the labels and, under them, a legend row per series.
    let legend_rows = spec.series.len() as u32;
    let plot = root.margin(14, 44 + 16 * legend_rows, 70, 16);
    let ticks = |lo: f64, hi: f64, log: bool, target: usize| {
        if log {
            log_ticks(lo, hi)
        } else {
            linear_ticks(lo, hi, target)
        }
    };
    let x_ticks = match (spec.whole_x, spec.log_x) {
        (true, false) => whole_ticks(x0, x1, 6),
        // A log axis of whole units (epochs): its round values that are whole.
        (true, true) => ticks(x0, x1, true, 6)
            .into_iter()
            .filter(|t| t.fract() == 0.0)
            .collect(),
        (false, _) => ticks(x0, x1, spec.log_x, 6),
    };
    let y_ticks = ticks(y0, y1, spec.log_y, 5);
    let ticks = (&x_ticks[..], &y_ticks[..]);
    match (spec.log_x, spec.log_y) {
        (false, false) => series(&plot, &context, spec, x0..x1, y0..y1, ticks),
        (true, false) => series(&plot, &context, spec, (x0..x1).log_scale(), y0..y1, ticks),
        (false, true) => series(&plot, &context, spec, x0..x1, (y0..y1).log_scale(), ticks),
        (true, true) => series(
            &plot,
            &context,
            spec,
            (x0..x1).log_scale(),
            (y0..y1).log_scale(),
            ticks,
        ),
    }?;
    root.present().map_err(plot_error)
}

fn series<X, Y>(
    plot: &DrawingArea<CanvasBackend, Shift>,
    context: &CanvasRenderingContext2d,
    spec: &ChartSpec,
    x: X,
    y: Y,
    ticks: (&[f64], &[f64]),
) -> Result<(), String>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
{
    let mut chart = ChartBuilder::on(plot)
        .build_cartesian_2d(x, y)
        .map_err(plot_error)?;
    grid_and_axes(&mut chart, ticks.0, ticks.1)?;
    let pen = |s: &Series, markers: bool| Pen {
        colour: s.colour,
        width: 2,
        dashed: s.dashed,
        markers,
    };
    for s in &spec.series {
        let points = spec.drawable(s);
        line(&mut chart, &points, pen(s, points.len() <= 30))?;
    }
    let plot = axis_text(&chart, context, ticks, (&spec.x_label, &spec.y_label));
    // The legend, under the x axis's name.
    legend(
        context,
        spec.series.iter().enumerate().map(|(i, s)| {
            let at = (plot.left, plot.bottom + 50.0 + 16.0 * i as f64);
            (at, pen(s, false), s.label.as_str())
        }),
    );
    Ok(())
}
