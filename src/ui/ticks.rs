//! Axis ticks and their labels, computed here rather than by the chart library: plotters
//! measures every label through the page's DOM (a forced layout each time), which made a
//! single chart redraw a long main-thread task.

/// About `target` evenly spaced round values (steps of 1, 2 or 5 × 10^k) within `[lo, hi]`.
pub fn linear_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    round_ticks(lo, hi, target, 0.0)
}

/// About `target` evenly spaced whole numbers within `[lo, hi]`, for an axis of counts such
/// as epochs: [`linear_ticks`] with a step of at least 1.
pub fn whole_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    round_ticks(lo, hi, target, 1.0)
}

/// The round values within `[lo, hi]` at about `target` steps of at least `min_step`.
fn round_ticks(lo: f64, hi: f64, target: usize, min_step: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || target == 0 {
        return Vec::new();
    }
    let step = nice_step((hi - lo) / target as f64).max(min_step);
    // A bound that is itself a tick (0.7 over steps of 0.1: 6.999…) stays one.
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// The most ticks a log axis carries before it thins them: beyond this their labels crowd a
/// chart's 300 or so pixels of height.
const MAX_LOG_TICKS: usize = 8;

/// Ticks for a log axis: 1, 2 and 5 × 10^k within `[lo, hi]`; over many decades (a training
/// loss that falls to 1e-5 beside a test loss of 2) only the powers of ten, every one or every
/// few; falls back to linear ticks when the range is too narrow to hold two of them.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return Vec::new();
    }
    let within = |v: &f64| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9);
    let decades = lo.log10().floor() as i32..=hi.log10().ceil() as i32;
    let ticks: Vec<f64> = decades
        .clone()
        .flat_map(|k| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k)))
        .filter(within)
        .collect();
    if ticks.len() > MAX_LOG_TICKS {
        let powers: Vec<i32> = decades.filter(|&k| within(&10f64.powi(k))).collect();
        let every = powers.len().div_ceil(MAX_LOG_TICKS).max(1);
        // Every `every`-th power of ten, counted from 10^0 so that 1 stays a tick.
        return powers
            .into_iter()
            .filter(|k| k.rem_euclid(every as i32) == 0)
            .map(|k| 10f64.powi(k))
            .collect();
    }
    if ticks.len() >= 2 {
        ticks
    } else {
        linear_ticks(lo, hi, 4)
    }
}

