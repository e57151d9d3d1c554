//! Live results: what a view shows while the engine answers a drawing, a slider or a click.
//!
//! A view numbers its requests for one slot (each request's *version*); the engine's answer
//! carries that number back. The page never shows an answer computed from other inputs as if
//! it were current: an answer to an older request of the same *subject* (the same model and
//! pair, only α moved; the same drawing target, one more stroke) stays on screen marked
//! pending until the answer to the newest request arrives; an answer about another subject
//! (another pair, model or target, a cleared pad) is not shown at all. Every live result
//! carries its version, the wanted one and the input it was computed from in `data-version`,
//! `data-wanted` and `data-input` attributes, so a test can wait for exactly the state it
//! checks (say, the strip computed from the drawing's current version).

use std::collections::VecDeque;

/// How many recent requests' inputs a slot remembers (answers come back in order, and a view
/// has at most a few requests in flight).
const RECENT: usize = 64;

/// One slot's requests: the version of the newest, and the first version of its subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSlot<S> {
    subject: Option<S>,
    /// Versions from here on are about the current subject.
    valid_from: u64,
    /// The newest request's version (0: none yet).
    wanted: u64,
    /// The input of each recent request, by version, oldest first.
    inputs: VecDeque<(u64, String)>,
}

impl<S: PartialEq> LiveSlot<S> {
    /// A slot whose versions start after `last_answered` (the newest answer the page already
    /// holds for this slot, from an earlier visit of the view): older answers never show.
    pub fn after(last_answered: u64) -> Self {
        Self {
            subject: None,
            valid_from: last_answered.saturating_add(1),
            wanted: last_answered,
            inputs: VecDeque::new(),
        }
    }

    /// A new request about `subject`, computed from `input` (a drawing's version, an α): its
    /// version. A subject unlike the last request's makes every earlier answer stale.
    pub fn request(&mut self, subject: S, input: impl Into<String>) -> u64 {
        self.wanted += 1;
        if self.inputs.len() == RECENT {
            self.inputs.pop_front();
        }
        self.inputs.push_back((self.wanted, input.into()));
        if self.subject.as_ref() != Some(&subject) {
            self.subject = Some(subject);
            self.valid_from = self.wanted;
        }
        self.wanted
    }

    /// Nothing is wanted any more (the pad was cleared, the target removed): every answer so
    /// far is stale, and the next request starts a new subject.
    pub fn forget(&mut self) {
        self.subject = None;
        self.valid_from = self.wanted + 1;
    }

    /// The newest request's version, if there was one.
    pub fn wanted(&self) -> Option<u64> {
        (self.wanted >= self.valid_from).then_some(self.wanted)
    }

    /// How an answer of version `answered` may be shown: `None` if it is about another subject
    /// (or there is none); else its freshness against the newest request.
    pub fn show(&self, answered: Option<u64>) -> Option<Freshness> {
        let version = answered.filter(|&v| v >= self.valid_from && v <= self.wanted)?;
        let input = self
            .inputs
            .iter()
            .find(|(v, _)| *v == version)
            .map(|(_, i)| i.clone())
            .unwrap_or_default();
        Some(Freshness {
            version,
            wanted: self.wanted,
            input,
        })
    }
}

/// A shown answer's version, the version the view wants, and the input the answer was
/// computed from ("" if no longer known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshness {
    pub version: u64,
    pub wanted: u64,
    pub input: String,
}

impl Freshness {
    /// The answer is to an older request: the newest one is still being computed.
    pub fn pending(&self) -> bool {
        self.version < self.wanted
    }
}

/// What a live result shows against what its view wants: the attributes it carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveState {
    pub shown: Option<Freshness>,
    pub wanted: Option<u64>,
}

impl LiveState {
    pub fn of<S: PartialEq>(slot: &LiveSlot<S>, answered: Option<u64>) -> Self {
        Self {
            shown: slot.show(answered),
            wanted: slot.wanted(),
        }
    }

    /// For answers numbered by their input's own version (a drawing's version), not by a
    /// slot: `answered` is the version the shown answer was computed from (`None`: nothing is
    /// shown), `wanted` the input's current version.
    pub fn of_input_version(answered: Option<u64>, wanted: Option<u64>) -> Self {
        Self {
            shown: answered.map(|version| Freshness {
                version,
                wanted: wanted.unwrap_or(version),
                input: version.to_string(),
            }),
            wanted,
        }
    }

    /// Something is wanted and the answer to it is not shown yet.
    pub fn pending(&self) -> bool {
        match &self.shown {
            Some(f) => f.pending(),
            None => self.wanted.is_some(),
        }
    }

