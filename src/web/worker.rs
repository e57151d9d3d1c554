//! The engine worker: receives [`ToEngine`] messages, drives the engine, posts
//! [`FromEngine`] events. Long work runs in slices of a few tens of milliseconds, yielding to
//! the worker's event loop between them so that pause and cancel get through.

use std::cell::RefCell;
use std::rc::Rc;

use burn::prelude::Device;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, WorkerGlobalScope};

use super::indexed_db::Database;
use super::js_error;
use super::worker_backend::choose_backend;
use super::worker_storage as storage;
use crate::BackendKind;
use crate::data::{MnistSet, Split};
use crate::engine::analysis::{LatentAnalysis, analyse_latents, decode_between, gallery_indices};
use crate::engine::drawing::{DrawingModels, DrawingReading, LatentIndex, read_drawing};
use crate::engine::pretrained::{data_urls, pretrained_names, weights_url};
use crate::engine::progress::Pausable;
use crate::engine::protocol::{decode, encode};
use crate::engine::session::{ReportEvery, TrainingSession, sample_digits};
use crate::engine::store::{ModelSnapshot, StoredModel, name_for_file};
use crate::engine::transfer_session::{TransferRequest, TransferSession};
use crate::engine::{
    FromEngine, ImageRef, InterruptedChoice, InterruptedRun, ModelOrigin, ModelStore, ToEngine,
    TrainRequest,
};
use crate::model::Autoencoder;
use crate::weights::WeightsManifest;

/// Milliseconds of training between two yields to the event loop.
const SLICE_MS: f64 = 30.0;
/// Sample digits shown with their reconstructions.
const SAMPLES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    Run,
    Pause,
    Cancel,
}

/// A training a reload interrupted: its record, and its last completed epoch's model.
type Checkpoint = (InterruptedRun, Autoencoder, WeightsManifest);

#[derive(Default)]
struct Engine {
    device: Option<Device>,
    train: Option<Rc<MnistSet>>,
    test: Option<Rc<MnistSet>>,
    samples: Vec<usize>,
    store: ModelStore,
    training: bool,
    control: Option<Control>,
    runs: usize,
    /// The browser's storage; `None` where IndexedDB is unavailable (nothing is kept then).
    db: Option<Rc<Database>>,
    checkpoint: Option<Checkpoint>,
    /// Each autoencoder's codes of the test subset, made on its first drawing.
    latent_indices: std::collections::HashMap<String, Rc<LatentIndex>>,
}

/// The device weight files are written from (WebGPU tensors are read back to it first).
fn cpu() -> Device {
    BackendKind::Flex.cpu_backend().device
}

type Shared = Rc<RefCell<Engine>>;

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(event: &FromEngine) {
    // Posting a string to our own page cannot fail short of the page being gone.
    let _ = scope().post_message(&JsValue::from_str(&encode(event)));
}

