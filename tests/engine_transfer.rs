//! Transfer learning as the page runs it, natively: a session on the pretrained encoder.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::Path;

use common::{device, test_subset, train_subset};
use latent_lab::data::MnistSet;
use latent_lab::engine::transfer_session::{TransferRequest, TransferSession};
use latent_lab::engine::{ModelOrigin, ModelStore};
use latent_lab::training::TransferScenario;
use pollster::block_on;

fn pretrained_store() -> ModelStore {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("public/weights/three-layer-d20.safetensors");
    let mut store = ModelStore::default();
    store
        .insert_file(
            "three-layer-d20",
            &std::fs::read(path).unwrap(),
            ModelOrigin::Pretrained,
            &device(),
        )
        .unwrap();
    store
}

#[test]
fn a_frozen_session_learns_and_reports_a_consistent_confusion_matrix() {
    let store = pretrained_store();
    let encoder = store
        .autoencoder("three-layer-d20")
        .and_then(|m| m.three_layer_encoder())
        .cloned()
        .unwrap();
    let (train, test) = (train_subset(500), test_subset(500));
    let request = TransferRequest {
        scenarios: vec![TransferScenario::Frozen],
        labels: 300,
        epochs: Some(8),
        batch_size: 32,
        learning_rate: 1e-3,
    };
    assert_eq!(request.epochs(), 8);
    let mut session = TransferSession::new(
        TransferScenario::Frozen,
        &request,
        Some(&encoder),
        &train,
        &device(),
        0.0,
    )
    .unwrap();
    let mut t = 0.0;
    let mut points = Vec::new();
    let mut progress = 0;
    while !session.is_finished() {
        t += 10.0;
        let (p, point) = block_on(session.step(&test, || t)).unwrap();
        progress += usize::from(p.is_some());
        points.extend(point);
    }
    assert_eq!(points.len(), 8, "8 epochs, each scored");
    assert!(progress >= 8);
    assert!(points[0].test_loss > points[7].test_loss, "{points:?}");
    let (model, manifest, result) = block_on(session.finish(&test, t)).unwrap();
    assert!(!result.cancelled);
    assert_eq!((result.epochs, result.labels), (8, 300));
    // Frozen on a pretrained encoder, 300 labels: far above the 10% of a uniform guess.
    assert!(result.test_accuracy > 0.6, "{}", result.test_accuracy);
    assert_eq!(result.confusion.iter().sum::<u32>(), 500);
    let diagonal: u32 = (0..10).map(|d| result.confusion[d * 11]).sum();
    assert!(
        (diagonal as f32 / 500.0 - result.test_accuracy).abs() < 1e-6,
        "the matrix agrees with the accuracy"
    );
    assert_eq!(manifest.test_accuracy, Some(result.test_accuracy));
    assert_eq!(latent_lab::model::param_count(&model), 21_220);
    // The store's encoder is untouched: the session trained a copy.
    let after = store
        .autoencoder("three-layer-d20")
        .unwrap()
        .three_layer_encoder()
        .unwrap();
    assert_eq!(
        after.latent.weight.to_data().try_to_vec::<f32>().unwrap(),
        encoder.latent.weight.to_data().try_to_vec::<f32>().unwrap()
    );
}

/// Why a session for `scenario` without a pretrained encoder refuses `request`.
fn refusal(scenario: TransferScenario, request: &TransferRequest, train: &MnistSet) -> String {
    TransferSession::new(scenario, request, None, train, &device(), 0.0)
        .err()
        .expect("refused")
        .to_string()
}

#[test]
fn transfer_requests_are_checked() {
    let train = train_subset(100);
    let request = TransferRequest {
        scenarios: vec![TransferScenario::Finetune],
        labels: 101,
        epochs: None,
        batch_size: 64,
        learning_rate: 1e-3,
    };
    let err = refusal(TransferScenario::Scratch, &request, &train);
    assert!(err.contains("between 1 and 100 labelled images"), "{err}");
    let request = TransferRequest {
        labels: 50,
        ..request
    };
    // The exercise's schedule: 50 labels are one step per epoch, so 2,000 epochs.
    assert_eq!(request.epochs(), 2000);
    let err = refusal(TransferScenario::Finetune, &request, &train);
    assert!(err.contains("needs a pretrained encoder"), "{err}");
    // A page that started without its training subset says why there are no labels.
    let none = MnistSet::new(Vec::new(), Vec::new());
    let err = refusal(TransferScenario::Frozen, &request, &none);
    assert!(
        err.contains("the training subset could not be loaded at start"),
        "{err}"
    );
}

#[test]
fn a_message_with_batch_size_0_or_no_scenario_is_refused_not_divided_by() {
    let train = train_subset(100);
    let request = TransferRequest {
        scenarios: vec![TransferScenario::Scratch],
        labels: 50,
        epochs: None,
        batch_size: 0,
        learning_rate: 1e-3,
    };
    // The schedule must not divide by the batch size before the request is checked.
    assert!(request.epochs() >= 10);
    let err = |request: &TransferRequest| refusal(TransferScenario::Scratch, request, &train);
    assert!(err(&request).contains("batch size must be at least 1"));
    let nan_rate = TransferRequest {
        batch_size: 64,
        learning_rate: f64::NAN,
        ..request.clone()
    };
    assert!(err(&nan_rate).contains("learning rate"));
    let none = TransferRequest {
        scenarios: vec![],
        batch_size: 64,
        ..request
    };
    assert!(err(&none).contains("at least one scenario"));
}

