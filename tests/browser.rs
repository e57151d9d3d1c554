//! The library in a real browser (wasm-bindgen-test in headless Chromium, run by
//! `wasm-pack test`; see scripts/test.sh). Built with `LATENT_LAB_TEST_BACKEND=webgpu` (and the
//! GPU engine's features: autotune compiled in, switched off on a software adapter) the same
//! tests run on WebGPU (Chromium's software adapter in CI), else on the CPU (flex).
#![cfg(target_arch = "wasm32")]

use burn::prelude::*;
use latent_lab::BackendKind;
use latent_lab::data::{IMAGE_PIXELS, images_to_tensor};
use latent_lab::engine::session::{ReportEvery, TrainingSession, sample_digits};
use latent_lab::engine::{FromEngine, TrainRequest};
use latent_lab::model::{Architecture, AutoencoderConfig, ClassifierConfig};
use latent_lab::training::{TrainingConfig, evaluate};
use latent_lab::weights::{ModelSpec, WeightsManifest, load_autoencoder, save_autoencoder};
use wasm_bindgen_test::*;

// In a dedicated worker, as in the page: the engine never runs on the main thread.
mod browser_common;
#[path = "cases/tiled_matmul.rs"]
mod tiled_matmul_cases;
use browser_common::subset;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn backend() -> BackendKind {
    match option_env!("LATENT_LAB_TEST_BACKEND") {
        Some("webgpu") => BackendKind::Wgpu,
        _ => BackendKind::Flex,
    }
}

#[cfg(feature = "gpu")]
unsafe extern "C" {
    /// Made by the linker (wasm-ld): runs the module's static constructors, here cubecl's
    /// registrations of its kernel IR (`inventory`).
    fn __wasm_call_ctors();
}

/// Runs the test module's static constructors once, before the first use of wgpu, as the
/// engine's `main` does (src/bin/worker.rs). The test runner calls no start function, and a
/// module that never calls them itself is linked as a "command": wasm-ld then runs them all
/// again at the top of every export, each test and each callback of a GPU readback. Only the
/// WebGPU build has constructors (the CPU builds link none, and no wrappers).
fn run_static_constructors_once() {
    #[cfg(feature = "gpu")]
    {
        static CONSTRUCTORS: std::sync::Once = std::sync::Once::new();
        // SAFETY: the only call in this module, and before anything reads what the
        // constructors register (they run when the first test asks for the device).
        CONSTRUCTORS.call_once(|| unsafe { __wasm_call_ctors() });
    }
}

thread_local! {
    /// wgpu registers its runtime once per program: every test shares the first device.
    static DEVICE: std::cell::RefCell<Option<Device>> = const { std::cell::RefCell::new(None) };
}

async fn device() -> Device {
    run_static_constructors_once();
    if let Some(device) = DEVICE.with(|d| d.borrow().clone()) {
        return device;
    }
    let backend = backend()
        .init_async()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // On SwiftShader some autotune candidates do not compile: the engine must not tune there.
    if backend.kind == BackendKind::Wgpu {
        let expected = latent_lab::backend::autotunes_kernels(backend.software_adapter);
        assert_eq!(
            backend.kernels_autotuned(),
            expected,
            "{}",
            backend.description
        );
    }
    let device = backend.device;
    DEVICE.with(|d| *d.borrow_mut() = Some(device.clone()));
    device
}

async fn read(tensor: Tensor<4>) -> Vec<f32> {
    tensor
        .into_data_async()
        .await
        .expect("readback")
        .try_to_vec::<f32>()
        .expect("f32 values")
}

#[wasm_bindgen_test]
fn bundled_subset_parses() {
    let (train, test) = subset();
    assert_eq!(train.len(), 10_000);
    assert_eq!(test.len(), 2_000);
    assert_eq!(train.image(0).len(), IMAGE_PIXELS);
    // MNIST's first training label is a 5 and its first test label a 7.
    assert_eq!(train.label(0), 5);
    assert_eq!(test.label(0), 7);
}