fn fail(message: impl Into<String>, backend_lost: bool) {
    post(&FromEngine::Failed {
        message: message.into(),
        backend_lost,
    });
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The channel [`next_task`] posts to, and the handler that resolves its waiting promises.
type TaskChannel = (web_sys::MessageChannel, Closure<dyn FnMut()>);

thread_local! {
    /// One message channel for [`next_task`], and the promises waiting on it, oldest first.
    static NEXT_TASK: RefCell<Option<TaskChannel>> = const { RefCell::new(None) };
    static WAITING: RefCell<std::collections::VecDeque<js_sys::Function>> =
        const { RefCell::new(std::collections::VecDeque::new()) };
}

/// Resolves on the next turn of the event loop, so that messages from the page (pause,
/// cancel, other requests) get through between two slices of work. A message to a
/// `MessageChannel` is a task like a timer's, but Chromium clamps a nested `setTimeout(0)` to
/// 4 ms: with 30 ms slices that idled the trainer about 12 % of the time.
pub(crate) async fn next_task() {
    let port = NEXT_TASK.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            let channel = web_sys::MessageChannel::new().ok()?;
            let on_message = Closure::<dyn FnMut()>::new(|| {
                if let Some(resolve) = WAITING.with(|w| w.borrow_mut().pop_front()) {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            });
            channel
                .port1()
                .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            *cell = Some((channel, on_message));
        }
        cell.as_ref().map(|(channel, _)| channel.port2())
    });
    let Some(port) = port else {
        return sleep(0).await;
    };
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        WAITING.with(|w| w.borrow_mut().push_back(resolve));
        if port.post_message(&JsValue::UNDEFINED).is_err() {
            // Never left waiting: resolve now (this turn) rather than hang.
            if let Some(resolve) = WAITING.with(|w| w.borrow_mut().pop_back()) {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves after `ms` milliseconds.
pub(crate) async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global: WorkerGlobalScope = js_sys::global().unchecked_into();
        let _ = global.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// Fetches a file of the page's own origin as bytes.
pub(crate) async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let global: WorkerGlobalScope = js_sys::global().unchecked_into();
    let response = JsFuture::from(global.fetch_with_str(url))
        .await
        .map_err(|e| format!("{url}: {}", js_error(&e)))?;
    let response: web_sys::Response = response.unchecked_into();
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let buffer = JsFuture::from(
        response
            .array_buffer()
            .map_err(|e| format!("{url}: {}", js_error(&e)))?,
    )
    .await
    .map_err(|e| format!("{url}: {}", js_error(&e)))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Entry point of the worker's wasm.
pub fn run() {
    console_error_panic_hook::set_once();
    let engine: Shared = Rc::new(RefCell::new(Engine::default()));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(text) = event.data().as_string() else {
            fail("the page sent a message that is not text", false);
            return;
        };
        match decode::<ToEngine>(&text) {
            Ok(message) => handle(&engine, message),
            Err(e) => fail(e, false),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromEngine::Ready);
}

fn handle(engine: &Shared, message: ToEngine) {
    match message {
        ToEngine::Start { backend, base_url } => {
            let engine = engine.clone();
            spawn_local(async move { start(engine, backend, base_url).await });
        }
        ToEngine::Train(request) => {
            if claim_engine(engine) {
                run_training(engine, request, None);
            }
        }
        ToEngine::Pause => set_control(engine, Control::Pause),
        ToEngine::Resume => set_control(engine, Control::Run),
        ToEngine::Cancel => set_control(engine, Control::Cancel),
        ToEngine::Download { name } => {
            let engine = engine.clone();
            spawn_local(async move {
                let snapshot = engine.borrow().store.snapshot(&name);
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
                    Err(e) => fail(format!("could not save the model: {e}"), false),
                }
            });
        }
        ToEngine::LoadFile { file_name, bytes } => {
            let engine = engine.clone();
            spawn_local(async move { load_file(&engine, &file_name, &bytes).await });
        }
        ToEngine::Remove { name } => {
            engine.borrow_mut().latent_indices.remove(&name);
            let removed = engine.borrow_mut().store.remove(&name);
            match removed {
                Ok(_) => {
                    post(&FromEngine::ModelRemoved { name: name.clone() });
                    let db = engine.borrow().db.clone();
                    if let Some(db) = db {
                        spawn_local(async move {
                            if let Err(e) = storage::forget_model(&db, &name).await {
                                post(&FromEngine::Notice {
                                    message: format!(
                                        "'{name}' is gone from the page but may come back after a reload: {e}"
                                    ),
                                });
                            }
                        });
                    }
                }
                Err(e) => fail(e, false),
            }
        }
        ToEngine::Interrupted { choice } => interrupted(engine, choice),
        ToEngine::Transfer(request) => {
            if claim_engine(engine) {
                let engine = engine.clone();
                spawn_local(async move {
                    if let Err(message) = transfer(&engine, request).await {
                        fail(message, false);
                        post(&FromEngine::TransferFinished { cancelled: true });
                    }
                    let mut e = engine.borrow_mut();
                    e.training = false;
                    e.control = None;
                });
            }
        }
        ToEngine::Analyse { name } => {
            let engine = engine.clone();
            spawn_local(async move {
                match analyse(&engine, &name).await {
                    Ok(analysis) => post(&FromEngine::Analysis(analysis)),
                    Err(message) => post(&FromEngine::RequestFailed {
                        what: name,
                        message,
                    }),
                }
            });
        }
        ToEngine::ReadDrawing {
            seq,
            autoencoder,
            classifier,
            pixels,
        } => {
            let engine = engine.clone();
            spawn_local(async move {
                match drawing(&engine, seq, &autoencoder, classifier.as_deref(), &pixels).await {
                    Ok(reading) => post(&FromEngine::DrawingRead(reading)),
                    Err(message) => post(&FromEngine::RequestFailed {
                        what: "drawing".into(),
                        message,
                    }),
                }
            });
        }
        ToEngine::Decode {
            slot,
            seq,
            model,
            from,
            to,
            alphas,
        } => {
            let engine = engine.clone();
            spawn_local(async move {
                match decode_frames(&engine, &model, &from, &to, &alphas).await {
                    Ok((pixels, inputs)) => post(&FromEngine::Decoded {
                        slot,
                        seq,
                        model,
                        pixels,
                        inputs,
                    }),
                    Err(message) => post(&FromEngine::RequestFailed {
                        what: slot,
                        message,
                    }),
                }
            });
        }
    }
}

/// An autoencoder of the store with the device and the test subset, or why not.
fn autoencoder_and_test(
    engine: &Shared,
    name: &str,
) -> Result<(Autoencoder, Device, Rc<MnistSet>), String> {
    let e = engine.borrow();
    let (Some(device), Some(test)) = (e.device.clone(), e.test.clone()) else {
        return Err("the data is not loaded yet".into());
    };
    let model = e
        .store
        .autoencoder(name)
        .ok_or_else(|| format!("'{name}' is not an autoencoder of the model list"))?
        .clone();
    Ok((model, device, test))
}

async fn analyse(engine: &Shared, name: &str) -> Result<LatentAnalysis, String> {
    let (model, device, test) = autoencoder_and_test(engine, name)?;
    analyse_latents(name, &model, &test, &device).await
}

async fn decode_frames(
    engine: &Shared,
    name: &str,
    from: &ImageRef,
    to: &ImageRef,
    alphas: &[f32],
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let (model, device, test) = autoencoder_and_test(engine, name)?;
    decode_between(&model, &test, from, to, alphas, &device).await
}

/// What the models make of a drawing; the autoencoder's test-subset codes are made once.
async fn drawing(
    engine: &Shared,
    seq: u64,
    name: &str,
    classifier_name: Option<&str>,
    pixels: &[u8],
) -> Result<DrawingReading, String> {
    let (model, device, test) = autoencoder_and_test(engine, name)?;
    let classifier = match classifier_name {
        Some(c) => match engine.borrow().store.get(c) {
            Some(StoredModel::Classifier(m)) => Some((c, m.as_ref().clone())),
            _ => return Err(format!("'{c}' is not a classifier of the model list")),
        },
        None => None,
    };
    let cached = engine.borrow().latent_indices.get(name).cloned();
    let index = match cached {
        Some(index) => index,
        None => {
            let index = Rc::new(LatentIndex::build(&model, &test, &device).await?);
            engine
                .borrow_mut()
                .latent_indices
                .insert(name.to_string(), index.clone());
            index
        }
    };
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

/// Marks the engine busy with a training; says why not when it cannot be.
fn claim_engine(engine: &Shared) -> bool {
    let mut e = engine.borrow_mut();
    if e.training {
        drop(e);
        fail("a training is already running: cancel it first", false);
        return false;
    }
    if e.device.is_none() || e.train.is_none() {
        drop(e);
        fail("the data is not loaded yet", false);
        return false;
    }
    e.training = true;
    e.control = Some(Control::Run);
    true
}

fn run_training(engine: &Shared, request: TrainRequest, resume: Option<Checkpoint>) {
    let engine = engine.clone();
    spawn_local(async move {
        if let Err(message) = train(&engine, request, resume).await {
            fail(message, false);
        }
        let mut e = engine.borrow_mut();
        e.training = false;
        e.control = None;
    });
}

fn interrupted(engine: &Shared, choice: InterruptedChoice) {
    let Some(checkpoint) = engine.borrow_mut().checkpoint.take() else {
        post(&FromEngine::Interrupted { run: None });
        return;
    };
    match choice {
        InterruptedChoice::Resume => {
            if claim_engine(engine) {
                let request = checkpoint.0.request.clone();
                run_training(engine, request, Some(checkpoint));
            } else {
                engine.borrow_mut().checkpoint = Some(checkpoint);
            }
        }
        InterruptedChoice::KeepModel => {
            let (run, model, manifest) = checkpoint;
            let info =
                storage::checkpoint_model(&mut engine.borrow_mut().store, &run, model, manifest);
            post(&FromEngine::ModelUpdated {
                model: info.clone(),
            });
            post(&FromEngine::Interrupted { run: None });
            let engine = engine.clone();
            spawn_local(async move {
                keep(&engine, &info.name).await;
                clear_checkpoint(&engine).await;
            });
        }
        InterruptedChoice::Discard => {
            post(&FromEngine::Interrupted { run: None });
            let engine = engine.clone();
            spawn_local(async move { clear_checkpoint(&engine).await });
        }
    }
}

/// Keeps a model of the store in the browser and tells the page; a failure is a notice, since
/// the model itself is fine.
async fn keep(engine: &Shared, name: &str) {
    let (db, snapshot) = {
        let e = engine.borrow();
        (e.db.clone(), e.store.snapshot(name))
    };
    let (Some(db), Ok(snapshot)) = (db, snapshot) else {
        return;
    };
    match storage::keep_model(&db, &snapshot, &cpu()).await {
        Ok(()) => {
            let info = engine.borrow_mut().store.set_kept(name, true);
            if let Some(model) = info {
                post(&FromEngine::ModelUpdated { model });
            }
        }
        Err(message) => post(&FromEngine::Notice { message }),
    }
}

async fn clear_checkpoint(engine: &Shared) {
    let db = engine.borrow().db.clone();
    if let Some(db) = db
        && let Err(e) = storage::clear_checkpoint(&db).await
    {
        post(&FromEngine::Notice {
            message: format!("an old checkpoint could not be removed: {e}"),
        });
    }
}

async fn load_file(engine: &Shared, file_name: &str, bytes: &[u8]) {
    let device = engine.borrow().device.clone();
    let Some(device) = device else {
        fail("the engine has not started yet", false);
        return;
    };
    let name = name_for_file(file_name);
    let added = engine
        .borrow_mut()
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
            format!("'{file_name}' was not loaded: {e}. Nothing changed."),
            false,
        ),
    }
}

