//! Training really learns, evaluation is in eval mode, and the frozen scenario freezes.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use latent_lab::model::{Architecture, AutoencoderConfig};
use latent_lab::rng::SplitMix64;
use latent_lab::training::{
    FusedAdam, Objective, Trainer, TrainingConfig, TrainingError, TransferScenario, evaluate,
    read_scalar, transfer_classifier, transfer_epochs,
};
use pollster::block_on;

fn flat_params<M: Module>(module: &M) -> Vec<f32> {
    // Every float parameter, in visiting order, read back as plain numbers.
    struct Collect(Vec<f32>);
    impl burn::module::ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
            self.0
                .extend(param.val().into_data().try_into_vec::<f32>().unwrap());
        }
    }
    let mut c = Collect(Vec::new());
    module.visit(&mut c);
    c.0
}

#[test]
fn fused_adam_takes_the_same_steps_as_burns_adam() {
    // Six steps of the two-layer model from the same start on the same batches, once through
    // burn's Adam and once through the one-pass version the CPU backends use: every parameter
    // must come out with the same bits, at the lab's learning rate and at a large one.
    let device = common::device();
    let autodiff = device.clone().autodiff();
    let data = common::train_subset(96);
    let run = |mut optim: ModuleOptimizer, learning_rate: f64| {
        device.seed(11);
        let mut model = AutoencoderConfig::new(Architecture::TwoLayer, 20).init(&autodiff);
        let start = flat_params(&model);
        for step in 0..6 {
            let indices: Vec<usize> = (step * 16..step * 16 + 16).collect();
            let loss = model.training_loss(&data, &indices, &autodiff, &mut SplitMix64::new(1));
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(learning_rate, model, grads);
        }
        (start, flat_params(&model))
    };
    for learning_rate in [1e-3, 5e-2] {
        let burns = AdamConfig::new()
            .with_beta_1(0.9)
            .with_beta_2(0.999)
            .with_epsilon(1e-8)
            .init();
        let fused = ModuleOptimizer::from(FusedAdam {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-8,
        });
        let (start, expected) = run(burns, learning_rate);
        let (start_again, got) = run(fused, learning_rate);
        assert_eq!(start, start_again, "both runs start from the same weights");
        let moved = start.iter().zip(&expected).filter(|(a, b)| a != b).count();
        assert!(
            moved > start.len() / 2,
            "the steps moved {moved} of {} values",
            start.len()
        );
        assert_eq!(expected.len(), got.len());
        let differing = expected
            .iter()
            .zip(&got)
            .filter(|(a, b)| a.to_bits() != b.to_bits())
            .count();
        assert_eq!(
            differing, 0,
            "values that differ from burn's Adam at lr {learning_rate}"
        );
    }
}

#[test]
fn autoencoder_loss_falls_within_100_steps_on_1000_images() {
    let device = common::device();
    let data = common::train_subset(1_000);
    let model = AutoencoderConfig::new(Architecture::TwoLayer, 20).init(&device.clone().autodiff());
    let config = TrainingConfig {
        epochs: 7, // 16 steps an epoch: 112 steps
        ..TrainingConfig::default()
    };
    let before = block_on(evaluate(&model, &data, 500, &device))
        .unwrap()
        .loss;
    let mut trainer = Trainer::new(model, data.len(), config, &device).unwrap();
    assert_eq!(trainer.steps_per_epoch(), 16);
    assert_eq!(trainer.total_steps(), 112);
    let mut first_epoch = None;
    let mut last_epoch = None;
    let mut steps = 0;
    while let Some(step) = trainer.step(&data) {
        steps += 1;
        if step.epoch_finished {
            let loss = block_on(trainer.take_epoch_loss()).unwrap().unwrap();
            first_epoch.get_or_insert(loss);
            last_epoch = Some(loss);
        }
    }
    assert_eq!(steps, 112);
    assert!(trainer.is_finished());
    assert!(
        trainer.step(&data).is_none(),
        "no step after the last epoch"
    );
    let after = block_on(evaluate(trainer.model(), &data, 500, &device))
        .unwrap()
        .loss;
    let (first, last) = (first_epoch.unwrap(), last_epoch.unwrap());
    assert!(last < 0.7 * first, "running loss {first} -> {last}");
    assert!(after < 0.5 * before, "eval loss {before} -> {after}");
    // An untrained sigmoid output near 0.5 everywhere gives an MSE near 0.2 on MNIST; a model
    // that learned something is far below.
    assert!(after < 0.08, "eval loss after training: {after}");
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let device = common::device();
    let data = common::train_subset(200);
    let run = |seed: u64| {
        device.seed(7);
        let model =
            AutoencoderConfig::new(Architecture::OneLayer, 5).init(&device.clone().autodiff());
        let config = TrainingConfig {
            epochs: 1,
            seed,
            ..TrainingConfig::default()
        };
        let mut trainer = Trainer::new(model, data.len(), config, &device).unwrap();
        let mut losses = Vec::new();
        while let Some(step) = trainer.step(&data) {
            losses.push(block_on(read_scalar(step.loss)).unwrap());
        }
        losses
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2), "another shuffle gives other batches");
}

