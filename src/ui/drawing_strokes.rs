//! The drawing pad's logic: strokes with undo and clear, their rasterisation with a round,
//! anti-aliased brush, one request in flight to the engine, and the latency figures.

/// The side of the square the strokes are rasterised on before MNIST-style preprocessing
/// (`data::mnist_style` shrinks the ink to 20×20, so more detail than this is wasted).
pub const RASTER_SIDE: usize = 140;
/// The brush's diameter as a share of the pad's side. A digit drawn across most of the pad is
/// shrunk about tenfold, so this gives strokes of about 2–2.5 pixels in 28×28, like MNIST's.
pub const BRUSH: f32 = 0.08;

/// A point on the pad, in `[0, 1]` from the top-left corner.
pub type Point = [f32; 2];

/// What has been drawn: strokes of points. Every change bumps `version`, which names the
/// drawing in requests to the engine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Drawing {
    strokes: Vec<Vec<Point>>,
    drawing: bool,
    version: u64,
}

impl Drawing {
    /// A pointer went down: a new stroke.
    pub fn begin(&mut self, p: Point) {
        self.strokes.push(vec![clamp(p)]);
        self.drawing = true;
        self.version += 1;
    }

    /// The pointer moved while down; ignored between strokes.
    pub fn extend(&mut self, p: Point) {
        if !self.drawing {
            return;
        }
        if let Some(stroke) = self.strokes.last_mut() {
            stroke.push(clamp(p));
            self.version += 1;
        }
    }

    /// The pointer went up (or left the pad): the stroke is done. Says whether one was open.
    pub fn end(&mut self) -> bool {
        std::mem::replace(&mut self.drawing, false)
    }

    /// Removes the last stroke. Says whether there was one.
    pub fn undo(&mut self) -> bool {
        self.drawing = false;
        let undone = self.strokes.pop().is_some();
        if undone {
            self.version += 1;
        }
        undone
    }

    pub fn clear(&mut self) {
        if !self.strokes.is_empty() {
            self.version += 1;
        }
        self.strokes.clear();
        self.drawing = false;
    }

    pub fn strokes(&self) -> &[Vec<Point>] {
        &self.strokes
    }

    pub fn is_empty(&self) -> bool {
        self.strokes.is_empty()
    }

