//! [Latent Lab patch] Work split into fixed-size tasks, run on rayon's pool when the `rayon`
//! feature is on (natively, and in a browser built with WebAssembly threads) and one after the
//! other otherwise.
//!
//! The split never depends on the thread count: a batch is cut into runs of
//! [`IMAGES_PER_TASK`] images and a buffer into runs of [`ELEMENTS_PER_TASK`] elements, partial
//! sums are added in task order, so one thread and sixteen give the same bits.

use alloc::vec::Vec;
use core::ops::Range;

/// Images per task when a batch is split across threads. 8 gives a batch of 64 eight tasks
/// (balanced on 1, 2, 4 or 8 threads) and keeps one task's im2col of the MNIST autoencoder's
/// first layer (25 × 8 × 144 floats, 115 KB) in a core's L2 cache.
pub(crate) const IMAGES_PER_TASK: usize = 8;

/// Elements per task of an element-wise pass. Buffers shorter than two tasks run in one
/// piece: below that the pool's hand-off costs about as much as the pass.
pub(crate) const ELEMENTS_PER_TASK: usize = 16 * 1024;

/// Runs `task(images, out)` for each run of [`IMAGES_PER_TASK`] images of `output`, whose
/// images are `image_len > 0` elements each.
pub(crate) fn for_each_image_task<T, F>(output: &mut [T], image_len: usize, task: F)
where
    T: Send,
    F: Fn(Range<usize>, &mut [T]) + Send + Sync,
{
    assert!(image_len > 0, "for_each_image_task: empty images");
    let run = |(index, out): (usize, &mut [T])| {
        let first = index * IMAGES_PER_TASK;
        task(first..first + out.len() / image_len, out)
    };
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        output
            .par_chunks_mut(IMAGES_PER_TASK * image_len)
            .enumerate()
            .for_each(run);
    }
    #[cfg(not(feature = "rayon"))]
    output
        .chunks_mut(IMAGES_PER_TASK * image_len)
        .enumerate()
        .for_each(run);
}

/// A new buffer of `len` elements (`image_len > 0` an image), zeroed and then filled by
/// `task(images, out)` for each run of [`IMAGES_PER_TASK`] images: each task zeroes its own
/// run, so the zeroing is split across threads too and the run is in cache when written.
pub(crate) fn collect_image_tasks<T, F>(len: usize, image_len: usize, task: F) -> Vec<T>
where
    T: Copy + Default + Send,
    F: Fn(Range<usize>, &mut [T]) + Send + Sync,
{
    let mut out: Vec<T> = Vec::with_capacity(len);
    for_each_image_task(&mut out.spare_capacity_mut()[..len], image_len, |images, slots| {
        for slot in slots.iter_mut() {
            slot.write(T::default());
        }
        // SAFETY: every element of `slots` was initialised just above, and `MaybeUninit<T>`
        // has the layout of `T`.
        let run = unsafe { &mut *(slots as *mut [core::mem::MaybeUninit<T>] as *mut [T]) };
        task(images, run)
    });
    // SAFETY: the runs cover the first `len` slots, and each task initialised its run.
    unsafe { out.set_len(len) };
    out
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
    {
        use rayon::prelude::*;
        (0..tasks).into_par_iter().map(run).collect()
    }
    #[cfg(not(feature = "rayon"))]
    (0..tasks).map(run).collect()
}

/// `f(chunk)` over `data` in runs of [`ELEMENTS_PER_TASK`], in parallel when `data` is at
/// least two runs long: for element-wise passes, whose results do not depend on the split.
pub(crate) fn for_each_chunk_mut<T, F>(data: &mut [T], f: F)
where
    T: Send,
    F: Fn(&mut [T]) + Send + Sync,
{
    #[cfg(feature = "rayon")]
    if data.len() >= 2 * ELEMENTS_PER_TASK {
        use rayon::prelude::*;
        data.par_chunks_mut(ELEMENTS_PER_TASK).for_each(f);
        return;
    }
    f(data)
}

/// `f(out_chunk, in_chunk)` over equal-length `out` and `input` in runs of
/// [`ELEMENTS_PER_TASK`], in parallel when they are at least two runs long.
pub(crate) fn for_each_chunk_pair<T, U, F>(out: &mut [T], input: &[U], f: F)
where
    T: Send,
    U: Sync,
    F: Fn(&mut [T], &[U]) + Send + Sync,
{
    assert_eq!(out.len(), input.len(), "for_each_chunk_pair: lengths differ");
    #[cfg(feature = "rayon")]
    if out.len() >= 2 * ELEMENTS_PER_TASK {
        use rayon::prelude::*;
        out.par_chunks_mut(ELEMENTS_PER_TASK)
            .zip(input.par_chunks(ELEMENTS_PER_TASK))
            .for_each(|(o, i)| f(o, i));
        return;
    }
    f(out, input)
}

