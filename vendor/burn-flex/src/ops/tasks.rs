//! [Latent Lab patch] Work split into fixed-size tasks, run on rayon's pool when the `rayon`
//! feature is on (natively, and in a browser built with WebAssembly threads) and one after the
//! other otherwise.
//!
//! The split never depends on the thread count: a batch is cut into runs of
//! [`IMAGES_PER_TASK`] images and a buffer into runs of [`ELEMENTS_PER_TASK`] elements, partial
//! sums are added in task order, so one thread and sixteen give the same bits.

use alloc::vec::Vec;
use core::mem::MaybeUninit;
use core::ops::Range;

/// Images per task when a batch is split across threads. 8 gives a batch of 64 eight tasks
/// (balanced on 1, 2, 4 or 8 threads) and keeps one task's im2col of the MNIST autoencoder's
/// first layer (25 × 8 × 144 floats, 115 KB) in a core's L2 cache.
pub(crate) const IMAGES_PER_TASK: usize = 8;

/// Elements per task of an element-wise pass. Buffers shorter than two tasks run in one
/// piece: below that the pool's hand-off costs about as much as the pass.
#[cfg_attr(not(feature = "rayon"), allow(dead_code))]
pub(crate) const ELEMENTS_PER_TASK: usize = 16 * 1024;

/// Whether tasks go to rayon's pool: only when it has more than one thread. With one, each
/// hand-off would wake the worker and put the caller to sleep (about forty times a training
/// step) for no gain; the caller runs the same tasks in the same order instead.
#[cfg(feature = "rayon")]
fn pool_has_threads() -> bool {
    rayon::current_num_threads() > 1
}

