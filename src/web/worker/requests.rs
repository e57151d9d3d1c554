//! The views' requests that answer at once (no run claims the engine): latent analyses,
//! classifier evaluations, decoded interpolations, readings of a drawing, and the model
//! list's download, load and remove.

use std::rc::Rc;

use super::Shared;
use super::browser::{cpu, fail, fetch_bytes, next_task, now_ms, post};
use super::storage::{forget_model, keep};
use crate::engine::classifier_evaluation::{ClassifierEvaluation, evaluate_classifier_in_steps};
use crate::engine::confusion_cell::{CellDigits, confusion_cell_digits};
use crate::engine::drawing_reading::{DrawingModels, DrawingReading, LatentIndex, read_drawing};
use crate::engine::epoch_recording::RecordedEpochs;
use crate::engine::interpolation_diagnostics::{FrameDiagnostics, decode_with_diagnostics};
use crate::engine::latent_analysis::{
    AnalysisProgress, LatentAnalysis, analyse_latents_in_steps, decode_between,
};
use crate::engine::latent_selection::{
    BrushedDigits, CoordinateScatter, brushed_digits, coordinate_scatter,
};
use crate::engine::pretrained::epochs_url;
use crate::engine::protocol::ErrorSource;
use crate::engine::state::AutoencoderOnTest;
use crate::engine::store::model_name_from_file;
use crate::engine::{FromEngine, ImageRef, ModelOrigin};
use crate::model::Classifier;

pub(super) async fn analyse(engine: &Shared, name: &str) -> Result<LatentAnalysis, String> {
    let AutoencoderOnTest {
        model,
        device,
        test,
    } = engine.borrow().core.autoencoder_on_test(name)?;
    // Progress at most every 100 ms; the page's messages get in after every step.
    let mut last_post = f64::NEG_INFINITY;
    analyse_latents_in_steps(name, &model, &test, &device, async |p: AnalysisProgress| {
        if now_ms() - last_post >= 100.0 {
            last_post = now_ms();
            post(&FromEngine::AnalysisProgress {
                model: name.to_string(),
                done: p.done,
                total: p.total,
            });
        }
        next_task().await;
    })
    .await
}

/// A classifier's loss and accuracy on the test subset, in steps with progress.
pub(super) async fn evaluate(engine: &Shared, name: &str) -> Result<ClassifierEvaluation, String> {
    let (model, device, test) = engine.borrow().core.classifier_on_test(name)?;
    evaluate_classifier_in_steps(name, &model, &test, &device, async |done, total| {
        post(&FromEngine::AnalysisProgress {
            model: name.to_string(),
            done,
            total,
        });
        next_task().await;
    })
    .await
}

/// The test digits of one cell of a classifier's confusion matrix.
pub(super) async fn confusion_cell(
    engine: &Shared,
    name: &str,
    true_digit: u8,
    guess: u8,
) -> Result<CellDigits, String> {
    let (model, device, test) = engine.borrow().core.classifier_on_test(name)?;
    confusion_cell_digits(name, &model, &test, true_digit, guess, &device).await
}

pub(super) async fn decode_frames(
    engine: &Shared,
    name: &str,
    from: &ImageRef,
    to: &ImageRef,
    alphas: &[f32],
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let AutoencoderOnTest {
        model,
        device,
        test,
    } = engine.borrow().core.autoencoder_on_test(name)?;
    decode_between(&model, &test, from, to, alphas, &device).await
}

/// Decoded frames with what each one is; the autoencoder's test-subset codes are made once.
pub(super) async fn decode_and_diagnose(
    engine: &Shared,
    name: &str,
    from: &ImageRef,
    to: &ImageRef,
    alphas: &[f32],
    classifier_name: Option<&str>,
) -> Result<(Vec<u8>, Vec<u8>, FrameDiagnostics), String> {
    let classifier = optional_classifier(engine, classifier_name)?;
    let (
        AutoencoderOnTest {
            model,
            device,
            test,
        },
        index,
    ) = indexed_autoencoder(engine, name).await?;
    // The typical neighbour distance takes a moment the first time: let messages in first.
    next_task().await;
    decode_with_diagnostics(
        &model,
        &index,
        &test,
        from,
        to,
        alphas,
        classifier.as_ref().map(|(n, m)| (*n, m)),
        &device,
    )
    .await
}

/// Two coordinates of the autoencoder's code of every test digit.
pub(super) async fn coordinate_pair(
    engine: &Shared,
    name: &str,
    i: usize,
    j: usize,
) -> Result<CoordinateScatter, String> {
    let (_, index) = indexed_autoencoder(engine, name).await?;
    coordinate_scatter(name, &index, i, j)
}

/// The brushed test digits and the decoded mean of their codes.
pub(super) async fn brush(
    engine: &Shared,
    name: &str,
    indices: &[usize],
) -> Result<BrushedDigits, String> {
    let (
        AutoencoderOnTest {
            model,
            device,
            test,
        },
        index,
    ) = indexed_autoencoder(engine, name).await?;
    brushed_digits(name, &model, &index, &test, indices, &device).await
}

