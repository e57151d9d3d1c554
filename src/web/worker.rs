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

use super::worker_backend::choose_backend;
use crate::data::{MnistSet, Split};
use crate::engine::pretrained::{data_urls, pretrained_names, weights_url};
use crate::engine::protocol::{decode, encode};
use crate::engine::session::{ReportEvery, TrainingSession, sample_digits};
use crate::engine::store::StoredModel;
use crate::engine::{FromEngine, ModelOrigin, ModelStore, ToEngine, TrainRequest};

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

/// Resolves after `ms` milliseconds (0: on the next turn of the event loop).
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

pub(crate) fn js_error(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
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
            let mut e = engine.borrow_mut();
            if e.training {
                drop(e);
                fail("a training is already running: cancel it first", false);
                return;
            }
            if e.device.is_none() || e.train.is_none() {
                drop(e);
                fail("the data is not loaded yet", false);
                return;
            }
            e.training = true;
            e.control = Some(Control::Run);
            drop(e);
            let engine = engine.clone();
            spawn_local(async move {
                if let Err(message) = train(&engine, request).await {
                    fail(message, false);
                }
                let mut e = engine.borrow_mut();
                e.training = false;
                e.control = None;
            });
        }
        ToEngine::Pause => set_control(engine, Control::Pause),
        ToEngine::Resume => set_control(engine, Control::Run),
        ToEngine::Cancel => set_control(engine, Control::Cancel),
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
        sleep(0).await;
    }
    let mut e = engine.borrow_mut();
    e.samples = samples;
    let (train_images, test_images) = (train.len(), test.len());
    e.train = Some(train);
    e.test = Some(test);
    let models = e.store.infos();
    drop(e);
    post(&FromEngine::Loaded {
        train_images,
        test_images,
        models,
        problems,
    });
}

async fn train(engine: &Shared, request: TrainRequest) -> Result<(), String> {
    let (device, train, test, samples, run) = {
        let mut e = engine.borrow_mut();
        e.runs += 1;
        (
            e.device.clone().expect("checked by the caller"),
            e.train.clone().expect("checked by the caller"),
            e.test.clone().expect("checked by the caller"),
            e.samples.clone(),
            e.runs,
        )
    };
    let mut session = TrainingSession::new(
        request.clone(),
        &train,
        samples,
        &device,
        now_ms(),
        ReportEvery::default(),
    )
    .map_err(|e| e.to_string())?;
    post(&FromEngine::TrainingStarted {
        request: request.clone(),
        steps_per_epoch: session.steps_per_epoch(),
    });
    let mut cancelled = false;
    while !session.is_finished() {
        let control = engine.borrow().control;
        match control {
            Some(Control::Cancel) => {
                cancelled = true;
                break;
            }
            Some(Control::Pause) => {
                if !session.is_paused() {
                    session.pause(now_ms());
                    post(&FromEngine::Progress(session.progress(now_ms())));
                }
                sleep(50).await;
                continue;
            }
            _ => {
                if session.is_paused() {
                    session.resume(now_ms());
                }
            }
        }
        let slice_end = now_ms() + SLICE_MS;
        while !session.is_finished() && now_ms() < slice_end {
            let events = session
                .step(&train, &test, now_ms)
                .await
                .map_err(|e| e.to_string())?;
            events.iter().for_each(post);
        }
        sleep(0).await;
    }
    post(&FromEngine::Progress(session.progress(now_ms())));
    let name = format!(
        "{}-d{} (trained {run})",
        request.architecture, request.latent_dim
    );
    let (model, info) = session
        .finish(name, &test)
        .await
        .map_err(|e| e.to_string())?;
    let info = engine
        .borrow_mut()
        .store
        .insert(info, StoredModel::Autoencoder(Box::new(model)));
    post(&FromEngine::TrainingFinished {
        model: info,
        cancelled,
    });
    Ok(())
}
