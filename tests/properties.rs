//! Property tests of everything that reads input from outside: arbitrary bytes, text and
//! numbers never panic (they get an error or a value), and valid input round-trips. Bounded to
//! a few seconds; the long searches are the cargo-fuzz targets in `fuzz/`.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use latent_lab::data::{IdxKind, encode_idx_images, encode_idx_labels, mnist_style, parse_idx};
use latent_lab::engine::protocol::{FromEngine, ToEngine, decode, encode};
use latent_lab::engine::{EpochLoss, InterruptedRun, TrainRequest};
use latent_lab::model::{Architecture, AutoencoderConfig, MAX_LATENT_DIM};
use latent_lab::training::TrainingConfig;
use latent_lab::ui::drawing_strokes::rasterise;
use latent_lab::ui::link::LinkQuery;
use latent_lab::ui::loss_axis::LossAxis;
use latent_lab::ui::train_form::TrainForm;
use latent_lab::ui::view_links::{
    BUNDLED_TRAIN_IMAGES, DecorrelationLink, DrawLink, InterpolateLink, TransferLink,
    train_from_link, train_hash,
};
use latent_lab::weights::{
    ModelSpec, WeightsManifest, load_autoencoder, load_classifier, read_manifest, save_autoencoder,
};
use proptest::prelude::*;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// An IDX header for `count` images or labels, then `payload` bytes (possibly too few or many).
fn idx_header(kind: IdxKind, count: u32, rows: u32, cols: u32) -> Vec<u8> {
    let words: Vec<u32> = match kind {
        IdxKind::Images => vec![2051, count, rows, cols],
        IdxKind::Labels => vec![2049, count],
    };
    words.iter().flat_map(|w| w.to_be_bytes()).collect()
}

fn kind() -> impl Strategy<Value = IdxKind> {
    prop_oneof![Just(IdxKind::Images), Just(IdxKind::Labels)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn idx_arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000), kind in kind(), zip in any::<bool>()) {
        let bytes = if zip { gzip(&bytes) } else { bytes };
        let _ = parse_idx("any", &bytes, kind);
    }

    #[test]
    fn idx_crafted_headers_never_panic(kind in kind(), count in any::<u32>(), rows in prop_oneof![Just(28u32), any::<u32>()], cols in prop_oneof![Just(28u32), any::<u32>()], payload in 0usize..3000, zip in any::<bool>()) {
        let mut bytes = idx_header(kind, count, rows, cols);
        bytes.resize(bytes.len() + payload, 3);
        let bytes = if zip { gzip(&bytes) } else { bytes };
        if let Ok(data) = parse_idx("crafted", &bytes, kind) {
            // Accepted only when the header told the truth.
            let item = if kind == IdxKind::Images { 784 } else { 1 };
            prop_assert_eq!(data.len() as u64, count as u64 * item);
        }
    }

    #[test]
    fn idx_valid_files_round_trip(count in 0usize..6, seed in any::<u8>(), zip in any::<bool>()) {
        let pixels: Vec<u8> = (0..count * 784).map(|i| (i as u8).wrapping_mul(seed)).collect();
        let labels: Vec<u8> = (0..count).map(|i| (i as u8 + seed) % 10).collect();
        let (images, label_file) = (encode_idx_images(&pixels), encode_idx_labels(&labels));
        let (images, label_file) = if zip { (gzip(&images), gzip(&label_file)) } else { (images, label_file) };
        prop_assert_eq!(parse_idx("i", &images, IdxKind::Images).unwrap(), pixels);
        prop_assert_eq!(parse_idx("l", &label_file, IdxKind::Labels).unwrap(), labels);
    }
}

