//! How long one cache line takes to go from one core to another and back (prints a figure,
//! asserts nothing; built and run by `scripts/bench-core-round-trip.sh`). Two threads take turns
//! writing one atomic, a million times. On a cloud VM the round trip says whether its two vCPUs
//! sit near each other (sharing a cache, tens of ns) or far apart (hundreds of ns), which a
//! thread pool's hand-overs feel and independent processes do not.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The bounced value, alone on its cache line (128 bytes covers adjacent-line prefetching).
#[repr(align(128))]
struct Line(AtomicU64);

fn main() {
    let rounds: u64 = 1_000_000;
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
    let ns = start.elapsed().as_nanos() as f64 / rounds as f64;
    echo.join().expect("the echoing thread panicked");
    println!("core-to-core round trip: {ns:.0} ns");
}
