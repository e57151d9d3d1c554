//! The wgpu backend natively: Vulkan on a GPU, or Mesa's lavapipe on a machine without one.
//!
//! Without any adapter the test reports that and passes, unless LATENT_LAB_REQUIRE_WGPU=1 is
//! set (the project's test script sets it after installing lavapipe), so that CI exercises the
//! GPU code path for real.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::module::Module;
use latent_lab::BackendKind;
use latent_lab::model::{Architecture, AutoencoderConfig};
use latent_lab::training::{Trainer, TrainingConfig, evaluate, read_scalar};
use pollster::block_on;

#[test]
fn wgpu_trains_and_agrees_with_flex_on_evaluation() {
    let required = std::env::var("LATENT_LAB_REQUIRE_WGPU").is_ok_and(|v| v == "1");
    let backend = match BackendKind::Wgpu.init() {
        Ok(b) => b,
        Err(e) if !required => {
            eprintln!("no wgpu adapter here ({e}); set LATENT_LAB_REQUIRE_WGPU=1 to fail instead");
            return;
        }
        Err(e) => panic!("wgpu was required: {e}"),
    };
    eprintln!("wgpu adapter: {}", backend.description);
    // Kernels are autotuned on a GPU, not on a software adapter such as lavapipe (CI's).
    let expected = latent_lab::backend::autotunes_kernels(backend.software_adapter);
    assert_eq!(
        backend.kernels_autotuned(),
        expected,
        "{}",
        backend.description
    );
    let device = backend.device;
    let data = common::train_subset(256);
    let flex = common::device();

    // The same weights evaluate to the same loss on both backends, for every architecture
    // (untuned, burn's direct transposed convolution made this MSE wrong: vendor/README.md).
    for architecture in [Architecture::OneLayer, Architecture::ThreeLayer] {
        let model = AutoencoderConfig::new(architecture, 20).init(&flex);
        let on_flex = block_on(evaluate(&model, &data, 128, &flex)).unwrap().loss;
        let on_wgpu = block_on(evaluate(&model, &data, 128, &device))
            .unwrap()
            .loss;
        assert!(
            (on_flex - on_wgpu).abs() < 1e-4,
            "{architecture:?}: flex {on_flex} vs wgpu {on_wgpu}"
        );
    }
    let model = AutoencoderConfig::new(Architecture::TwoLayer, 20).init(&flex);
    let on_flex = block_on(evaluate(&model, &data, 128, &flex)).unwrap().loss;
    let on_wgpu = block_on(evaluate(
        &model.clone().to_device(&device),
        &data,
        128,
        &device,
    ))
    .unwrap()
    .loss;
    assert!(
        (on_flex - on_wgpu).abs() < 1e-4,
        "flex {on_flex} vs wgpu {on_wgpu}"
    );

    // And training on wgpu lowers the loss.
    let config = TrainingConfig {
        epochs: 3,
        batch_size: 32,
        ..TrainingConfig::default()
    };
    let mut trainer = Trainer::new(
        model.to_device(&device.clone().autodiff()),
        data.len(),
        config,
        &device,
    )
    .unwrap();
    let mut losses = Vec::new();
    while let Some(step) = trainer.step(&data) {
        losses.push(block_on(read_scalar(step.loss)).unwrap());
    }
    assert_eq!(losses.len(), 24);
    let first: f32 = losses[..4].iter().sum::<f32>() / 4.0;
    let last: f32 = losses[losses.len() - 4..].iter().sum::<f32>() / 4.0;
    assert!(last < 0.8 * first, "wgpu loss {first} -> {last}");

    // A lost device is heard of, with the reason (a run checks it between two slices). Last:
    // the device is gone after this.
    let watch = backend.gpu_watch.expect("a wgpu device is watched");
    assert_eq!(watch.lost(), None);
    watch.destroy();
    let lost = watch.lost().expect("the loss is reported");
    assert!(lost.contains("GPU device was lost"), "{lost}");
}