#[test]
fn classifier_learns_and_frozen_encoder_stays_bit_identical() {
    let device = common::device();
    // Fixed initial weights: how fast a frozen encoder's head learns varies with them.
    device.seed(3);
    let data = common::train_subset(1_000);
    let test = common::test_subset(500);
    let ad = device.clone().autodiff();
    // Pretrain the autoencoder briefly, so the frozen codes carry information.
    let autoencoder = AutoencoderConfig::new(Architecture::ThreeLayer, 20).init(&ad);
    let pretrain = TrainingConfig {
        epochs: 5,
        ..TrainingConfig::default()
    };
    let mut trainer = Trainer::new(autoencoder, data.len(), pretrain, &device).unwrap();
    while trainer.step(&data).is_some() {}
    let autoencoder = trainer.into_model();
    let encoder = autoencoder.three_layer_encoder().unwrap().clone();
    let before = flat_params(&encoder);
    let classifier = transfer_classifier(TransferScenario::Frozen, Some(&encoder), &ad).unwrap();
    let head_before = flat_params(&classifier.head);
    let config = TrainingConfig {
        epochs: 20,
        ..TrainingConfig::default()
    };
    let mut trainer = Trainer::new(classifier, data.len(), config, &device).unwrap();
    while trainer.step(&data).is_some() {}
    let trained = trainer.into_model();
    assert_eq!(
        flat_params(&trained.encoder),
        before,
        "frozen encoder changed"
    );
    // Running statistics too: BatchNorm stays in eval mode.
    let running = |e: &latent_lab::model::ThreeLayerEncoder| {
        e.conv1
            .norm
            .running_mean
            .value()
            .into_data()
            .try_into_vec::<f32>()
            .unwrap()
    };
    assert_eq!(running(&trained.encoder), running(&encoder));
    assert_ne!(
        flat_params(&trained.head),
        head_before,
        "the MLP must learn"
    );
    // On a briefly pretrained, frozen encoder the MLP alone beats chance (10%) clearly.
    let eval = block_on(evaluate(&trained, &test, 250, &device)).unwrap();
    eprintln!(
        "frozen: test loss {}, accuracy {:?}",
        eval.loss, eval.accuracy
    );
    assert!(eval.loss < 2.2, "test loss {}", eval.loss);
    assert!(eval.accuracy.unwrap() > 0.3, "accuracy {:?}", eval.accuracy);
}

#[test]
fn finetuning_trains_a_copy_and_leaves_the_autoencoder_alone() {
    let device = common::device();
    let data = common::train_subset(256);
    let ad = device.clone().autodiff();
    // The autoencoder stays alive beside the classifier, as in the reproduction.
    let autoencoder = AutoencoderConfig::new(Architecture::ThreeLayer, 20).init(&ad);
    let encoder = autoencoder.three_layer_encoder().unwrap();
    let before = flat_params(encoder);
    let classifier = transfer_classifier(TransferScenario::Finetune, Some(encoder), &ad).unwrap();
    assert_eq!(
        flat_params(&classifier.encoder),
        before,
        "starts from the pretrained weights"
    );
    let config = TrainingConfig {
        epochs: 2,
        ..TrainingConfig::default()
    };
    let mut trainer = Trainer::new(classifier, data.len(), config, &device).unwrap();
    while trainer.step(&data).is_some() {}
    let trained = trainer.into_model();
    assert_ne!(
        flat_params(&trained.encoder),
        before,
        "the encoder must learn"
    );
    assert_eq!(
        flat_params(autoencoder.three_layer_encoder().unwrap()),
        before,
        "the autoencoder's own encoder is untouched"
    );
}