fn valid_weights() -> Vec<u8> {
    let model = AutoencoderConfig::new(Architecture::OneLayer, 3).init(&common::device());
    let manifest = WeightsManifest::new(
        ModelSpec::Autoencoder {
            architecture: Architecture::OneLayer,
            latent_dim: 3,
        },
        Architecture::OneLayer.param_count(3),
    );
    save_autoencoder(&model, &manifest).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn weight_loader_arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let device = common::device();
        let _ = read_manifest(&bytes);
        prop_assert!(load_autoencoder(&bytes, &device).is_err());
        prop_assert!(load_classifier(&bytes, &device).is_err());
    }

    /// A valid file with a few bytes changed anywhere (header, manifest, tensor data) loads or
    /// is refused; it never panics, and what loads holds only finite numbers.
    #[test]
    fn weight_loader_corrupted_files_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4), cut in any::<prop::sample::Index>(), truncate in any::<bool>()) {
        let device = common::device();
        let mut bytes = valid_weights();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        if let Ok((model, _)) = load_autoencoder(&bytes, &device) {
            let out = model.forward(burn::tensor::Tensor::zeros([1, 1, 28, 28], &device));
            let values: Vec<f32> = out.into_data().try_to_vec().unwrap();
            prop_assert!(values.iter().all(|v| v.is_finite()));
        }
    }
}

fn architecture() -> impl Strategy<Value = Architecture> {
    prop_oneof![
        Just(Architecture::OneLayer),
        Just(Architecture::TwoLayer),
        Just(Architecture::ThreeLayer),
        Just(Architecture::Vae)
    ]
}

/// Any float, with NaN and ±∞ as likely as a finite value (`any::<f32>()` has neither).
fn any_loss() -> impl Strategy<Value = f32> {
    prop_oneof![
        any::<f32>(),
        Just(f32::NAN),
        Just(f32::INFINITY),
        Just(f32::NEG_INFINITY)
    ]
}

