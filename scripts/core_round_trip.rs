//! How long one cache line takes to go from one core to another and back (prints a figure,
//! asserts nothing; built and run by `scripts/bench-core-round-trip.sh` and timed around each
//! run by `scripts/bench-page-threads.sh`). The measurement is examples/common/core_round_trip.rs,
//! which `examples/thread_scaling.rs` uses too.
//!   `core-round-trip`: measures and prints "core-to-core round trip: N ns";
//!   `core-round-trip --placement NS...`: prints where the cores sat over readings taken before
//!   (near, far or mixed), as `examples/thread_scaling.rs` decides it; "-" where one is missing.
#[path = "../examples/common/core_round_trip.rs"]
mod core_round_trip;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--placement") {
        let readings: Option<Vec<f64>> = args[1..].iter().map(|a| a.parse().ok()).collect();
        match readings {
            Some(ns) if !ns.is_empty() => println!("{}", core_round_trip::placement(&ns)),
            _ => println!("-"),
        }
        return;
    }
    let ns = core_round_trip::core_round_trip_ns(1_000_000);
    println!("core-to-core round trip: {ns:.0} ns");
}