#[test]
fn finetuned_classifier_learns_far_beyond_chance() {
    let device = common::device();
    let data = common::train_subset(1_000);
    let test = common::test_subset(500);
    let classifier =
        transfer_classifier(TransferScenario::Scratch, None, &device.clone().autodiff()).unwrap();
    let config = TrainingConfig {
        epochs: 6,
        ..TrainingConfig::default()
    };
    let mut trainer = Trainer::new(classifier, data.len(), config, &device).unwrap();
    while trainer.step(&data).is_some() {}
    let eval = block_on(evaluate(trainer.model(), &test, 250, &device)).unwrap();
    // ln 10 = 2.303 is the loss of a uniform guess: the report's models never left it.
    assert!(eval.loss < 1.0, "test loss {}", eval.loss);
    assert!(
        eval.accuracy.unwrap() > 0.75,
        "accuracy {:?}",
        eval.accuracy
    );
}

#[test]
fn pretrained_scenarios_need_an_encoder() {
    let device = common::device();
    let e = transfer_classifier(TransferScenario::Frozen, None, &device);
    assert!(e.unwrap_err().contains("pretrained encoder"));
}

#[test]
fn transfer_schedule_gives_at_least_2000_steps_and_10_epochs() {
    assert_eq!(transfer_epochs(100, 64), 1000); // 2 steps an epoch
    assert_eq!(transfer_epochs(1_000, 64), 125); // 16 steps an epoch
    assert_eq!(transfer_epochs(60_000, 64), 10); // 938 steps an epoch
}

#[test]
fn bad_settings_are_refused() {
    let device = common::device();
    let data_len = 10;
    let model = || AutoencoderConfig::new(Architecture::OneLayer, 2).init(&device);
    for config in [
        TrainingConfig {
            epochs: 0,
            ..TrainingConfig::default()
        },
        TrainingConfig {
            batch_size: 0,
            ..TrainingConfig::default()
        },
        TrainingConfig {
            learning_rate: f64::NAN,
            ..TrainingConfig::default()
        },
        TrainingConfig {
            learning_rate: -1.0,
            ..TrainingConfig::default()
        },
    ] {
        let e = Trainer::new(model(), data_len, config, &device)
            .err()
            .unwrap();
        assert!(matches!(e, TrainingError::InvalidConfig(_)), "{e}");
    }
    let e = Trainer::new(model(), 0, TrainingConfig::default(), &device)
        .err()
        .unwrap();
    assert!(e.to_string().contains("empty"));
}

/// What a progress report reads: the mean loss (by batch size) over the steps since the last
/// read, so that a read after a whole epoch is that epoch's running loss, and a read after one
/// step is that step's batch loss.
#[test]
fn the_recent_loss_is_the_mean_over_the_steps_since_it_was_read() {
    let device = common::device();
    let data = common::train_subset(100); // at batch 64: a step of 64 images, then one of 36
    let model = AutoencoderConfig::new(Architecture::TwoLayer, 5).init(&device.clone().autodiff());
    let config = TrainingConfig {
        epochs: 2,
        ..TrainingConfig::default()
    };
    let mut trainer = Trainer::new(model, data.len(), config, &device).unwrap();
    let recent = |t: &mut Trainer<_>| block_on(t.take_recent_loss()).unwrap();
    assert_eq!(recent(&mut trainer), None, "before a step");
    let read = |loss| block_on(read_scalar(loss)).unwrap();
    let first = read(trainer.step(&data).unwrap().loss);
    let second = trainer.step(&data).unwrap();
    assert!(second.epoch_finished && second.batch_len == 36);
    let by_hand = (64.0 * first + 36.0 * read(second.loss)) / 100.0;
    let (mean, steps) = recent(&mut trainer).unwrap();
    let epoch = block_on(trainer.take_epoch_loss()).unwrap().unwrap();
    assert_eq!(steps, 2);
    assert!(
        (mean - by_hand).abs() < 1e-6 && (epoch - by_hand).abs() < 1e-6,
        "{mean} {epoch} {by_hand}"
    );
    assert_eq!(recent(&mut trainer), None, "nothing since the read");
    let third = trainer.step(&data).unwrap();
    let (mean, steps) = recent(&mut trainer).unwrap();
    assert_eq!((mean, steps), (read(third.loss), 1));
}
