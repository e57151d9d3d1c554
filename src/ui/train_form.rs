//! The training view's form: text fields to a checked [`TrainRequest`].

use super::loss_axis::LossAxis;
use crate::engine::TrainRequest;
use crate::engine::pretrained::NO_TRAINING_SUBSET;
use crate::model::{Architecture, DEFAULT_BETA, MAX_LATENT_DIM, check_beta};
use crate::training::TrainingConfig;

/// The form as typed (every field a string, as inputs give them).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainForm {
    pub architecture: String,
    pub latent_dim: String,
    pub epochs: String,
    pub batch_size: String,
    pub learning_rate: String,
    pub train_images: String,
    /// Seeds the initial weights and the shuffles: the same seed, settings and backend give the
    /// same run.
    pub seed: String,
    /// The KL weight β, read for a variational autoencoder only.
    pub beta: String,
    /// What the loss chart's x axis counts: not a training setting, but kept with the form so
    /// that the address (and a link) holds it.
    pub chart_x: LossAxis,
}

impl TrainForm {
    /// The exercise's defaults: two layers, d = 20, Adam 1e-3, batch 64; a short run on
    /// `available` images (all of the bundled subset).
    pub fn defaults(available: usize) -> Self {
        let defaults = TrainingConfig::default();
        Self {
            architecture: Architecture::TwoLayer.to_string(),
            latent_dim: "20".into(),
            epochs: "2".into(),
            batch_size: defaults.batch_size.to_string(),
            learning_rate: defaults.learning_rate.to_string(),
            train_images: available.to_string(),
            seed: defaults.seed.to_string(),
            beta: DEFAULT_BETA.to_string(),
            chart_x: LossAxis::Epochs,
        }
    }

    /// Checks every field; the error names the field and the accepted range.
    pub fn parse(&self, available: usize) -> Result<TrainRequest, String> {
        let architecture = parse_architecture(&self.architecture)?;
        Ok(TrainRequest {
            architecture,
            latent_dim: parse_latent_dim(&self.latent_dim)?,
            training: TrainingConfig {
                epochs: parse_epochs(&self.epochs)?,
                batch_size: parse_batch_size(&self.batch_size)?,
                learning_rate: parse_learning_rate(&self.learning_rate)?,
                seed: parse_seed(&self.seed)?,
            },
            train_images: parse_train_images(&self.train_images, available)?,
            beta: if architecture.is_variational() {
                Some(parse_beta(&self.beta)?)
            } else {
                None
            },
        })
    }
}

// One checked parser per field: the form and a link's parameters (`ui::view_links`) use the
// same ones.

pub fn parse_architecture(text: &str) -> Result<Architecture, String> {
    text.trim().parse()
}

pub fn parse_latent_dim(text: &str) -> Result<usize, String> {
    int_in("latent size", text, 1, MAX_LATENT_DIM)
}

pub fn parse_epochs(text: &str) -> Result<usize, String> {
    int_in("epochs", text, 1, 100)
}

pub fn parse_batch_size(text: &str) -> Result<usize, String> {
    int_in("batch size", text, 1, 4096)
}

/// `available`: the training subset's images, 0 before the start has loaded them or where it
/// could not.
pub fn parse_train_images(text: &str, available: usize) -> Result<usize, String> {
    if available == 0 {
        return Err(format!("training images: {NO_TRAINING_SUBSET}"));
    }
    int_in("training images", text, 1, available)
}

/// What follows the training-images box: how many the subset holds. Until the start has
/// loaded it the count is unknown, not 0 (the form once read "10000 of 0" while the page
/// started); a subset that could not be loaded says so, not "loading" for ever.
pub fn available_images_note(available: usize, loaded: bool) -> String {
    match (available, loaded) {
        (0, false) => " of … (the subset is loading)".to_string(),
        (0, true) => {
            " of 0: the training subset could not be loaded (what went wrong is listed at the top)"
                .to_string()
        }
        (n, _) => format!(" of {}", super::format::thousands(n)),
    }
}

pub fn parse_learning_rate(text: &str) -> Result<f64, String> {
    let learning_rate: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("learning rate: '{text}' is not a number"))?;
    if !(learning_rate.is_finite() && learning_rate > 0.0 && learning_rate <= 1.0) {
        return Err(format!(
            "learning rate must be in (0, 1], not {learning_rate}"
        ));
    }
    Ok(learning_rate)
}

/// The training view's speeds: full, or slow motion at so many optimiser steps a second.
pub const SLOW_MOTION_CHOICES: [(&str, &str); 5] = [
    ("", "full speed"),
    ("10", "10 steps/s"),
    ("2", "2 steps/s"),
    ("1", "1 step/s"),
    ("0.5", "1 step every 2 s"),
];

