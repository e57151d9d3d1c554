//! A model's score in the model list, and whether a model trained here has learnt more than
//! no code at all (the mean digit) would reconstruct; the mean digit's own caption.

use crate::engine::{ModelInfo, ModelOrigin};
use crate::ui::format;
use crate::weights::ModelSpec;

/// `97.4 % accuracy` for a classifier, `test loss 0.0098` for an autoencoder.
pub fn score_text(model: &ModelInfo) -> String {
    match model.test_accuracy {
        Some(accuracy) => format!("{:.1} % accuracy", accuracy * 100.0),
        None => format!("test loss {}", format::loss(model.test_loss)),
    }
}

/// What to say beside the score of a plain autoencoder trained here whose test loss is above
/// `no_code`'s (the mean training digit, on the same bundled test digits): it reconstructs
/// worse than the average digit does. `None` for every other model: a pretrained model was
/// scored on full MNIST, a loaded one on unknown digits, a VAE's score is its objective (MSE
/// and KL), and a classifier's is an accuracy.
pub fn above_no_code(model: &ModelInfo, no_code: Option<f32>) -> Option<String> {
    let plain = matches!(model.spec, ModelSpec::Autoencoder { .. }) && model.beta.is_none();
    let (Some(loss), Some(no_code)) = (model.test_loss, no_code) else {
        return None;
    };
    (plain && model.origin == ModelOrigin::Trained && loss > no_code).then(|| {
        format!(
            "above no code ({}): the mean digit reconstructs the test digits better; train longer \
             or on more images",
            format::loss(Some(no_code))
        )
    })
}

/// The caption of the mean training digit beside the training's reconstructions: what it
/// is, and its test loss (the loss chart's grey line) where the engine has worked it out.
pub fn no_code_caption(no_code: Option<f32>) -> String {
    let what = "No code: the mean training digit. A model that has learnt nothing draws it for \
                every digit";
    match no_code {
        Some(loss) => format!(
            "{what}; on the test digits it scores {}, the chart's grey line.",
            format::loss(Some(loss))
        ),
        None => format!("{what}."),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::model::Architecture;
    use crate::ui::experiments::model_info;

    #[test]
    fn the_mean_digits_caption_gives_its_loss_where_there_is_one() {
        assert_eq!(
            no_code_caption(Some(0.064_27)),
            "No code: the mean training digit. A model that has learnt nothing draws it for every \
             digit; on the test digits it scores 0.0643, the chart's grey line."
        );
        assert!(no_code_caption(None).ends_with("for every digit."));
    }

    #[test]
    fn scores_read_as_accuracy_or_loss() {
        let mut m = model_info(
            "m",
            Architecture::TwoLayer,
            20,
            ModelOrigin::Trained,
            Some(0.0098),
        );
        assert_eq!(score_text(&m), "test loss 0.0098");
        m.test_accuracy = Some(0.974);
        assert_eq!(score_text(&m), "97.4 % accuracy");
    }

    #[test]
    fn only_a_plain_autoencoder_trained_here_above_the_line_is_marked() {
        let trained =
            |loss| model_info("m", Architecture::TwoLayer, 20, ModelOrigin::Trained, loss);
        let said = above_no_code(&trained(Some(0.1147)), Some(0.0643)).unwrap();
        assert!(said.starts_with("above no code (0.0643)"), "{said}");
        assert_eq!(
            above_no_code(&trained(Some(0.0348)), Some(0.0643)),
            None,
            "under the line"
        );
        assert_eq!(
            above_no_code(&trained(Some(0.1147)), None),
            None,
            "no line known"
        );
        assert_eq!(
            above_no_code(&trained(None), Some(0.0643)),
            None,
            "no score"
        );
        for origin in [ModelOrigin::Pretrained, ModelOrigin::Uploaded] {
            let m = model_info("m", Architecture::TwoLayer, 20, origin, Some(0.2));
            assert_eq!(above_no_code(&m, Some(0.0643)), None, "{origin:?}");
        }
        let mut vae = trained(Some(0.2));
        vae.beta = Some(1.0);
        assert_eq!(above_no_code(&vae, Some(0.0643)), None, "a VAE's objective");
        let mut classifier = trained(Some(2.3));
        classifier.spec = ModelSpec::Classifier { latent_dim: 20 };
        assert_eq!(above_no_code(&classifier, Some(0.0643)), None);
    }
}
