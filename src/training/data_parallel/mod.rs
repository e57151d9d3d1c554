//! Data-parallel training on the CPU: each of a few threads runs a copy of the model on its
//! part of the batch, and the parts' gradients are added into the batch's.
//!
//! Why: flex's pool splits each kernel of one step across threads, so both threads read the
//! same weights and each other's outputs at every pass. Where the two cores share no cache
//! (a VM's "far" cores, docs/performance.md) each such cache line costs about 300 ns, and two
//! threads reached 1.15× one. A copy of the model per thread keeps each thread's data its own
//! until the gradients are added: 1.39× on far cores in the prototype
//! (`examples/data_parallel.rs`), as fast as the pool on near ones.
//!
//! The step is the one-thread step's up to float rounding: the loss is the mean over the
//! whole batch (each part's mean weighted by its share), and batch norm normalises with the
//! whole batch's statistics ([`sync_batch_norm`]). Each copy's kernels run on a one-thread
//! pool of its own, so a copy never splits its work into another copy's thread.

mod replica_group;
mod sync_batch_norm;

use std::cell::RefCell;

use burn::nn::BatchNorm;
use burn::prelude::*;
#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
use {
    super::{Objective, TrainingError},
    crate::data::MnistSet,
    burn::module::{ModuleVisitor, Param, ParamId},
    burn::optim::GradientsParams,
    std::panic::AssertUnwindSafe,
    std::sync::{Arc, Mutex},
};

pub use replica_group::{ExchangeError, ReplicaGroup, ReplicaLink};
pub use sync_batch_norm::{SyncBatchNormBackend, sync_batch_norm};

thread_local! {
    /// The copy of the model that this thread runs, while it runs one.
    static REPLICA: RefCell<Option<ReplicaLink>> = const { RefCell::new(None) };
}

/// Sets this thread's copy for as long as it lives.
#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
struct ReplicaScope;

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
impl ReplicaScope {
    fn enter(link: ReplicaLink) -> Self {
        REPLICA.with(|r| *r.borrow_mut() = Some(link));
        Self
    }
}

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
impl Drop for ReplicaScope {
    fn drop(&mut self) {
        REPLICA.with(|r| *r.borrow_mut() = None);
    }
}

