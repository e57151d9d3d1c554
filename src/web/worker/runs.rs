//! Running a session: a training (new or resumed from its checkpoint) or a transfer run,
//! each claimed from the engine, driven by the engine's slice loop, and its models kept.

use wasm_bindgen_futures::spawn_local;

use super::Shared;
use super::browser::{WorkerHost, fail, now_ms, post};
use super::storage::{forget_checkpoint, keep, save_epoch_checkpoint};
use crate::engine::driver::{Subsets, drive};
use crate::engine::protocol::ErrorSource;
use crate::engine::session::ReportEvery;
use crate::engine::state::{PRETRAINED_ENCODER, RunClaim};
use crate::engine::transfer_session::{TransferRequest, TransferSession};
use crate::engine::{Checkpoint, FromEngine, InterruptedChoice, TrainRequest, TrainingSession};

/// Milliseconds of training between two yields to the event loop.
const SLICE_MS: f64 = 30.0;

/// Claims the engine for a run, or tells the page why `request` was refused.
fn claim(engine: &Shared, request: &str) -> Option<RunClaim> {
    let claimed = engine.borrow_mut().core.claim_run();
    claimed
        .map_err(|message| fail(ErrorSource::request(request, None), message))
        .ok()
}

/// A new training, or the interrupted one resumed from `resume`.
pub(super) fn start_training(engine: &Shared, request: TrainRequest, resume: Option<Checkpoint>) {
    let asked = if resume.is_some() { "resume" } else { "train" };
    let Some(claim) = claim(engine, asked) else {
        // Not now: an interrupted run stays offered.
        if resume.is_some() {
            engine.borrow_mut().core.set_checkpoint(resume);
        }
        return;
    };
    // This run's checkpoints replace the stored one (one checkpoint key).
    engine.borrow_mut().core.checkpoint_awaits(None);
    let engine = engine.clone();
    spawn_local(async move {
        if let Err(message) = train(&engine, claim, request, resume).await {
            fail(ErrorSource::Training, message);
        }
        engine.borrow_mut().core.release_run();
    });
}

pub(super) fn start_transfer(engine: &Shared, request: TransferRequest) {
    let Some(claim) = claim(engine, "transfer") else {
        return;
    };
    let engine = engine.clone();
    spawn_local(async move {
        if let Err(message) = transfer(&engine, claim, request).await {
            fail(ErrorSource::Transfer, message);
            post(&FromEngine::TransferFinished { cancelled: true });
        }
        engine.borrow_mut().core.release_run();
    });
}

/// What the person chose for the training a reload interrupted.
pub(super) fn interrupted(engine: &Shared, choice: InterruptedChoice) {
    let Some(checkpoint) = engine.borrow_mut().core.take_checkpoint() else {
        post(&FromEngine::Interrupted { run: None });
        return;
    };
    match choice {
        InterruptedChoice::Resume => {
            let request = checkpoint.run.request.clone();
            start_training(engine, request, Some(checkpoint));
        }
        InterruptedChoice::KeepModel => {
            let info = engine.borrow_mut().core.add_checkpoint_model(checkpoint);
            post(&FromEngine::ModelUpdated {
                model: info.clone(),
            });
            post(&FromEngine::Interrupted { run: None });
            let engine = engine.clone();
            spawn_local(async move {
                keep_run_model(&engine, info.name).await;
            });
        }
        InterruptedChoice::Discard => {
            post(&FromEngine::Interrupted { run: None });
            let engine = engine.clone();
            spawn_local(async move { forget_checkpoint(&engine).await });
        }
    }
}

/// Keeps a run's model; the run's checkpoint goes only once the model is durably stored. If
/// keeping it fails (storage full), the checkpoint stays, so a reload still offers the run
/// from its last epoch, until a later Keep of the model succeeds.
async fn keep_run_model(engine: &Shared, name: String) {
    if keep(engine, &name).await {
        forget_checkpoint(engine).await;
    } else {
        engine.borrow_mut().core.checkpoint_awaits(Some(name));
    }
}

