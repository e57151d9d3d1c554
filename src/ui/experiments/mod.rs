//! `#/experiments` as data, one topic a file: the latent-sweep table (`sweep`), the depth
//! curves and the report's conclusions on depth (`depth`), and the seed studies (`seeds`).

pub mod depth;
pub mod seeds;
pub mod sweep;
pub mod variational;

pub use depth::{Claim, depth_chart, depth_claims};
pub use seeds::{SeedStudy, seed_verdict};
pub use sweep::{BrowserRuns, Losses, SweepRow, browser_runs, sweep_chart, sweep_csv, sweep_rows};
pub use variational::{VariationalRow, variational_rows};