/// A speed of [`SLOW_MOTION_CHOICES`] as steps a second (`None`: full speed, or not a rate).
pub fn parse_slow_motion(value: &str) -> Option<f32> {
    value
        .trim()
        .parse::<f32>()
        .ok()
        .filter(|r| r.is_finite() && *r > 0.0)
}

/// β, the VAE's KL weight: a number from 0 to [`MAX_BETA`].
pub fn parse_beta(text: &str) -> Result<f32, String> {
    let beta: f32 = text
        .trim()
        .parse()
        .map_err(|_| format!("β: '{text}' is not a number"))?;
    check_beta(Architecture::Vae, beta)
}

pub fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "seed: '{text}' is not a whole number from 0 to {}",
            u64::MAX
        )
    })
}

fn int_in(field: &str, text: &str, min: usize, max: usize) -> Result<usize, String> {
    let value: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("{field}: '{text}' is not a whole number"))?;
    if value < min || value > max {
        return Err(format!(
            "{field} must be between {min} and {max}, not {value}"
        ));
    }
    Ok(value)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_to_the_exercise_settings() {
        let request = TrainForm::defaults(10_000).parse(10_000).unwrap();
        assert_eq!(request.architecture, Architecture::TwoLayer);
        assert_eq!(request.latent_dim, 20);
        assert_eq!(request.training.batch_size, 64);
        assert_eq!(request.training.learning_rate, 1e-3);
        assert_eq!(request.train_images, 10_000);
    }

    #[test]
    fn the_subset_count_is_unknown_until_it_loads() {
        assert_eq!(available_images_note(10_000, true), " of 10,000");
        assert_eq!(
            available_images_note(0, false),
            " of … (the subset is loading)"
        );
        assert!(
            available_images_note(0, true).contains("could not be loaded"),
            "a start that ended without the subset does not say it is loading"
        );
        // Start, then, says why: not "between 1 and 1".
        let err = parse_train_images("100", 0).unwrap_err();
        assert!(err.contains("training subset could not be loaded"), "{err}");
        assert_eq!(parse_train_images("100", 500), Ok(100));
        assert!(parse_train_images("501", 500).is_err());
    }

    #[test]
    fn bad_fields_are_named() {
        let ok = TrainForm::defaults(1000);
        let with = |f: fn(&mut TrainForm)| {
            let mut form = ok.clone();
            f(&mut form);
            form.parse(1000).unwrap_err()
        };
        assert!(with(|f| f.architecture = "four-layer".into()).contains("four-layer"));
        assert!(with(|f| f.latent_dim = "0".into()).contains("latent size"));
        assert!(with(|f| f.epochs = "two".into()).contains("epochs"));
        assert!(with(|f| f.batch_size = "-3".into()).contains("batch size"));
        assert!(with(|f| f.learning_rate = "NaN".into()).contains("learning rate"));
        assert!(with(|f| f.learning_rate = "abc".into()).contains("learning rate"));
        assert!(with(|f| f.train_images = "1001".into()).contains("between 1 and 1000"));
        assert!(with(|f| f.seed = "-1".into()).contains("seed"));
        let mut seeded = ok.clone();
        seeded.seed = " 7 ".into();
        assert_eq!(seeded.parse(1000).unwrap().training.seed, 7);
    }

    #[test]
    fn slow_motion_choices_are_rates_the_engine_takes() {
        use crate::engine::state::SLOW_MOTION_RATES;
        assert_eq!(
            parse_slow_motion(SLOW_MOTION_CHOICES[0].0),
            None,
            "full speed"
        );
        for (value, _) in &SLOW_MOTION_CHOICES[1..] {
            let rate = parse_slow_motion(value).unwrap();
            assert!(SLOW_MOTION_RATES.contains(&rate), "{value}");
        }
        assert_eq!(parse_slow_motion("0"), None);
        assert_eq!(parse_slow_motion("NaN"), None);
    }

    #[test]
    fn beta_is_read_for_the_vae_only() {
        let mut form = TrainForm::defaults(1000);
        form.beta = "abc".into();
        assert_eq!(
            form.parse(1000).unwrap().beta,
            None,
            "a plain autoencoder has no β"
        );
        form.architecture = "vae".into();
        assert!(form.parse(1000).unwrap_err().contains("β: 'abc'"));
        form.beta = " 0.5 ".into();
        assert_eq!(form.parse(1000).unwrap().beta, Some(0.5));
        form.beta = "0".into();
        assert_eq!(
            form.parse(1000).unwrap().beta,
            Some(0.0),
            "β = 0: a plain AE with noise"
        );
        for bad in ["-1", "101", "NaN", "inf"] {
            form.beta = bad.into();
            assert!(form.parse(1000).unwrap_err().contains("β"), "{bad}");
        }
        assert_eq!(TrainForm::defaults(10).beta, "1");
    }
}
