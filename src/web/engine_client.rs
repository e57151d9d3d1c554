//! The page's side of the engine worker: spawns it, queues messages until it is ready, and
//! hands every event it posts to a callback.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, OffscreenCanvas, Worker};

use crate::engine::bundle::EngineBundle;
use crate::engine::protocol::{ErrorSource, decode, encode};
use crate::engine::{FromEngine, ToEngine};

pub struct EngineClient {
    worker: Worker,
    /// Messages sent before the worker's wasm listens (it would drop them).
    pending: Rc<RefCell<Option<Vec<String>>>>,
    /// A canvas handed over while messages are held: it goes before them.
    pending_canvas: Rc<RefCell<Option<OffscreenCanvas>>>,
}

impl EngineClient {
    /// Starts the worker of `bundle`; `on_event` receives its events, `on_crash` the error
    /// that ends it.
    pub fn spawn(
        base_url: &str,
        bundle: EngineBundle,
        on_event: impl Fn(FromEngine) + 'static,
        on_crash: impl Fn(String) + 'static,
    ) -> Result<Self, String> {
        let worker = Worker::new(&format!("{base_url}{}", bundle.script()))
            .map_err(|e| format!("the engine worker could not start: {e:?}"))?;
        let pending: Rc<RefCell<Option<Vec<String>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let pending_canvas = Rc::new(RefCell::new(None));
        let on_event = Rc::new(on_event);

        let flush_to = worker.clone();
        let queue = pending.clone();
        let canvas_queue = pending_canvas.clone();
        let events = on_event.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |msg: MessageEvent| {
            let event = match msg.data().as_string() {
                Some(text) => decode::<FromEngine>(&text).unwrap_or_else(|e| FromEngine::Failed {
                    source: ErrorSource::Message,
                    message: format!("the engine sent a message this page cannot read: {e}"),
                    backend_lost: false,
                }),
                None => FromEngine::Failed {
                    source: ErrorSource::Message,
                    message: "the engine sent a message that is not text".into(),
                    backend_lost: false,
                },
            };
            if event == FromEngine::Ready
                && let Some(queued) = queue.borrow_mut().take()
            {
                post_canvas(&flush_to, canvas_queue.borrow_mut().take());
                post_all(&flush_to, queued);
            }
            events(event);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();

        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            let message = e.message();
            on_crash(if message.is_empty() {
                "unknown error (see the console)".into()
            } else {
                message
            });
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();

        Ok(Self {
            worker,
            pending,
            pending_canvas,
        })
    }

    pub fn send(&self, message: &ToEngine) {
        let text = encode(message);
        if let Some(queue) = self.pending.borrow_mut().as_mut() {
            queue.push(text);
            return;
        }
        let _ = self.worker.post_message(&JsValue::from_str(&text));
    }

    /// Hands the engine a canvas to paint a drawing's reconstruction into (its control,
    /// transferred: the page can no longer draw on it). Held like a message while messages
    /// are, and sent before them.
    pub fn hand_canvas(&self, canvas: OffscreenCanvas) {
        if self.pending.borrow().is_some() {
            *self.pending_canvas.borrow_mut() = Some(canvas);
            return;
        }
        post_canvas(&self.worker, Some(canvas));
    }

    /// Sends past the held messages (the move between engines talks to the engine while the
    /// views' requests wait).
    pub fn send_now(&self, message: &ToEngine) {
        let _ = self
            .worker
            .post_message(&JsValue::from_str(&encode(message)));
    }

    /// Holds the messages sent from now on, after `held` (messages another engine held).
    pub fn hold(&self, held: Vec<String>) {
        let mut pending = self.pending.borrow_mut();
        match pending.as_mut() {
            Some(queue) => queue.extend(held),
            None => *pending = Some(held),
        }
    }

    /// The held messages, no longer held here.
    pub fn take_held(&self) -> Vec<String> {
        self.pending.borrow_mut().take().unwrap_or_default()
    }

    /// Sends the held messages, in order, and holds no more.
    pub fn release(&self) {
        post_canvas(&self.worker, self.pending_canvas.borrow_mut().take());
        post_all(&self.worker, self.take_held());
    }

    /// Ends the worker at once, with whatever it was doing.
    pub fn terminate(&self) {
        self.worker.terminate();
    }
}

/// Transfers a canvas to the worker, if there is one.
fn post_canvas(worker: &Worker, canvas: Option<OffscreenCanvas>) {
    if let Some(canvas) = canvas {
        let _ = worker.post_message_with_transfer(&canvas, &js_sys::Array::of1(&canvas));
    }
}

/// Posts encoded messages to the worker, in order.
fn post_all(worker: &Worker, texts: Vec<String>) {
    for text in texts {
        let _ = worker.post_message(&JsValue::from_str(&text));
    }
}
