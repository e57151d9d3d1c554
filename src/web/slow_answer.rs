//! Dimming a live result only while its answer is slow (`ui::live::SlowAnswer`), with one
//! timer at a time.

use std::time::Duration;

use leptos::prelude::*;

use super::now_ms;
use crate::ui::live::SlowAnswer;

/// True once `pending` has held for [`SlowAnswer::DIM_AFTER_MS`], false as soon as it ends.
pub fn dimmed_when_slow(pending: Memo<bool>) -> Memo<bool> {
    let slow = RwSignal::new(SlowAnswer::default());
    fn arm(slow: RwSignal<SlowAnswer>, ms: Option<f64>) {
        let Some(ms) = ms else { return };
        set_timeout(
            move || arm(slow, slow.try_update(|s| s.timer_fired(now_ms())).flatten()),
            Duration::from_secs_f64(ms / 1000.0),
        );
    }
    Effect::new(move |_| {
        let pending = pending.get();
        arm(
            slow,
            slow.try_update(|s| s.set_pending(pending, now_ms()))
                .flatten(),
        );
    });
    Memo::new(move |_| slow.with(SlowAnswer::dimmed))
}
