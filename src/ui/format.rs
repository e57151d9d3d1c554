//! Numbers as people read them.

use super::run_status::RunStatus;
use crate::engine::protocol::TrainingProgress;

/// A training's progress line: `Epoch 2/10 · step 300/1,570 · loss 0.0312 · 1,250 images/s ·
/// 15 s elapsed · 1 min 40 s left`, with the run's state when it is not simply running. The
/// time left is said only while the run can still go on (running or paused): a run that has
/// ended has none, and "0.0 s left" beside "cancelled" at step 300 of 1,570 would mislead.
pub fn progress_line(p: &TrainingProgress, status: RunStatus) -> String {
    let (left, state) = match status {
        RunStatus::Paused => (true, " · paused"),
        RunStatus::Finished => (false, " · finished"),
        RunStatus::Cancelled => (false, " · cancelled"),
        RunStatus::Failed => (false, " · failed"),
        _ => (true, ""),
    };
    let left = if left {
        format!(
            " · {} left",
            p.seconds_left.map_or("–".to_string(), duration)
        )
    } else {
        String::new()
    };
    format!(
        "Epoch {}/{} · step {}/{} · loss {} · {} images/s · {} elapsed{left}{state}",
        p.epoch,
        p.epochs,
        thousands(p.step),
        thousands(p.total_steps),
        loss(Some(p.smoothed_loss)),
        thousands(p.images_per_second.round() as usize),
        duration(p.elapsed_seconds),
    )
}

/// `75.4` → `1 min 15 s`; under a minute, seconds with one decimal below 10 s.
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "–".into();
    }
    if seconds < 10.0 {
        return format!("{seconds:.1} s");
    }
    let total = seconds.round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) => format!("{m} min {s:02} s"),
        _ => format!("{h} h {m:02} min"),
    }
}

/// A count and its noun, singular or plural: `count(1, "layer", "layers")` → `1 layer`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A count with thousands separators: `12345` → `12,345`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A loss with four significant decimals, or a dash when unknown.
pub fn loss(value: Option<f32>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.4}"),
        _ => "–".into(),
    }
}

/// A size in bytes as people read it: `1536` → `1.5 KB` (decimal units, as browsers report).
pub fn bytes(n: f64) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = n.max(0.0);
    let mut unit = 0;
    while value >= 1000.0 && unit < units.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", units[0])
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

/// The model list's storage line: how much of the browser's quota the page uses, and whether
/// the browser promised to keep it (`persisted`: `None` while unknown).
pub fn storage_usage(usage: f64, quota: f64, persisted: Option<bool>) -> String {
    let share = if quota > 0.0 {
        format!(" ({:.1} %)", 100.0 * usage / quota)
    } else {
        String::new()
    };
    let promise = match persisted {
        Some(true) => " · the browser keeps it until you remove it",
        Some(false) => " · the browser may clear it when the disk runs low: download what matters",
        None => "",
    };
    format!(
        "Storage: {} of {} used{share}{promise}",
        bytes(usage),
        bytes(quota)
    )
}

/// "Analysing two-layer-d20: 40 % (step 2 of 5)".
pub fn analysis_progress(model: &str, done: usize, total: usize) -> String {
    let percent = (100 * done).checked_div(total).unwrap_or(0).min(100);
    format!("Analysing {model}: {percent} % (step {done} of {total})")
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_and_the_storage_line() {
        assert_eq!(bytes(0.0), "0 bytes");
        assert_eq!(bytes(999.0), "999 bytes");
        assert_eq!(bytes(1536.0), "1.5 KB");
        assert_eq!(bytes(2_100_000.0), "2.1 MB");
        assert_eq!(bytes(1.2e9), "1.2 GB");
        assert_eq!(
            storage_usage(2_100_000.0, 1.2e9, Some(true)),
            "Storage: 2.1 MB of 1.2 GB used (0.2 %) · the browser keeps it until you remove it"
        );
        assert!(storage_usage(5e8, 1e9, Some(false)).contains("(50.0 %)"));
        assert!(storage_usage(5e8, 1e9, Some(false)).contains("may clear it"));
        assert_eq!(
            storage_usage(10.0, 0.0, None),
            "Storage: 10 bytes of 0 bytes used"
        );
    }

    #[test]
    fn progress_lines() {
        let p = TrainingProgress {
            epoch: 2,
            epochs: 10,
            step: 300,
            total_steps: 1570,
            loss: 0.03,
            smoothed_loss: 0.03121,
            images_per_second: 1249.6,
            elapsed_seconds: 15.0,
            seconds_left: Some(100.0),
            paused: false,
        };
        assert_eq!(
            progress_line(&p, RunStatus::Running),
            "Epoch 2/10 · step 300/1,570 · loss 0.0312 · 1,250 images/s · 15 s elapsed · 1 min 40 s left"
        );
        let p = TrainingProgress {
            seconds_left: None,
            smoothed_loss: f32::NAN,
            ..p
        };
        assert!(
            progress_line(&p, RunStatus::Paused)
                .ends_with("loss – · 1,250 images/s · 15 s elapsed · – left · paused")
        );
        // A run that has ended has no time left to say.
        let p = TrainingProgress {
            seconds_left: Some(85.0),
            ..p
        };
        for (status, word) in [
            (RunStatus::Finished, "finished"),
            (RunStatus::Cancelled, "cancelled"),
            (RunStatus::Failed, "failed"),
        ] {
            let line = progress_line(&p, status);
            assert!(
                line.ends_with(&format!("15 s elapsed · {word}")) && !line.contains("left"),
                "{line}"
            );
        }
    }

    #[test]
    fn durations() {
        assert_eq!(duration(3.24), "3.2 s");
        assert_eq!(duration(42.4), "42 s");
        assert_eq!(duration(75.4), "1 min 15 s");
        assert_eq!(duration(3.0 * 3600.0 + 5.0 * 60.0), "3 h 05 min");
        assert_eq!(duration(f64::NAN), "–");
    }

    #[test]
    fn separators_and_losses() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(193_781), "193,781");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(loss(Some(0.04321)), "0.0432");
        assert_eq!(loss(None), "–");
        assert_eq!(loss(Some(f32::NAN)), "–");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(0, "model", "models"), "0 models");
        assert_eq!(count(1, "layer", "layers"), "1 layer");
        assert_eq!(count(3, "dead unit", "dead units"), "3 dead units");
    }

    #[test]
    fn analysis_progress_in_percent() {
        assert_eq!(
            analysis_progress("m", 2, 5),
            "Analysing m: 40 % (step 2 of 5)"
        );
        assert_eq!(
            analysis_progress("m", 0, 0),
            "Analysing m: 0 % (step 0 of 0)"
        );
        assert_eq!(
            analysis_progress("m", 9, 4),
            "Analysing m: 100 % (step 9 of 4)"
        );
    }
}
