//! The page's engine: what the browser's worker does with models and data, as plain Rust.
//!
//! The worker (`web::worker`) only moves messages, reaches the browser's storage and yields
//! to the event loop. The engine's state and rules ([`state::EngineCore`]), the loop that
//! drives a training or a transfer run in slices ([`driver::drive`]), the sessions
//! themselves, the model store, latent analyses, progress figures and the message protocol
//! live here, so they are tested natively like the rest of the library.

pub mod base64;
pub mod bundle;
pub mod classifier_evaluation;
pub mod confusion_cell;
pub mod drawing_reading;
pub mod driver;
pub mod epoch_recording;
pub mod interpolation_diagnostics;
pub mod kernel_thread_count;
pub mod latent_analysis;
pub mod latent_selection;
pub mod pretrained;
pub mod progress;
pub mod protocol;
pub mod session;
pub mod state;
pub mod store;
pub mod transfer_session;

pub use protocol::{
    BackendChoice, EpochLoss, FromEngine, ImageRef, InterruptedChoice, InterruptedRun, ModelInfo,
    ModelOrigin, ToEngine, TrainRequest,
};
pub use session::TrainingSession;
pub use state::{Checkpoint, Control, EngineCore};
pub use store::ModelStore;