/// A model's latent map through the epochs: recorded while it trained here (or kept with it),
/// or, for a pretrained model, the one `latent-lab reproduce` recorded, fetched on first use
/// beside its weights and checked against the test subset.
pub(super) async fn recorded_epochs(engine: &Shared, name: &str) -> Result<RecordedEpochs, String> {
    if let Some(recorded) = engine.borrow().core.recorded_epochs(name) {
        return Ok((*recorded).clone());
    }
    let (origin, base_url, test) = {
        let e = engine.borrow();
        let info = e
            .core
            .store
            .info(name)
            .ok_or_else(|| format!("'{name}' is not in the model list"))?;
        (info.origin, e.base_url.clone(), e.core.test_subset())
    };
    if origin != ModelOrigin::Pretrained {
        return Err(format!(
            "no epochs were recorded for '{name}': they are recorded while a model trains in this page"
        ));
    }
    let test = test.ok_or("the data is not loaded yet")?;
    let url = epochs_url(&base_url, name);
    let bytes = fetch_bytes(&url).await?;
    let recorded = RecordedEpochs::from_json(name, &bytes, &test)
        .map_err(|e| format!("the latent map through the epochs of '{name}' ({url}): {e}"))?;
    let recorded = engine
        .borrow_mut()
        .core
        .insert_recorded_epochs(name, recorded, &test)?;
    Ok((*recorded).clone())
}

/// An autoencoder of the model list with what it is used with, and its codes of the test
/// subset (cached with the model, made on first use).
async fn indexed_autoencoder(
    engine: &Shared,
    name: &str,
) -> Result<(AutoencoderOnTest, Rc<LatentIndex>), String> {
    let found = engine.borrow().core.autoencoder_on_test(name)?;
    let cached = engine.borrow().core.latent_index(name);
    let index = match cached {
        Some(index) => index,
        None => {
            let index =
                Rc::new(LatentIndex::build(&found.model, &found.test, &found.device).await?);
            engine
                .borrow_mut()
                .core
                .cache_latent_index(name, index.clone());
            index
        }
    };
    Ok((found, index))
}

/// The classifier a request names, if it names one.
fn optional_classifier<'a>(
    engine: &Shared,
    name: Option<&'a str>,
) -> Result<Option<(&'a str, Classifier)>, String> {
    name.map(|c| Ok((c, engine.borrow().core.classifier(c)?)))
        .transpose()
}

/// What the models make of a drawing; the autoencoder's test-subset codes are made once.
pub(super) async fn read(
    engine: &Shared,
    seq: u64,
    name: &str,
    classifier_name: Option<&str>,
    pixels: &[u8],
) -> Result<DrawingReading, String> {
    let classifier = optional_classifier(engine, classifier_name)?;
    let (
        AutoencoderOnTest {
            model,
            device,
            test,
        },
        index,
    ) = indexed_autoencoder(engine, name).await?;
    let values = crate::data::bytes_to_values(pixels);
    let models = DrawingModels {
        autoencoder_name: name,
        autoencoder: &model,
        index: &index,
        classifier: classifier.as_ref().map(|(n, m)| (*n, m)),
        set: &test,
    };
    read_drawing(models, seq, &values, &device).await
}

/// A model's weight file, for the page to offer as a download.
pub(super) async fn download(engine: &Shared, name: String) {
    let snapshot = engine.borrow().core.store.snapshot(&name);
    let result = match snapshot {
        Ok(snapshot) => snapshot
            .to_bytes(&cpu())
            .await
            .map(|bytes| (snapshot.file_name(), bytes)),
        Err(e) => Err(e),
    };
    match result {
        Ok((file_name, bytes)) => post(&FromEngine::ModelFile {
            name,
            file_name,
            bytes,
        }),
        Err(e) => fail(
            ErrorSource::request("download", Some(&name)),
            format!("could not save the model: {e}"),
        ),
    }
}

/// A weight file the person picked: its model joins the list and is kept, or the file is
/// refused with the reason and nothing changes.
pub(super) async fn load_file(engine: &Shared, file_name: &str, bytes: &[u8]) {
    let device = engine.borrow().core.device().cloned();
    let Some(device) = device else {
        fail(
            ErrorSource::request("load_file", Some(file_name)),
            "the engine has not started yet",
        );
        return;
    };
    let name = model_name_from_file(file_name);
    let added =
        engine
            .borrow_mut()
            .core
            .store
            .insert_file(&name, bytes, ModelOrigin::Uploaded, &device);
    match added {
        Ok(model) => {
            post(&FromEngine::ModelUpdated {
                model: model.clone(),
            });
            keep(engine, &model.name).await;
        }
        Err(e) => fail(
            ErrorSource::request("load_file", Some(file_name)),
            format!("'{file_name}' was not loaded: {e}. Nothing changed."),
        ),
    }
}

/// Takes a model out of the list at once, then out of the browser's storage.
pub(super) fn remove(engine: &Shared, name: String) {
    let removed = engine.borrow_mut().core.remove_model(&name);
    let id = match removed {
        Ok(info) => info.id,
        Err(e) => {
            fail(ErrorSource::request("remove", Some(&name)), e);
            return;
        }
    };
    post(&FromEngine::ModelRemoved { name: name.clone() });
    let Some(db) = engine.borrow().db.clone() else {
        return;
    };
    super::spawn_request(engine, async move {
        if let Err(e) = forget_model(&db, &id).await {
            post(&FromEngine::Notice {
                message: format!(
                    "'{name}' is gone from the page but may come back after a reload: {e}"
                ),
            });
        }
    });
}
