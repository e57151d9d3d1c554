//! Where copies of a model that train on parts of one batch meet to add up their numbers.
//!
//! Each copy runs on a thread of its own. Batch norm needs the whole batch's per-channel sums
//! (forward and backward), so at each batch-norm layer every copy hands over its sums and waits
//! until all have: [`ReplicaGroup::all_reduce`]. The sums are added in copy order, so every
//! copy gets the same bits, whichever thread arrives first.
//!
//! A copy that fails (a panic on its thread) must not leave the others waiting for ever:
//! [`ReplicaGroup::abandon`] wakes them, and their exchanges fail from then on.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
#[cfg(not(target_arch = "wasm32"))]
use std::time::{Duration, Instant};

/// One exchange in progress, and the result of the last one.
#[derive(Debug, Default)]
struct Exchange {
    /// Counts finished exchanges: a waiting copy knows its exchange is done when it moves.
    generation: u64,
    /// What each copy handed over in the exchange in progress.
    slots: Vec<Option<Vec<f64>>>,
    arrived: usize,
    /// The sums of the last finished exchange.
    result: Vec<f64>,
    /// Why the group cannot exchange any more, once a copy has failed.
    abandoned: Option<String>,
}

/// The meeting point of `replicas` copies of a model.
#[derive(Debug)]
pub struct ReplicaGroup {
    replicas: usize,
    exchange: Mutex<Exchange>,
    done: Condvar,
    /// `Exchange::generation`, readable without the lock.
    finished: AtomicU64,
}

/// How long a copy that waits for the others looks for the end of the exchange before it
/// sleeps.
#[cfg(not(target_arch = "wasm32"))]
const SPIN_BEFORE_SLEEPING: Duration = Duration::from_micros(100);

/// The same in WebAssembly, where `std`'s clock is missing and `spin_loop` does nothing: a
/// count of rounds of one atomic load each, about half a nanosecond a round in Chromium (32,768
/// rounds spun 17 µs a meeting in a profile of the page), so about 140 µs.
/// `LATENT_LAB_COPY_SPIN_ROUNDS=N` at build time sets it, for such measurements.
#[cfg(target_arch = "wasm32")]
const SPIN_ROUNDS_BEFORE_SLEEPING: u32 = match option_env!("LATENT_LAB_COPY_SPIN_ROUNDS") {
    Some(rounds) => match u32::from_str_radix(rounds, 10) {
        Ok(rounds) => rounds,
        Err(_) => panic!("LATENT_LAB_COPY_SPIN_ROUNDS is not a count"),
    },
    None => 262_144,
};

/// Whether a waiting copy should go on looking ([`SPIN_BEFORE_SLEEPING`]).
struct Patience {
    #[cfg(not(target_arch = "wasm32"))]
    start: Instant,
    #[cfg(target_arch = "wasm32")]
    rounds: u32,
}

impl Patience {
    fn new() -> Self {
        Self {
            #[cfg(not(target_arch = "wasm32"))]
            start: Instant::now(),
            #[cfg(target_arch = "wasm32")]
            rounds: 0,
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn lasts(&mut self) -> bool {
        self.start.elapsed() < SPIN_BEFORE_SLEEPING
    }

    #[cfg(target_arch = "wasm32")]
    fn lasts(&mut self) -> bool {
        self.rounds += 1;
        self.rounds < SPIN_ROUNDS_BEFORE_SLEEPING
    }
}

/// Why an exchange failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExchangeError {
    #[error("another copy of the model stopped: {0}")]
    Abandoned(String),
    #[error(
        "the copies of the model disagree: copy {replica} handed over {got} values where \
         another handed over {expected} (they must run the same layers in the same order)"
    )]
    LengthMismatch {
        replica: usize,
        expected: usize,
        got: usize,
    },
}

impl ReplicaGroup {
    /// A group of `replicas ≥ 1` copies.
    pub fn new(replicas: usize) -> Arc<Self> {
        assert!(replicas >= 1, "a replica group needs at least one copy");
        Arc::new(Self {
            replicas,
            exchange: Mutex::new(Exchange {
                slots: vec![None; replicas],
                ..Exchange::default()
            }),
            done: Condvar::new(),
            finished: AtomicU64::new(0),
        })
    }

    pub fn replicas(&self) -> usize {
        self.replicas
    }

