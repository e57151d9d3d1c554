//! How the training step scales with threads, measured in one process (issue 19, part 3):
//! blocks of steps rotate between a pool of `THREADS` threads (default: every core), as many
//! copies of the model each on a thread of its own (data-parallel training,
//! src/training/data_parallel), and a pool of one, so that the machine's drift (here its speed
//! swings by a quarter within minutes) falls on every side of each ratio. Two-layer d = 20,
//! batch 64, Adam, MSE on flex, the pools driven from one of their threads as `latent-lab`
//! trains. Each round is framed by the core-to-core round trip
//! (examples/common/core_round_trip.rs): on a VM whose two vCPUs sometimes share a cache and
//! sometimes do not, the pool's ratio follows it, so the medians are given by placement too.
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

/// Images per second over `steps` steps of a data-parallel trainer (it runs on its copies'
/// threads).
fn copies_block(trainer: &mut Trainer<Autoencoder>, data: &MnistSet, steps: usize) -> f64 {
    std::thread::sleep(Duration::from_millis(30));
    let start = Instant::now();
    let images: usize = (0..steps)
        .map(|_| trainer.step(data).expect("steps left").batch_len)
        .sum();
    images as f64 / start.elapsed().as_secs_f64()
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

/// What one round's three blocks gave, images/s.
struct Round {
    pool: f64,
    copies: f64,
    one: f64,
}

fn main() {
    let rounds = step_setup::arg(1, 20).max(1);
    let steps = step_setup::arg(2, 100).max(1);
    let threads = std::env::var("THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    // Warm-up blocks, then a block a round on each side.
    let (data, mut trainer) = step_setup::two_layer_trainer((2 * rounds + 2) * steps);
    let (_, copies_trainer) = step_setup::two_layer_trainer((rounds + 1) * steps);
    let mut copies_trainer = copies_trainer
        .with_data_parallel(threads)
        .expect("copies of the model on flex");
    let (many, one) = (pool(threads), pool(1));

    // The first steps allocate and fill caches: one block each way, not counted.
    block(&many, &mut trainer, &data, steps);
    block(&one, &mut trainer, &data, steps);
    copies_block(&mut copies_trainer, &data, steps);

    println!(
        "{rounds} rounds of {steps} steps each way, the order rotating; images/s, and the \
         core-to-core round trip before, between and after each round's blocks"
    );
    println!(
        "{:<6} {:>10} {:>10} {:>9} {:>7} {:>7} | {:>26} {:>9}",
        "round",
        format!("{threads} threads"),
        format!("{threads} copies"),
        "1 thread",
        "pool/1",
        "copies/1",
        "round trips (ns)",
        "placement"
    );
    // 100,000 hand-overs: 6–40 ms, short beside a block, long enough to be steady; taken
    // between the blocks too, since the cores can move within a second.
    let round_trip = || core_round_trip::core_round_trip_ns(100_000);
    let mut results: Vec<(&str, Round)> = Vec::with_capacity(rounds);
    for round in 1..=rounds {
        let mut rates = [0.0f64; 3];
        let mut round_trips = vec![round_trip()];
        for k in 0..3 {
            let way = (round + k) % 3;
            rates[way] = match way {
                0 => block(&many, &mut trainer, &data, steps),
                1 => copies_block(&mut copies_trainer, &data, steps),
                _ => block(&one, &mut trainer, &data, steps),
            };
            round_trips.push(round_trip());
        }
        let [pool, copies, one] = rates;
        let placement = core_round_trip::placement(&round_trips);
        let trips: Vec<String> = round_trips.iter().map(|t| format!("{t:.0}")).collect();
        println!(
            "{round:<6} {pool:>10.0} {copies:>10.0} {one:>9.0} {:>7.2} {:>7.2} | {:>26} \
             {placement:>9}",
            pool / one,
            copies / one,
            trips.join(" / ")
        );
        results.push((placement, Round { pool, copies, one }));
    }
    let summary = |label: &str, rounds: &[&Round]| {
        println!(
            "{label}: {threads} threads over 1 {}; {threads} copies over 1 {}",
            spread(rounds.iter().map(|r| r.pool / r.one).collect()),
            spread(rounds.iter().map(|r| r.copies / r.one).collect())
        );
    };
    summary(
        "median ratio",
        &results.iter().map(|(_, r)| r).collect::<Vec<_>>(),
    );
    for placement in ["near", "far", "mixed"] {
        let some: Vec<&Round> = results
            .iter()
            .filter(|(p, _)| *p == placement)
            .map(|(_, r)| r)
            .collect();
        if !some.is_empty() {
            summary(
                &format!("  rounds on {placement} cores ({} of {rounds})", some.len()),
                &some,
            );
        }
    }
    println!(
        "  (near: the round trip under {:.0} ns every time in the round; far: at or over it \
         every time; mixed: the cores moved during the round)",
        core_round_trip::APART_NS
    );
}
