//! What the page's plotters charts share ([`super::line_chart`], [`super::loss_chart`]): a
//! white canvas, grid lines at the ticks and the axes, the lines and their markers, tick
//! labels and axis names in the canvas's own text (see `ui::ticks` for why), and a legend's
//! entries.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::canvas::context_2d;
use crate::ui::chart::Colour;
use crate::ui::ticks::tick_label;

/// A chart on the canvas, its axes of `f64` values (linear or log).
pub(super) type Chart<'a, X, Y> = ChartContext<'a, CanvasBackend, Cartesian2d<X, Y>>;

/// The canvas cleared to white, as a plotters drawing area, with its 2d context for text.
pub(super) fn blank_canvas(
    canvas: HtmlCanvasElement,
) -> Result<(DrawingArea<CanvasBackend, Shift>, CanvasRenderingContext2d), String> {
    let context = context_2d(&canvas)?;
    let backend =
        CanvasBackend::with_canvas_object(canvas).ok_or("the canvas has no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(plot_error)?;
    Ok((root, context))
}

/// A plotters error as text.
pub(super) fn plot_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
}

fn rgb((r, g, b): Colour) -> RGBColor {
    RGBColor(r, g, b)
}

/// Light grid lines at every tick, then the left and bottom axes.
pub(super) fn grid_and_axes<X, Y>(
    chart: &mut Chart<'_, X, Y>,
    x_ticks: &[f64],
    y_ticks: &[f64],
) -> Result<(), String>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let (x, y) = (chart.x_range(), chart.y_range());
    let grid = RGBColor(232, 232, 238);
    let axis = RGBColor(120, 120, 130);
    let vertical = x_ticks.iter().map(|&t| [(t, y.start), (t, y.end)]);
    let horizontal = y_ticks.iter().map(|&t| [(x.start, t), (x.end, t)]);
    for ends in vertical.chain(horizontal) {
        chart
            .draw_series(LineSeries::new(ends, grid))
            .map_err(plot_error)?;
    }
    chart
        .draw_series(LineSeries::new(
            [(x.start, y.end), (x.start, y.start), (x.end, y.start)],
            axis,
        ))
        .map_err(plot_error)?;
    Ok(())
}

/// How a line is drawn.
#[derive(Clone, Copy)]
pub(super) struct Pen {
    pub colour: Colour,
    pub width: u32,
    pub dashed: bool,
    /// A dot at every point.
    pub markers: bool,
}

/// One line through `points`.
pub(super) fn line<X, Y>(
    chart: &mut Chart<'_, X, Y>,
    points: &[(f64, f64)],
    pen: Pen,
) -> Result<(), String>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let colour = rgb(pen.colour);
    let style = colour.stroke_width(pen.width);
    if pen.dashed {
        chart
            .draw_series(DashedLineSeries::new(points.iter().copied(), 6, 4, style))
            .map_err(plot_error)?;
    } else {
        chart
            .draw_series(LineSeries::new(points.iter().copied(), style))
            .map_err(plot_error)?;
    }
    if pen.markers {
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
            .map_err(plot_error)?;
    }
    Ok(())
}

/// Where the plot's corners fell on the canvas, in pixels.
pub(super) struct PlotBox {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

/// The tick labels under and left of the axes, the x axis's name under them and the y axis's
/// name turned up its side.
pub(super) fn axis_text<X, Y>(
    chart: &Chart<'_, X, Y>,
    context: &CanvasRenderingContext2d,
    (x_ticks, y_ticks): (&[f64], &[f64]),
    (x_label, y_label): (&str, &str),
) -> PlotBox
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let (x, y) = (chart.x_range(), chart.y_range());
    let at = |value: (f64, f64)| {
        let (px, py) = chart.backend_coord(&value);
        (f64::from(px), f64::from(py))
    };
    context.set_font("12px system-ui, sans-serif");
    context.set_fill_style_str("#4a5060");
    context.set_text_align("center");
    context.set_text_baseline("top");
    for &t in x_ticks {
        let (px, py) = at((t, y.start));
        let _ = context.fill_text(&tick_label(t), px, py + 6.0);
    }
    context.set_text_align("right");
    context.set_text_baseline("middle");
    for &t in y_ticks {
        let (px, py) = at((x.start, t));
        let _ = context.fill_text(&tick_label(t), px - 6.0, py);
    }
    let (left, bottom) = at((x.start, y.start));
    let (right, top) = at((x.end, y.end));
    context.set_text_align("center");
    context.set_text_baseline("top");
    let _ = context.fill_text(x_label, (left + right) / 2.0, bottom + 24.0);
    context.save();
    let _ = context.translate(14.0, (top + bottom) / 2.0);
    let _ = context.rotate(-std::f64::consts::FRAC_PI_2);
    let _ = context.fill_text(y_label, 0.0, 0.0);
    context.restore();
    PlotBox {
        left,
        top,
        right,
        bottom,
    }
}

/// A legend: for each entry, at its `(x, y)`, a sample of the line (2 pixels wide, whatever
/// its width in the chart, to be seen), then its label.
pub(super) fn legend<'a>(
    context: &CanvasRenderingContext2d,
    entries: impl IntoIterator<Item = ((f64, f64), Pen, &'a str)>,
) {
    context.set_font("12px system-ui, sans-serif");
    context.set_fill_style_str("#4a5060");
    context.set_text_align("left");
    context.set_text_baseline("middle");
    context.set_line_width(2.0);
    for ((x, y), pen, label) in entries {
        let (r, g, b) = pen.colour;
        context.set_stroke_style_str(&format!("rgb({r},{g},{b})"));
        if pen.dashed {
            let _ = context.set_line_dash(&js_sys::Array::of2(&6.into(), &4.into()));
        }
        context.begin_path();
        context.move_to(x, y);
        context.line_to(x + 24.0, y);
        context.stroke();
        let _ = context.set_line_dash(&js_sys::Array::new());
        let _ = context.fill_text(label, x + 30.0, y);
    }
}