/// The report's live figure of part E: a bundled classifier measured in steps on the bundled
/// test set (all 10,000 images, as the reproduction measured it) gives the loss and accuracy
/// its weight file records, far below the report's ln 10; steps do not change the figures.
#[test]
fn a_bundled_classifier_measured_in_steps_matches_its_weight_file() {
    use latent_lab::engine::classifier_evaluation::{
        EVALUATION_STEP_IMAGES, evaluate_classifier_in_steps,
    };
    use latent_lab::training::evaluate;
    use latent_lab::weights::load_classifier;

    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("public/weights/classifier-frozen.safetensors");
    let (model, manifest) = load_classifier(&std::fs::read(path).unwrap(), &device()).unwrap();
    let test = test_subset(10_000);
    let mut steps = Vec::new();
    let measured = block_on(evaluate_classifier_in_steps(
        "classifier-frozen",
        &model,
        &test,
        &device(),
        async |done, total| steps.push((done, total)),
    ))
    .unwrap();
    assert_eq!(steps.len(), 10_000 / EVALUATION_STEP_IMAGES);
    assert_eq!(steps.last(), Some(&(10_000, 10_000)));
    assert!(steps.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(
        (measured.model.as_str(), measured.images),
        ("classifier-frozen", 10_000)
    );

    let recorded_accuracy = manifest.test_accuracy.unwrap();
    let recorded_loss = manifest.test_loss.unwrap();
    assert!(
        (measured.accuracy - recorded_accuracy).abs() <= 2e-4,
        "accuracy {} against the weight file's {recorded_accuracy}",
        measured.accuracy
    );
    assert!(
        (measured.loss - recorded_loss).abs() <= 1e-3 * recorded_loss,
        "loss {} against the weight file's {recorded_loss}",
        measured.loss
    );
    assert!(f64::from(measured.loss) < 10f64.ln() / 10.0);

    // In one step (as training evaluates) the figures are the same, up to float summing.
    let once = block_on(evaluate(&model, &test, 250, &device())).unwrap();
    assert!((once.loss - measured.loss).abs() <= 1e-5 * measured.loss);
    assert_eq!(once.accuracy, Some(measured.accuracy));
}

/// Issue 20, part 2: every cell of the matrix opens to exactly the digits it counts, each of
/// its true digit, most confident first; a cell outside 0–9 is refused.
#[test]
fn each_confusion_cell_opens_to_the_digits_the_matrix_counts() {
    use latent_lab::engine::confusion_cell::{CELL_DIGITS_SHOWN, confusion_cell_digits};
    use latent_lab::training::confusion_matrix;
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("public/weights/classifier-frozen.safetensors");
    let mut store = ModelStore::default();
    store
        .insert_file(
            "classifier-frozen",
            &std::fs::read(path).unwrap(),
            ModelOrigin::Pretrained,
            &device(),
        )
        .unwrap();
    let classifier = store.classifier("classifier-frozen").unwrap();
    let test = test_subset(200);
    let counts = block_on(confusion_matrix(classifier, &test, 100, &device())).unwrap();
    let mut seen = vec![0usize; test.len()];
    for t in 0..10u8 {
        for g in 0..10u8 {
            let cell = block_on(confusion_cell_digits(
                "classifier-frozen",
                classifier,
                &test,
                t,
                g,
                &device(),
            ))
            .unwrap();
            let at = usize::from(t) * 10 + usize::from(g);
            assert_eq!(cell.count, counts[at] as usize, "cell ({t}, {g})");
            assert_eq!(cell.indices.len(), cell.count.min(CELL_DIGITS_SHOWN));
            assert_eq!(cell.pixels.len(), cell.indices.len() * 784);
            assert!(cell.probabilities.windows(2).all(|w| w[0] >= w[1]));
            // The top guess gets at least a tenth of the probability.
            assert!(cell.probabilities.iter().all(|&p| (0.1..=1.0).contains(&p)));
            for (k, &i) in cell.indices.iter().enumerate() {
                assert_eq!(test.label(i), t);
                assert_eq!(&cell.pixels[k * 784..(k + 1) * 784], test.image(i));
                seen[i] += 1;
            }
        }
    }
    // No cell here holds more than it shows, so every digit was seen once.
    assert!(counts.iter().all(|&c| (c as usize) <= CELL_DIGITS_SHOWN));
    assert!(seen.iter().all(|&n| n == 1));
    let err = block_on(confusion_cell_digits(
        "classifier-frozen",
        classifier,
        &test,
        3,
        10,
        &device(),
    ))
    .unwrap_err();
    assert!(err.contains("from 0 to 9"), "{err}");
}
