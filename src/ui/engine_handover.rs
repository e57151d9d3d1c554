//! The page's move from the CPU engine to the WebGPU engine (issue 19). A WebGPU start would
//! wait for the larger engine's download (about 6 MB of gzipped wasm) before anything runs:
//! the page starts on the CPU engine at once, loads the WebGPU engine's worker beside it, and
//! moves when that one listens and nothing would be lost. The move itself is the web layer's
//! (`web::app`); what may be lost, and what the header says, is decided here.

use super::engine_state::EngineState;
use crate::engine::ModelOrigin;
use crate::engine::protocol::ErrorSource;

/// Where the move stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum HandOverPhase {
    /// No move planned: the page runs the one engine it started.
    #[default]
    None,
    /// Planned: its download waits until the CPU engine has loaded, so that the two do not
    /// share the network at start.
    Queued,
    /// The WebGPU engine's worker downloads and compiles its wasm.
    Loading,
    /// It listens: the move waits for a moment when nothing would be lost.
    Waiting,
    /// The CPU engine was asked whether a request is under way; the page holds new ones.
    Asking,
    /// The WebGPU engine loads the data and models; the page holds requests for it.
    Starting,
    /// The WebGPU engine runs the page.
    Done,
    /// The WebGPU engine could not load (the reason): the page stays on the CPU engine.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HandOver {
    pub phase: HandOverPhase,
    /// Held back until released (`?handover=held`: the end-to-end test starts a training
    /// before it lets the move happen).
    pub held: bool,
}

impl HandOver {
    /// Which engine the page talks to: 0 the one it started, 1 the one it moved to (from the
    /// moment the move begins). What was handed to an engine, the draw view's canvas, goes
    /// anew to the next one.
    pub fn engine(&self) -> u8 {
        u8::from(matches!(
            self.phase,
            HandOverPhase::Starting | HandOverPhase::Done
        ))
    }
}

/// What the CPU engine holds that the move would lose, as the page sees it; `None` when
/// nothing. The engine itself answers for the requests it is working on
/// ([`crate::engine::ToEngine::AskIdle`]).
pub fn at_stake(state: &EngineState) -> Option<String> {
    if !state.loaded {
        return Some("the CPU engine is still loading".into());
    }
    if state.run.status.is_active() {
        return Some("a training runs".into());
    }
    if state.transfer.status.is_active() {
        return Some("a transfer run runs".into());
    }
    if state.resume_when_offered.is_some() {
        return Some("an interrupted training is about to resume".into());
    }
    if let Some(model) = state.analysing.keys().next() {
        return Some(format!("'{model}' is being analysed"));
    }
    // Trained or loaded models live in this engine's memory until the browser's storage has
    // them: the WebGPU engine starts from what is stored.
    state
        .models
        .iter()
        .find(|m| m.origin != ModelOrigin::Pretrained && !m.kept)
        .map(|m| format!("'{}' is not kept in this browser", m.name))
}

impl EngineState {
    /// Whether the page's engine has finished starting, loaded or failed: until then the
    /// network is the start's alone, and the WebGPU engine's download and the offline copy
    /// wait.
    pub fn start_settled(&self) -> bool {
        self.loaded
            || self
                .errors
                .iter()
                .any(|e| matches!(e.source, ErrorSource::Startup | ErrorSource::Worker))
    }

    /// Whether the offline copy of the build (the service worker's download of every file)
    /// may begin: the start has settled and no engine is waiting for or in its download.
    pub fn offline_copy_due(&self) -> bool {
        self.start_settled()
            && !matches!(
                self.handover.phase,
                HandOverPhase::Queued | HandOverPhase::Loading
            )
    }

    /// Whether the page should ask the CPU engine for the move now.
    pub fn hand_over_due(&self) -> bool {
        self.handover.phase == HandOverPhase::Waiting
            && !self.handover.held
            && at_stake(self).is_none()
    }

