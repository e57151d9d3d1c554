//! The page's engine, natively: the model store with the committed pretrained weights, and a
//! training session from start to finish.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{device, test_subset, train_subset};
use latent_lab::data::{MnistSet, Split};
use latent_lab::engine::driver::{Host, Subsets, drive};
use latent_lab::engine::epoch_recording::RecordedEpochs;
use latent_lab::engine::pretrained::{EPOCHS_SUFFIX, pretrained_names};
use latent_lab::engine::progress::Pausable;
use latent_lab::engine::session::{ReportEvery, TrainingSession, sample_digits};
use latent_lab::engine::store::StoredModel;
use latent_lab::engine::{Control, EpochLoss, FromEngine, ModelOrigin, ModelStore, TrainRequest};
use latent_lab::model::{Architecture, param_count};
use latent_lab::training::{TrainingConfig, evaluate};
use latent_lab::weights::ModelSpec;
use std::path::Path;

fn weights_file(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("public/weights")
        .join(format!("{name}.safetensors"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_bundled_model_loads_and_matches_its_manifest() {
    let device = device();
    let mut store = ModelStore::default();
    for name in pretrained_names() {
        let info = store
            .insert_file(
                &name,
                &weights_file(&name),
                ModelOrigin::Pretrained,
                &device,
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(info.name, name);
        if !name.starts_with("classifier") {
            assert_eq!(
                info.spec.name(),
                name,
                "the file holds the model its name says"
            );
        }
        match info.spec {
            ModelSpec::Autoencoder {
                architecture,
                latent_dim,
            } => {
                assert_eq!(info.params, architecture.param_count(latent_dim), "{name}");
                let model = store.autoencoder(&name).expect("an autoencoder");
                assert_eq!(param_count(model), info.params, "{name}");
            }
            ModelSpec::Classifier { latent_dim } => {
                assert_eq!(latent_dim, 20);
                assert_eq!(info.params, 21_220, "{name}");
            }
        }
    }
    assert_eq!(store.len(), 13);
    // Loading the same file again keeps both under distinct names.
    let again = store
        .insert_file(
            "two-layer-d20",
            &weights_file("two-layer-d20"),
            ModelOrigin::Uploaded,
            &device,
        )
        .unwrap();
    assert_eq!(again.name, "two-layer-d20 (2)");
}

#[test]
fn every_bundled_autoencoder_has_its_latent_map_through_the_epochs() {
    // `latent-lab reproduce` recorded the first test digits before training and after each of
    // its ten epochs; the page checks the file against its bundled test subset, as here.
    let bundled_test = MnistSet::load_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("public/data"),
        Split::Test,
    )
    .unwrap();
    for name in pretrained_names()
        .into_iter()
        .filter(|n| !n.starts_with("classifier"))
    {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("public/weights")
            .join(format!("{name}.{EPOCHS_SUFFIX}"));
        let json = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let recorded = RecordedEpochs::from_json(&name, &json, &bundled_test)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(recorded.maps.epochs, (0..=10).collect::<Vec<_>>(), "{name}");
        assert_eq!(recorded.labels.len(), 1_000, "{name}");
        // The shown axes carry a share of each epoch's variance, the first at least as much as
        // the second on the last epoch (its own principal axes)...
        let [first, second] = recorded.maps.explained[10];
        assert!(
            first > 0.0 && first <= 1.0 && first >= second,
            "{name}: {first} {second}"
        );
        // ...and its map is centred.
        let last = &recorded.maps.points[10];
        let mean_x: f64 = last.chunks(2).map(|p| f64::from(p[0])).sum::<f64>() / 1_000.0;
        assert!(
            mean_x.abs() < 1e-3 * (1.0 + last.iter().map(|v| v.abs()).fold(0.0, f32::max) as f64),
            "{name}: {mean_x}"
        );
    }
}

#[test]
fn bundled_losses_are_what_the_weights_give() {
    // The manifest's test loss was measured on the full test set; the first 2,000 test images
    // give a close figure with the same weights.
    let device = device();
    let mut store = ModelStore::default();
    let info = store
        .insert_file(
            "two-layer-d20",
            &weights_file("two-layer-d20"),
            ModelOrigin::Pretrained,
            &device,
        )
        .unwrap();
    let model = store.autoencoder("two-layer-d20").unwrap();
    let loss = pollster::block_on(evaluate(model, &test_subset(2000), 500, &device))
        .unwrap()
        .loss;
    let recorded = info
        .test_loss
        .expect("the reproduction records the test loss");
    assert!(
        (loss - recorded).abs() < 0.15 * recorded,
        "subset loss {loss} vs recorded {recorded}"
    );
}

#[test]
fn a_foreign_file_leaves_the_store_unchanged() {
    let device = device();
    let mut store = ModelStore::default();
    let bytes = weights_file("one-layer-d20");
    assert!(
        store
            .insert_file(
                "broken",
                &bytes[..bytes.len() - 10],
                ModelOrigin::Uploaded,
                &device
            )
            .is_err()
    );
    assert!(
        store
            .insert_file(
                "noise",
                b"not a weights file at all",
                ModelOrigin::Uploaded,
                &device
            )
            .is_err()
    );
    assert!(store.is_empty());
}

#[test]
fn a_session_trains_pauses_and_finishes() {
    let device = device();
    let train = train_subset(320);
    let test = test_subset(200);
    let request = TrainRequest {
        architecture: Architecture::TwoLayer,
        latent_dim: 10,
        training: TrainingConfig {
            epochs: 3,
            batch_size: 32,
            ..TrainingConfig::default()
        },
        train_images: 320,
        beta: None,
    };
    let every = ReportEvery {
        progress_ms: 50.0,
        reconstructions_ms: 1000.0,
    };
    let samples = sample_digits(&test, 8);
    assert_eq!(samples.len(), 8);
    let mut session =
        TrainingSession::new(request.clone(), &train, samples, &device, 0.0, every).unwrap();
    assert_eq!(session.steps_per_epoch(), 10);
    assert_eq!(session.total_steps(), 30);
    // Each step "takes" 100 ms of made-up time, with a pause of 10 s after step 5.
    let mut t = 0.0;
    let (mut epochs, mut progress, mut reconstructions) = (Vec::new(), Vec::new(), 0);
    while !session.is_finished() {
        t += 100.0;
        if session.steps_done() == 5 {
            session.pause(t);
            assert!(session.is_paused() && session.progress(t).paused);
            t += 10_000.0;
            session.resume(t);
        }
        let now = t;
        for event in pollster::block_on(session.step(&train, &test, || now)).unwrap() {
            match event {
                FromEngine::EpochDone {
                    epoch, test_loss, ..
                } => epochs.push((epoch, test_loss)),
                FromEngine::Progress(p) => progress.push(p),
                FromEngine::Reconstructions { pixels, .. } => {
                    assert_eq!(pixels.len(), 8 * 784);
                    reconstructions += 1;
                }
                other => panic!("unexpected event {other:?}"),
            }
        }
    }
    assert_eq!(
        epochs.iter().map(|e| e.0).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert!(epochs[2].1 < epochs[0].1, "test loss falls: {epochs:?}");
    assert!(reconstructions >= 3);
    let last = progress.last().unwrap();
    assert_eq!((last.step, last.total_steps, last.epoch), (30, 30, 3));
    // 30 steps of 100 ms; the 10 s pause is not counted.
    assert!(
        (last.elapsed_seconds - 3.0).abs() < 0.15,
        "{}",
        last.elapsed_seconds
    );
    assert_eq!(last.seconds_left, Some(0.0));
    // 960 images in 3 s of active time.
    assert!(
        (last.images_per_second - 320.0).abs() < 16.0,
        "{}",
        last.images_per_second
    );
    let (model, manifest) = pollster::block_on(session.finish(&test)).unwrap();
    assert_eq!(manifest.params, param_count(&model));
    assert_eq!(manifest.training.map(|t| t.epochs), Some(3));
    assert_eq!(manifest.test_loss, Some(epochs[2].1));

    // The trained model goes into the store, and its file comes back as the same model.
    let mut store = ModelStore::default();
    let info = store.insert(
        "two-layer-d10 (trained 1)",
        manifest,
        ModelOrigin::Trained,
        StoredModel::Autoencoder(Box::new(model)),
    );
    assert_eq!(info.epochs, Some(3));
    let (file, bytes) = pollster::block_on(store.export(&info.name, &device)).unwrap();
    assert_eq!(file, "two-layer-d10-trained-1.safetensors");
    let loaded = store
        .insert_file("mine", &bytes, ModelOrigin::Uploaded, &device)
        .unwrap();
    assert_eq!(loaded.test_loss, info.test_loss);
    assert_eq!(loaded.train_images, info.train_images);
    let sample = latent_lab::data::images_to_tensor(&test, &[0, 1, 2, 3], &device);
    let before = store
        .autoencoder(&info.name)
        .unwrap()
        .forward(sample.clone());
    let after = store.autoencoder("mine").unwrap().forward(sample);
    before
        .into_data()
        .assert_approx_eq::<f32>(&after.into_data(), burn::tensor::Tolerance::absolute(1e-6));
}

#[test]
fn bad_requests_are_refused() {
    let device = device();
    let train = train_subset(100);
    let request = |latent_dim, train_images| TrainRequest {
        architecture: Architecture::OneLayer,
        latent_dim,
        training: TrainingConfig::default(),
        train_images,
        beta: None,
    };
    let every = ReportEvery::default();
    for (d, n) in [(0, 10), (20, 0), (20, 101)] {
        let err = TrainingSession::new(request(d, n), &train, vec![], &device, 0.0, every)
            .err()
            .expect("refused");
        assert!(
            err.to_string().contains("invalid training settings"),
            "{err}"
        );
    }
    // A page that started without its training subset says why nothing can train.
    let none = latent_lab::data::MnistSet::new(Vec::new(), Vec::new());
    let err = TrainingSession::new(request(20, 1), &none, vec![], &device, 0.0, every)
        .err()
        .expect("refused");
    assert!(
        err.to_string()
            .contains("the training subset could not be loaded at start"),
        "{err}"
    );
}

/// The engine's slice loop on a made-up host: a clock that moves 5 ms a reading, the page's
/// control always "run", every event kept.
struct RecordingHost {
    clock: std::cell::Cell<f64>,
    posted: std::cell::RefCell<Vec<FromEngine>>,
}

impl Host for RecordingHost {
    fn now_ms(&self) -> f64 {
        let t = self.clock.get() + 5.0;
        self.clock.set(t);
        t
    }
    fn post(&self, event: &FromEngine) {
        self.posted.borrow_mut().push(event.clone());
    }
    fn control(&self) -> Option<Control> {
        Some(Control::Run)
    }
    async fn next_task(&self) {}
    async fn pause_a_while(&self) {}
}

#[test]
fn the_engine_loop_trains_checkpoints_each_epoch_and_a_checkpoint_resumes() {
    let device = device();
    let train = train_subset(192);
    let test = test_subset(100);
    let request = TrainRequest {
        architecture: Architecture::OneLayer,
        latent_dim: 5,
        training: TrainingConfig {
            epochs: 3,
            batch_size: 32,
            ..TrainingConfig::default()
        },
        train_images: 192,
        beta: None,
    };
    let host = RecordingHost {
        clock: std::cell::Cell::new(0.0),
        posted: std::cell::RefCell::new(Vec::new()),
    };
    let subsets = Subsets {
        train: &train,
        test: &test,
    };
    let mut session = TrainingSession::new(
        request.clone(),
        &train,
        vec![0, 1],
        &device,
        0.0,
        ReportEvery::default(),
    )
    .unwrap();
    let mut checkpoints = Vec::new();
    let cancelled = pollster::block_on(drive(
        &mut session,
        subsets,
        &host,
        30.0,
        async |s: &TrainingSession| checkpoints.push((s.interrupted_run("r1"), s.model())),
    ))
    .unwrap();
    assert!(!cancelled);
    assert!(session.is_finished());
    let posted = host.posted.borrow();
    let epochs_posted: Vec<EpochLoss> = posted
        .iter()
        .filter_map(|e| match *e {
            FromEngine::EpochDone {
                epoch,
                train_loss,
                test_loss,
            } => Some(EpochLoss {
                epoch,
                train_loss,
                test_loss,
            }),
            _ => None,
        })
        .collect();
    assert_eq!(epochs_posted.len(), 3);
    assert_eq!(session.epoch_losses(), epochs_posted.as_slice());
    // A checkpoint after epochs 1 and 2 (not after the last), each with the losses so far.
    assert_eq!(checkpoints.len(), 2);
    for (i, (run, _)) in checkpoints.iter().enumerate() {
        assert_eq!(run.epochs_done, i + 1);
        assert_eq!(run.epoch_losses, epochs_posted[..=i].to_vec());
        assert_eq!(run.request, request);
    }
    assert!(
        matches!(posted.last(), Some(FromEngine::Progress(p)) if p.step == session.total_steps()),
        "the loop ends with a progress report"
    );
    drop(posted);

    // Resumed from the checkpoint after epoch 1: it trains epochs 2 and 3 only, and its
    // record holds all three epochs' losses, the first from the checkpoint.
    let (run, model) = checkpoints.swap_remove(0);
    let mut resumed = TrainingSession::from_checkpoint(
        request,
        model,
        run.epochs_done,
        &train,
        vec![],
        &device,
        0.0,
        ReportEvery::default(),
    )
    .unwrap();
    resumed.record_past_epochs(run.epoch_losses.clone());
    assert_eq!(resumed.steps_done(), 6, "one epoch of 6 steps done");
    pollster::block_on(drive(
        &mut resumed,
        subsets,
        &host,
        30.0,
        async |_: &TrainingSession| {},
    ))
    .unwrap();
    let epochs: Vec<usize> = resumed.epoch_losses().iter().map(|l| l.epoch).collect();
    assert_eq!(epochs, vec![1, 2, 3]);
    assert_eq!(resumed.epoch_losses()[0], run.epoch_losses[0]);
    assert_eq!(resumed.interrupted_run("r1").epochs_done, 3);
}

/// Issue 20, part 1: a session watched step by step (the Step button, slow motion) reports
/// every step in full: its progress (loss read back) and the reconstructions after it.
#[test]
fn a_watched_session_reports_every_step() {
    let device = device();
    let train = train_subset(64);
    let test = test_subset(50);
    let request = TrainRequest {
        architecture: Architecture::TwoLayer,
        latent_dim: 5,
        training: TrainingConfig {
            epochs: 1,
            batch_size: 8,
            ..TrainingConfig::default()
        },
        train_images: 64,
        beta: None,
    };
    // Reports at most once an hour unless watched.
    let every = ReportEvery {
        progress_ms: 3.6e6,
        reconstructions_ms: 3.6e6,
    };
    let samples = sample_digits(&test, 4);
    let mut session = TrainingSession::new(request, &train, samples, &device, 0.0, every).unwrap();
    let kinds = |events: &[FromEngine]| {
        events
            .iter()
            .map(|e| match e {
                FromEngine::Progress(p) => format!("progress {}", p.step),
                FromEngine::Reconstructions { step, pixels } => {
                    format!("reconstructions {step} ({} digits)", pixels.len() / 784)
                }
                other => format!("{other:?}").chars().take(12).collect(),
            })
            .collect::<Vec<_>>()
    };
    // The first step reports (nothing was reported before); the next ones only when watched.
    let first = pollster::block_on(session.step(&train, &test, || 1.0)).unwrap();
    assert_eq!(
        kinds(&first),
        ["reconstructions 1 (4 digits)", "progress 1"]
    );
    let unwatched = pollster::block_on(session.step(&train, &test, || 2.0)).unwrap();
    assert!(unwatched.is_empty(), "{:?}", kinds(&unwatched));
    session.watch_every_step(true);
    for step in 3..=5 {
        let events = pollster::block_on(session.step(&train, &test, || step as f64)).unwrap();
        assert_eq!(
            kinds(&events),
            [
                format!("reconstructions {step} (4 digits)"),
                format!("progress {step}")
            ]
        );
        let FromEngine::Progress(p) = &events[1] else {
            unreachable!()
        };
        assert!(
            p.loss.is_finite() && p.loss > 0.0,
            "the step's own loss: {}",
            p.loss
        );
    }
    session.watch_every_step(false);
    assert!(
        pollster::block_on(session.step(&train, &test, || 6.0))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_trained_vae_keeps_its_beta_in_the_list() {
    // The objective (the test loss the list and the experiments' VAE table show) depends on
    // β, so a VAE trained here says its β, as its saved file does.
    let device = device();
    let train = train_subset(64);
    let test = test_subset(32);
    let request = TrainRequest {
        architecture: Architecture::Vae,
        latent_dim: 4,
        training: TrainingConfig {
            epochs: 1,
            batch_size: 32,
            ..TrainingConfig::default()
        },
        train_images: 64,
        beta: Some(0.25),
    };
    let samples = sample_digits(&test, 2);
    let mut session = TrainingSession::new(
        request,
        &train,
        samples,
        &device,
        0.0,
        ReportEvery::default(),
    )
    .unwrap();
    let mut t = 0.0;
    while !session.is_finished() {
        t += 100.0;
        let now = t;
        pollster::block_on(session.step(&train, &test, || now)).unwrap();
    }
    let (model, manifest) = pollster::block_on(session.finish(&test)).unwrap();
    assert_eq!(manifest.beta, Some(0.25));
    let mut store = ModelStore::default();
    let info = store.insert(
        "vae-d4 (trained 1)",
        manifest,
        ModelOrigin::Trained,
        StoredModel::Autoencoder(Box::new(model)),
    );
    assert_eq!(info.beta, Some(0.25));
    assert!(info.test_loss.is_some_and(f32::is_finite));
}

/// The chart's smoothed training loss keeps up with the loss however far apart the reports
/// are: read every tenth step, it is what a report at every step gives, within float rounding
/// and the loss's change over those ten steps. (Smoothed per report, as it once was, a report
/// every ten steps averaged over a hundred and drew the training loss above the test loss.)
#[test]
fn the_smoothed_loss_does_not_lag_when_reports_are_far_apart() {
    let device = device();
    let (train, test) = (train_subset(640), test_subset(100));
    let request = TrainRequest {
        architecture: Architecture::TwoLayer,
        latent_dim: 10,
        training: TrainingConfig {
            epochs: 4, // 10 steps an epoch
            ..TrainingConfig::default()
        },
        train_images: 640,
        beta: None,
    };
    // Each step takes 1 ms of made-up time; progress is due every step, or every 10 ms.
    let smoothed_by_step = |progress_ms: f64| {
        let every = ReportEvery {
            progress_ms,
            reconstructions_ms: 3.6e6,
        };
        let mut session =
            TrainingSession::new(request.clone(), &train, Vec::new(), &device, 0.0, every).unwrap();
        let mut smoothed = std::collections::BTreeMap::new();
        let mut t = 0.0;
        while !session.is_finished() {
            t += 1.0;
            let now = t;
            for event in pollster::block_on(session.step(&train, &test, || now)).unwrap() {
                if let FromEngine::Progress(p) = event {
                    smoothed.insert(p.step, p.smoothed_loss);
                }
            }
        }
        smoothed
    };
    let (every_step, every_tenth) = (smoothed_by_step(0.5), smoothed_by_step(10.0));
    assert_eq!(every_step.len(), 40);
    assert!(every_tenth.len() <= 8, "{every_tenth:?}");
    let worst = every_tenth
        .iter()
        .filter(|(step, _)| **step >= 10)
        .map(|(step, loss)| (loss / every_step[step] - 1.0).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst < 0.03,
        "{worst}: {every_tenth:?} against {every_step:?}"
    );
}