#[wasm_bindgen_test]
async fn forward_shapes() {
    let device = device().await;
    let (_, test) = subset();
    let images = images_to_tensor(&test, &[0, 1, 2], &device);
    for architecture in Architecture::ALL {
        let model = AutoencoderConfig::new(architecture, 20).init(&device);
        assert_eq!(model.encode(images.clone()).dims(), [3, 20]);
        let out = model.forward(images.clone());
        assert_eq!(out.dims(), [3, 1, 28, 28], "{architecture}");
        let values = read(out).await;
        assert!(
            values.iter().all(|v| (0.0..=1.0).contains(v)),
            "sigmoid output"
        );
    }
    let classifier = ClassifierConfig::new().init(&device);
    assert_eq!(classifier.forward(images).dims(), [3, 10]);
}

#[wasm_bindgen_test]
async fn a_few_training_steps_lower_the_loss() {
    let device = device().await;
    let (train, test) = subset();
    let test = test.first(200);
    let request = TrainRequest {
        architecture: Architecture::TwoLayer,
        latent_dim: 10,
        training: TrainingConfig {
            epochs: 4,
            batch_size: 32,
            ..TrainingConfig::default()
        },
        train_images: 256,
        beta: None,
    };
    let samples = sample_digits(&test, 8);
    let mut session = TrainingSession::new(
        request,
        &train,
        samples,
        &device,
        0.0,
        ReportEvery::default(),
    )
    .expect("valid request");
    let mut epochs = Vec::new();
    let mut reconstructions = 0;
    let mut t = 0.0;
    while !session.is_finished() {
        t += 10.0;
        let now = t;
        for event in session.step(&train, &test, || now).await.expect("step") {
            match event {
                FromEngine::EpochDone { test_loss, .. } => epochs.push(test_loss),
                FromEngine::Reconstructions { pixels, .. } => {
                    assert_eq!(pixels.len(), 8 * IMAGE_PIXELS);
                    reconstructions += 1;
                }
                _ => {}
            }
        }
    }
    assert_eq!(epochs.len(), 4);
    assert!(reconstructions >= 4);
    assert!(
        epochs[3] < epochs[0] * 0.9,
        "test loss should fall: {epochs:?}"
    );
}

/// The same weights score the same reconstruction error on the test backend as on flex. On
/// WebGPU's software adapter (no autotune) this caught a wrong MSE: burn's direct transposed
/// convolution followed by a fused `output - images` chain (vendor/README.md).
#[wasm_bindgen_test]
async fn the_test_backend_scores_as_flex_does() {
    let device = device().await;
    let (_, test) = subset();
    let test = test.first(256);
    let flex = Device::flex();
    for architecture in [
        Architecture::OneLayer,
        Architecture::TwoLayer,
        Architecture::ThreeLayer,
    ] {
        let model = AutoencoderConfig::new(architecture, 20).init(&flex);
        let on_flex = evaluate(&model, &test, 128, &flex).await.unwrap().loss;
        let on_device = evaluate(&model, &test, 128, &device).await.unwrap().loss;
        assert!(
            (on_flex - on_device).abs() < 1e-4 * on_flex.max(1.0),
            "{architecture:?}: flex {on_flex}, test backend {on_device}"
        );
    }
}

