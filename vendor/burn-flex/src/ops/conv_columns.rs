//! [Latent Lab patch] im2col matrices kept for their second use.
//!
//! A training step builds every im2col matrix twice. A convolution's forward pass and its
//! weight gradient both read `im2col(input)`; a transposed convolution's input gradient (a
//! convolution of the output gradient) and its weight gradient both read `im2col(output
//! gradient)`. The f32 convolution ([`super::conv_im2col`]) keeps each task's matrix here,
//! keyed by its source's address and its geometry, and the weight gradient takes it back
//! instead of building it again: in the two-layer autoencoder's step, four of its eight
//! im2cols.
//!
//! **Why a key by address is sound.** An entry holds a clone of its source tensor, so the
//! source's storage (an `Arc`) stays allocated, and no other tensor can be given its address,
//! while the entry lives. Its bytes do not change either: flex writes to shared storage only
//! after copying it (`FlexTensor::storage_mut` is copy-on-write, in-place kernels check
//! `is_unique`). The matrix is a function of those bytes and the rest of the key alone, so a
//! kept matrix has the bits a new im2col would give, on any thread count.
//!
//! **Bounds.** At most [`CAPACITY`] floats are kept, the oldest dropped first: passes that
//! never reach a weight gradient (inference, a frozen encoder) pin little memory, and a
//! matrix is handed out once.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::FlexTensor;

/// The most floats kept at once: 8 MiB, three times what the two-layer autoencoder's step at
/// batch 64 keeps at its peak (its two forward convolutions' matrices until the backward pass).
pub(crate) const CAPACITY: usize = 1 << 21;

struct Entry<K> {
    key: K,
    columns: Vec<f32>,
    /// Holds the source's storage, which the key names by address (module docs).
    _source: FlexTensor,
}

/// Matrices in the order they were kept.
pub(crate) struct KeptColumns<K> {
    entries: VecDeque<Entry<K>>,
    floats: usize,
}

impl<K: PartialEq> KeptColumns<K> {
    pub(crate) const fn new() -> Self {
        Self {
            entries: VecDeque::new(),
            floats: 0,
        }
    }

    /// Keeps `columns`, built from `source` as `key` describes, dropping the oldest matrices
    /// to stay within [`CAPACITY`]. A matrix larger than that is not kept.
    pub(crate) fn keep(&mut self, key: K, columns: Vec<f32>, source: &FlexTensor) {
        if columns.len() > CAPACITY {
            return;
        }
        while self.floats + columns.len() > CAPACITY {
            let oldest = self
                .entries
                .pop_front()
                .expect("kept floats are in entries");
            self.floats -= oldest.columns.len();
        }
        self.floats += columns.len();
        self.entries.push_back(Entry {
            key,
            columns,
            _source: source.clone(),
        });
    }

    /// The matrix kept under `key`, handed out once.
    pub(crate) fn take(&mut self, key: &K) -> Option<Vec<f32>> {
        let index = self.entries.iter().position(|e| e.key == *key)?;
        let entry = self.entries.remove(index)?;
        self.floats -= entry.columns.len();
        Some(entry.columns)
    }
}