    pub fn is_drawing(&self) -> bool {
        self.drawing
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// The strokes as ink coverage in `[0, 1]` on a `side × side` grid, row-major.
    pub fn rasterise(&self, side: usize) -> Vec<f32> {
        rasterise(&self.strokes, side, BRUSH * side as f32 / 2.0)
    }
}

fn clamp([x, y]: Point) -> Point {
    let c = |v: f32| {
        if v.is_finite() {
            v.clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    [c(x), c(y)]
}

/// Every stroke drawn with a round brush of `radius` pixels on a `side × side` grid: a pixel's
/// coverage is how far inside the nearest segment's capsule its centre lies, with a one-pixel
/// soft edge (anti-aliasing), so a stroke looks the same as on the canvas.
pub fn rasterise(strokes: &[Vec<Point>], side: usize, radius: f32) -> Vec<f32> {
    let mut ink = vec![0.0f32; side * side];
    let scale = side as f32;
    for stroke in strokes {
        let points: Vec<Point> = stroke.iter().map(|[x, y]| [x * scale, y * scale]).collect();
        // A single point (a dot) is a segment of length zero.
        let segments = points.windows(2).map(|w| (w[0], w[1])).chain(
            points
                .first()
                .filter(|_| points.len() == 1)
                .map(|&p| (p, p)),
        );
        for (a, b) in segments {
            let reach = radius + 1.0;
            let x0 = (a[0].min(b[0]) - reach).floor().max(0.0) as usize;
            let y0 = (a[1].min(b[1]) - reach).floor().max(0.0) as usize;
            let x1 = ((a[0].max(b[0]) + reach).ceil().max(0.0) as usize).min(side);
            let y1 = ((a[1].max(b[1]) + reach).ceil().max(0.0) as usize).min(side);
            for y in y0..y1 {
                for x in x0..x1 {
                    let d = segment_distance([x as f32 + 0.5, y as f32 + 0.5], a, b);
                    let coverage = (radius + 0.5 - d).clamp(0.0, 1.0);
                    let cell = &mut ink[y * side + x];
                    *cell = cell.max(coverage);
                }
            }
        }
    }
    ink
}

/// Distance from `p` to the segment `a`–`b`.
fn segment_distance(p: Point, a: Point, b: Point) -> f32 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (cx, cy) = (a[0] + t * dx, a[1] + t * dy);
    ((p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sqrt()
}

/// Where a stroke's points come from, and how often the pad shows them. A stroke takes its
/// points from raw pointer updates once one comes (Chromium sends them before the frame that
/// `pointermove` waits for), else from `pointermove`. Raw updates arrive at the device's rate
/// (up to 1,000 a second for some mice and pens). Each adds its point at once, and notifies
/// the page only if the last notification was at least [`RawPacer::MIN_INTERVAL_MS`] before;
/// otherwise the point waits for the next update or for the frame's `pointermove`. Each
/// notification repaints the pad and preprocesses the drawing, and the screen shows at most
/// one version a frame anyway.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawPacer {
    /// This stroke's points come from raw updates.
    raw: bool,
    last_notified_ms: f64,
    unshown: bool,
}

impl Default for RawPacer {
    fn default() -> Self {
        Self {
            raw: false,
            last_notified_ms: f64::NEG_INFINITY,
            unshown: false,
        }
    }
}

impl RawPacer {
    pub const MIN_INTERVAL_MS: f64 = 4.0;

    /// A stroke begins: its points come from `pointermove` until a raw update comes.
    pub fn begin(&mut self) {
        self.raw = false;
    }

    /// Whether this stroke's points come from raw updates (then `pointermove` adds none).
    pub fn is_raw(&self) -> bool {
        self.raw
    }

    /// A raw update added a point at `now_ms`: whether to notify now.
    pub fn point(&mut self, now_ms: f64) -> bool {
        self.raw = true;
        if now_ms - self.last_notified_ms >= Self::MIN_INTERVAL_MS {
            self.notified(now_ms);
            true
        } else {
            self.unshown = true;
            false
        }
    }

    /// The frame's `pointermove` came: whether points wait to be shown (then notify now).
    pub fn frame(&mut self, now_ms: f64) -> bool {
        let waiting = self.unshown;
        if waiting {
            self.notified(now_ms);
        }
        waiting
    }

    /// The page was notified of the drawing by other means (the stroke's end).
    pub fn notified(&mut self, now_ms: f64) {
        self.last_notified_ms = now_ms;
        self.unshown = false;
    }
}

/// Requests to the engine for the newest drawing, at most [`LatestOnly::DEPTH`] out at once:
/// while that many are out, a newer version waits, and older ones in between are skipped. Two,
/// not one: the drawing's next version then waits in the engine's queue behind the one being
/// read, instead of for the answer's round trip through the page's main thread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LatestOnly {
    in_flight: u64,
    waiting: Option<u64>,
}

impl LatestOnly {
    pub const DEPTH: u64 = 2;

    /// Version `v` wants reading: `Some(v)` to send it now, `None` if it waits its turn.
    pub fn want(&mut self, v: u64) -> Option<u64> {
        if self.in_flight < Self::DEPTH {
            self.in_flight += 1;
            self.waiting = None;
            Some(v)
        } else {
            self.waiting = Some(v);
            None
        }
    }

    /// `n` answers (or failures) came back: the version to send next, if one waited.
    pub fn answered(&mut self, n: u64) -> Option<u64> {
        self.in_flight = self.in_flight.saturating_sub(n);
        let next = self.waiting?;
        self.want(next)
    }

    /// Nothing to wait for any more (the pad was cleared).
    pub fn forget_waiting(&mut self) {
        self.waiting = None;
    }
}

/// Milliseconds from a stroke's last point to the reconstruction of the drawing it finished
/// being shown: what a person waits for once the pen stops. Counted from the last point, not
/// from the pointer's release, since the reconstruction may already be there by then. The
/// caller says when it was shown: where the engine paints it, when it did; else when the
/// reading (reconstruction, code, guess) reached the page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LatencyLog {
    samples: Vec<f64>,
    /// The drawing's newest version and when it was drawn.
    drawn: Option<(u64, f64)>,
    /// The newest version whose reading is shown, and when it was shown.
    shown: Option<(u64, f64)>,
    /// A finished stroke's version and when it was drawn, until its reading is shown.
    pending: Option<(u64, f64)>,
}

impl LatencyLog {
    /// The drawing changed to `version` (a point added, an undo, a clear).
    pub fn drawn(&mut self, version: u64, now_ms: f64) {
        if self.drawn.is_none_or(|(v, _)| v != version) {
            self.drawn = Some((version, now_ms));
        }
    }

