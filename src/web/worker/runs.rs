//! Running a session: a training (new or resumed from its checkpoint) or a transfer run,
//! each claimed from the engine, driven by the engine's slice loop, and its models kept.

use wasm_bindgen_futures::spawn_local;

use super::Shared;
use super::browser::{WorkerHost, fail, fail_run, now_ms, post};
use super::storage::{
    NAMING_LOCK, forget_checkpoint, keep, live_run_ids, refresh_offers, run_lock_name,
    save_epoch_checkpoint, watch_run,
};
use crate::engine::driver::{Subsets, drive};
use crate::engine::protocol::ErrorSource;
use crate::engine::session::ReportEvery;
use crate::engine::state::{PRETRAINED_ENCODER, RunClaim, run_id_number};
use crate::engine::transfer_session::{TransferRequest, TransferSession};
use crate::engine::{Checkpoint, FromEngine, InterruptedChoice, TrainRequest, TrainingSession};
use crate::web::tab_channel::{self, Change};
use crate::web::web_locks::{self, HeldLock};

/// Milliseconds of training between two yields to the event loop.
const SLICE_MS: f64 = 30.0;

/// Claims the engine for a run, or tells the page why `request` was refused.
fn claim(engine: &Shared, request: &str) -> Option<RunClaim> {
    let claimed = engine.borrow_mut().core.claim_run();
    claimed
        .map_err(|message| fail(ErrorSource::request(request, None), message))
        .ok()
}

/// Gives a claimed run a number no other tab uses, and holds its lock for as long as the run
/// lives. A resumed run keeps its id (its checkpoint's key), its lock (`resumed`, held since
/// the person chose it) and, where no model took it meanwhile, its number.
async fn number_run(
    engine: &Shared,
    claim: &mut RunClaim,
    resumed: Option<(String, HeldLock)>,
) -> Result<HeldLock, String> {
    let _naming = web_locks::hold(NAMING_LOCK).await?;
    let mut live = live_run_ids().await?;
    if let Some((id, _)) = &resumed {
        live.retain(|other| other != id);
        claim.number = run_id_number(id).unwrap_or(claim.number);
    }
    engine.borrow_mut().core.number_past(claim, &live);
    match resumed {
        Some((id, lock)) => {
            claim.run_id = id;
            Ok(lock)
        }
        None => web_locks::hold(&run_lock_name(&claim.run_id)).await,
    }
}

/// The page's list of interrupted runs, as this tab offers it now.
fn post_offers(engine: &Shared) {
    post(&FromEngine::Interrupted {
        runs: engine.borrow().core.interrupted_runs(),
    });
}

/// A new training, or the interrupted one resumed from `resume` (with its run's lock).
pub(super) fn start_training(
    engine: &Shared,
    request: TrainRequest,
    resume: Option<(Checkpoint, HeldLock)>,
) {
    let asked = if resume.is_some() { "resume" } else { "train" };
    let Some(mut claim) = claim(engine, asked) else {
        // Not now: an interrupted run stays offered.
        if let Some((checkpoint, _lock)) = resume {
            engine.borrow_mut().core.offer_checkpoints(vec![checkpoint]);
            post_offers(engine);
        }
        return;
    };
    let engine = engine.clone();
    spawn_local(async move {
        // A resumed run goes on writing the checkpoint it was offered from.
        let (resume, resumed) = match resume {
            Some((checkpoint, lock)) => {
                let id = checkpoint.run.id.clone();
                (Some(checkpoint), Some((id, lock)))
            }
            None => (None, None),
        };
        let outcome = match number_run(&engine, &mut claim, resumed).await {
            Ok(lock) => train(&engine, claim, request, resume, lock).await,
            Err(e) => Err(format!("the training could not start: {e}")),
        };
        engine.borrow_mut().core.release_run();
        if let Err(message) = outcome {
            fail_run(&engine, ErrorSource::Training, message).await;
            // Its last epoch's checkpoint, if any, is offered at once.
            for problem in refresh_offers(&engine).await {
                post(&FromEngine::Notice { message: problem });
            }
        }
    });
}

pub(super) fn start_transfer(engine: &Shared, request: TransferRequest) {
    let Some(mut claim) = claim(engine, "transfer") else {
        return;
    };
    let engine = engine.clone();
    spawn_local(async move {
        let outcome = match number_run(&engine, &mut claim, None).await {
            Ok(_lock) => transfer(&engine, claim, request).await,
            Err(e) => Err(format!("the transfer run could not start: {e}")),
        };
        if let Err(message) = outcome {
            fail_run(&engine, ErrorSource::Transfer, message).await;
            post(&FromEngine::TransferFinished { cancelled: true });
        }
        engine.borrow_mut().core.release_run();
    });
}