    /// What the header says of the move, while there is something to say.
    pub fn hand_over_text(&self) -> Option<String> {
        match &self.handover.phase {
            HandOverPhase::None | HandOverPhase::Done => None,
            HandOverPhase::Queued => Some(
                "the WebGPU engine loads once the CPU engine has; the CPU runs meanwhile".into(),
            ),
            HandOverPhase::Loading => {
                Some("the WebGPU engine is loading; the CPU runs meanwhile".into())
            }
            HandOverPhase::Waiting => Some(match at_stake(self) {
                Some(why) => format!(
                    "the WebGPU engine has loaded; it takes over when nothing is lost ({why})"
                ),
                None if self.handover.held => {
                    "the WebGPU engine has loaded; its move is held".into()
                }
                None => "the WebGPU engine has loaded".into(),
            }),
            HandOverPhase::Asking | HandOverPhase::Starting => {
                Some("moving to the WebGPU engine…".into())
            }
            HandOverPhase::Failed(why) => Some(format!(
                "the WebGPU engine could not load ({why}): the CPU engine stays"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ModelInfo;
    use crate::engine::transfer_session::TransferRequest;
    use crate::ui::run_status::RunStatus;
    use crate::weights::ModelSpec;

    fn model(name: &str, origin: ModelOrigin, kept: bool) -> ModelInfo {
        ModelInfo {
            id: name.into(),
            name: name.into(),
            spec: ModelSpec::Autoencoder {
                architecture: crate::model::Architecture::TwoLayer,
                latent_dim: 20,
            },
            origin,
            params: 1,
            epochs: None,
            train_images: None,
            train_loss: None,
            test_loss: None,
            test_accuracy: None,
            kept,
            not_kept: None,
            beta: None,
        }
    }

    /// A loaded page whose WebGPU engine listens.
    fn waiting() -> EngineState {
        let mut state = EngineState {
            loaded: true,
            models: vec![model("two-layer-d20", ModelOrigin::Pretrained, false)],
            ..EngineState::default()
        };
        state.handover.phase = HandOverPhase::Waiting;
        state
    }

    #[test]
    fn the_move_is_due_only_while_waiting_with_nothing_at_stake() {
        assert!(waiting().hand_over_due());
        for phase in [
            HandOverPhase::None,
            HandOverPhase::Queued,
            HandOverPhase::Loading,
            HandOverPhase::Asking,
            HandOverPhase::Starting,
            HandOverPhase::Done,
            HandOverPhase::Failed("x".into()),
        ] {
            let mut state = waiting();
            state.handover.phase = phase.clone();
            assert!(!state.hand_over_due(), "{phase:?}");
        }
        let mut held = waiting();
        held.handover.held = true;
        assert!(!held.hand_over_due());
        assert_eq!(
            held.hand_over_text().as_deref(),
            Some("the WebGPU engine has loaded; its move is held")
        );
    }

    #[test]
    fn a_run_a_pending_resume_an_analysis_or_an_unkept_model_hold_the_move() {
        let mut state = waiting();
        state.loaded = false;
        assert_eq!(
            at_stake(&state).as_deref(),
            Some("the CPU engine is still loading")
        );

        for status in [RunStatus::Running, RunStatus::Paused] {
            let mut state = waiting();
            state.run.status = status;
            assert_eq!(at_stake(&state).as_deref(), Some("a training runs"));
            assert!(!state.hand_over_due());
        }
        // A run that ended holds nothing.
        for status in [RunStatus::Finished, RunStatus::Cancelled, RunStatus::Failed] {
            let mut state = waiting();
            state.run.status = status;
            assert!(state.hand_over_due(), "{status:?}");
        }

        let mut state = waiting();
        state.transfer.status = RunStatus::Running;
        state.transfer.request = Some(TransferRequest {
            scenarios: Vec::new(),
            labels: 100,
            epochs: None,
            batch_size: 64,
            learning_rate: 1e-3,
        });
        assert_eq!(at_stake(&state).as_deref(), Some("a transfer run runs"));

        let mut state = waiting();
        state.resume_when_offered = Some("tab-run1".into());
        assert!(!state.hand_over_due());

        let mut state = waiting();
        state.analysing.insert("two-layer-d20".into(), (1, 4));
        assert_eq!(
            at_stake(&state).as_deref(),
            Some("'two-layer-d20' is being analysed")
        );

        let mut state = waiting();
        state
            .models
            .push(model("mine (trained 1)", ModelOrigin::Trained, false));
        assert_eq!(
            at_stake(&state).as_deref(),
            Some("'mine (trained 1)' is not kept in this browser")
        );
        assert_eq!(
            state.hand_over_text().as_deref(),
            Some(
                "the WebGPU engine has loaded; it takes over when nothing is lost \
                 ('mine (trained 1)' is not kept in this browser)"
            )
        );
        state.models[1].kept = true;
        assert!(state.hand_over_due());

        let mut state = waiting();
        state
            .models
            .push(model("file.safetensors", ModelOrigin::Uploaded, false));
        assert!(!state.hand_over_due());
    }

    #[test]
    fn the_page_talks_to_the_second_engine_from_the_moment_the_move_begins() {
        let engine = |phase| HandOver { phase, held: false }.engine();
        for before in [
            HandOverPhase::None,
            HandOverPhase::Queued,
            HandOverPhase::Loading,
            HandOverPhase::Waiting,
            HandOverPhase::Asking,
            HandOverPhase::Failed("no adapter".into()),
        ] {
            assert_eq!(engine(before.clone()), 0, "{before:?}");
        }
        assert_eq!(engine(HandOverPhase::Starting), 1);
        assert_eq!(engine(HandOverPhase::Done), 1);
    }

    #[test]
    fn the_header_says_where_the_move_stands_until_it_is_done() {
        let mut state = waiting();
        for (phase, says) in [
            (HandOverPhase::None, None),
            (
                HandOverPhase::Loading,
                Some("the WebGPU engine is loading; the CPU runs meanwhile"),
            ),
            (HandOverPhase::Waiting, Some("the WebGPU engine has loaded")),
            (HandOverPhase::Asking, Some("moving to the WebGPU engine…")),
            (
                HandOverPhase::Starting,
                Some("moving to the WebGPU engine…"),
            ),
            (HandOverPhase::Done, None),
            (
                HandOverPhase::Failed("no adapter".into()),
                Some("the WebGPU engine could not load (no adapter): the CPU engine stays"),
            ),
        ] {
            state.handover.phase = phase.clone();
            assert_eq!(state.hand_over_text().as_deref(), says, "{phase:?}");
        }
    }

    #[test]
    fn the_second_download_and_the_offline_copy_wait_for_the_start() {
        let mut state = EngineState::default();
        state.handover.phase = HandOverPhase::Queued;
        assert!(!state.start_settled() && !state.offline_copy_due());
        state.apply(crate::engine::FromEngine::Loaded {
            train_images: 10,
            test_images: 10,
            models: Vec::new(),
            problems: Vec::new(),
            no_code_test_loss: None,
            mean_digit: Vec::new(),
        });
        assert!(state.start_settled());
        assert!(
            !state.offline_copy_due(),
            "the WebGPU engine's download comes first"
        );
        state.handover.phase = HandOverPhase::Loading;
        assert!(!state.offline_copy_due(), "nor while it downloads");
        for phase in [
            HandOverPhase::Waiting,
            HandOverPhase::Done,
            HandOverPhase::Failed("x".into()),
        ] {
            state.handover.phase = phase.clone();
            assert!(state.offline_copy_due(), "{phase:?}");
        }

        // A start that failed has settled too: the WebGPU engine may still load.
        let mut failed = EngineState::default();
        failed.apply(crate::engine::FromEngine::Failed {
            source: ErrorSource::Startup,
            message: "the data could not be read".into(),
            backend_lost: false,
        });
        assert!(failed.start_settled() && failed.offline_copy_due());
        let mut crashed = EngineState::default();
        crashed.worker_crashed("unreachable".into());
        assert!(crashed.start_settled());
        let mut other = EngineState::default();
        other.push_error(ErrorSource::Page, "?backend=x".into());
        assert!(
            !other.start_settled(),
            "an address's error is not the start's"
        );
    }
}
