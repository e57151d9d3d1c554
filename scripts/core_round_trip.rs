//! How long one cache line takes to go from one core to another and back (prints a figure,
//! asserts nothing; built and run by `scripts/bench-core-round-trip.sh` and timed around each
//! run by `scripts/bench-page-threads.sh`). The measurement is examples/common/core_round_trip.rs,
//! which `examples/thread_scaling.rs` uses too.
#[path = "../examples/common/core_round_trip.rs"]
mod core_round_trip;

fn main() {
    let ns = core_round_trip::core_round_trip_ns(1_000_000);
    println!("core-to-core round trip: {ns:.0} ns");
}