    /// `data-version`: the shown answer's version ("" when nothing is shown).
    pub fn version_attribute(&self) -> String {
        self.shown
            .as_ref()
            .map(|f| f.version.to_string())
            .unwrap_or_default()
    }

    /// `data-input`: the input the shown answer was computed from ("" when nothing is shown).
    pub fn input_attribute(&self) -> String {
        self.shown
            .as_ref()
            .map(|f| f.input.clone())
            .unwrap_or_default()
    }

    /// `data-wanted`: the newest request's version ("" when nothing is wanted).
    pub fn wanted_attribute(&self) -> String {
        self.wanted.map(|w| w.to_string()).unwrap_or_default()
    }
}

/// Whether a live result shows dimmed: only once its newest answer has been pending for
/// [`SlowAnswer::DIM_AFTER_MS`]. Most answers come within milliseconds; dimming and undimming
/// each of them (a style change and a transition begun, then cancelled) cost the drawing view
/// about 2 ms of its main thread per pointer move, in the frame the answer waits behind
/// (docs/performance.md). A fast answer now changes no style at all. One timer at a time: a
/// wait that begins while one is armed is checked when it fires.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SlowAnswer {
    /// When the current wait began (milliseconds), if one goes on.
    waiting_since: Option<f64>,
    timer_armed: bool,
    dimmed: bool,
}

impl SlowAnswer {
    pub const DIM_AFTER_MS: f64 = 250.0;

    /// Whether the newest answer is pending at `now_ms`. `Some(ms)`: arm a timer that calls
    /// [`Self::timer_fired`] that many milliseconds from now.
    pub fn set_pending(&mut self, pending: bool, now_ms: f64) -> Option<f64> {
        if !pending {
            self.waiting_since = None;
            self.dimmed = false;
            return None;
        }
        self.waiting_since.get_or_insert(now_ms);
        if self.dimmed {
            return None;
        }
        self.arm(Self::DIM_AFTER_MS)
    }

    /// The armed timer fired at `now_ms`: dimmed if the wait has lasted long enough, or the
    /// time left to wait for a wait that began later (`Some(ms)`: arm again).
    pub fn timer_fired(&mut self, now_ms: f64) -> Option<f64> {
        self.timer_armed = false;
        let since = self.waiting_since?;
        let left = Self::DIM_AFTER_MS - (now_ms - since);
        if left <= 0.0 {
            self.dimmed = true;
            None
        } else {
            self.arm(left)
        }
    }

    fn arm(&mut self, ms: f64) -> Option<f64> {
        (!std::mem::replace(&mut self.timer_armed, true)).then_some(ms)
    }

