//! How the training step scales with threads, measured in one process (issue 19, part 3):
//! blocks of steps alternate between a pool of `THREADS` threads (default: every core) and a
//! pool of one, so that the machine's drift (here its speed swings by a quarter within minutes)
//! falls on both sides of each ratio. Two-layer d = 20, batch 64, Adam, MSE on flex, driven from
//! a thread of the pool as `latent-lab` trains. Each round is framed by the core-to-core round
//! trip (examples/common/core_round_trip.rs): on a VM whose two vCPUs sometimes share a cache
//! and sometimes do not, the pool's ratio follows it, so the medians are given by placement too.
//! Prints figures; asserts nothing.
//!   `cargo run --release --example thread_scaling -- [rounds, default 20] [steps per block, default 100]`
use std::time::{Duration, Instant};

use latent_lab::data::MnistSet;
use latent_lab::model::Autoencoder;
use latent_lab::training::Trainer;

#[path = "common/core_round_trip.rs"]
mod core_round_trip;
#[path = "common/step_setup.rs"]
mod step_setup;

type Pool = rayon::ThreadPool;

fn pool(threads: usize) -> Pool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
}

/// Images per second over `steps` steps run from a thread of `pool`.
fn block(pool: &Pool, trainer: &mut Trainer<Autoencoder>, data: &MnistSet, steps: usize) -> f64 {
    // Let the other pool's threads stop spinning (rayon's idle threads look for work a while
    // before they sleep) so that they do not take a core from this block.
    std::thread::sleep(Duration::from_millis(30));
    let start = Instant::now();
    let images: usize = pool.install(|| {
        (0..steps)
            .map(|_| trainer.step(data).expect("steps left").batch_len)
            .sum()
    });
    images as f64 / start.elapsed().as_secs_f64()
}

/// The median of values sorted in ascending order.
fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// "M (rounds from LOW to HIGH)": the median and range of the given ratios (at least one).
fn spread(mut ratios: Vec<f64>) -> String {
    ratios.sort_by(f64::total_cmp);
    format!(
        "{:.2} (rounds from {:.2} to {:.2})",
        median(&ratios),
        ratios[0],
        ratios[ratios.len() - 1]
    )
}

fn main() {
    let rounds = step_setup::arg(1, 20).max(1);
    let steps = step_setup::arg(2, 100).max(1);
    let threads = std::env::var("THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    // Two warm-up blocks, then two blocks a round.
    let (data, mut trainer) = step_setup::two_layer_trainer((2 * rounds + 2) * steps);
    let (many, one) = (pool(threads), pool(1));

    // The first steps allocate and fill caches: one block on each pool, not counted.
    block(&many, &mut trainer, &data, steps);
    block(&one, &mut trainer, &data, steps);

    println!(
        "{rounds} rounds of {steps} steps per pool, the order alternating; images/s, and the \
         core-to-core round trip before, between and after each round's blocks"
    );
    println!(
        "{:<6} {:>12} {:>12} {:>7} | {:>18} {:>9}",
        "round",
        format!("{threads} threads"),
        "1 thread",
        "ratio",
        "round trip (ns)",
        "placement"
    );
    let mut by_placement: Vec<(&str, f64)> = Vec::with_capacity(rounds);
    // 100,000 hand-overs: 6–40 ms, short beside a round, long enough to be steady.
    let round_trip = || core_round_trip::core_round_trip_ns(100_000);
    for round in 1..=rounds {
        let before = round_trip();
        // The round trip between the two blocks too: the cores can move within a second.
        let (rate_many, between, rate_one) = if round % 2 == 1 {
            let a = block(&many, &mut trainer, &data, steps);
            (a, round_trip(), block(&one, &mut trainer, &data, steps))
        } else {
            let b = block(&one, &mut trainer, &data, steps);
            let between = round_trip();
            (block(&many, &mut trainer, &data, steps), between, b)
        };
        let after = round_trip();
        let ratio = rate_many / rate_one;
        let placement = core_round_trip::placement(&[before, between, after]);
        by_placement.push((placement, ratio));
        println!(
            "{round:<6} {rate_many:>12.0} {rate_one:>12.0} {ratio:>7.2} | {:>18} {placement:>9}",
            format!("{before:.0} / {between:.0} / {after:.0}")
        );
    }
    println!(
        "median ratio, {threads} threads over 1: {}",
        spread(by_placement.iter().map(|(_, r)| *r).collect())
    );
    for placement in ["near", "far", "mixed"] {
        let some: Vec<f64> = by_placement
            .iter()
            .filter(|(p, _)| *p == placement)
            .map(|(_, r)| *r)
            .collect();
        if !some.is_empty() {
            println!(
                "  rounds on {placement} cores ({} of {rounds}): median {}",
                some.len(),
                spread(some)
            );
        }
    }
    println!(
        "  (near: the round trip under {:.0} ns before, between and after the round's two blocks; \
         far: at or over it all three times; mixed: the cores moved during the round)",
        core_round_trip::APART_NS
    );
}