/// The round step nearest above `raw`: 1, 2 or 5 × 10^k.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// A tick label with as many decimals as the value needs (`0.02`, `0.005`, `3`, `2.25`): the
/// fewest that give the value back, so that neighbouring ticks never read alike (2.25 once
/// read "2.2" beside 2.2 and 2.3 on a narrow loss axis). Whole numbers of five digits or
/// more are grouped by thousands (`20,000` images seen).
pub fn tick_label(value: f64) -> String {
    if value.abs() >= 10_000.0 && value.fract() == 0.0 && value.abs() < 1e15 {
        let sign = if value < 0.0 { "-" } else { "" };
        return format!("{sign}{}", super::format::thousands(value.abs() as usize));
    }
    if value == 0.0 || !value.is_finite() {
        return if value == 0.0 {
            "0".into()
        } else {
            value.to_string()
        };
    }
    let magnitude = (-value.abs().log10().floor()).max(0.0) as usize;
    // Ticks are round values: a few decimals past the magnitude always give them back.
    (magnitude..magnitude + 6)
        .map(|decimals| format!("{value:.decimals$}"))
        .find(|text| {
            text.parse::<f64>()
                .is_ok_and(|back| (back - value).abs() <= value.abs() * 1e-9)
        })
        .unwrap_or_else(|| format!("{value:.prec$}", prec = magnitude + 6))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
    }

    #[test]
    fn linear_ticks_are_round() {
        assert!(close(
            &linear_ticks(0.0, 10.0, 5),
            &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        ));
        assert!(close(
            &linear_ticks(0.013, 0.061, 5),
            &[0.02, 0.03, 0.04, 0.05, 0.06]
        ));
        assert!(close(
            &linear_ticks(0.0, 3.0, 6),
            &[0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
        ));
        assert!(linear_ticks(1.0, 1.0, 5).is_empty());
        assert!(linear_ticks(f64::NAN, 1.0, 5).is_empty());
    }

    #[test]
    fn whole_ticks_never_fall_between_epochs() {
        // Three epochs, padded as the chart pads them: 1, 2, 3, not 1, 1.5, 2, 2.5, 3.
        assert_eq!(linear_ticks(0.9, 3.1, 6), vec![1.0, 1.5, 2.0, 2.5, 3.0]);
        assert_eq!(whole_ticks(0.9, 3.1, 6), vec![1.0, 2.0, 3.0]);
        // One epoch: the one tick.
        assert_eq!(whole_ticks(0.35, 1.65, 6), vec![1.0]);
        // Many epochs: the round steps of linear ticks.
        assert_eq!(whole_ticks(0.5, 10.5, 6), linear_ticks(0.5, 10.5, 6));
        assert_eq!(whole_ticks(0.5, 10.5, 6), vec![2.0, 4.0, 6.0, 8.0, 10.0]);
        assert!(whole_ticks(2.0, 2.0, 6).is_empty());
    }

    #[test]
    fn log_ticks_by_decade() {
        assert!(close(&log_ticks(0.008, 0.12), &[0.01, 0.02, 0.05, 0.1]));
        assert!(close(&log_ticks(1.0, 10.0), &[1.0, 2.0, 5.0, 10.0]));
        // Too narrow for two round values: linear ones instead.
        let narrow = log_ticks(0.031, 0.034);
        assert!(narrow.len() >= 2 && narrow.iter().all(|v| (0.031..=0.034).contains(v)));
        assert!(log_ticks(0.0, 1.0).is_empty());
    }

    #[test]
    fn log_ticks_thin_out_over_many_decades() {
        // Four decades would be 13 ticks of 1, 2 and 5: only the powers of ten.
        assert!(close(&log_ticks(8e-5, 3.0), &[1e-4, 1e-3, 1e-2, 1e-1, 1.0]));
        // Twelve decades: every other power of ten, 1 among them.
        let wide = log_ticks(1e-11, 20.0);
        assert!(close(&wide, &[1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0]));
        assert!(wide.len() <= MAX_LOG_TICKS);
        // Two decades keep 1, 2 and 5: seven ticks.
        assert_eq!(log_ticks(0.009, 1.1).len(), 7);
    }

    #[test]
    fn labels() {
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(3.0), "3");
        assert_eq!(tick_label(0.02), "0.02");
        assert_eq!(tick_label(0.005), "0.005");
        assert_eq!(tick_label(0.15), "0.15");
        assert_eq!(tick_label(2.5), "2.5");
        assert_eq!(tick_label(-0.25), "-0.25");
        assert_eq!(tick_label(1e-4), "0.0001");
        assert_eq!(tick_label(5000.0), "5000");
        assert_eq!(tick_label(20_000.0), "20,000");
        assert_eq!(tick_label(-1_500_000.0), "-1,500,000");
        assert_eq!(tick_label(12_500.5), "12500.5");
    }

    #[test]
    fn neighbouring_ticks_never_read_alike() {
        // A loss that barely moves (the transfer view's 2.2 to 2.35 on a log axis) gets linear
        // ticks 0.05 apart; each needs two decimals.
        let ticks = log_ticks(2.19, 2.36);
        let labels: Vec<String> = ticks.iter().map(|&t| tick_label(t)).collect();
        assert_eq!(labels, ["2.2", "2.25", "2.3", "2.35"]);
        // Float steps such as 3 × 0.1 still read as round values.
        let labels: Vec<String> = linear_ticks(0.0, 0.7, 7)
            .iter()
            .map(|&t| tick_label(t))
            .collect();
        assert_eq!(
            labels,
            ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"]
        );
    }
}