/// What a run does next, after the page's last pause, resume or cancel.
enum Turn {
    /// Train a slice.
    Train,
    /// Paused: wait and look again (`just_paused`: the run stopped its clock just now).
    Wait { just_paused: bool },
    /// Cancelled.
    Stop,
}

/// Applies the page's pause, resume and cancel to a run's clock and says what to do next.
fn obey_control(engine: &Shared, run: &mut impl Pausable) -> Turn {
    let control = engine.borrow().control;
    match control {
        Some(Control::Cancel) => Turn::Stop,
        Some(Control::Pause) => {
            let just_paused = !run.is_paused();
            if just_paused {
                run.pause(now_ms());
            }
            Turn::Wait { just_paused }
        }
        _ => {
            if run.is_paused() {
                run.resume(now_ms());
            }
            Turn::Train
        }
    }
}

fn set_control(engine: &Shared, control: Control) {
    let mut e = engine.borrow_mut();
    if e.training {
        e.control = Some(control);
    }
}

async fn start(engine: Shared, choice: crate::engine::BackendChoice, base_url: String) {
    let backend = choose_backend(choice).await;
    post(&FromEngine::Backend {
        kind: backend.device.kind,
        adapter: backend.device.description.clone(),
        software_adapter: backend.software,
        fallback_reason: backend.fallback_reason.clone(),
    });
    let device = backend.device.device.clone();
    engine.borrow_mut().device = Some(device.clone());

    let names = pretrained_names();
    let total = 2 + names.len();
    let mut problems = Vec::new();
    let mut sets = Vec::new();
    for (i, split) in [Split::Train, Split::Test].into_iter().enumerate() {
        post(&FromEngine::Loading {
            what: format!("{split:?} images").to_lowercase(),
            done: i,
            total,
        });
        let (images_url, labels_url) = data_urls(&base_url, split);
        let set = async {
            let images = fetch_bytes(&images_url).await?;
            let labels = fetch_bytes(&labels_url).await?;
            MnistSet::from_idx(&images_url, &images, &labels_url, &labels)
                .map_err(|e| e.to_string())
        }
        .await;
        match set {
            Ok(set) => sets.push(Rc::new(set)),
            Err(e) => {
                fail(format!("the bundled data could not be loaded: {e}"), false);
                return;
            }
        }
    }
    let test = sets.pop().expect("two sets");
    let train = sets.pop().expect("two sets");
    let samples = sample_digits(&test, SAMPLES);
    post(&FromEngine::SampleDigits {
        pixels: samples
            .iter()
            .flat_map(|&i| test.image(i).to_vec())
            .collect(),
        labels: samples.iter().map(|&i| test.label(i)).collect(),
    });
    let gallery = gallery_indices(&test);
    post(&FromEngine::Gallery {
        pixels: gallery
            .iter()
            .flat_map(|&i| test.image(i).to_vec())
            .collect(),
        labels: gallery.iter().map(|&i| test.label(i)).collect(),
        indices: gallery,
    });

    for (i, name) in names.iter().enumerate() {
        post(&FromEngine::Loading {
            what: format!("weights {name}"),
            done: 2 + i,
            total,
        });
        let result = match fetch_bytes(&weights_url(&base_url, name)).await {
            Ok(bytes) => engine
                .borrow_mut()
                .store
                .insert_file(name, &bytes, ModelOrigin::Pretrained, &device)
                .map(|_| ())
                .map_err(|e| format!("{name}: {e}")),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            problems.push(e);
        }
        next_task().await;
    }
    let checkpoint = match Database::open().await {
        Ok(db) => {
            let db = Rc::new(db);
            engine.borrow_mut().db = Some(db.clone());
            let (kept, unreadable) = storage::kept_models(&db).await;
            problems.extend(unreadable);
            for (name, origin, bytes) in kept {
                let mut e = engine.borrow_mut();
                match e.store.insert_file(&name, &bytes, origin, &device) {
                    Ok(info) => {
                        e.store.set_kept(&info.name, true);
                    }
                    Err(err) => problems.push(format!("kept model '{name}': {err}")),
                }
            }
            match storage::load_checkpoint(&db, &device).await {
                Ok(checkpoint) => checkpoint,
                Err(e) => {
                    problems.push(format!("an interrupted training could not be read: {e}"));
                    None
                }
            }
        }
        Err(e) => {
            problems.push(format!(
                "this browser's storage is unavailable, so nothing made here is kept after a reload: {e}"
            ));
            None
        }
    };
    let interrupted = checkpoint.as_ref().map(|(run, _, _)| run.clone());
    let mut e = engine.borrow_mut();
    e.checkpoint = checkpoint;
    // Number new runs after the ones kept from earlier visits.
    e.runs = e
        .store
        .infos()
        .iter()
        .filter(|m| m.origin == ModelOrigin::Trained)
        .count();
    e.samples = samples;
    let (train_images, test_images) = (train.len(), test.len());
    e.train = Some(train);
    e.test = Some(test);
    let models = e.store.infos();
    drop(e);
    // The offer first: once the page is loaded, whether a training was interrupted is known.
    if interrupted.is_some() {
        post(&FromEngine::Interrupted { run: interrupted });
    }
    post(&FromEngine::Loaded {
        train_images,
        test_images,
        models,
        problems,
    });
}

