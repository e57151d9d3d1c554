//! The engine worker: receives [`ToEngine`] messages and hands each to the engine, posting
//! [`FromEngine`] events back. The engine's state and rules are `engine::state`, its slice
//! loop `engine::driver`; this folder is the browser around them, one job a file:
//! `browser` (posting, the clock, yielding, fetching), `backend` (WebGPU or the CPU),
//! `startup` (data, weights, what the browser kept), `storage` (IndexedDB), `runs` (a
//! training or transfer run) and `requests` (the views' quick requests).

mod backend;
mod browser;
mod drawing_canvas;
#[cfg(feature = "threads")]
mod kernel_threads;
mod requests;
mod runs;
mod startup;
mod storage;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::MessageEvent;

use crate::backend::GpuWatch;
use crate::engine::kernel_thread_count::ThreadRequest;
use crate::engine::protocol::{
    BRUSH_REQUEST, CONFUSION_CELL_REQUEST, DRAWING_REQUEST, EPOCHS_REQUEST, ErrorSource,
    SCATTER_REQUEST, decode,
};
use crate::engine::{Control, EngineCore, FromEngine, ToEngine};
use crate::web::indexed_db::Database;
use crate::web::web_locks::HeldLock;
use browser::{fail, post, scope};
use drawing_canvas::DrawingCanvas;

/// What the worker holds: the engine, the browser's storage (`None` where IndexedDB is
/// unavailable: nothing is kept then), and what it knows of the other tabs' runs.
#[derive(Default)]
struct Worker {
    core: EngineCore,
    db: Option<Rc<Database>>,
    /// Locks of ended runs whose checkpoint waits for their model to be kept: while this tab
    /// holds the model, no other tab offers the run as interrupted.
    run_locks: HashMap<String, HeldLock>,
    /// Runs alive in other tabs that this tab waits on, to offer them if their tab goes away.
    watched_runs: HashSet<String>,
    /// Checkpoints this version could not read: said once (at start), not at every refresh.
    unreadable_checkpoints: HashSet<String>,
    /// On WebGPU: whether the device was lost.
    gpu: Option<GpuWatch>,
    /// The page's root: the bundled data and weights are under it.
    base_url: String,
    /// Requests whose work is under way ([`spawn_request`]): the page moves to another engine
    /// only when none is ([`ToEngine::AskIdle`]).
    requests_in_flight: usize,
    /// The draw view's reconstruction canvas, where the page handed it over: a drawing's
    /// reading is painted into it at once.
    drawing_canvas: DrawingCanvas,
}

impl Worker {
    /// Why the GPU device was lost, once it was.
    fn gpu_lost(&self) -> Option<String> {
        self.gpu.as_ref().and_then(GpuWatch::lost)
    }
}

type Shared = Rc<RefCell<Worker>>;

#[cfg(feature = "threads")]
pub use kernel_threads::run_thread as run_kernel_thread;

/// Entry point of the worker's wasm.
pub fn run() {
    console_error_panic_hook::set_once();
    let engine: Shared = Rc::new(RefCell::new(Worker::default()));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        // The one message that is not text: the draw view's canvas (a newer one replaces it).
        if let Some(canvas) = data.dyn_ref::<web_sys::OffscreenCanvas>() {
            engine.borrow_mut().drawing_canvas.hand(canvas.clone());
            return;
        }
        let Some(text) = data.as_string() else {
            fail(
                ErrorSource::Message,
                "the page sent a message that is not text",
            );
            return;
        };
        match decode::<ToEngine>(&text) {
            Ok(message) => handle(&engine, message),
            Err(e) => fail(ErrorSource::Message, e),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromEngine::Ready);
}

/// Spawns the work of a request, counted while it runs (a panic leaves it counted: the page
/// then never takes this engine for idle, which loses nothing).
fn spawn_request(engine: &Shared, work: impl Future<Output = ()> + 'static) {
    engine.borrow_mut().requests_in_flight += 1;
    let engine = engine.clone();
    spawn_local(async move {
        work.await;
        engine.borrow_mut().requests_in_flight -= 1;
    });
}