/// `[f(x) for x in input]`, written in runs of [`ELEMENTS_PER_TASK`] (in parallel when
/// `input` is at least two runs long) into a buffer that is not zeroed first.
pub(crate) fn map_slice<T, U, F>(input: &[T], f: F) -> Vec<U>
where
    T: Copy + Sync,
    U: Send,
    F: Fn(T) -> U + Send + Sync,
{
    let mut out: Vec<U> = Vec::with_capacity(input.len());
    for_each_chunk_pair(&mut out.spare_capacity_mut()[..input.len()], input, |o, i| {
        for (o, &x) in o.iter_mut().zip(i) {
            o.write(f(x));
        }
    });
    // SAFETY: the runs cover the first `input.len()` slots, and each was written above.
    unsafe { out.set_len(input.len()) };
    out
}

/// `[f(a, b) for (a, b) in zip(lhs, rhs)]` for equal-length slices, like [`map_slice`].
pub(crate) fn map_pairs<T, U, F>(lhs: &[T], rhs: &[T], f: F) -> Vec<U>
where
    T: Copy + Sync,
    U: Send,
    F: Fn(T, T) -> U + Send + Sync,
{
    assert_eq!(lhs.len(), rhs.len(), "map_pairs: lengths differ");
    let len = lhs.len();
    let mut out: Vec<U> = Vec::with_capacity(len);
    let fill = |o: &mut [core::mem::MaybeUninit<U>], l: &[T], r: &[T]| {
        for ((o, &a), &b) in o.iter_mut().zip(l).zip(r) {
            o.write(f(a, b));
        }
    };
    let slots = &mut out.spare_capacity_mut()[..len];
    #[cfg(feature = "rayon")]
    if len >= 2 * ELEMENTS_PER_TASK {
        use rayon::prelude::*;
        slots
            .par_chunks_mut(ELEMENTS_PER_TASK)
            .zip(lhs.par_chunks(ELEMENTS_PER_TASK))
            .zip(rhs.par_chunks(ELEMENTS_PER_TASK))
            .for_each(|((o, l), r)| fill(o, l, r));
    } else {
        fill(slots, lhs, rhs);
    }
    #[cfg(not(feature = "rayon"))]
    fill(slots, lhs, rhs);
    // SAFETY: the runs cover the first `len` slots, and each was written above.
    unsafe { out.set_len(len) };
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn runs_of(batch: usize) -> usize {
        batch.div_ceil(IMAGES_PER_TASK)
    }

    #[test]
    fn image_tasks_cover_every_image_once_in_order() {
        for batch in [1, 7, 8, 9, 64, 65] {
            let mut out = vec![0usize; batch * 3];
            for_each_image_task(&mut out, 3, |images, out| {
                assert_eq!(out.len(), images.len() * 3);
                for (k, o) in out.iter_mut().enumerate() {
                    *o = images.start * 3 + k + 1;
                }
            });
            assert_eq!(out, (1..=batch * 3).collect::<Vec<_>>());
            let filled: Vec<usize> = collect_image_tasks(batch * 3, 3, |images, out| {
                assert!(out.iter().all(|&v| v == 0), "each run starts zeroed");
                out[0] = images.start + 1;
            });
            assert_eq!(filled.iter().filter(|&&v| v > 0).count(), runs_of(batch));
            let runs = map_image_tasks(batch, |images| images);
            assert_eq!(runs.len(), batch.div_ceil(IMAGES_PER_TASK));
            assert_eq!(runs.first().map(|r| r.start), Some(0));
            assert_eq!(runs.last().map(|r| r.end), Some(batch));
            assert!(runs.windows(2).all(|w| w[0].end == w[1].start));
        }
    }

    #[test]
    fn chunked_passes_touch_every_element_once() {
        for len in [0, 5, 2 * ELEMENTS_PER_TASK + 3] {
            let mut data = vec![1u32; len];
            for_each_chunk_mut(&mut data, |c| c.iter_mut().for_each(|v| *v += 1));
            assert!(data.iter().all(|&v| v == 2));
            let input: Vec<u32> = (0..len as u32).collect();
            for_each_chunk_pair(&mut data, &input, |o, i| {
                o.iter_mut().zip(i).for_each(|(o, &i)| *o += i)
            });
            assert!(data.iter().enumerate().all(|(k, &v)| v == k as u32 + 2));
            let doubled = map_slice(&input, |v| 2 * v as u64);
            assert_eq!(doubled, input.iter().map(|&v| 2 * v as u64).collect::<Vec<_>>());
            let sums = map_pairs(&input, &data, |a, b| a + b);
            assert!(sums.iter().enumerate().all(|(k, &v)| v == 2 * k as u32 + 2));
        }
    }
}
