//! The browser surface the engine worker needs: posting to the page, the clock, yielding to
//! the event loop, fetching the page's own files, and the [`Host`] the engine's slice loop
//! runs on.

use std::cell::RefCell;

use burn::prelude::Device;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, WorkerGlobalScope};

use super::Shared;
use crate::BackendKind;
use crate::engine::driver::Host;
use crate::engine::protocol::{ErrorSource, encode_for_page};
use crate::engine::{Control, FromEngine};
use crate::web::js_error;

/// Milliseconds a paused run waits before it looks at the page's control again.
const PAUSED_POLL_MS: i32 = 50;

pub(super) fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

pub(super) fn post(event: &FromEngine) {
    // Posting a string to our own page cannot fail short of the page being gone.
    let _ = scope().post_message(&JsValue::from_str(&encode_for_page(event)));
}

/// Tells the page that something failed, and what it came from.
pub(super) fn fail(source: ErrorSource, message: impl Into<String>) {
    post(&FromEngine::Failed {
        source,
        message: message.into(),
        backend_lost: false,
    });
}

/// Tells the page that a run failed, and whether the GPU device was lost (then the page
/// offers to continue on the CPU from the run's last checkpoint). On WebGPU a failed readback
/// often comes before `GPUDevice.lost` settles, so a failure there waits a moment for it.
pub(super) async fn fail_run(engine: &Shared, source: ErrorSource, message: impl Into<String>) {
    let on_gpu = engine.borrow().gpu.is_some();
    let mut lost = engine.borrow().gpu_lost();
    for _ in 0..if on_gpu { 10 } else { 0 } {
        if lost.is_some() {
            break;
        }
        sleep(20).await;
        lost = engine.borrow().gpu_lost();
    }
    post(&FromEngine::Failed {
        source,
        message: match lost {
            Some(ref reason) => format!(
                "{}. The models kept in this browser are safe.",
                reason.trim_end_matches('.')
            ),
            None => message.into(),
        },
        backend_lost: lost.is_some(),
    });
}

pub(super) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The device weight files are written from (WebGPU tensors are read back to it first).
pub(super) fn cpu() -> Device {
    BackendKind::Flex.cpu_backend().device
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
pub(super) async fn next_task() {
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
pub(super) async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global: WorkerGlobalScope = js_sys::global().unchecked_into();
        let _ = global.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// Fetches a file of the page's own origin as bytes.
pub(super) async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
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

/// The engine's slice loop in this worker: the page's control comes from the shared engine.
pub(super) struct WorkerHost<'a> {
    pub engine: &'a Shared,
}

impl Host for WorkerHost<'_> {
    fn now_ms(&self) -> f64 {
        now_ms()
    }

    fn post(&self, event: &FromEngine) {
        post(event);
    }

    fn control(&self) -> Option<Control> {
        self.engine.borrow().core.control()
    }

    async fn next_task(&self) {
        next_task().await;
    }

    async fn pause_a_while(&self) {
        sleep(PAUSED_POLL_MS).await;
    }

    fn slow_motion(&self) -> Option<f32> {
        self.engine.borrow().core.slow_motion()
    }

    fn step_taken(&self) {
        self.engine.borrow_mut().core.step_taken();
    }

    /// In short sleeps, so a pause, a step, a cancel or a new rate acts within one.
    async fn wait_ms(&self, ms: f64) {
        let end = now_ms() + ms;
        let rate = self.slow_motion();
        loop {
            let left = end - now_ms();
            let unchanged = self.control() == Some(Control::Run) && self.slow_motion() == rate;
            if left <= 0.0 || !unchanged {
                break;
            }
            sleep((left.ceil() as i32).min(PAUSED_POLL_MS)).await;
        }
    }

    fn device_lost(&self) -> Option<String> {
        self.engine.borrow().gpu_lost()
    }
}