#[wasm_bindgen_test]
async fn weights_round_trip_through_bytes() {
    let device = device().await;
    let (_, test) = subset();
    // Weights are written from a CPU copy (WebGPU has no synchronous readback).
    let cpu = Device::flex();
    let model = AutoencoderConfig::new(Architecture::ThreeLayer, 20).init(&cpu);
    let manifest = WeightsManifest::new(
        ModelSpec::Autoencoder {
            architecture: Architecture::ThreeLayer,
            latent_dim: 20,
        },
        Architecture::ThreeLayer.param_count(20),
    );
    let bytes = save_autoencoder(&model, &manifest).expect("save");
    let (loaded, read_back) = load_autoencoder(&bytes, &device).expect("load");
    assert_eq!(read_back, manifest);
    let expected = read(model.forward(images_to_tensor(&test, &[0, 1], &cpu))).await;
    let actual = read(loaded.forward(images_to_tensor(&test, &[0, 1], &device))).await;
    let worst = expected
        .iter()
        .zip(&actual)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-4, "outputs differ by {worst}");
    // A truncated file is refused, not half-loaded.
    assert!(load_autoencoder(&bytes[..bytes.len() / 2], &device).is_err());
}

#[wasm_bindgen_test]
fn correlation_and_pca_on_known_data_in_the_browser() {
    use latent_lab::analysis::{decorrelation, pca};
    // x = 1..4, y = 2x, z = 1,3,2,4: r(x,y) = 1, r(x,z) = r(y,z) = 0.8 (hand-computed).
    let codes = [1.0, 2.0, 1.0, 2.0, 4.0, 3.0, 3.0, 6.0, 2.0, 4.0, 8.0, 4.0];
    let stats = decorrelation(&codes, 4, 3);
    assert!((stats.mean_abs_pearson.unwrap() - 2.6 / 3.0).abs() < 1e-12);
    assert_eq!(stats.dead_units, 0);
    // Points on the line (t, 2t): one component with all the variance.
    let line: Vec<f32> = (-2..=2).flat_map(|t| [t as f32, 2.0 * t as f32]).collect();
    let p = pca(&line, 5, 2, 2);
    assert!((p.explained[0] - 1.0).abs() < 1e-9, "{:?}", p.explained);
    assert!(
        (p.points[8] - 2.0 * 5f32.sqrt()).abs() < 1e-4,
        "{:?}",
        p.points
    );
}

#[wasm_bindgen_test]
async fn interpolation_ends_are_the_reconstructions_in_the_browser() {
    use latent_lab::analysis::reconstruct;
    use latent_lab::engine::ImageRef;
    use latent_lab::engine::latent_analysis::decode_between;
    let device = device().await;
    let (_, test) = subset();
    let model = AutoencoderConfig::new(Architecture::TwoLayer, 5).init(&device);
    let (a, b) = (
        test.first_of_digit(3).unwrap(),
        test.first_of_digit(5).unwrap(),
    );
    let (frames, _) = decode_between(
        &model,
        &test,
        &ImageRef::Test(a),
        &ImageRef::Test(b),
        &[0.0, 0.5, 1.0],
        &device,
    )
    .await
    .expect("decode");
    assert_eq!(frames.len(), 3 * IMAGE_PIXELS);
    let ends = latent_lab::data::pixels_to_bytes(
        &reconstruct(&model, &test, &[a, b], &device)
            .await
            .expect("reconstruct"),
    );
    let close = |x: &[u8], y: &[u8]| x.iter().zip(y).all(|(p, q)| p.abs_diff(*q) <= 1);
    assert!(close(&frames[..IMAGE_PIXELS], &ends[..IMAGE_PIXELS]));
    assert!(close(&frames[2 * IMAGE_PIXELS..], &ends[IMAGE_PIXELS..]));
}