/// One message from the page: controls act at once, the rest is spawned.
fn handle(engine: &Shared, message: ToEngine) {
    let engine = engine.clone();
    let tracked = engine.clone();
    let control = |c: Control| engine.borrow_mut().core.set_control(c);
    match message {
        ToEngine::Start {
            backend,
            base_url,
            threads,
            copies,
        } => {
            let threads = ThreadRequest { threads, copies };
            spawn_local(async move { startup::start(engine, backend, threads, base_url).await });
        }
        ToEngine::Train(request) => runs::start_training(&engine, request, None),
        ToEngine::Pause => control(Control::Pause),
        ToEngine::Resume => control(Control::Run),
        ToEngine::Cancel => control(Control::Cancel),
        ToEngine::Step => control(Control::Step),
        ToEngine::SlowMotion { steps_per_second } => {
            let set = engine.borrow_mut().core.set_slow_motion(steps_per_second);
            if let Err(e) = set {
                fail(ErrorSource::request("slow_motion", None), e);
            }
        }
        ToEngine::Interrupted { id, choice } => runs::interrupted(&engine, id, choice),
        ToEngine::Transfer(request) => runs::start_transfer(&engine, request),
        ToEngine::Download { name } => {
            spawn_request(
                &tracked,
                async move { requests::download(&engine, name).await },
            );
        }
        ToEngine::LoadFile { file_name, bytes } => {
            spawn_request(&tracked, async move {
                requests::load_file(&engine, &file_name, &bytes).await
            });
        }
        ToEngine::Remove { name } => requests::remove(&engine, name),
        ToEngine::AskIdle => {
            let worker = engine.borrow();
            post(&FromEngine::IdleAnswer {
                idle: worker.requests_in_flight == 0 && !worker.core.is_running(),
            });
        }
        ToEngine::LoseGpuDevice => match engine.borrow().gpu.as_ref() {
            Some(gpu) => gpu.destroy(),
            None => fail(
                ErrorSource::request("lose_gpu_device", None),
                "no GPU device to lose: this engine runs on the CPU",
            ),
        },
        ToEngine::BreakDrawingCanvas => {
            let mut worker = engine.borrow_mut();
            let broken = drawing_canvas::broken_canvas();
            match (worker.drawing_canvas.is_handed(), broken) {
                (true, Some(broken)) => worker.drawing_canvas.break_with(broken),
                (false, _) => fail(
                    ErrorSource::request("break_drawing_canvas", None),
                    "no canvas to break: the page paints the reconstruction",
                ),
                (true, None) => fail(
                    ErrorSource::request("break_drawing_canvas", None),
                    "this browser made no canvas to break",
                ),
            }
        }
        ToEngine::Keep { name } => spawn_request(&tracked, async move {
            storage::keep(&engine, &name).await;
        }),
        ToEngine::Analyse { name } => spawn_request(&tracked, async move {
            match requests::analyse(&engine, &name).await {
                Ok(analysis) => post(&FromEngine::Analysis(analysis)),
                Err(message) => post(&FromEngine::RequestFailed {
                    what: name,
                    message,
                }),
            }
        }),
        ToEngine::Evaluate { name } => spawn_request(&tracked, async move {
            match requests::evaluate(&engine, &name).await {
                Ok(evaluation) => post(&FromEngine::Evaluation(evaluation)),
                Err(message) => post(&FromEngine::RequestFailed {
                    what: name,
                    message,
                }),
            }
        }),
        ToEngine::OpenConfusionCell {
            model,
            true_digit,
            guess,
        } => spawn_request(&tracked, async move {
            match requests::confusion_cell(&engine, &model, true_digit, guess).await {
                Ok(cell) => post(&FromEngine::ConfusionCell(cell)),
                Err(message) => post(&FromEngine::RequestFailed {
                    what: CONFUSION_CELL_REQUEST.into(),
                    message,
                }),
            }
        }),
        ToEngine::CoordinatePair { model, i, j } => spawn_request(&tracked, async move {
            match requests::coordinate_pair(&engine, &model, i, j).await {
                Ok(scatter) => post(&FromEngine::CoordinateScatter(scatter)),
                Err(message) => post(&FromEngine::RequestFailed {
                    what: SCATTER_REQUEST.into(),
                    message,
                }),
            }
        }),
        ToEngine::EpochMaps { model } => spawn_request(&tracked, async move {
            match requests::recorded_epochs(&engine, &model).await {
                Ok(recorded) => post(&FromEngine::RecordedEpochs(recorded)),
                Err(message) => post(&FromEngine::RequestFailed {
                    what: EPOCHS_REQUEST.into(),
                    message,
                }),
            }
        }),
        ToEngine::Brush { model, indices } => spawn_request(&tracked, async move {
            match requests::brush(&engine, &model, &indices).await {
                Ok(brushed) => post(&FromEngine::Brushed(brushed)),
                Err(message) => post(&FromEngine::RequestFailed {
                    what: BRUSH_REQUEST.into(),
                    message,
                }),
            }
        }),
        ToEngine::ReadDrawing {
            seq,
            autoencoder,
            classifier,
            pixels,
        } => spawn_request(&tracked, async move {
            let reading =
                requests::read(&engine, seq, &autoencoder, classifier.as_deref(), &pixels).await;
            match reading {
                Ok(mut reading) => {
                    engine
                        .borrow_mut()
                        .drawing_canvas
                        .paint_reading(&mut reading);
                    post(&FromEngine::DrawingRead(reading))
                }
                Err(message) => post(&FromEngine::RequestFailed {
                    what: DRAWING_REQUEST.into(),
                    message,
                }),
            }
        }),
        ToEngine::Decode {
            slot,
            seq,
            model,
            from,
            to,
            alphas,
            diagnose,
        } => spawn_request(&tracked, async move {
            let decoded = match &diagnose {
                None => requests::decode_frames(&engine, &model, &from, &to, &alphas)
                    .await
                    .map(|(pixels, inputs)| (pixels, inputs, None)),
                Some(d) => {
                    let classifier = d.classifier.as_deref();
                    requests::decode_and_diagnose(&engine, &model, &from, &to, &alphas, classifier)
                        .await
                        .map(|(pixels, inputs, diagnostics)| (pixels, inputs, Some(diagnostics)))
                }
            };
            match decoded {
                Ok((pixels, inputs, diagnostics)) => post(&FromEngine::Decoded {
                    slot,
                    seq,
                    model,
                    pixels,
                    inputs,
                    diagnostics,
                }),
                Err(message) => post(&FromEngine::RequestFailed {
                    what: slot,
                    message,
                }),
            }
        }),
    }
}
