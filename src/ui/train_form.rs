//! The training view's form: text fields to a checked [`TrainRequest`].

use crate::engine::TrainRequest;
use crate::model::{Architecture, MAX_LATENT_DIM};
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
        }
    }

    /// Checks every field; the error names the field and the accepted range.
    pub fn parse(&self, available: usize) -> Result<TrainRequest, String> {
        let architecture: Architecture = self.architecture.parse()?;
        let latent_dim = int_in("latent size", &self.latent_dim, 1, MAX_LATENT_DIM)?;
        let epochs = int_in("epochs", &self.epochs, 1, 100)?;
        let batch_size = int_in("batch size", &self.batch_size, 1, 4096)?;
        let train_images = int_in("training images", &self.train_images, 1, available.max(1))?;
        let learning_rate: f64 = self
            .learning_rate
            .trim()
            .parse()
            .map_err(|_| format!("learning rate: '{}' is not a number", self.learning_rate))?;
        if !(learning_rate.is_finite() && learning_rate > 0.0 && learning_rate <= 1.0) {
            return Err(format!(
                "learning rate must be in (0, 1], not {learning_rate}"
            ));
        }
        Ok(TrainRequest {
            architecture,
            latent_dim,
            training: TrainingConfig {
                epochs,
                batch_size,
                learning_rate,
                ..TrainingConfig::default()
            },
            train_images,
        })
    }
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
    }
}
