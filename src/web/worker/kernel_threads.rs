//! The CPU engine's kernel threads in the browser (issue 19, part 2): rayon's global pool,
//! each of its threads a web worker (`public/kernel_thread.js`) that instantiates this same
//! wasm module on this worker's shared memory. Only in the `threads` build (WebAssembly
//! threads: atomics and shared memory, which need a cross-origin isolated page).
//!
//! Without the pool, rayon falls back to running every task on the calling thread (its
//! global pool of one, where threads are unsupported): that is the single-threaded engine.
//! Where the address asks for copies of the model (`?copies=`, [`start_copies`]), the kernel
//! threads run one copy each, on one-thread pools, instead of a global pool.

use std::cell::{Cell, RefCell};
use std::sync::{Condvar, Mutex};

use js_sys::{Array, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use super::browser::scope;
use crate::engine::kernel_thread_count::pool_size;
use crate::training::data_parallel::DataParallel;

/// The script each kernel thread runs (copied next to the engine by trunk).
const THREAD_SCRIPT: &str = "kernel_thread.js";

/// The number of threads the browser reports (`navigator.hardwareConcurrency`), at least 1.
pub(crate) fn hardware_threads() -> usize {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok();
    navigator
        .and_then(|n| js_sys::Reflect::get(&n, &"hardwareConcurrency".into()).ok())
        .and_then(|v| v.as_f64())
        .map_or(1, |v| (v as usize).max(1))
}

thread_local! {
    /// The pool's size, or the copies' count, once they started (only ever on the engine
    /// worker's own thread).
    static STARTED: Cell<Option<usize>> = const { Cell::new(None) };
    /// The copies of the model, where the address asked for them ([`start_copies`]).
    static COPIES: RefCell<Option<DataParallel>> = const { RefCell::new(None) };
}

/// rayon's threads, handed from the pool's builder to the kernel threads waiting for one.
/// Through shared memory, not messages: while rayon builds the pool the engine's thread
/// blocks until every thread runs, and a blocked worker delivers no message.
static WAITING: Mutex<Vec<rayon::ThreadBuilder>> = Mutex::new(Vec::new());
static HANDED: Condvar = Condvar::new();

/// Starts rayon's global pool on `navigator.hardwareConcurrency` kernel threads, or on fewer
/// where the address asks (`requested`, see [`pool_size`]). Returns the pool's size; a
/// worker starts its pool once, so a later call returns the first one's size.
///
/// Two phases, because a worker starts only once the thread that made it yields to its event
/// loop, while `build_global` blocks until every thread of the pool runs: first the workers
/// start and instantiate the module (awaited here), each then waits in [`run_thread`] for a
/// rayon thread; then the pool is built, its threads handed over through [`WAITING`].
///
/// The engine worker's own thread is the pool's first (`use_current_thread`): its splits run
/// as from inside the pool, sharing the tasks with the other threads, as the native command
/// trains from a thread of its pool (`backend::on_kernel_threads`; driven from outside, the
/// serial part of a step competed with the pool's spinning threads for the cores).
pub(crate) async fn start(requested: Option<usize>) -> Result<usize, String> {
    if let Some(threads) = STARTED.with(Cell::get) {
        return Ok(threads);
    }
    let threads = pool_size(requested, hardware_threads());
    if threads < 2 {
        return Ok(1);
    }
    start_kernel_threads(threads - 1).await?;
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .use_current_thread()
        .spawn_handler(hand_to_a_kernel_thread)
        .build_global()
        .map_err(|e| format!("the kernel threads' pool: {e}"))?;
    STARTED.with(|s| s.set(Some(threads)));
    Ok(threads)
}

/// Starts `copies` copies of the model for data-parallel training (`?copies=`; at most
/// `navigator.hardwareConcurrency`): the engine worker's own thread runs the first, and a
/// kernel thread each of the others, on a one-thread pool of its own
/// ([`DataParallel::on_caller_and`]); every run then trains on them ([`copies`]). Returns how
/// many there are (1: none, the browser reports a single thread). A worker starts its threads
/// once, as a pool or as copies; a later call returns the first one's count.
///
/// No pool of several threads is built: its idle threads would spin (about 4 ms after each
/// task, vendor/README.md) beside the copies. The engine's thread becomes the one thread of
/// rayon's global pool (rayon's fallback where `std` cannot start threads), so its own
/// kernels, and everything the page asks besides training, run on it alone.
pub(crate) async fn start_copies(requested: usize) -> Result<usize, String> {
    if let Some(threads) = STARTED.with(Cell::get) {
        return Ok(threads);
    }
    let copies = pool_size(Some(requested), hardware_threads());
    if copies < 2 {
        return Ok(1);
    }
    // rayon's global pool, made now on this thread: before any copy runs beside it.
    let _ = rayon::current_num_threads();
    start_kernel_threads(copies - 1).await?;
    let others = (1..copies)
        .map(|_| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .spawn_handler(hand_to_a_kernel_thread)
                .build()
                .map_err(|e| format!("a copy's thread: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    COPIES.with(|c| *c.borrow_mut() = Some(DataParallel::on_caller_and(others)));
    STARTED.with(|s| s.set(Some(copies)));
    Ok(copies)
}

/// The copies of the model every run trains on, where [`start_copies`] made some.
pub(crate) fn copies() -> Option<DataParallel> {
    COPIES.with(|c| c.borrow().clone())
}

/// Starts `count` kernel threads and waits until each has instantiated the module and waits
/// in [`run_thread`] for a rayon thread.
async fn start_kernel_threads(count: usize) -> Result<(), String> {
    let glue = glue_url()?;
    for _ in 0..count {
        JsFuture::from(spawn(&glue)?).await.map_err(|e| {
            format!(
                "a kernel thread did not start: {}",
                crate::web::js_error(&e)
            )
        })?;
    }
    Ok(())
}

/// A pool builder's spawn handler: leaves `thread` for the next kernel thread that waits.
fn hand_to_a_kernel_thread(thread: rayon::ThreadBuilder) -> std::io::Result<()> {
    lock_waiting().push(thread);
    HANDED.notify_one();
    Ok(())
}

fn lock_waiting() -> std::sync::MutexGuard<'static, Vec<rayon::ThreadBuilder>> {
    // A panic while holding the lock leaves the list as it was: still usable.
    WAITING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The wasm-bindgen glue this worker loaded, next to its loader: `worker_cpu.js` beside
/// `worker_cpu_loader.js`.
fn glue_url() -> Result<String, String> {
    // `self.location.href`, read through Reflect (web-sys's WorkerLocation is not enabled).
    let location =
        js_sys::Reflect::get(&scope(), &"location".into()).map_err(|e| crate::web::js_error(&e))?;
    let href = js_sys::Reflect::get(&location, &"href".into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or("the engine's own address")?;
    let (base, file) = href.rsplit_once('/').ok_or("the engine's own address")?;
    let glue = file
        .strip_suffix("_loader.js")
        .ok_or_else(|| format!("the engine was not loaded by trunk's loader ({file})"))?;
    Ok(format!("{base}/{glue}.js"))
}

/// One kernel thread: a worker given the glue's address, this module and the shared memory;
/// resolves once it has instantiated the module and waits for a rayon thread.
fn spawn(glue: &str) -> Result<Promise, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Classic);
    let worker =
        Worker::new_with_options(THREAD_SCRIPT, &options).map_err(|e| crate::web::js_error(&e))?;
    let message = Array::of3(
        &JsValue::from_str(glue),
        &wasm_bindgen::module(),
        &wasm_bindgen::memory(),
    );
    let promise = Promise::new(&mut |resolve, reject| {
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            // Only the script's own word counts (nothing else should arrive, but a stray
            // message must not pass for a started thread).
            if event.data().as_string().as_deref() == Some("started") {
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        let on_error = Closure::once_into_js(move |event: JsValue| {
            let _ = reject.call1(&JsValue::NULL, &event);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        worker.set_onerror(Some(on_error.unchecked_ref()));
    });
    worker
        .post_message(&message)
        .map_err(|e| crate::web::js_error(&e))?;
    Ok(promise)
}

/// A kernel thread's body, called by `kernel_thread.js` once the module runs there: waits for
/// the rayon thread [`start`] hands it, then runs it for as long as the pool lives.
pub fn run_thread() {
    let thread = {
        let mut waiting = lock_waiting();
        loop {
            if let Some(thread) = waiting.pop() {
                break thread;
            }
            waiting = HANDED
                .wait(waiting)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    };
    thread.run();
}
