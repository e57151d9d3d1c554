//! `report.md`: the exercise's tables, the report's numbers beside ours, every figure.

use std::fmt::Write;

use latent_lab::reference::{REPORT_DEPTH_PARAMS, REPORT_LATENT_SWEEP, REPORT_TRANSFER};

use latent_lab::results::{InterpolationEntry, NEAREST_DATA_REFERENCE, Results};

/// Current UTC time as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// CPU model and core count, as far as the OS tells.
pub fn machine_description() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cpu}, {cores} cores, {}", std::env::consts::OS)
}

fn opt(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.3}"))
}

pub fn markdown(r: &Results) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Latent Lab: reproduction of the MNIST autoencoder exercise\n"
    );
    let _ = writeln!(
        s,
        "Produced by `{}` on {} ({}), backend {}. Wall time {:.0} s ({:.1} min). {} training and {} test images; \
         Adam (lr {}, β 0.9/0.999, ε 1e-8), batch {}, {} epochs for the autoencoders, seed {}.{}\n",
        r.command,
        r.started_utc,
        r.machine,
        r.backend,
        r.wall_seconds,
        r.wall_seconds / 60.0,
        r.train_images,
        r.test_images,
        r.training.learning_rate,
        r.training.batch_size,
        r.training.epochs,
        r.training.seed,
        if r.quick {
            " **Quick run: a small subset and one epoch; the numbers are a smoke test, not results.**"
        } else {
            ""
        }
    );

    let _ = writeln!(s, "## 1A. Latent sweep (two-layer architecture)\n");
    let _ = writeln!(
        s,
        "Losses are mean squared error per pixel, in eval mode (BatchNorm running statistics) over the whole set after the last epoch.\n"
    );
    let _ = writeln!(
        s,
        "| latent size | parameters | train loss | test loss | report: parameters | report: train | report: test |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|");
    for e in &r.latent_sweep {
        let reference = REPORT_LATENT_SWEEP.iter().find(|x| x.0 == e.latent_dim);
        let (rp, rtr, rte) = reference.map_or(("–".into(), "–".into(), "–".into()), |x| {
            (
                x.1.to_string(),
                format!("{:.3}", x.2),
                format!("{:.3}", x.3),
            )
        });
        let _ = writeln!(
            s,
            "| {} | {} | {:.4} | {:.4} | {rp} | {rtr} | {rte} |",
            e.latent_dim, e.params, e.train_loss, e.test_loss
        );
    }
    if let Some(b) = &r.linear_baselines {
        let _ = writeln!(
            s,
            "\nBeside it, a linear code of the same size: the first principal components of the {} training images (PCA, \
             the best any linear encoder and decoder of that many numbers does in squared error), scored on the same \
             {} test images. With no code at all (size 0) the best guess is the mean training digit.\n",
            b.train_images, b.test_images
        );
        let _ = writeln!(
            s,
            "| latent size | PCA: train loss | PCA: test loss | autoencoder: test loss | PCA over autoencoder (test) |"
        );
        let _ = writeln!(s, "|---:|---:|---:|---:|---:|");
        for e in &b.entries {
            let ours = r.latent_sweep.iter().find(|x| x.latent_dim == e.latent_dim);
            let _ = writeln!(
                s,
                "| {} | {:.4} | {:.4} | {} | {} |",
                e.latent_dim,
                e.train_loss,
                e.test_loss,
                ours.map_or("–".into(), |x| format!("{:.4}", x.test_loss)),
                ours.map_or("–".into(), |x| format!(
                    "{:.1}×",
                    e.test_loss / x.test_loss
                )),
            );
        }
    }
    let _ = writeln!(s, "\n![Latent sweep curves](sweep_curves.png)\n");
    let _ = writeln!(s, "![Final loss against latent size](sweep_losses.png)\n");

    let _ = writeln!(
        s,
        "## 1B. One, two and three convolution layers at latent size 20\n"
    );
    let _ = writeln!(
        s,
        "| layers | parameters | report: parameters | train loss | test loss | test loss after epoch 1 |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|");
    for e in &r.depth {
        let rp = REPORT_DEPTH_PARAMS
            .iter()
            .find(|x| x.0 == e.layers)
            .map_or("–".into(), |x| x.1.to_string());
        let _ = writeln!(
            s,
            "| {} | {} | {rp} | {:.4} | {:.4} | {:.4} |",
            e.layers,
            e.params,
            e.train_loss,
            e.test_loss,
            e.curve.test.first().copied().unwrap_or(f32::NAN)
        );
    }
    let best = r
        .depth
        .iter()
        .min_by(|a, b| a.test_loss.total_cmp(&b.test_loss))
        .map(|e| e.layers);
    let ordered = r.depth.windows(2).all(|w| w[1].test_loss < w[0].test_loss);
    let _ = writeln!(
        s,
        "\nThe report concludes that more layers give a lower loss. Here the lowest final test loss is the {}-layer model's; \
         the ordering three < two < one {}.\n",
        best.map_or("?".into(), |l| l.to_string()),
        if ordered {
            "holds"
        } else {
            "does **not** hold"
        }
    );
    let _ = writeln!(s, "![Depth curves](depth_curves.png)\n");

    let _ = writeln!(s, "## 2. Interpolation\n");
    let _ = writeln!(
        s,
        "Ten evenly spaced α from 0 to 1 between the codes of the first test image of each digit; the end frames are the model's reconstructions.\n"
    );
    interpolation_table(&mut s, &r.interpolation);
    let _ = writeln!(
        s,
        "\nUnder each strip, each frame's distance from the data: from its code to the nearest code of the first {NEAREST_DATA_REFERENCE} \
         test digits, in units of the median distance from a real digit's code to its nearest neighbour's (1: as near the data as \
         a typical real digit is to another; the end frames are real digits, at 0). The path's mean over its eight inner frames:\n"
    );
    path_distance_table(&mut s, &r.interpolation, None);
    let _ = writeln!(s, "\n## 3. Decorrelation\n");
    let _ = writeln!(
        s,
        "Mean |Pearson r| over coordinate pairs i < j of the test-set codes. A dead coordinate (zero variance: a ReLU that never fires) \
         has no defined correlation; the report counted those pairs as 0, which lowers the mean as dead units accumulate.\n"
    );
    let _ = writeln!(
        s,
        "| latent size | mean abs r (undefined = 0) | mean abs r (defined pairs) | dead coordinates |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|");
    for d in &r.decorrelation {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            d.latent_dim,
            opt(d.mean_abs_pearson),
            opt(d.mean_abs_pearson_defined),
            d.dead_units
        );
    }
    let _ = writeln!(s, "\n![Decorrelation](decorrelation.png)\n");

    let _ = writeln!(s, "## 4. Transfer learning\n");
    let _ = writeln!(
        s,
        "The three-layer encoder of 1B (latent 20) plus an MLP 20→50→100→10, trained with cross-entropy on logits. \
         frozen: encoder untouched (BatchNorm in eval mode), only the MLP learns; finetune: both learn; scratch: random encoder. \
         Epochs = max(10, ⌈2000 / steps per epoch⌉). Train loss is in eval mode over the labelled set.\n"
    );
    let _ = writeln!(
        s,
        "| scenario | labels | epochs | train loss | test loss | test accuracy | time (s) |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
    for t in &r.transfer {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.4} | {:.4} | {:.2}% | {:.0} |",
            t.scenario,
            t.labels,
            t.epochs,
            t.train_loss,
            t.test_loss,
            t.test_accuracy * 100.0,
            t.seconds
        );
    }
    let _ = writeln!(
        s,
        "\nThe report's losses, for comparison (ln 10 = 2.303 is a uniform guess over ten digits):\n"
    );
    for (scenario, train, test) in REPORT_TRANSFER {
        let _ = writeln!(s, "- {scenario}: train {train:.3}, test {test:.3}");
    }
    let _ = writeln!(s, "\n![Transfer curves](transfer_curves.png)\n");

    if !r.variational.is_empty() {
        let _ = writeln!(s, "## 5. A variational autoencoder\n");
        let _ = writeln!(
            s,
            "The two-layer architecture with a Gaussian code (mean and log-variance of size d), trained on MSE + β·KL/784 \
             with the reparameterisation trick; evaluated, like everything else, at the mean code. Its reconstruction error is \
             the plain models' loss, so the columns compare directly.\n"
        );
        let _ = writeln!(
            s,
            "| latent size | β | parameters | test MSE, VAE | test MSE, plain | objective (MSE + β·KL/784) | mean abs r, VAE (defined pairs) | plain | dead, VAE | plain |"
        );
        let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for v in &r.variational {
            let plain_loss = r.latent_sweep.iter().find(|e| e.latent_dim == v.latent_dim);
            let plain_r = r
                .decorrelation
                .iter()
                .find(|e| e.latent_dim == v.latent_dim);
            let _ = writeln!(
                s,
                "| {} | {} | {} | {:.4} | {} | {:.4} | {} | {} | {} | {} |",
                v.latent_dim,
                v.beta,
                v.params,
                v.test_mse,
                plain_loss.map_or("–".into(), |e| format!("{:.4}", e.test_loss)),
                v.test_loss,
                opt(v.decorrelation.mean_abs_pearson_defined),
                opt(plain_r.and_then(|e| e.mean_abs_pearson_defined)),
                v.decorrelation.dead_units,
                plain_r.map_or("–".into(), |e| e.dead_units.to_string()),
            );
        }
        let vae_strips: Vec<InterpolationEntry> = r
            .variational
            .iter()
            .flat_map(|v| v.interpolation.iter().cloned())
            .collect();
        if !vae_strips.is_empty() {
            let _ = writeln!(
                s,
                "\nThe strips of part 2 with the VAE's mean codes, and how far from the data each path runs (mean over the inner \
                 frames, in the units of part 2), beside the plain model's:\n"
            );
            interpolation_table(&mut s, &vae_strips);
            let _ = writeln!(s);
            path_distance_table(&mut s, &r.interpolation, Some(&vae_strips));
        }
        let _ = writeln!(s);
    }

    let _ = writeln!(s, "## Timings\n");
    let _ = writeln!(
        s,
        "| model | parameters | training images/s | seconds (with evaluation) |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|");
    for run in &r.runs {
        let _ = writeln!(
            s,
            "| {} | {} | {:.0} | {:.0} |",
            run.name, run.params, run.images_per_second, run.seconds
        );
    }
    s
}