async fn train(
    engine: &Shared,
    request: TrainRequest,
    resume: Option<Checkpoint>,
) -> Result<(), String> {
    let (device, train, test, samples, run, db) = {
        let mut e = engine.borrow_mut();
        e.runs += 1;
        (
            e.device.clone().expect("checked by the caller"),
            e.train.clone().expect("checked by the caller"),
            e.test.clone().expect("checked by the caller"),
            e.samples.clone(),
            e.runs,
            e.db.clone(),
        )
    };
    let every = ReportEvery::default();
    let (session, mut epoch_losses) = match resume {
        None => (
            TrainingSession::new(request.clone(), &train, samples, &device, now_ms(), every),
            Vec::new(),
        ),
        Some((interrupted, model, _)) => (
            TrainingSession::from_checkpoint(
                request.clone(),
                model,
                interrupted.epochs_done,
                &train,
                samples,
                &device,
                now_ms(),
                every,
            ),
            interrupted.epoch_losses,
        ),
    };
    let mut session = session.map_err(|e| e.to_string())?;
    post(&FromEngine::TrainingStarted {
        request: request.clone(),
        steps_per_epoch: session.steps_per_epoch(),
    });
    // A resumed run shows the epochs its checkpoint had done.
    for &(epoch, train_loss, test_loss) in &epoch_losses {
        post(&FromEngine::EpochDone {
            epoch,
            train_loss,
            test_loss,
        });
    }
    let mut cancelled = false;
    while !session.is_finished() {
        match obey_control(engine, &mut session) {
            Turn::Stop => {
                cancelled = true;
                break;
            }
            Turn::Wait { just_paused } => {
                if just_paused {
                    post(&FromEngine::Progress(session.progress(now_ms())));
                }
                sleep(50).await;
                continue;
            }
            Turn::Train => {}
        }
        let slice_end = now_ms() + SLICE_MS;
        while !session.is_finished() && now_ms() < slice_end {
            let events = session
                .step(&train, &test, now_ms)
                .await
                .map_err(|e| e.to_string())?;
            let mut epoch_done = false;
            for event in &events {
                if let FromEngine::EpochDone {
                    epoch,
                    train_loss,
                    test_loss,
                } = *event
                {
                    epoch_losses.push((epoch, train_loss, test_loss));
                    epoch_done = true;
                }
                post(event);
            }
            if epoch_done
                && !session.is_finished()
                && let Some(db) = &db
            {
                save_epoch_checkpoint(db, &session, &epoch_losses).await;
            }
        }
        next_task().await;
    }
    post(&FromEngine::Progress(session.progress(now_ms())));
    let name = format!(
        "{}-d{} (trained {run})",
        request.architecture, request.latent_dim
    );
    let (model, manifest) = session.finish(&test).await.map_err(|e| e.to_string())?;
    let info = engine.borrow_mut().store.insert(
        &name,
        manifest,
        ModelOrigin::Trained,
        StoredModel::Autoencoder(Box::new(model)),
    );
    post(&FromEngine::TrainingFinished {
        model: info.clone(),
        cancelled,
    });
    keep(engine, &info.name).await;
    clear_checkpoint(engine).await;
    Ok(())
}