/// `norm` on `input`: burn's batch norm, or, on a thread that runs a copy of a model in
/// data-parallel training, batch norm with the whole batch's statistics ([`sync_batch_norm`]).
/// Every batch-norm layer of the lab's models goes through here.
pub fn batch_norm<const D: usize>(norm: &BatchNorm, input: Tensor<D>) -> Tensor<D> {
    let training = input.device().is_autodiff() && norm.training.is_enabled();
    match REPLICA.with(|r| r.borrow().clone()) {
        Some(link) if training => sync_batch_norm(norm, input, &link),
        _ => norm.forward(input),
    }
}

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
/// What one copy returns: its part's loss weighted by its share of the batch, and the
/// gradients of that weighted loss.
type PartResult = Result<(Tensor<1>, GradientsParams), String>;

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
/// Copies of a model on threads of their own, computing a batch's gradients together.
/// Cloning it shares the threads (a browser worker keeps one set for every run).
#[derive(Clone)]
pub struct DataParallel {
    /// The first copy's one-thread pool, which runs the caller's model; `None` where the
    /// first copy runs on the calling thread itself ([`DataParallel::on_caller_and`]).
    first: Option<Arc<rayon::ThreadPool>>,
    /// One one-thread pool per further copy.
    others: Arc<[rayon::ThreadPool]>,
}

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
impl DataParallel {
    /// `replicas ≥ 1` copies, each on a thread of its own.
    pub fn new(replicas: usize) -> Result<Self, TrainingError> {
        if replicas == 0 {
            return Err(TrainingError::InvalidConfig(
                "data-parallel training needs at least one copy of the model".into(),
            ));
        }
        let pool = |r: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .thread_name(move |_| format!("model copy {r}"))
                .build()
                .map_err(|e| TrainingError::InvalidConfig(format!("cannot start a thread: {e}")))
        };
        Ok(Self {
            first: Some(Arc::new(pool(0)?)),
            others: (1..replicas).map(pool).collect::<Result<_, _>>()?,
        })
    }

    /// The first copy on the calling thread, one more on each of `others` (one-thread pools).
    /// For a caller whose rayon calls already run on that thread alone: a browser worker
    /// without a pool of its own (rayon's fallback where `std` cannot start threads), whose
    /// kernel threads run `others`. The calling thread must not belong to a pool of several
    /// threads, whose idle threads would spin beside the copies and take their cores.
    pub fn on_caller_and(others: Vec<rayon::ThreadPool>) -> Self {
        Self {
            first: None,
            others: others.into(),
        }
    }

    pub fn replicas(&self) -> usize {
        1 + self.others.len()
    }

    /// Runs `work` on the first copy's thread (and its kernels on that thread alone).
    pub fn install<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        match &self.first {
            Some(pool) => pool.install(work),
            None => work(),
        }
    }

    /// The mean loss of `model` over the batch `indices` of `set` (detached) and its gradients,
    /// computed by the copies on their parts of the batch at once. `model` must be on an
    /// autodiff device; the first copy is `model` itself, so its batch-norm running statistics
    /// move as a one-copy step would move them.
    ///
    /// Models that sample (the VAE) draw their noise per part; use the one-copy step for them.
    pub fn gradients<M: Objective + Sync>(
        &self,
        model: &M,
        set: &MnistSet,
        indices: &[usize],
        device: &Device,
    ) -> Result<(Tensor<1>, GradientsParams), TrainingError> {
        if indices.is_empty() {
            return Err(TrainingError::InvalidConfig("the batch is empty".into()));
        }
        let parts = split_batch(indices, self.replicas());
        let group = ReplicaGroup::new(parts.len());
        let copies: Vec<Mutex<Option<M>>> = (0..parts.len())
            .map(|r| Mutex::new((r > 0).then(|| model.clone().valid().train())))
            .collect();
        let results: Vec<Mutex<Option<PartResult>>> =
            (0..parts.len()).map(|_| Mutex::new(None)).collect();
        let batch_len = indices.len() as f32;
        let run_part = |r: usize| {
            let copy = copies[r].lock().expect("a copy's slot").take();
            let link = ReplicaLink {
                group: group.clone(),
                replica: r,
            };
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                let _scope = ReplicaScope::enter(link);
                let copy = copy.as_ref().unwrap_or(model);
                let share = parts[r].len() as f32 / batch_len;
                let loss = copy.batch_loss(set, parts[r], device).mul_scalar(share);
                let grads = GradientsParams::from_grads(loss.backward(), copy);
                (loss.detach(), grads)
            }))
            .map_err(|panic| {
                let why = panic_message(&*panic);
                group.abandon(&format!("copy {r}: {why}"));
                why
            });
            *results[r].lock().expect("a result's slot") = Some(outcome);
        };
        let others = &self.others[..parts.len() - 1];
        self.install(|| run_on_pools(others, 1, &run_part));

        let mut total: Option<(Tensor<1>, GradientsParams)> = None;
        for (r, result) in results.into_iter().enumerate() {
            let result = result.into_inner().ok().flatten();
            let (loss, mut grads) = match result {
                Some(Ok(part)) => part,
                Some(Err(why)) => return Err(TrainingError::DataParallel(why)),
                None => {
                    return Err(TrainingError::DataParallel(format!(
                        "copy {r} of the model did not run"
                    )));
                }
            };
            total = Some(match total {
                None => (loss, grads),
                Some((sum_loss, mut sum_grads)) => {
                    model.visit(&mut AddGradients {
                        sum: &mut sum_grads,
                        other: &mut grads,
                    });
                    (sum_loss + loss, sum_grads)
                }
            });
        }
        Ok(total.expect("at least one part"))
    }
}

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
/// Runs `run_part(part)`, `run_part(part + 1)`, … on the threads of `pools`, one each, and
/// `run_part(0)` on the calling thread (the first copy's), returning when all are done.
fn run_on_pools(pools: &[rayon::ThreadPool], part: usize, run_part: &(dyn Fn(usize) + Sync)) {
    match pools.split_first() {
        Some((pool, rest)) => pool.in_place_scope(|scope| {
            scope.spawn(move |_| run_part(part));
            run_on_pools(rest, part + 1, run_part);
        }),
        None => run_part(0),
    }
}

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
/// `indices` cut into at most `parts` consecutive runs, as equal as they can be (the first
/// ones one longer), none empty.
fn split_batch(indices: &[usize], parts: usize) -> Vec<&[usize]> {
    let parts = parts.clamp(1, indices.len().max(1));
    let (base, longer) = (indices.len() / parts, indices.len() % parts);
    let mut rest = indices;
    (0..parts)
        .map(|p| {
            let (part, tail) = rest.split_at(base + usize::from(p < longer));
            rest = tail;
            part
        })
        .collect()
}

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "it panicked".to_string())
}

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
/// Moves every parameter's gradient from `other` into `sum`, added (`sum + other`).
struct AddGradients<'a> {
    sum: &'a mut GradientsParams,
    other: &'a mut GradientsParams,
}

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
impl ModuleVisitor for AddGradients<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let id: ParamId = param.id;
        if let Some(other) = self.other.remove::<D>(id) {
            let total = match self.sum.remove::<D>(id) {
                Some(sum) => sum + other,
                None => other,
            };
            self.sum.register::<D>(id, total);
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn a_batch_splits_into_near_equal_runs_in_order() {
        let indices: Vec<usize> = (0..7).collect();
        let parts = split_batch(&indices, 3);
        assert_eq!(parts, [&[0, 1, 2][..], &[3, 4], &[5, 6]]);
        assert_eq!(split_batch(&indices, 1), [&indices[..]]);
        // More copies than images: one image each, no empty part.
        assert_eq!(split_batch(&indices[..2], 4), [&[0][..], &[1]]);
    }

    #[test]
    fn no_copies_is_an_error() {
        assert!(matches!(
            DataParallel::new(0),
            Err(TrainingError::InvalidConfig(_))
        ));
    }
}
