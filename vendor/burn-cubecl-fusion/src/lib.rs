//! Fused CubeCL kernels for `burn-fusion`.
//!
//! This crate is the CubeCL side of kernel fusion. `burn-fusion` decides which queued
//! operations can be grouped; this crate generates and launches the fused kernels for them on
//! any CubeCL runtime. [`engine`] traces a group of operations and compiles it into one
//! kernel, and [`optim`] holds the fused optimizations: element-wise chains, and matmul and
//! reductions with their surrounding element-wise work.
//!
//! It is used by `burn-cubecl` when its `fusion` feature is on (the default). Applications do
//! not use this crate directly.
//!
//! # Feature flags
//!
//! - `std` (default): standard library support.
//! - `autotune` (default): benchmark fused kernel variants at runtime and keep the fastest.
//! - `autotune-checks`: check autotuned variants against each other for correctness.
//! - `tracing`: instrument operations with the `tracing` crate.

// TODO: remove when fixed in cubecl
#![allow(semicolon_in_expressions_from_non_local_macros)]

#[macro_use]
extern crate derive_new;

pub mod optim;

#[cfg(feature = "test-util")]
pub mod inspect;

mod base;

pub mod engine;
pub(crate) mod tune;

pub use base::*;

// [Latent Lab patch] Autotuning switched off at run time; set through burn-cubecl's
// `set_autotune_enabled`, which calls this one too.
static AUTOTUNE_ENABLED: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(true);

/// Whether fused operations autotune: built with the `autotune` feature and not switched off
/// by [`set_autotune_enabled`]. \[Latent Lab patch\]
pub fn autotune_enabled() -> bool {
    cfg!(feature = "autotune") && AUTOTUNE_ENABLED.load(core::sync::atomic::Ordering::Relaxed)
}

/// Switches autotuning of fused operations off (or back on): each then runs what a build
/// without the `autotune` feature runs. \[Latent Lab patch\]
pub fn set_autotune_enabled(enabled: bool) {
    AUTOTUNE_ENABLED.store(enabled, core::sync::atomic::Ordering::Relaxed);
}