async fn train(
    engine: &Shared,
    claim: RunClaim,
    request: TrainRequest,
    resume: Option<Checkpoint>,
) -> Result<(), String> {
    let RunClaim {
        number,
        device,
        data,
    } = claim;
    let every = ReportEvery::default();
    let samples = data.samples.clone();
    let mut session = match resume {
        None => TrainingSession::new(
            request.clone(),
            &data.train,
            samples,
            &device,
            now_ms(),
            every,
        ),
        Some(checkpoint) => TrainingSession::from_checkpoint(
            request.clone(),
            checkpoint.model,
            checkpoint.run.epochs_done,
            &data.train,
            samples,
            &device,
            now_ms(),
            every,
        )
        .map(|mut session| {
            session.record_past_epochs(checkpoint.run.epoch_losses);
            session
        }),
    }
    .map_err(|e| e.to_string())?;
    post(&FromEngine::TrainingStarted {
        request: request.clone(),
        steps_per_epoch: session.steps_per_epoch(),
    });
    // A resumed run shows the epochs its checkpoint had done.
    for loss in session.epoch_losses() {
        post(&FromEngine::EpochDone {
            epoch: loss.epoch,
            train_loss: loss.train_loss,
            test_loss: loss.test_loss,
        });
    }
    let subsets = Subsets {
        train: &data.train,
        test: &data.test,
    };
    let db = engine.borrow().db.clone();
    let cancelled = drive(
        &mut session,
        subsets,
        &WorkerHost { engine },
        SLICE_MS,
        async |session: &TrainingSession| {
            if let Some(db) = &db {
                save_epoch_checkpoint(db, session).await;
            }
        },
    )
    .await?;
    let (model, manifest) = session
        .finish(&data.test)
        .await
        .map_err(|e| e.to_string())?;
    let info = engine
        .borrow_mut()
        .core
        .add_trained_autoencoder(&request, number, model, manifest);
    post(&FromEngine::TrainingFinished {
        model: info.clone(),
        cancelled,
    });
    keep_run_model(engine, info.name).await;
    Ok(())
}

/// Runs every scenario of `request`, one after the other; each finished (or cancelled)
/// classifier joins the store.
async fn transfer(
    engine: &Shared,
    claim: RunClaim,
    request: TransferRequest,
) -> Result<(), String> {
    let RunClaim {
        number,
        device,
        data,
    } = claim;
    if request.scenarios.is_empty() {
        return Err("choose at least one scenario".into());
    }
    let encoder = engine.borrow().core.pretrained_encoder();
    post(&FromEngine::TransferStarted {
        request: request.clone(),
    });
    let subsets = Subsets {
        train: &data.train,
        test: &data.test,
    };
    let mut cancelled = false;
    for &scenario in &request.scenarios {
        let mut session = TransferSession::new(
            scenario,
            &request,
            encoder.as_ref(),
            &data.train,
            &device,
            now_ms(),
        )
        .map_err(|e| {
            format!("{scenario}: {e} (the pretrained {PRETRAINED_ENCODER} encoder is needed except from scratch)")
        })?;
        cancelled = drive(
            &mut session,
            subsets,
            &WorkerHost { engine },
            SLICE_MS,
            async |_: &TransferSession| {},
        )
        .await?;
        let (model, manifest, result) = session
            .finish(&data.test, now_ms())
            .await
            .map_err(|e| format!("{scenario}: {e}"))?;
        let info = engine
            .borrow_mut()
            .core
            .add_trained_classifier(scenario, number, model, manifest);
        post(&FromEngine::TransferDone {
            result,
            model: info.clone(),
        });
        keep(engine, &info.name).await;
        if cancelled {
            break;
        }
    }
    post(&FromEngine::TransferFinished { cancelled });
    Ok(())
}
