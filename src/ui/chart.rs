//! Line charts as data: series, axes and ranges, drawn by `web::line_chart`. Kept apart from
//! the drawing so the ranges (log axes, padding, empty charts) are tested natively.

/// An RGB colour.
pub type Colour = (u8, u8, u8);

pub const BLUE: Colour = (40, 90, 200);
pub const ORANGE: Colour = (220, 90, 30);
pub const GREEN: Colour = (30, 150, 80);
pub const GREY: Colour = (130, 130, 140);
pub const PURPLE: Colour = (130, 60, 170);

/// One line of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub colour: Colour,
    pub dashed: bool,
}

impl Series {
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>, colour: Colour) -> Self {
        Self {
            label: label.into(),
            points,
            colour,
            dashed: false,
        }
    }

    pub fn dashed(mut self) -> Self {
        self.dashed = true;
        self
    }
}

/// A whole chart: its series, axis names and scales.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartSpec {
    pub series: Vec<Series>,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    pub log_y: bool,
    /// The x values are counts (epochs): ticks only at whole numbers, never "epoch 1.5".
    pub whole_x: bool,
}

impl ChartSpec {
    /// The chart in words, for screen readers (the canvas's `aria-label`): each drawn series
    /// with its first and last point.
    pub fn describe(&self) -> String {
        let axes = format!("{} against {}", self.y_label, self.x_label);
        let series: Vec<String> = self
            .series
            .iter()
            .filter_map(|s| {
                let points = self.drawable(s);
                let (first, last) = (points.first()?, points.last()?);
                Some(format!(
                    "{}: {}, from {} at {} to {} at {}",
                    s.label,
                    crate::ui::format::count(points.len(), "point", "points"),
                    short(first.1),
                    short(first.0),
                    short(last.1),
                    short(last.0)
                ))
            })
            .collect();
        if series.is_empty() {
            format!("Chart of {axes}: nothing to plot yet.")
        } else {
            format!("Chart of {axes}. {}.", series.join("; "))
        }
    }
    /// The points that can be drawn: finite, and positive on a log axis.
    pub fn drawable(&self, series: &Series) -> Vec<(f64, f64)> {
        series
            .points
            .iter()
            .copied()
            .filter(|&(x, y)| {
                x.is_finite()
                    && y.is_finite()
                    && (!self.log_x || x > 0.0)
                    && (!self.log_y || y > 0.0)
            })
            .collect()
    }

    /// How many points are drawn, over all series.
    pub fn point_count(&self) -> usize {
        self.series.iter().map(|s| self.drawable(s).len()).sum()
    }

    /// The x and y ranges holding every drawable point with a margin (multiplicative on a
    /// log axis); `None` when there is nothing to draw.
    pub fn ranges(&self) -> Option<((f64, f64), (f64, f64))> {
        let points: Vec<(f64, f64)> = self.series.iter().flat_map(|s| self.drawable(s)).collect();
        if points.is_empty() {
            return None;
        }
        let span = |values: Vec<f64>, log: bool| {
            let lo = values.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            if log {
                let (lo, hi) = if hi > lo {
                    (lo, hi)
                } else {
                    (lo / 2.0, hi * 2.0)
                };
                let pad = (hi / lo).powf(0.05);
                (lo / pad, hi * pad)
            } else {
                let (lo, hi) = if hi > lo {
                    (lo, hi)
                } else {
                    (lo - 0.5 - lo.abs() * 0.1, hi + 0.5 + hi.abs() * 0.1)
                };
                let pad = (hi - lo) * 0.05;
                (lo - pad, hi + pad)
            }
        };
        Some((
            span(points.iter().map(|p| p.0).collect(), self.log_x),
            span(points.iter().map(|p| p.1).collect(), self.log_y),
        ))
    }

    /// The chart as CSV: one row per point, `series,x,y`.
    pub fn to_csv(&self) -> String {
        let mut csv = format!(
            "series,{},{}\n",
            csv_field(&self.x_label),
            csv_field(&self.y_label)
        );
        for s in &self.series {
            for (x, y) in &s.points {
                csv.push_str(&format!("{},{x},{y}\n", csv_field(&s.label)));
            }
        }
        csv
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A number in four significant figures.
fn short(v: f64) -> String {
    format!("{}", format!("{v:.3e}").parse::<f64>().unwrap_or(v))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn spec(points: Vec<(f64, f64)>, log_x: bool, log_y: bool) -> ChartSpec {
        ChartSpec {
            series: vec![Series::new("a", points, BLUE)],
            log_x,
            log_y,
            ..ChartSpec::default()
        }
    }

    #[test]
    fn linear_ranges_pad_five_percent() {
        let ((x0, x1), (y0, y1)) = spec(vec![(0.0, 1.0), (10.0, 3.0)], false, false)
            .ranges()
            .unwrap();
        assert!((x0 + 0.5).abs() < 1e-12 && (x1 - 10.5).abs() < 1e-12);
        assert!((y0 - 0.9).abs() < 1e-12 && (y1 - 3.1).abs() < 1e-12);
    }

    #[test]
    fn log_axes_skip_non_positive_points_and_pad_by_ratio() {
        let s = spec(
            vec![(1.0, 0.1), (100.0, 0.001), (0.0, 0.5), (10.0, f64::NAN)],
            true,
            true,
        );
        assert_eq!(s.point_count(), 2);
        let ((x0, x1), (y0, y1)) = s.ranges().unwrap();
        // x spans 1..100: a ratio of 100, padded by 100^0.05 on each side.
        let pad = 100f64.powf(0.05);
        assert!((x0 - 1.0 / pad).abs() < 1e-12 && (x1 - 100.0 * pad).abs() < 1e-9);
        assert!((y0 - 0.001 / pad).abs() < 1e-12 && (y1 - 0.1 * pad).abs() < 1e-12);
    }

    #[test]
    fn a_single_point_gets_a_range_and_nothing_gets_none() {
        let ((x0, x1), (y0, y1)) = spec(vec![(5.0, 2.0)], false, false).ranges().unwrap();
        assert!(x0 < 5.0 && x1 > 5.0 && y0 < 2.0 && y1 > 2.0);
        let ((x0, x1), _) = spec(vec![(5.0, 2.0)], true, true).ranges().unwrap();
        assert!(x0 < 5.0 && x1 > 5.0);
        assert_eq!(spec(vec![], false, false).ranges(), None);
    }

    #[test]
    fn csv_has_a_row_per_point_and_quotes_labels() {
        let mut s = spec(vec![(1.0, 0.5), (2.0, 0.25)], false, false);
        s.series[0].label = "test, full MNIST".into();
        s.x_label = "epoch".into();
        s.y_label = "loss".into();
        assert_eq!(
            s.to_csv(),
            "series,epoch,loss\n\"test, full MNIST\",1,0.5\n\"test, full MNIST\",2,0.25\n"
        );
    }

    #[test]
    fn a_chart_describes_itself_in_words() {
        let mut chart = spec(
            vec![(1.0, 0.05), (2.0, f64::NAN), (3.0, 0.0123456)],
            false,
            true,
        );
        chart.x_label = "epoch".into();
        chart.y_label = "test loss".into();
        assert_eq!(
            chart.describe(),
            "Chart of test loss against epoch. a: 2 points, from 0.05 at 1 to 0.01235 at 3."
        );
        assert_eq!(
            spec(vec![], false, false).describe(),
            "Chart of  against : nothing to plot yet."
        );
    }
}
