//! How long a cache line takes to go from one core to another and back, and what that says of
//! where a cloud VM's two vCPUs sit (prints nothing itself; `scripts/core_round_trip.rs` and
//! `examples/thread_scaling.rs` report it). Two threads take turns writing one atomic. On the
//! AMD host of docs/performance.md the round trip is mostly either 60–110 ns (the two cores
//! share a cache; 27–40 ns at times) or 290–370 ns (they do not), changing within seconds to
//! minutes; a thread pool's hand-overs and shared buffers feel that, independent processes do
//! not.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The bounced value, alone on its cache line (128 bytes covers adjacent-line prefetching).
#[repr(align(128))]
struct Line(AtomicU64);

/// The mean round trip in ns over `rounds` hand-overs there and back.
pub fn core_round_trip_ns(rounds: u64) -> f64 {
    let line = Arc::new(Line(AtomicU64::new(0)));
    let other = Arc::clone(&line);
    let echo = std::thread::spawn(move || {
        for i in 0..rounds {
            while other.0.load(Ordering::Acquire) != 2 * i + 1 {
                std::hint::spin_loop();
            }
            other.0.store(2 * i + 2, Ordering::Release);
        }
    });
    let start = Instant::now();
    for i in 0..rounds {
        line.0.store(2 * i + 1, Ordering::Release);
        while line.0.load(Ordering::Acquire) != 2 * i + 2 {
            std::hint::spin_loop();
        }
    }
    let ns = start.elapsed().as_nanos() as f64 / rounds.max(1) as f64;
    echo.join().expect("the echoing thread panicked");
    ns
}

/// Round trips from this many ns up are taken for cores that share no cache (the AMD host's
/// two usual spells, 60–110 and 290–370 ns, lie well either side).
pub const APART_NS: f64 = 200.0;

/// "near" where every round trip taken around (and within) a measurement is under
/// [`APART_NS`], "far" where every one is at or over it, "mixed" where the cores moved.
pub fn placement(round_trips_ns: &[f64]) -> &'static str {
    if round_trips_ns.iter().all(|&ns| ns < APART_NS) {
        "near"
    } else if round_trips_ns.iter().all(|&ns| ns >= APART_NS) {
        "far"
    } else {
        "mixed"
    }
}