/// The page reads its links and lessons in the browser, where `usize` has 32 bits: a number
/// past 2³² in a link is refused, never wrapped into a valid index; every view's link reads
/// back; the built-in lessons parse and each of their links opens its view without a notice.
#[wasm_bindgen_test]
fn links_and_lessons_read_in_the_browser() {
    use latent_lab::ui::lesson::{Block, Inline, parse_lesson};
    use latent_lab::ui::link::LinkQuery;
    use latent_lab::ui::view_links::{DecorrelationLink, InterpolateLink, link_notices};

    assert_eq!(std::mem::size_of::<usize>(), 4, "wasm32: 32-bit indices");
    // 2³² + 5 would wrap to 5 if read as a 64-bit number and cast.
    let (link, notices) =
        InterpolateLink::from_link(&LinkQuery::from_hash("#/interpolate?from=4294967301&to=3"));
    assert_eq!(link.pair, (None, None));
    assert!(notices[0].contains("4294967301"), "{notices:?}");
    let (link, notices) = DecorrelationLink::from_link(&LinkQuery::from_hash(
        "#/decorrelation?pick=4294967301&coord=4294967297",
    ));
    assert_eq!((link.pick, link.coordinate), (None, 0));
    assert_eq!(notices.len(), 2, "{notices:?}");
    let written = DecorrelationLink {
        model: "two-layer-d50".into(),
        coordinate: 49,
        pick: Some(1_999),
    };
    assert_eq!(
        DecorrelationLink::from_link(&LinkQuery::from_hash(&written.hash())),
        (written, vec![])
    );

    let lessons = [
        include_str!("../public/lessons/a-latent-size.md"),
        include_str!("../public/lessons/b-depth.md"),
        include_str!("../public/lessons/c-interpolation.md"),
        include_str!("../public/lessons/d-decorrelation.md"),
        include_str!("../public/lessons/e-transfer.md"),
        include_str!("../public/lessons/draw.md"),
    ];
    for text in lessons {
        let lesson = parse_lesson(text.as_bytes()).unwrap();
        let hashes: Vec<&str> = lesson
            .blocks
            .iter()
            .flat_map(|b| match b {
                Block::Heading(_, inlines) | Block::Paragraph(inlines) => {
                    inlines.iter().collect::<Vec<_>>()
                }
                Block::List(items) => items.iter().flatten().collect(),
            })
            .filter_map(|i| match i {
                Inline::ViewLink { hash, .. } => Some(hash.as_str()),
                _ => None,
            })
            .collect();
        assert!(
            hashes.len() >= 3,
            "{}: {} view links",
            lesson.title,
            hashes.len()
        );
        for hash in hashes {
            assert_eq!(link_notices(hash), Vec::<String>::new(), "{hash}");
        }
    }
}

/// The page's relaxed SIMD probe: Chromium (the test browser, 114 on) validates it, and the
/// same module with its relaxed opcode replaced by one no browser assigns, or cut short, does
/// not, so a browser without the feature gets the plain build rather than one it cannot compile.
#[cfg(feature = "web")]
#[wasm_bindgen_test]
fn the_relaxed_simd_probe_validates_here_and_fails_when_broken() {
    use latent_lab::web::wasm_features::{RELAXED_SIMD_PROBE, relaxed_simd, validates};

    assert!(relaxed_simd(), "Chromium runs relaxed SIMD");
    let madd = RELAXED_SIMD_PROBE
        .windows(3)
        .position(|w| w == [0xfd, 0x85, 0x02])
        .expect("the probe holds f32x4.relaxed_madd");
    let mut unknown = RELAXED_SIMD_PROBE;
    unknown[madd + 1..madd + 3].copy_from_slice(&[0xff, 0x03]); // 0xfd 0x1ff: unassigned
    assert!(!validates(&unknown));
    assert!(!validates(
        &RELAXED_SIMD_PROBE[..RELAXED_SIMD_PROBE.len() - 1]
    ));
    assert!(!validates(b"not wasm"));
}

/// flex's tiled f32 products on SIMD128 (and relaxed multiply-add in the threaded engine's
/// build), the kernels of the CPU engine's convolutions, against sums worked in f64 (the same
/// cases run natively on portable lanes in tests/flex_kernels.rs).
#[wasm_bindgen_test]
fn tiled_products_match_sums_worked_in_f64_in_the_browser() {
    tiled_matmul_cases::tiled_products_match_sums_worked_in_f64();
}
