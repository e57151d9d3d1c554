//! Where a run (a training, a transfer run) stands, as the page shows it: shared by the
//! training view's state and the transfer view's.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RunStatus {
    #[default]
    Idle,
    Running,
    Paused,
    Finished,
    Cancelled,
    Failed,
}

impl RunStatus {
    /// True while a run holds the engine (start is refused, pause and cancel are offered).
    pub fn is_active(self) -> bool {
        matches!(self, RunStatus::Running | RunStatus::Paused)
    }

    /// How an ended run is kept across reloads: `Some(cancelled)` for a finished or cancelled
    /// run, `None` for one that is not kept (idle, still going, or failed: the last kept run of
    /// its kind stays).
    pub fn kept_cancelled(self) -> Option<bool> {
        match self {
            RunStatus::Finished => Some(false),
            RunStatus::Cancelled => Some(true),
            _ => None,
        }
    }

    /// The status of a kept run, from its `cancelled` flag ([`RunStatus::kept_cancelled`]).
    pub fn from_kept(cancelled: bool) -> Self {
        if cancelled {
            RunStatus::Cancelled
        } else {
            RunStatus::Finished
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_and_cancelled_runs_are_kept_as_they_ended_and_no_other() {
        use RunStatus::*;
        for status in [Idle, Running, Paused, Finished, Cancelled, Failed] {
            let kept = status.kept_cancelled();
            assert_eq!(
                kept.is_some(),
                matches!(status, Finished | Cancelled),
                "{status:?}"
            );
            if let Some(cancelled) = kept {
                assert_eq!(RunStatus::from_kept(cancelled), status);
            }
        }
    }
}
