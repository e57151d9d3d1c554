//! A line chart (plotters on a canvas) of a [`ChartSpec`]: any number of series, solid or
//! dashed, linear or log axes, a legend, and buttons to save it as PNG or CSV.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::coord::ranged1d::AsRangedCoord;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::CanvasRenderingContext2d;

use super::canvas::context_2d;
use super::download::{offer_canvas_png, offer_download};
use crate::ui::chart::{ChartSpec, Colour};
use crate::ui::ticks::{linear_ticks, log_ticks, tick_label};

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
            <figcaption>
                {caption}
                " "
                <button class="small" on:click=save_png data-testid=format!("{testid}-png")>"PNG"</button>
                <button class="small" on:click=save_csv data-testid=format!("{testid}-csv")>"CSV"</button>
                {move || error.get().map(|e| view! { <span class="warning">" chart: " {e}</span> })}
            </figcaption>
        </figure>
    }
}

fn draw(canvas: web_sys::HtmlCanvasElement, spec: &ChartSpec) -> Result<(), String> {
    let context = context_2d(&canvas)?;
    let backend =
        CanvasBackend::with_canvas_object(canvas).ok_or("the canvas has no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let Some(((x0, x1), (y0, y1))) = spec.ranges() else {
        context.set_font("14px system-ui, sans-serif");
        context.set_fill_style_str("#5b6475");
        let _ = context.fill_text("Nothing to plot yet.", 20.0, 30.0);
        return root.present().map_err(|e| e.to_string());
    };
    // Room for the labels, drawn with the canvas's own text (see `ui::ticks`).
    let legend_rows = spec.series.len() as u32;
    let plot = root.margin(14, 44 + 16 * legend_rows, 70, 16);
    let ticks = |lo: f64, hi: f64, log: bool, target: usize| {
        if log {
            log_ticks(lo, hi)
        } else {
            linear_ticks(lo, hi, target)
        }
    };
    let x_ticks = ticks(x0, x1, spec.log_x, 6);
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
    root.present().map_err(|e| e.to_string())
}

fn rgb((r, g, b): Colour) -> RGBColor {
    RGBColor(r, g, b)
}

fn series<X, Y>(
    plot: &DrawingArea<CanvasBackend, Shift>,
    context: &CanvasRenderingContext2d,
    spec: &ChartSpec,
    x: X,
    y: Y,
    (x_ticks, y_ticks): (&[f64], &[f64]),
) -> Result<(), String>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
{
    let err = |e: DrawingAreaErrorKind<_>| e.to_string();
    let mut chart = ChartBuilder::on(plot)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    let (x_range, y_range) = (chart.x_range(), chart.y_range());
    let grid = RGBColor(232, 232, 238);
    let axis = RGBColor(120, 120, 130);
    for &t in x_ticks {
        chart
            .draw_series(LineSeries::new(
                [(t, y_range.start), (t, y_range.end)],
                grid,
            ))
            .map_err(err)?;
    }
    for &t in y_ticks {
        chart
            .draw_series(LineSeries::new(
                [(x_range.start, t), (x_range.end, t)],
                grid,
            ))
            .map_err(err)?;
    }
    chart
        .draw_series(LineSeries::new(
            [
                (x_range.start, y_range.end),
                (x_range.start, y_range.start),
                (x_range.end, y_range.start),
            ],
            axis,
        ))
        .map_err(err)?;
    for s in &spec.series {
        let points = spec.drawable(s);
        let colour = rgb(s.colour);
        if s.dashed {
            chart
                .draw_series(DashedLineSeries::new(
                    points.iter().copied(),
                    6,
                    4,
                    colour.stroke_width(2),
                ))
                .map_err(err)?;
        } else {
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    colour.stroke_width(2),
                ))
                .map_err(err)?;
        }
        if points.len() <= 30 {
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
                .map_err(err)?;
        }
    }

    context.set_font("12px system-ui, sans-serif");
    context.set_fill_style_str("#4a5060");
    context.set_text_align("center");
    context.set_text_baseline("top");
    for &t in x_ticks {
        let (px, py) = chart.backend_coord(&(t, y_range.start));
        let _ = context.fill_text(&tick_label(t), px as f64, py as f64 + 6.0);
    }
    context.set_text_align("right");
    context.set_text_baseline("middle");
    for &t in y_ticks {
        let (px, py) = chart.backend_coord(&(x_range.start, t));
        let _ = context.fill_text(&tick_label(t), px as f64 - 6.0, py as f64);
    }
    let (left, bottom) = chart.backend_coord(&(x_range.start, y_range.start));
    let (right, top) = chart.backend_coord(&(x_range.end, y_range.end));
    context.set_text_align("center");
    context.set_text_baseline("top");
    let _ = context.fill_text(
        &spec.x_label,
        (left + right) as f64 / 2.0,
        bottom as f64 + 24.0,
    );
    context.save();
    let _ = context.translate(14.0, (top + bottom) as f64 / 2.0);
    let _ = context.rotate(-std::f64::consts::FRAC_PI_2);
    let _ = context.fill_text(&spec.y_label, 0.0, 0.0);
    context.restore();

    // The legend, under the axis label.
    context.set_text_align("left");
    context.set_text_baseline("middle");
    for (i, s) in spec.series.iter().enumerate() {
        let (lx, ly) = (left as f64, bottom as f64 + 50.0 + 16.0 * i as f64);
        let (r, g, b) = s.colour;
        context.set_stroke_style_str(&format!("rgb({r},{g},{b})"));
        context.set_line_width(2.0);
        let dash = if s.dashed {
            js_sys::Array::of2(&6.into(), &4.into())
        } else {
            js_sys::Array::new()
        };
        let _ = context.set_line_dash(&dash);
        context.begin_path();
        context.move_to(lx, ly);
        context.line_to(lx + 24.0, ly);
        context.stroke();
        let _ = context.set_line_dash(&js_sys::Array::new());
        let _ = context.fill_text(&s.label, lx + 30.0, ly);
    }
    Ok(())
}
