//! The page's engine: what the browser's worker does with models and data, as plain Rust.
//!
//! The worker (`web::worker`) only moves messages and yields to the event loop; choosing
//! models, training sessions, progress figures and the message protocol live here, so they
//! are tested natively like the rest of the library.

pub mod analysis;
pub mod bundle;
pub mod drawing;
pub mod pretrained;
pub mod progress;
pub mod protocol;
pub mod session;
pub mod store;
pub mod transfer_session;

pub use protocol::{
    BackendChoice, FromEngine, ImageRef, InterruptedChoice, InterruptedRun, ModelInfo, ModelOrigin,
    ToEngine, TrainRequest,
};
pub use session::TrainingSession;
pub use store::ModelStore;