    fn lock(&self) -> MutexGuard<'_, Exchange> {
        // A panic while the lock was held leaves consistent data (every write is one field),
        // and the panic abandons the group anyway.
        self.exchange.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces `values` (copy `replica`'s) with the element-wise sum over every copy's, added
    /// in copy order, once every copy has handed over its own. Blocks until then.
    pub fn all_reduce(&self, replica: usize, values: &mut [f64]) -> Result<(), ExchangeError> {
        assert!(
            replica < self.replicas,
            "copy {replica} is not in the group"
        );
        let mut exchange = self.lock();
        if let Some(why) = &exchange.abandoned {
            return Err(ExchangeError::Abandoned(why.clone()));
        }
        if let Some(expected) = exchange.slots.iter().flatten().map(Vec::len).next()
            && expected != values.len()
        {
            let error = ExchangeError::LengthMismatch {
                replica,
                expected,
                got: values.len(),
            };
            drop(exchange);
            self.abandon(&error.to_string());
            return Err(error);
        }
        let generation = exchange.generation;
        exchange.slots[replica] = Some(values.to_vec());
        exchange.arrived += 1;
        if exchange.arrived == self.replicas {
            let mut sum = vec![0.0; values.len()];
            for slot in exchange.slots.iter_mut() {
                let part = slot.take().expect("every copy handed over its values");
                sum.iter_mut().zip(part).for_each(|(s, p)| *s += p);
            }
            exchange.result = sum;
            exchange.arrived = 0;
            exchange.generation += 1;
            self.finished.store(exchange.generation, Ordering::Release);
            self.done.notify_all();
        } else {
            // The others are usually a few microseconds behind: look for the end of the
            // exchange a while before sleeping, since a sleep and its wake-up cost tens of
            // microseconds, nine times a step.
            drop(exchange);
            let mut patience = Patience::new();
            while self.finished.load(Ordering::Acquire) == generation && patience.lasts() {
                for _ in 0..64 {
                    std::hint::spin_loop();
                }
            }
            exchange = self.lock();
            while exchange.generation == generation && exchange.abandoned.is_none() {
                exchange = self.done.wait(exchange).unwrap_or_else(|e| e.into_inner());
            }
            if exchange.generation == generation {
                let why = exchange.abandoned.clone().unwrap_or_default();
                return Err(ExchangeError::Abandoned(why));
            }
        }
        values.copy_from_slice(&exchange.result);
        Ok(())
    }

    /// Marks the group as failed (`why`), waking every copy that waits in an exchange; every
    /// exchange fails from then on.
    pub fn abandon(&self, why: &str) {
        let mut exchange = self.lock();
        if exchange.abandoned.is_none() {
            exchange.abandoned = Some(why.to_string());
        }
        self.done.notify_all();
    }

    /// Whether a copy has failed.
    pub fn is_abandoned(&self) -> bool {
        self.lock().abandoned.is_some()
    }
}

/// A copy's handle on its group: what a batch-norm layer of that copy exchanges through.
#[derive(Debug, Clone)]
pub struct ReplicaLink {
    pub group: Arc<ReplicaGroup>,
    pub replica: usize,
}

impl ReplicaLink {
    /// [`ReplicaGroup::all_reduce`] for this copy; a failed exchange panics, with the reason,
    /// since the layer that asks cannot return an error. The data-parallel step catches the
    /// panic on the copy's thread and reports it as the step's error.
    pub fn all_reduce(&self, values: &mut [f64]) {
        if let Err(error) = self.group.all_reduce(self.replica, values) {
            panic!("{error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_copy_gets_the_sum_in_copy_order() {
        let group = ReplicaGroup::new(3);
        let results: Vec<Vec<f64>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..3)
                .map(|r| {
                    let group = &group;
                    s.spawn(move || {
                        let mut rounds = Vec::new();
                        for round in 0..50 {
                            let mut values = vec![r as f64 + round as f64, 1e16, -1e16 * r as f64];
                            group.all_reduce(r, &mut values).expect("no copy fails");
                            rounds.extend(values);
                        }
                        rounds
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for round in 0..50 {
            let got = &results[0][3 * round..3 * round + 3];
            // 0 + 1 + 2 plus three times the round, and the large values' sums.
            assert_eq!(got[0], 3.0 + 3.0 * round as f64);
            assert_eq!(got[1], 3e16);
            assert_eq!(got[2], -3e16);
        }
        assert_eq!(results[0], results[1]);
        assert_eq!(results[1], results[2]);
    }

    #[test]
    fn one_copy_exchanges_with_itself() {
        let group = ReplicaGroup::new(1);
        let mut values = vec![1.5, -2.0];
        group.all_reduce(0, &mut values).unwrap();
        assert_eq!(values, [1.5, -2.0]);
    }

    #[test]
    fn a_failed_copy_wakes_the_others_with_its_reason() {
        let group = ReplicaGroup::new(2);
        let waiting = std::thread::scope(|s| {
            let waiter = s.spawn(|| group.all_reduce(0, &mut [1.0]));
            // The waiter is woken whenever it arrived: before the abandon or after.
            group.abandon("copy 1 ran out of memory");
            waiter.join().unwrap()
        });
        assert_eq!(
            waiting,
            Err(ExchangeError::Abandoned("copy 1 ran out of memory".into()))
        );
        assert!(group.is_abandoned());
        assert!(group.all_reduce(1, &mut [1.0]).is_err());
    }

    #[test]
    fn copies_that_hand_over_different_lengths_fail_both() {
        let group = ReplicaGroup::new(2);
        let (first, second) = std::thread::scope(|s| {
            let first = s.spawn(|| group.all_reduce(0, &mut [1.0, 2.0]));
            let second = s.spawn(|| group.all_reduce(1, &mut [1.0, 2.0, 3.0]));
            (first.join().unwrap(), second.join().unwrap())
        });
        // Whichever arrived second sees the mismatch; the other is woken by it.
        let errors = [first.unwrap_err(), second.unwrap_err()];
        assert!(
            errors
                .iter()
                .any(|e| matches!(e, ExchangeError::LengthMismatch { .. })),
            "{errors:?}"
        );
        assert!(group.is_abandoned());
    }
}