    /// A stroke ended with the drawing at `version`: timed from when that version was drawn
    /// (or from now, if the log never saw it drawn); recorded at once if its reading is
    /// already shown, else when it is.
    pub fn stroke_ended(&mut self, version: u64, now_ms: f64) -> Option<f64> {
        let since = match self.drawn {
            Some((v, at)) if v == version => at,
            _ => now_ms,
        };
        match self.shown {
            Some((v, at)) if v >= version => Some(self.record(at - since)),
            _ => {
                self.pending = Some((version, since));
                None
            }
        }
    }

    /// The drawing changed other than by a stroke (undo, clear): the stroke is not timed.
    pub fn cancel(&mut self) {
        self.pending = None;
    }

    /// The reading of `version` is shown (again, for a repeated version: the first time
    /// counts): records the latency if it answers the last stroke.
    pub fn shown(&mut self, version: u64, now_ms: f64) -> Option<f64> {
        if self.shown.is_none_or(|(v, _)| v != version) {
            self.shown = Some((version, now_ms));
        }
        let (wanted, since) = self.pending?;
        if version < wanted {
            return None;
        }
        self.pending = None;
        Some(self.record(now_ms - since))
    }

    fn record(&mut self, ms: f64) -> f64 {
        let ms = ms.max(0.0);
        self.samples.push(ms);
        ms
    }

    pub fn samples(&self) -> &[f64] {
        &self.samples
    }

    pub fn median(&self) -> Option<f64> {
        percentile(&self.samples, 50.0)
    }

    pub fn p95(&self) -> Option<f64> {
        percentile(&self.samples, 95.0)
    }
}

/// The `p`-th percentile by the nearest-rank method (the smallest value with at least `p` % of
/// the samples at or below it).
pub fn percentile(samples: &[f64], p: f64) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

/// The most probable digit and its probability.
pub fn top_guess(probabilities: &[f32]) -> Option<(usize, f32)> {
    probabilities
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, p)| p.is_finite())
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// The classifier's heading on the draw view: its top guess, or why there is none yet.
pub fn guess_caption(guess: Option<(usize, f32)>, classifier_chosen: bool, drawn: bool) -> String {
    match guess {
        Some((digit, p)) => format!("It looks like a {digit} ({:.0} %)", p * 100.0),
        None if !classifier_chosen => "No classifier chosen".to_string(),
        None if !drawn => "Draw a digit for the classifier's guess".to_string(),
        None => "Reading the drawing…".to_string(),
    }
}

/// One bar of the latent code's chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatentBar {
    pub value: f32,
    /// Height as a share of the chart, in `[0, 1]`.
    pub height: f32,
    /// The coordinate never fires on the test subset.
    pub dead: bool,
}