/// `task(index, block)` for each run of `block_len > 0` elements of `data` (the last may be
/// shorter), on the pool when there are two or more.
pub(crate) fn for_each_block<T, F>(data: &mut [T], block_len: usize, task: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Send + Sync,
{
    assert!(block_len > 0, "for_each_block: empty blocks");
    let run = |(index, block): (usize, &mut [T])| task(index, block);
    #[cfg(feature = "rayon")]
    if data.len() > block_len && pool_has_threads() {
        use rayon::prelude::*;
        data.par_chunks_mut(block_len).enumerate().for_each(run);
        return;
    }
    data.chunks_mut(block_len).enumerate().for_each(run);
}

/// Runs `task(images, out)` for each run of [`IMAGES_PER_TASK`] images of `output`, whose
/// images are `image_len > 0` elements each.
pub(crate) fn for_each_image_task<T, F>(output: &mut [T], image_len: usize, task: F)
where
    T: Send,
    F: Fn(Range<usize>, &mut [T]) + Send + Sync,
{
    assert!(image_len > 0, "for_each_image_task: empty images");
    for_each_block(output, IMAGES_PER_TASK * image_len, |index, out| {
        let first = index * IMAGES_PER_TASK;
        task(first..first + out.len() / image_len, out)
    });
}

/// A new buffer of `len` elements (`image_len > 0` an image), written by `task(images, out)`
/// for each run of [`IMAGES_PER_TASK`] images, and not zeroed first: `task` must write every
/// slot of its run (a buffer that is written whole would otherwise be written twice).
pub(crate) fn write_image_tasks<T, F>(len: usize, image_len: usize, task: F) -> Vec<T>
where
    T: Send,
    F: Fn(Range<usize>, &mut [MaybeUninit<T>]) + Send + Sync,
{
    let mut out: Vec<T> = Vec::with_capacity(len);
    for_each_image_task(&mut out.spare_capacity_mut()[..len], image_len, task);
    // SAFETY: the runs cover the first `len` slots, and each task wrote every slot of its run.
    unsafe { out.set_len(len) };
    out
}

/// A new buffer of `len` elements (`image_len > 0` an image), zeroed and then filled by
/// `task(images, out)` for each run of [`IMAGES_PER_TASK`] images: each task zeroes its own
/// run, so the zeroing is split across threads too and the run is in cache when written.
pub(crate) fn collect_image_tasks<T, F>(len: usize, image_len: usize, task: F) -> Vec<T>
where
    T: Copy + Default + Send,
    F: Fn(Range<usize>, &mut [T]) + Send + Sync,
{
    write_image_tasks(len, image_len, |images, slots| {
        task(images, init_default(slots))
    })
}

/// `slots`, each set to `T::default()`.
pub(crate) fn init_default<T: Copy + Default>(slots: &mut [MaybeUninit<T>]) -> &mut [T] {
    slots.fill(MaybeUninit::new(T::default()));
    // SAFETY: every slot was initialised just above, and `MaybeUninit<T>` has the layout of `T`.
    unsafe { &mut *(slots as *mut [MaybeUninit<T>] as *mut [T]) }
}

/// `task(images)` for each run of [`IMAGES_PER_TASK`] of `batch` images; the results in task
/// order.
pub(crate) fn map_image_tasks<R, F>(batch: usize, task: F) -> Vec<R>
where
    R: Send,
    F: Fn(Range<usize>) -> R + Send + Sync,
{
    let tasks = batch.div_ceil(IMAGES_PER_TASK);
    let run = |index: usize| {
        let first = index * IMAGES_PER_TASK;
        task(first..(first + IMAGES_PER_TASK).min(batch))
    };
    #[cfg(feature = "rayon")]
    if tasks > 1 && pool_has_threads() {
        use rayon::prelude::*;
        return (0..tasks).into_par_iter().map(run).collect();
    }
    (0..tasks).map(run).collect()
}

/// `f(start, run)` over `data` in runs of [`ELEMENTS_PER_TASK`] (`start` the index of the
/// run's first element), in parallel when `data` is at least two runs long, else as one run:
/// the single place that decides how an element-wise pass is split, for passes whose results
/// do not depend on the split.
pub(crate) fn for_each_run<T, F>(data: &mut [T], f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Send + Sync,
{
    #[cfg(feature = "rayon")]
    if data.len() >= 2 * ELEMENTS_PER_TASK {
        for_each_block(data, ELEMENTS_PER_TASK, |k, run| f(k * ELEMENTS_PER_TASK, run));
        return;
    }
    f(0, data)
}

/// `f(chunk)` over `data`, split as [`for_each_run`] splits it.
pub(crate) fn for_each_chunk_mut<T, F>(data: &mut [T], f: F)
where
    T: Send,
    F: Fn(&mut [T]) + Send + Sync,
{
    for_each_run(data, |_, run| f(run))
}

/// `f(out_chunk, in_chunk)` over equal-length `out` and `input`, split as [`for_each_run`]
/// splits `out`.
pub(crate) fn for_each_chunk_pair<T, U, F>(out: &mut [T], input: &[U], f: F)
where
    T: Send,
    U: Sync,
    F: Fn(&mut [T], &[U]) + Send + Sync,
{
    assert_eq!(out.len(), input.len(), "for_each_chunk_pair: lengths differ");
    for_each_run(out, |start, run| f(run, &input[start..start + run.len()]))
}

/// A new buffer of `len` elements, written by `f(start, run)` as [`for_each_run`] splits it
/// and not zeroed first: `f` must write every slot of its run.
fn collect_runs<U, F>(len: usize, f: F) -> Vec<U>
where
    U: Send,
    F: Fn(usize, &mut [MaybeUninit<U>]) + Send + Sync,
{
    let mut out: Vec<U> = Vec::with_capacity(len);
    for_each_run(&mut out.spare_capacity_mut()[..len], f);
    // SAFETY: the runs cover the first `len` slots, and `f` wrote every slot of its run.
    unsafe { out.set_len(len) };
    out
}

/// `[f(x) for x in input]`, split as [`for_each_run`] splits it.
pub(crate) fn map_slice<T, U, F>(input: &[T], f: F) -> Vec<U>
where
    T: Copy + Sync,
    U: Send,
    F: Fn(T) -> U + Send + Sync,
{
    collect_runs(input.len(), |start, run| {
        for (o, &x) in run.iter_mut().zip(&input[start..]) {
            o.write(f(x));
        }
    })
}

/// `[f(a, b) for (a, b) in zip(lhs, rhs)]` for equal-length slices, like [`map_slice`].
pub(crate) fn map_pairs<T, U, F>(lhs: &[T], rhs: &[T], f: F) -> Vec<U>
where
    T: Copy + Sync,
    U: Send,
    F: Fn(T, T) -> U + Send + Sync,
{
    assert_eq!(lhs.len(), rhs.len(), "map_pairs: lengths differ");
    collect_runs(lhs.len(), |start, run| {
        for ((o, &a), &b) in run.iter_mut().zip(&lhs[start..]).zip(&rhs[start..]) {
            o.write(f(a, b));
        }
    })
}