fn train_request() -> impl Strategy<Value = TrainRequest> {
    (
        architecture(),
        1..=MAX_LATENT_DIM,
        1usize..100,
        1usize..4096,
        1e-6f64..1.0,
        any::<u64>(),
        1usize..60_000,
        0.0f32..=100.0,
    )
        .prop_map(
            |(
                architecture,
                latent_dim,
                epochs,
                batch_size,
                learning_rate,
                seed,
                train_images,
                beta,
            )| {
                TrainRequest {
                    architecture,
                    latent_dim,
                    training: TrainingConfig {
                        epochs,
                        batch_size,
                        learning_rate,
                        seed,
                    },
                    train_images,
                    // β only where it means something.
                    beta: architecture.is_variational().then_some(beta),
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn protocol_arbitrary_text_never_panics(text in ".{0,300}") {
        prop_assert!(decode::<ToEngine>(&text).is_err() || text.contains("\"v\""));
        let _ = decode::<FromEngine>(&text);
    }

    /// Well-formed envelopes with arbitrary JSON inside: an error or a message, never a panic.
    #[test]
    fn protocol_wrong_shapes_never_panic(v in 0u32..8, ty in "[a-z_]{0,12}", field in "[a-z_]{1,12}", value in prop_oneof![Just("null".to_string()), Just("-1".to_string()), Just("1e999".to_string()), Just("[]".to_string()), Just("{}".to_string()), "\"[ -~]{0,10}\"", any::<i64>().prop_map(|n| n.to_string())]) {
        let text = format!(r#"{{"v":{v},"msg":{{"type":"{ty}","{field}":{value}}}}}"#);
        let _ = decode::<ToEngine>(&text);
        let _ = decode::<FromEngine>(&text);
    }

    #[test]
    fn protocol_train_requests_round_trip(request in train_request()) {
        let Ok(ToEngine::Train(back)) = decode::<ToEngine>(&encode(&ToEngine::Train(request.clone()))) else {
            panic!("{request:?} did not come back");
        };
        // serde_json's default parser may round a long decimal to a neighbouring f64 (its
        // `float_roundtrip` feature fixes that, but every crate of burn depends on serde_json
        // and would be rebuilt): within a few ulps is what the protocol promises.
        let rate = |r: &TrainRequest| r.training.learning_rate;
        prop_assert!((rate(&back) - rate(&request)).abs() <= 4.0 * f64::EPSILON * rate(&request), "{back:?}");
        let same_rate = TrainRequest { training: TrainingConfig { learning_rate: rate(&request), ..back.training }, ..back };
        prop_assert_eq!(same_rate, request);
    }

    /// Whatever a training reports, including a diverged run's NaN and ±∞ losses, the page can
    /// decode: non-finite losses come back as NaN, finite ones exactly.
    #[test]
    fn protocol_epoch_losses_of_any_value_decode(epoch in 1usize..1000, train_loss in any_loss(), test_loss in any_loss(), request in train_request()) {
        let back = |v: f32, w: f32| (v == w) || (!v.is_finite() && w.is_nan());
        let msg = FromEngine::EpochDone { epoch, train_loss, test_loss };
        match decode::<FromEngine>(&encode(&msg)) {
            Ok(FromEngine::EpochDone { epoch: e, train_loss: a, test_loss: b }) => {
                prop_assert_eq!(e, epoch);
                prop_assert!(back(train_loss, a) && back(test_loss, b), "{a} {b}");
            }
            other => prop_assert!(false, "{other:?}"),
        }
        let run = InterruptedRun { id: "a1-run1".into(), request, epochs_done: 1, epoch_losses: vec![EpochLoss { epoch, train_loss, test_loss }] };
        let msg = FromEngine::Interrupted { runs: vec![run] };
        match decode::<FromEngine>(&encode(&msg)) {
            Ok(FromEngine::Interrupted { runs }) if runs.len() == 1 => {
                prop_assert_eq!(runs[0].id.as_str(), "a1-run1");
                let loss = runs[0].epoch_losses[0];
                prop_assert!(back(train_loss, loss.train_loss) && back(test_loss, loss.test_loss));
            }
            other => prop_assert!(false, "{other:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any ink (the pad's rasterised strokes or arbitrary values, even ±∞) becomes a 28×28
    /// image in [0, 1] or "no ink"; wrong sizes and NaN are errors.
    #[test]
    fn drawing_preprocessor_never_panics(side in 1usize..64, values in proptest::collection::vec(prop_oneof![0.0f32..=1.0, Just(0.0), any::<f32>()], 0..4096)) {
        let width = side;
        let height = values.len() / side;
        let ink = &values[..width * height];
        match mnist_style(ink, width, height) {
            Ok(Some(image)) => {
                prop_assert_eq!(image.len(), 784);
                prop_assert!(image.iter().all(|v| (0.0..=1.0).contains(v)), "{image:?}");
            }
            Ok(None) => {}
            Err(_) => prop_assert!(ink.iter().any(|v| v.is_nan())),
        }
        prop_assert!(mnist_style(&values, width + 1, height + 1).is_err() || values.len() == (width + 1) * (height + 1));
    }

    #[test]
    fn drawing_strokes_always_preprocess(strokes in proptest::collection::vec(proptest::collection::vec(any::<[f32; 2]>(), 1..20), 0..5)) {
        let ink = rasterise(&strokes, 140, 6.0);
        prop_assert_eq!(ink.len(), 140 * 140);
        match mnist_style(&ink, 140, 140) {
            Ok(Some(image)) => prop_assert!(image.iter().all(|v| (0.0..=1.0).contains(v))),
            Ok(None) => {}
            Err(e) => prop_assert!(false, "{e}"),
        }
    }

    #[test]
    fn train_form_arbitrary_text_never_panics(architecture in ".{0,20}", latent_dim in ".{0,12}", epochs in ".{0,12}", batch_size in ".{0,12}", learning_rate in ".{0,12}", train_images in ".{0,12}", seed in ".{0,22}", beta in ".{0,12}", available in 0usize..70_000) {
        let form = TrainForm { architecture, latent_dim, epochs, batch_size, learning_rate, train_images, seed, beta, chart_x: LossAxis::Epochs };
        if let Ok(request) = form.parse(available) {
            prop_assert!(request.beta.is_none_or(|b| (0.0..=100.0).contains(&b)) && request.beta.is_some() == request.architecture.is_variational());
            prop_assert!((1..=MAX_LATENT_DIM).contains(&request.latent_dim));
            prop_assert!(request.training.batch_size >= 1 && request.training.epochs >= 1);
            prop_assert!(request.train_images >= 1 && request.train_images <= available.max(1));
            prop_assert!(request.training.learning_rate.is_finite() && request.training.learning_rate > 0.0);
        }
    }

    #[test]
    fn train_form_valid_values_round_trip(request in train_request(), available in 60_000usize..70_000) {
        let form = TrainForm {
            architecture: request.architecture.to_string(),
            latent_dim: request.latent_dim.to_string(),
            epochs: request.training.epochs.to_string(),
            batch_size: request.training.batch_size.to_string(),
            learning_rate: request.training.learning_rate.to_string(),
            train_images: request.train_images.to_string(),
            seed: request.training.seed.to_string(),
            beta: request.beta.map_or("1".into(), |b| b.to_string()),
            chart_x: LossAxis::Epochs,
        };
        let parsed = form.parse(available).unwrap();
        prop_assert_eq!(parsed.beta, request.architecture.is_variational().then_some(request.beta.unwrap_or(1.0)));
        prop_assert_eq!(parsed.architecture, request.architecture);
        prop_assert_eq!(parsed.latent_dim, request.latent_dim);
        prop_assert_eq!(parsed.training.epochs, request.training.epochs);
        prop_assert_eq!(parsed.training.batch_size, request.training.batch_size);
        prop_assert_eq!(parsed.training.learning_rate, request.training.learning_rate);
        prop_assert_eq!(parsed.train_images, request.train_images);
        prop_assert_eq!(parsed.training.seed, request.training.seed);
    }

    /// Any address: every view reads it into values its own inputs accept, with a notice for
    /// each thing refused, and what it writes back reads back the same, without a notice.
    #[test]
    fn links_arbitrary_text_never_panics_and_written_links_read_back(query in "[a-z=&%+,.0-9A-F -]{0,80}|.{0,80}") {
        let hash = format!("#/x?{query}");
        let link = LinkQuery::from_hash(&hash);
        let base = TrainForm::defaults(BUNDLED_TRAIN_IMAGES);
        let (form, _, _) = train_from_link(&link, &base);
        prop_assert!(form.parse(BUNDLED_TRAIN_IMAGES).is_ok(), "{:?}", form);
        prop_assert_eq!(train_from_link(&LinkQuery::from_hash(&train_hash(&form)), &base), (form, false, vec![]));

        let (interpolate, _) = InterpolateLink::from_link(&link);
        prop_assert!((0.0..=1.0).contains(&interpolate.alpha) && (2..=20).contains(&interpolate.frames));
        let (back, notices) = InterpolateLink::from_link(&LinkQuery::from_hash(&interpolate.hash()));
        prop_assert!(notices.is_empty(), "{:?}", notices);
        prop_assert_eq!((back.model_a, back.model_b, back.pair, back.frames), (interpolate.model_a, interpolate.model_b, interpolate.pair, interpolate.frames));
        prop_assert!((back.alpha - interpolate.alpha).abs() <= 0.005);

        let (decorrelation, _) = DecorrelationLink::from_link(&link);
        prop_assert_eq!(DecorrelationLink::from_link(&LinkQuery::from_hash(&decorrelation.hash())), (decorrelation, vec![]));
        let (transfer, _) = TransferLink::from_link(&link);
        prop_assert!(!transfer.scenarios.is_empty());
        prop_assert_eq!(TransferLink::from_link(&LinkQuery::from_hash(&transfer.hash())), (transfer, vec![]));
        let (draw, _) = DrawLink::from_link(&link, "two-layer-d20");
        prop_assert_eq!(DrawLink::from_link(&LinkQuery::from_hash(&draw.hash()), "two-layer-d20"), (draw, vec![]));
    }
}
