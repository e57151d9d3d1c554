//! The `latent-lab` command end to end.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::process::Command;

use latent_lab::data::{MnistSet, Split};
use latent_lab::engine::epoch_recording::RecordedEpochs;
use latent_lab::weights::{load_autoencoder, load_classifier};

fn latent_lab() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_latent-lab"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

#[test]
fn params_lists_every_model() {
    let out = latent_lab().arg("params").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for (name, count) in [
        ("two-layer-d1", "15482"),
        ("two-layer-d100", "193781"),
        ("one-layer-d20", "27543"),
        ("three-layer-d20", "28317"),
        // 13,681 + 2,702 d (tests/vae.rs derives it).
        ("vae-d20", "67721"),
        ("vae-d100", "283881"),
        ("classifier-d20", "21220"),
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| {
                panic!("{name} missing from:\n{text}");
            });
        assert!(line.ends_with(count), "{line}");
    }
}

#[test]
fn missing_data_folder_is_a_clear_error() {
    let out = latent_lab()
        .args(["reproduce", "--quick", "--data", "no/such/folder", "--out"])
        .arg(common::temp_dir("nodata"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no/such/folder"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn no_copies_of_the_model_is_a_clear_error() {
    let out = latent_lab()
        .args(["reproduce", "--quick", "--copies", "0", "--out"])
        .arg(common::temp_dir("nocopies"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("at least one copy"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn reproduce_quick_writes_results_report_figures_and_weights() {
    let out_dir = common::temp_dir("reproduce");
    let weights = out_dir.join("weights");
    let out = latent_lab()
        .args(["reproduce", "--quick", "--out"])
        .arg(&out_dir)
        .arg("--weights-out")
        .arg(&weights)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("results.json")).unwrap()).unwrap();
    let sweep = json["latent_sweep"].as_array().unwrap();
    assert_eq!(sweep.len(), 6);
    for (entry, d) in sweep.iter().zip([1, 5, 10, 20, 50, 100]) {
        assert_eq!(entry["latent_dim"], d);
        assert_eq!(entry["params"], 13_681 + 1_801 * d);
        let test = entry["test_loss"].as_f64().unwrap();
        assert!(test > 0.0 && test < 0.2, "d={d}: test loss {test}");
        assert_eq!(entry["curve"]["train"].as_array().unwrap().len(), 1);
        assert_eq!(entry["curve"]["test"].as_array().unwrap().len(), 1);
    }
    let layers: Vec<u64> = json["depth"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["layers"].as_u64().unwrap())
        .collect();
    assert_eq!(layers, vec![1, 2, 3]);
    let decorrelation = json["decorrelation"].as_array().unwrap();
    assert_eq!(decorrelation.len(), 6);
    assert!(
        decorrelation[0]["mean_abs_pearson"].is_null(),
        "d = 1 has no pairs"
    );
    for entry in &decorrelation[1..] {
        let r = entry["mean_abs_pearson"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&r));
    }
    // 5. The VAE at d = 20 and 100: its error at the mean code, its objective above it.
    let variational = json["variational"].as_array().unwrap();
    assert_eq!(variational.len(), 2);
    for (entry, d) in variational.iter().zip([20, 100]) {
        assert_eq!(entry["latent_dim"], d);
        assert_eq!(entry["beta"], 1.0);
        assert_eq!(entry["params"], 13_681 + 2_702 * d);
        let (mse, objective) = (
            entry["test_mse"].as_f64().unwrap(),
            entry["test_loss"].as_f64().unwrap(),
        );
        assert!(
            mse > 0.0 && mse < 0.2 && objective > mse,
            "d={d}: {mse} {objective}"
        );
        assert_eq!(entry["decorrelation"]["latent_dim"], d);
        // Its strips of part 2, each frame's distance from the data beside it.
        let strips = entry["interpolation"].as_array().unwrap();
        assert_eq!(strips.len(), 4, "d={d}: the four pairs");
        for strip in strips {
            assert_eq!(strip["latent_dim"], d);
            let png = out_dir.join(strip["png"].as_str().unwrap());
            assert!(
                png.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with("vae_interp_")
            );
            assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
        }
    }
    let transfer = json["transfer"].as_array().unwrap();
    assert_eq!(transfer.len(), 9, "three scenarios × three label counts");
    for entry in transfer {
        let acc = entry["test_accuracy"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&acc));
        assert!(["frozen", "finetune", "scratch"].contains(&entry["scenario"].as_str().unwrap()));
    }
    let interpolation = json["interpolation"].as_array().unwrap();
    assert_eq!(interpolation.len(), 8, "four pairs × two latent sizes");
    for entry in interpolation {
        // The ends are real digits' codes (among the reference digits): distance 0; the
        // frames between lie off them.
        let distances: Vec<f64> = entry["nearest_data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(distances.len(), 10);
        assert_eq!((distances[0], distances[9]), (0.0, 0.0), "{distances:?}");
        assert!(distances[1..9].iter().all(|&v| v > 0.0), "{distances:?}");
        let png = out_dir.join(entry["png"].as_str().unwrap());
        assert!(
            std::fs::read(&png).unwrap().starts_with(b"\x89PNG"),
            "{}",
            png.display()
        );
    }
    for figure in [
        "sweep_curves.png",
        "depth_curves.png",
        "sweep_losses.png",
        "decorrelation.png",
        "transfer_curves.png",
    ] {
        let bytes = std::fs::read(out_dir.join(figure)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{figure}");
    }
    let report = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(report.contains("| 20 | 49701 |"), "latent table row");
    assert!(report.contains("Quick run"));
    assert!(
        report.contains("## 5. A variational autoencoder"),
        "the VAE's section"
    );

    // A's linear baseline: no code, then PCA at each size, the error falling as components
    // are added; no code is the pixels' variance around the mean digit (0.067 on all of MNIST).
    let entries = json["linear_baselines"]["entries"].as_array().unwrap();
    let sizes: Vec<u64> = entries
        .iter()
        .map(|e| e["latent_dim"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, vec![0, 1, 5, 10, 20, 50, 100]);
    let pca =
        |split: &str| -> Vec<f64> { entries.iter().map(|e| e[split].as_f64().unwrap()).collect() };
    assert!(
        pca("train_loss").windows(2).all(|w| w[0] > w[1]),
        "{:?}",
        pca("train_loss")
    );
    assert!(
        (0.05..0.09).contains(&pca("test_loss")[0]),
        "{:?}",
        pca("test_loss")
    );
    assert!(report.contains("| latent size | PCA: train loss | PCA: test loss |"));
    assert_eq!(json["linear_baselines"]["train_images"], 2_000);

    // `baselines` adds the same to results made without them, from the same images: the
    // --quick run's 2,000 / 500, written as a folder of their own.
    let subset = out_dir.join("subset");
    let written = latent_lab()
        .args(["subset", "--train", "2000", "--test", "500", "--out"])
        .arg(&subset)
        .status()
        .unwrap();
    assert!(written.success());
    let mut without = json.clone();
    without.as_object_mut().unwrap().remove("linear_baselines");
    let bare = out_dir.join("bare").join("results.json");
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    std::fs::write(&bare, serde_json::to_vec(&without).unwrap()).unwrap();
    // Other images than the results were made on: refused, and the file left as it was.
    let refused = latent_lab()
        .args(["baselines", "--results"])
        .arg(&bare)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && said.contains("must come from the same images"),
        "{said}"
    );
    assert_eq!(
        std::fs::read(&bare).unwrap(),
        serde_json::to_vec(&without).unwrap()
    );
    let figure = bare.with_file_name("sweep_losses.png");
    assert!(!figure.exists(), "a refused run draws nothing");
    let added = latent_lab()
        .args(["baselines", "--data"])
        .arg(&subset)
        .arg("--results")
        .arg(&bare)
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let with: serde_json::Value = serde_json::from_slice(&std::fs::read(&bare).unwrap()).unwrap();
    assert_eq!(with["linear_baselines"], json["linear_baselines"]);
    assert_eq!(
        with["latent_sweep"], json["latent_sweep"],
        "nothing else changes"
    );
    let rewritten = std::fs::read_to_string(bare.with_file_name("report.md")).unwrap();
    assert!(rewritten.contains("| latent size | PCA: train loss | PCA: test loss |"));
    // The figure with the baseline's lines, drawn as `reproduce` drew it from the same results.
    assert_eq!(
        std::fs::read(&figure).unwrap(),
        std::fs::read(out_dir.join("sweep_losses.png")).unwrap(),
        "baselines draws sweep_losses.png as reproduce does"
    );

    // The exported weights load back, with their manifests.
    let device = common::device();
    let bytes = std::fs::read(weights.join("two-layer-d20.safetensors")).unwrap();
    let (model, manifest) = load_autoencoder(&bytes, &device).unwrap();
    assert_eq!(model.latent_dim(), 20);
    assert_eq!(manifest.params, 49_701);
    assert!(manifest.test_loss.unwrap() > 0.0);
    let bytes = std::fs::read(weights.join("classifier-finetune.safetensors")).unwrap();
    let (_, manifest) = load_classifier(&bytes, &device).unwrap();
    assert!(manifest.test_accuracy.is_some());
    assert!(weights.join("three-layer-d20.json").exists());
    let (vae, manifest) = load_autoencoder(
        &std::fs::read(weights.join("vae-d20.safetensors")).unwrap(),
        &device,
    )
    .unwrap();
    assert_eq!((vae.beta(), manifest.beta), (Some(1.0), Some(1.0)));
    // Each autoencoder's latent map through the epochs: the start and its one epoch, on the
    // first test digits, read back as the page reads it.
    let test = MnistSet::load_dir(&common::data_dir(), Split::Test)
        .unwrap()
        .first(500);
    for name in [
        "two-layer-d1",
        "two-layer-d20",
        "three-layer-d20",
        "vae-d100",
    ] {
        let json = std::fs::read(weights.join(format!("{name}.epochs.json"))).unwrap();
        let recorded =
            RecordedEpochs::from_json(name, &json, &test).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(recorded.maps.epochs, vec![0, 1], "{name}");
        assert_eq!(
            recorded.labels.len(),
            500,
            "{name}: every test digit of --quick"
        );
    }
    assert!(!weights.join("classifier-frozen.epochs.json").exists());

    // The same seed gives the same run, on one kernel thread as on several: the seed draws
    // every model's initial weights as well as the order of the images.
    let again_dir = common::temp_dir("reproduce-again");
    let again = latent_lab()
        .args(["reproduce", "--quick", "--out"])
        .arg(&again_dir)
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let again: serde_json::Value =
        serde_json::from_slice(&std::fs::read(again_dir.join("results.json")).unwrap()).unwrap();
    let losses = |j: &serde_json::Value| -> Vec<f64> {
        j["latent_sweep"]
            .as_array()
            .unwrap()
            .iter()
            .chain(j["depth"].as_array().unwrap())
            .map(|e| e["test_loss"].as_f64().unwrap())
            .collect()
    };
    let accuracies = |j: &serde_json::Value| -> Vec<f64> {
        j["transfer"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["test_accuracy"].as_f64().unwrap())
            .collect()
    };
    let close = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 1e-4 * x.abs().max(1e-3))
    };
    assert!(
        close(&losses(&json), &losses(&again)),
        "{:?} vs {:?}",
        losses(&json),
        losses(&again)
    );
    assert!(
        close(&accuracies(&json), &accuracies(&again)),
        "{:?} vs {:?}",
        accuracies(&json),
        accuracies(&again)
    );
    std::fs::remove_dir_all(&again_dir).unwrap();
    std::fs::remove_dir_all(&out_dir).unwrap();
}

#[test]
fn subset_writes_the_first_images_as_idx() {
    use latent_lab::data::{MnistSet, Split};
    let out = common::temp_dir("subset");
    let status = latent_lab()
        .args(["subset", "--train", "30", "--test", "20", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let full = MnistSet::load_dir(&common::data_dir(), Split::Test).unwrap();
    let test = MnistSet::load_dir(&out, Split::Test).unwrap();
    assert_eq!(test, full.first(20));
    assert_eq!(MnistSet::load_dir(&out, Split::Train).unwrap().len(), 30);
    // Asking for more images than exist is an error, not a silent truncation.
    let failed = latent_lab()
        .args(["subset", "--test", "10001", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("only 10000"));
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn bundled_page_subset_is_the_first_10000_and_2000_images() {
    use latent_lab::data::{MnistSet, Split};
    let public = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("public/data");
    let train = MnistSet::load_dir(&public, Split::Train).unwrap();
    let test = MnistSet::load_dir(&public, Split::Test).unwrap();
    assert_eq!(train.len(), 10_000);
    assert_eq!(
        test,
        MnistSet::load_dir(&common::data_dir(), Split::Test)
            .unwrap()
            .first(2_000)
    );
}

#[test]
fn subset_refuses_to_write_over_its_input() {
    let data = common::temp_dir("subset-self");
    std::fs::create_dir_all(&data).unwrap();
    // A copy of the bundled subset stands in for full MNIST (the command must not touch it).
    let public = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("public/data");
    for entry in std::fs::read_dir(&public).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().ends_with("-ubyte.gz") {
            std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
        }
    }
    let before: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    let same_by_another_path = data.join("..").join(data.file_name().unwrap());
    for out in [data.clone(), data.join(".."), same_by_another_path] {
        let result = latent_lab()
            .args(["subset", "--train", "5", "--test", "5", "--data"])
            .arg(&data)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(!result.status.success(), "{}", out.display());
        let err = String::from_utf8_lossy(&result.stderr);
        assert!(err.contains("would overwrite the input files"), "{err}");
    }
    let after: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(before, after, "the input files are untouched");
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn analyse_reports_every_file_even_with_the_same_name() {
    let dir = common::temp_dir("analyse-two");
    let weights = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("public/weights");
    for (sub, model) in [("a", "two-layer-d5"), ("b", "two-layer-d20")] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        std::fs::copy(
            weights.join(format!("{model}.safetensors")),
            dir.join(sub).join("m.safetensors"),
        )
        .unwrap();
    }
    let out = latent_lab()
        .arg("analyse")
        .arg(dir.join("a/m.safetensors"))
        .arg(dir.join("b/m.safetensors"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let dims: Vec<u64> = rows
        .iter()
        .map(|r| r["latent_dim"].as_u64().unwrap())
        .collect();
    assert_eq!(dims, [5, 20]);
    assert!(
        rows[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("a/m.safetensors")
    );
    assert!(
        rows[1]["file"]
            .as_str()
            .unwrap()
            .ends_with("b/m.safetensors")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn seeds_checks_the_latent_size_like_everywhere_else() {
    for bad in ["0", "1001"] {
        let out = latent_lab()
            .args(["seeds", "--latent-dim", bad, "--data", "no/such/folder"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--latent-dim") && err.contains("between 1 and 1000"),
            "{err}"
        );
    }
}

#[test]
fn transfer_seeds_refuse_what_they_cannot_run_with_a_clear_error() {
    let cases: [(&[&str], &[&str]); 4] = [
        (
            &["--transfer-labels", "0"],
            &["--transfer-labels", "between 1 and 10000"],
        ),
        (
            &["--transfer-labels", "10001"],
            &["between 1 and 10000", "not 10001"],
        ),
        (
            &[
                "--transfer-labels",
                "100",
                "--encoder",
                "public/weights/two-layer-d20.safetensors",
            ],
            &["three-layer", "two-layer-d20"],
        ),
        // An autoencoder's settings do not apply to the scenarios: refused, not ignored.
        (
            &["--transfer-labels", "100", "--latent-dim", "5"],
            &["--latent-dim", "cannot be used with"],
        ),
    ];
    for (args, expected) in cases {
        let out = latent_lab()
            .args(["seeds", "--data", "public/data", "--out", "no/such/out"])
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} ran");
        let err = String::from_utf8_lossy(&out.stderr);
        for word in expected {
            assert!(err.contains(word), "{args:?}: {word:?} missing from {err}");
        }
    }
    assert!(
        !std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("no/such/out")
            .exists(),
        "nothing is written for a refused study"
    );
}
