//! The page's logic that needs no browser: routes, form parsing, the training view's state,
//! chart series and image buffers. The leptos components in `web` stay thin around these,
//! and these are unit-tested natively.

pub mod chart;
pub mod cursor;
pub mod decorrelation;
pub mod drawing_strokes;
pub mod earlier_runs;
pub mod earlier_transfers;
pub mod engine_handover;
pub mod engine_state;
pub mod experiments;
pub mod format;
pub mod hide;
pub mod image;
pub mod interpolation;
pub mod latent_map;
pub mod lesson;
pub mod link;
pub mod live;
pub mod loss_axis;
pub mod loss_history;
pub mod model_file;
pub mod model_score;
pub mod report;
pub mod route;
pub mod run_state;
pub mod run_status;
pub mod ticks;
pub mod train_form;
pub mod transfer_state;
pub mod view_links;