/// The strips of `entries` as a table: a row per digit pair, a column per latent size.
fn interpolation_table(s: &mut String, entries: &[InterpolationEntry]) {
    let _ = writeln!(s, "| pair | latent 20 | latent 100 |");
    let _ = writeln!(s, "|---|---|---|");
    let pairs = digit_pairs(entries);
    for pair in pairs {
        let png = |d: usize| {
            entries
                .iter()
                .find(|e| e.pair == pair && e.latent_dim == d)
                .map_or("–".into(), |e| {
                    format!("![{}→{} d={d}]({})", pair[0], pair[1], e.png)
                })
        };
        let _ = writeln!(
            s,
            "| {} → {} | {} | {} |",
            pair[0],
            pair[1],
            png(20),
            png(100)
        );
    }
}

/// The digit pairs of `entries`, each once, in their first order.
fn digit_pairs(entries: &[InterpolationEntry]) -> Vec<[u8; 2]> {
    let mut pairs: Vec<[u8; 2]> = Vec::new();
    for e in entries {
        if !pairs.contains(&e.pair) {
            pairs.push(e.pair);
        }
    }
    pairs
}

/// Per digit pair and latent size, the mean distance from the data along the path: the plain
/// model's, and the VAE's where given.
fn path_distance_table(
    s: &mut String,
    plain: &[InterpolationEntry],
    vae: Option<&[InterpolationEntry]>,
) {
    let figure = |entries: &[InterpolationEntry], pair: [u8; 2], d: usize| {
        entries
            .iter()
            .find(|e| e.pair == pair && e.latent_dim == d)
            .and_then(InterpolationEntry::inner_path_distance)
            .map_or("–".into(), |v| format!("{v:.2}"))
    };
    match vae {
        None => {
            let _ = writeln!(s, "| pair | latent 20 | latent 100 |");
            let _ = writeln!(s, "|---|---:|---:|");
        }
        Some(_) => {
            let _ = writeln!(
                s,
                "| pair | latent 20, plain | latent 20, VAE | latent 100, plain | latent 100, VAE |"
            );
            let _ = writeln!(s, "|---|---:|---:|---:|---:|");
        }
    }
    let pairs = digit_pairs(plain);
    for pair in pairs {
        let _ = match vae {
            None => writeln!(
                s,
                "| {} → {} | {} | {} |",
                pair[0],
                pair[1],
                figure(plain, pair, 20),
                figure(plain, pair, 100)
            ),
            Some(vae) => writeln!(
                s,
                "| {} → {} | {} | {} | {} | {} |",
                pair[0],
                pair[1],
                figure(plain, pair, 20),
                figure(vae, pair, 20),
                figure(plain, pair, 100),
                figure(vae, pair, 100)
            ),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_418), (2025, 11, 26));
    }
}