/// The code's bars, scaled by `scale` (the largest value the model's codes reach on the test
/// subset, so bars compare across drawings); a value above it fills the chart.
pub fn latent_bars(code: &[f32], dead: &[bool], scale: f32) -> Vec<LatentBar> {
    let scale = if scale.is_finite() && scale > 0.0 {
        scale
    } else {
        code.iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f32::max)
    };
    code.iter()
        .enumerate()
        .map(|(i, &value)| LatentBar {
            value,
            height: if scale > 0.0 && value.is_finite() {
                (value / scale).clamp(0.0, 1.0)
            } else {
                0.0
            },
            dead: dead.get(i).copied().unwrap_or(false),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strokes_undo_and_clear() {
        let mut d = Drawing::default();
        assert!(d.is_empty());
        d.begin([0.1, 0.1]);
        d.extend([0.2, 0.2]);
        assert!(d.end());
        d.extend([0.9, 0.9]); // not drawing: ignored
        d.begin([0.5, 0.5]);
        d.extend([2.0, f32::NAN]); // off the pad: clamped
        d.end();
        assert_eq!(d.strokes().len(), 2);
        assert_eq!(d.strokes()[1][1], [1.0, 0.0]);
        let v = d.version();
        assert!(d.undo());
        assert!(d.version() > v);
        assert_eq!(d.strokes().len(), 1);
        assert_eq!(d.strokes()[0].len(), 2);
        d.clear();
        assert!(d.is_empty());
        assert!(!d.undo());
        let v = d.version();
        d.clear();
        assert_eq!(d.version(), v, "clearing nothing changes nothing");
    }

    #[test]
    fn a_horizontal_stroke_covers_a_band_of_the_brush_width() {
        // Radius 3 on a 40 grid: rows whose centre is within 3 of y = 20 are fully inked,
        // the band is soft over one pixel at each edge.
        let ink = rasterise(&[vec![[0.25, 0.5], [0.75, 0.5]]], 40, 3.0);
        let column: Vec<f32> = (0..40).map(|y| ink[y * 40 + 20]).collect();
        // Centres 17.5 … 22.5 lie within 2.5 of 20 → coverage 1; 16.5 and 23.5 lie 3.5 away → 0.
        assert!(column[17..=22].iter().all(|&v| v == 1.0), "{column:?}");
        assert_eq!(column[16], 0.0);
        assert_eq!(column[23], 0.0);
        // Round caps: beyond the ends by more than the radius there is no ink.
        assert_eq!(ink[20 * 40 + 40 * 3 / 4 + 4], 0.0);
        assert!(ink[20 * 40 + 40 * 3 / 4 + 2] > 0.0);
    }

    #[test]
    fn a_dot_is_a_disc() {
        let ink = rasterise(&[vec![[0.5, 0.5]]], 20, 4.0);
        let area: f32 = ink.iter().sum();
        let disc = std::f32::consts::PI * 4.0 * 4.0;
        assert!((area - disc).abs() / disc < 0.1, "{area} vs {disc}");
        assert!(rasterise(&[], 20, 4.0).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn one_request_in_flight_and_only_the_newest_waits() {
        let mut gate = LatestOnly::default();
        assert_eq!(gate.want(1), Some(1));
        assert_eq!(
            gate.want(2),
            Some(2),
            "a second request queues in the engine"
        );
        assert_eq!(gate.want(3), None);
        assert_eq!(gate.want(4), None);
        assert_eq!(gate.answered(0), None, "no answer yet");
        assert_eq!(gate.answered(1), Some(4), "3 is skipped");
        assert_eq!(gate.answered(1), None);
        assert_eq!(gate.want(5), Some(5));
        // Two answers seen at once free both places.
        assert_eq!(gate.want(6), None);
        assert_eq!(gate.answered(2), Some(6));
        assert_eq!(gate.want(7), Some(7));
        gate.want(8);
        gate.forget_waiting();
        assert_eq!(gate.answered(1), None);
        // More answers than requests (one sent by an earlier view): nothing goes negative.
        assert_eq!(gate.answered(5), None);
        assert_eq!(gate.want(9), Some(9));
        assert_eq!(gate.want(10), Some(10));
        assert_eq!(gate.want(11), None);
    }

    #[test]
    fn latency_counts_from_a_strokes_last_point_to_the_reading_of_that_drawing() {
        let mut log = LatencyLog::default();
        log.drawn(7, 990.0);
        log.drawn(7, 995.0); // the same version again (the stroke's end): still drawn at 990
        assert_eq!(log.stroke_ended(7, 1000.0), None, "not read yet");
        assert_eq!(log.shown(6, 1010.0), None, "an older drawing's reading");
        assert_eq!(log.shown(7, 1040.0), Some(50.0));
        assert_eq!(log.shown(8, 1050.0), None, "nothing pending");
        // Read before the pointer was released: counted to when the reading was shown.
        log.drawn(9, 1100.0);
        assert_eq!(log.shown(9, 1104.0), None);
        assert_eq!(
            log.shown(9, 1120.0),
            None,
            "shown again: the first time counts"
        );
        assert_eq!(log.stroke_ended(9, 1130.0), Some(4.0));
        // A version the log never saw drawn is timed from the stroke's end.
        assert_eq!(log.stroke_ended(11, 1200.0), None);
        assert_eq!(log.shown(11, 1203.0), Some(3.0));
        log.drawn(12, 2000.0);
        log.stroke_ended(12, 2000.0);
        log.cancel();
        assert_eq!(log.shown(12, 2010.0), None, "an undone stroke is not timed");
        assert_eq!(log.samples(), &[50.0, 4.0, 3.0]);
        for (i, ms) in [10.0, 30.0, 20.0].iter().enumerate() {
            let v = 20 + i as u64;
            log.drawn(v, 0.0);
            log.stroke_ended(v, 1.0);
            log.shown(v, *ms);
        }
        // 3, 4, 10, 20, 30, 50: median 10 (nearest rank 3 of 6), p95 50.
        assert_eq!(log.median(), Some(10.0));
        assert_eq!(log.p95(), Some(50.0));
        assert_eq!(percentile(&[], 50.0), None);
        let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&hundred, 95.0), Some(95.0));
    }

    #[test]
    fn the_top_guess_and_the_bars() {
        assert_eq!(top_guess(&[0.1, 0.7, 0.2]), Some((1, 0.7)));
        assert_eq!(top_guess(&[f32::NAN, 0.3]), Some((1, 0.3)));
        assert_eq!(top_guess(&[]), None);
        assert_eq!(
            guess_caption(Some((7, 0.934)), true, true),
            "It looks like a 7 (93 %)"
        );
        assert_eq!(guess_caption(None, false, true), "No classifier chosen");
        // A classifier chosen but nothing to read yet is not "no classifier".
        assert_eq!(
            guess_caption(None, true, false),
            "Draw a digit for the classifier's guess"
        );
        assert_eq!(guess_caption(None, true, true), "Reading the drawing…");
        let bars = latent_bars(&[0.0, 2.0, 8.0], &[true, false, false], 4.0);
        assert_eq!(
            bars.iter().map(|b| b.height).collect::<Vec<_>>(),
            vec![0.0, 0.5, 1.0]
        );
        assert!(bars[0].dead && !bars[1].dead);
        // No usable scale: the code's own maximum.
        let bars = latent_bars(&[1.0, 2.0], &[], 0.0);
        assert_eq!(bars[0].height, 0.5);
    }

    #[test]
    fn raw_updates_notify_at_most_every_four_ms_and_the_frame_shows_the_rest() {
        let mut pacer = RawPacer::default();
        // The first point of a stroke shows at once, and so does one 4 ms or more later.
        assert!(pacer.point(100.0));
        assert!(
            !pacer.frame(101.0),
            "nothing waits: the frame notifies no one"
        );
        assert!(pacer.point(104.0));
        // A 1,000 Hz device: points 1 ms apart show every 4 ms.
        let shown: Vec<bool> = (1..=8).map(|i| pacer.point(104.0 + f64::from(i))).collect();
        assert_eq!(
            shown,
            [false, false, false, true, false, false, false, true]
        );
        // A point that waits is shown by the frame, once.
        assert!(!pacer.point(113.0));
        assert!(pacer.frame(114.0));
        assert!(!pacer.frame(115.0));
        // The frame counts as a notification: the next point 2 ms later waits.
        assert!(!pacer.point(116.0));
        // The stroke's end notifies too: nothing waits after it.
        pacer.notified(117.0);
        assert!(!pacer.frame(118.0));
        assert!(pacer.point(121.0));
    }

    #[test]
    fn a_stroke_draws_from_raw_updates_once_one_comes() {
        let mut pacer = RawPacer::default();
        assert!(!pacer.is_raw(), "before any raw update: pointermove");
        pacer.point(10.0);
        assert!(pacer.is_raw());
        pacer.frame(11.0);
        assert!(
            pacer.is_raw(),
            "the frame does not change where points come from"
        );
        // A new stroke (a touch one, say) starts on pointermove again.
        pacer.begin();
        assert!(!pacer.is_raw());
    }
}