    pub fn dimmed(&self) -> bool {
        self.dimmed
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn only_a_slow_answer_dims_its_result() {
        let mut slow = SlowAnswer::default();
        // A fast answer: nothing dims; the timer armed for its wait finds none going on.
        assert_eq!(slow.set_pending(true, 1000.0), Some(250.0));
        assert_eq!(slow.set_pending(true, 1005.0), None, "one timer at a time");
        slow.set_pending(false, 1010.0);
        // A second wait begins while that timer is armed: it is checked when the timer fires,
        // and the rest of its 250 ms is waited for.
        assert_eq!(slow.set_pending(true, 1100.0), None);
        assert_eq!(slow.timer_fired(1250.0), Some(100.0));
        assert!(!slow.dimmed());
        assert_eq!(slow.timer_fired(1350.0), None);
        assert!(slow.dimmed(), "pending for 250 ms");
        assert_eq!(
            slow.set_pending(true, 1400.0),
            None,
            "a newer request within the wait"
        );
        assert!(slow.dimmed());
        slow.set_pending(false, 1420.0);
        assert!(!slow.dimmed(), "undimmed at the answer");
        // A timer that fires with no wait going on does nothing, and the next wait arms anew.
        assert_eq!(slow.set_pending(true, 2000.0), Some(250.0));
        slow.set_pending(false, 2001.0);
        assert_eq!(slow.timer_fired(2250.0), None);
        assert!(!slow.dimmed());
        assert_eq!(slow.set_pending(true, 3000.0), Some(250.0));
    }

    #[test]
    fn an_answer_to_an_older_request_of_the_same_subject_shows_as_pending() {
        let mut slot = LiveSlot::after(0);
        assert_eq!(slot.wanted(), None);
        assert_eq!(slot.request(("d20", 3, 5), "0.50"), 1);
        assert_eq!(
            slot.request(("d20", 3, 5), "0.60"),
            2,
            "only α moved: same subject"
        );
        assert_eq!(
            slot.show(Some(1)),
            Some(Freshness {
                version: 1,
                wanted: 2,
                input: "0.50".into()
            })
        );
        assert!(slot.show(Some(1)).unwrap().pending());
        assert!(!slot.show(Some(2)).unwrap().pending());
        assert_eq!(slot.wanted(), Some(2));
    }

    #[test]
    fn an_answer_about_another_subject_is_never_shown() {
        let mut slot = LiveSlot::after(0);
        slot.request("to the kept 0", "7");
        assert_eq!(slot.request("to the kept 0", "8"), 2);
        // The target changes: the strip to the kept 0 must not stand in for the new one.
        assert_eq!(slot.request("to test image 4", "8"), 3);
        assert_eq!(slot.show(Some(2)), None);
        assert_eq!(slot.show(None), None);
        assert!(!slot.show(Some(3)).unwrap().pending());
    }

    #[test]
    fn forgetting_makes_every_answer_stale_and_starts_a_new_subject() {
        let mut slot = LiveSlot::after(0);
        slot.request("drawing", "1");
        slot.forget();
        assert_eq!(slot.show(Some(1)), None, "the pad was cleared");
        assert_eq!(slot.wanted(), None);
        // The same subject after a clear is still a new one: the old answer stays hidden.
        assert_eq!(slot.request("drawing", "5"), 2);
        assert_eq!(slot.show(Some(1)), None);
        assert_eq!(slot.show(Some(2)).map(|f| f.pending()), Some(false));
    }

    #[test]
    fn versions_continue_after_answers_from_an_earlier_visit() {
        // The page still holds answer 41 for this slot from before: it is never shown, and
        // the new requests' versions are above it (the state keeps only the newest answer).
        let mut slot = LiveSlot::after(41);
        assert_eq!(slot.show(Some(41)), None);
        assert_eq!(slot.wanted(), None);
        assert_eq!(slot.request(1, ""), 42);
        assert_eq!(slot.show(Some(41)), None);
        assert_eq!(slot.show(Some(42)).map(|f| f.pending()), Some(false));
    }

    #[test]
    fn attributes_say_what_is_shown_and_what_is_wanted() {
        let mut slot = LiveSlot::after(3);
        let idle = LiveState::of(&slot, Some(3));
        assert_eq!(
            (idle.version_attribute(), idle.wanted_attribute()),
            (String::new(), String::new())
        );
        assert!(!idle.pending(), "nothing wanted, nothing pending");
        slot.request("pair", "0.10");
        let waiting = LiveState::of(&slot, Some(3));
        assert_eq!(
            (waiting.version_attribute(), waiting.wanted_attribute()),
            (String::new(), "4".into())
        );
        assert!(waiting.pending());
        slot.request("pair", "0.20");
        let behind = LiveState::of(&slot, Some(4));
        assert_eq!(
            (behind.version_attribute(), behind.wanted_attribute()),
            ("4".into(), "5".into())
        );
        assert_eq!(
            behind.input_attribute(),
            "0.10",
            "the input the shown answer was made from"
        );
        assert!(behind.pending());
        let current = LiveState::of(&slot, Some(5));
        assert_eq!(
            (current.version_attribute(), current.wanted_attribute()),
            ("5".into(), "5".into())
        );
        assert!(!current.pending());
        assert_eq!(current.input_attribute(), "0.20");
        assert_eq!(
            LiveState::of(&slot, Some(6)).shown,
            None,
            "no answer from the future"
        );
    }

    #[test]
    fn answers_numbered_by_the_input_version_are_pending_until_the_current_one() {
        let behind = LiveState::of_input_version(Some(7), Some(9));
        assert!(behind.pending());
        assert_eq!(
            (behind.version_attribute(), behind.wanted_attribute()),
            ("7".into(), "9".into())
        );
        assert_eq!(
            behind.input_attribute(),
            "7",
            "the input is the version itself"
        );
        assert!(!LiveState::of_input_version(Some(9), Some(9)).pending());
        assert!(
            LiveState::of_input_version(None, Some(9)).pending(),
            "nothing shown yet"
        );
        assert_eq!(
            LiveState::of_input_version(None, None),
            LiveState::default()
        );
    }

    #[test]
    fn only_recent_inputs_are_remembered() {
        let mut slot = LiveSlot::after(0);
        for i in 1..=(RECENT as u64 + 1) {
            slot.request("pair", i.to_string());
        }
        assert_eq!(
            slot.show(Some(1)).unwrap().input,
            "",
            "forgotten, still shown as pending"
        );
        assert_eq!(slot.show(Some(2)).unwrap().input, "2");
    }
}
