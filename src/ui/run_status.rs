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
}