/// What the person chose for the interrupted run `id`. The run may have been taken up in
/// another tab since it was offered: its lock says so, and then nothing here touches it.
pub(super) fn interrupted(engine: &Shared, id: String, choice: InterruptedChoice) {
    let engine = engine.clone();
    super::spawn_request(&engine.clone(), async move {
        let source = || ErrorSource::request("interrupted", Some(&id));
        let lock = match web_locks::try_hold(&run_lock_name(&id)).await {
            Ok(Some(lock)) => lock,
            Ok(None) => {
                // Withdrawn while the other tab has it; offered again if that tab lets it go
                // unfinished (closed, or its engine gone).
                engine.borrow_mut().core.take_checkpoint(&id);
                post_offers(&engine);
                fail(source(), "this training is going on in another tab");
                watch_run(&engine, id.clone());
                return;
            }
            Err(e) => {
                fail(source(), e);
                return;
            }
        };
        let Some(checkpoint) = engine.borrow_mut().core.take_checkpoint(&id) else {
            post_offers(&engine);
            return;
        };
        post_offers(&engine);
        match choice {
            InterruptedChoice::Resume => {
                let request = checkpoint.run.request.clone();
                start_training(&engine, request, Some((checkpoint, lock)));
                // The other tabs withdraw their offer of it.
                tab_channel::announce(Change::Checkpoints);
            }
            InterruptedChoice::KeepModel => {
                let info = engine.borrow_mut().core.add_checkpoint_model(checkpoint);
                post(&FromEngine::ModelUpdated {
                    model: info.clone(),
                });
                keep_run_model(&engine, info.name, id, lock).await;
            }
            InterruptedChoice::Discard => {
                forget_checkpoint(&engine, &id).await;
                drop(lock);
            }
        }
    });
}

/// Keeps a run's model; the run's checkpoint goes only once the model is durably stored. If
/// keeping it fails (storage full), the checkpoint stays, so a reload still offers the run
/// from its last epoch, until a later Keep of the model succeeds; meanwhile this tab holds
/// the run's lock, so no other tab offers it.
async fn keep_run_model(engine: &Shared, name: String, run_id: String, lock: HeldLock) {
    if keep(engine, &name).await {
        forget_checkpoint(engine, &run_id).await;
    } else {
        let mut e = engine.borrow_mut();
        e.core.checkpoint_awaits(&name, &run_id);
        e.run_locks.insert(run_id, lock);
    }
}

async fn train(
    engine: &Shared,
    claim: RunClaim,
    request: TrainRequest,
    resume: Option<Checkpoint>,
    lock: HeldLock,
) -> Result<(), String> {
    let RunClaim {
        number,
        run_id,
        device,
        data,
    } = claim;
    let every = ReportEvery::default();
    let samples = data.samples.clone();
    let session = match resume {
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
    let mut session = on_copies(session)?;
    post(&FromEngine::TrainingStarted {
        run_id: run_id.clone(),
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
                save_epoch_checkpoint(db, session, &run_id).await;
            }
        },
    )
    .await?;
    let recording = session.take_recording();
    let (model, manifest) = session
        .finish(&data.test)
        .await
        .map_err(|e| e.to_string())?;
    let info = engine
        .borrow_mut()
        .core
        .add_trained_autoencoder(&request, number, model, manifest);
    if let Some(recording) = recording {
        engine
            .borrow_mut()
            .core
            .keep_recording(&info.name, recording);
    }
    post(&FromEngine::TrainingFinished {
        model: info.clone(),
        cancelled,
    });
    keep_run_model(engine, info.name, run_id, lock).await;
    Ok(())
}

/// `session` on the copies of the model the address asked for (`?copies=`), where the
/// threaded engine started some.
fn on_copies(session: TrainingSession) -> Result<TrainingSession, String> {
    #[cfg(feature = "threads")]
    if let Some(copies) = super::kernel_threads::copies() {
        return session.with_copies(copies).map_err(|e| e.to_string());
    }
    Ok(session)
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
        ..
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
        let (model, manifest, mut result) = session
            .finish(&data.test, now_ms())
            .await
            .map_err(|e| format!("{scenario}: {e}"))?;
        let info = engine
            .borrow_mut()
            .core
            .add_trained_classifier(scenario, number, model, manifest);
        result.classifier = info.name.clone();
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