/// Keeps the model of the epoch that just ended, so a reload can resume from it; a failure is
/// a notice, since the training itself goes on.
async fn save_epoch_checkpoint(
    db: &Database,
    session: &TrainingSession,
    epoch_losses: &[(usize, f32, f32)],
) {
    let record = InterruptedRun {
        request: session.request().clone(),
        epochs_done: session.epochs_done(),
        epoch_losses: epoch_losses.to_vec(),
    };
    let model = session.model();
    let snapshot = ModelSnapshot {
        name: "checkpoint".into(),
        origin: ModelOrigin::Trained,
        manifest: session.manifest(&model, session.last_test_loss()),
        model: StoredModel::Autoencoder(Box::new(model)),
    };
    if let Err(e) = storage::save_checkpoint(db, &record, &snapshot, &cpu()).await {
        post(&FromEngine::Notice {
            message: format!("no checkpoint of this training could be kept: {e}"),
        });
    }
}

/// The pretrained encoder transfer learning starts from.
const PRETRAINED_ENCODER: &str = "three-layer-d20";

/// Runs every scenario of `request`, one after the other; each finished (or cancelled)
/// classifier joins the store.
async fn transfer(engine: &Shared, request: TransferRequest) -> Result<(), String> {
    let (device, train, test, encoder, run) = {
        let mut e = engine.borrow_mut();
        e.runs += 1;
        let encoder = e
            .store
            .autoencoder(PRETRAINED_ENCODER)
            .and_then(|m| m.three_layer_encoder())
            .cloned();
        (
            e.device.clone().expect("checked by the caller"),
            e.train.clone().expect("checked by the caller"),
            e.test.clone().expect("checked by the caller"),
            encoder,
            e.runs,
        )
    };
    if request.scenarios.is_empty() {
        return Err("choose at least one scenario".into());
    }
    post(&FromEngine::TransferStarted {
        request: request.clone(),
    });
    let mut cancelled = false;
    for &scenario in &request.scenarios {
        let mut session = TransferSession::new(
            scenario,
            &request,
            encoder.as_ref(),
            &train,
            &device,
            now_ms(),
        )
        .map_err(|e| {
            format!("{scenario}: {e} (the pretrained {PRETRAINED_ENCODER} encoder is needed except from scratch)")
        })?;
        while !session.is_finished() {
            match obey_control(engine, &mut session) {
                Turn::Stop => {
                    cancelled = true;
                    break;
                }
                Turn::Wait { just_paused } => {
                    if just_paused {
                        post(&FromEngine::TransferProgress {
                            scenario,
                            progress: session.progress(now_ms()),
                        });
                    }
                    sleep(50).await;
                    continue;
                }
                Turn::Train => {}
            }
            let slice_end = now_ms() + SLICE_MS;
            while !session.is_finished() && now_ms() < slice_end {
                let (progress, point) = session
                    .step(&test, now_ms)
                    .await
                    .map_err(|e| format!("{scenario}: {e}"))?;
                if let Some(progress) = progress {
                    post(&FromEngine::TransferProgress { scenario, progress });
                }
                if let Some(point) = point {
                    post(&FromEngine::TransferPoint(point));
                }
            }
            next_task().await;
        }
        post(&FromEngine::TransferProgress {
            scenario,
            progress: session.progress(now_ms()),
        });
        let (model, manifest, result) = session
            .finish(&test, now_ms())
            .await
            .map_err(|e| format!("{scenario}: {e}"))?;
        let info = engine.borrow_mut().store.insert(
            &format!("classifier-{scenario} (trained {run})"),
            manifest,
            ModelOrigin::Trained,
            StoredModel::Classifier(Box::new(model)),
        );
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
