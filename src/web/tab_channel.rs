//! A BroadcastChannel between the page's tabs (their engine workers): a tab that keeps or
//! removes a model, or resumes, keeps or discards an interrupted run, says so, and the others
//! read the browser's storage again, so a model trained in one tab appears in the other's list
//! without a reload. Called through `Reflect` (no new web-sys features); a browser without
//! BroadcastChannel simply hears nothing.

use std::cell::RefCell;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

const CHANNEL: &str = "latent-lab";

thread_local! {
    static OPEN: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// What changed in the storage the tabs share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A model was kept or removed.
    Models,
    /// A checkpoint was removed, or an interrupted run was taken up.
    Checkpoints,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::Models => "models",
            Change::Checkpoints => "checkpoints",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "models" => Some(Change::Models),
            "checkpoints" => Some(Change::Checkpoints),
            _ => None,
        }
    }
}

/// Opens the channel; `on_change` hears what other tabs announce (never this tab's own).
pub fn listen(on_change: impl Fn(Change) + 'static) {
    let Ok(constructor) = Reflect::get(&js_sys::global(), &"BroadcastChannel".into()) else {
        return;
    };
    let Some(constructor) = constructor.dyn_ref::<Function>() else {
        return;
    };
    let Ok(channel) = Reflect::construct(constructor, &Array::of1(&CHANNEL.into())) else {
        return;
    };
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let change = Reflect::get(&event, &"data".into())
            .ok()
            .and_then(|data| data.as_string())
            .and_then(|text| Change::parse(&text));
        if let Some(change) = change {
            on_change(change);
        }
    });
    let _ = Reflect::set(&channel, &"onmessage".into(), handler.as_ref());
    handler.forget();
    OPEN.with(|open| *open.borrow_mut() = Some(channel));
}

/// Tells the other tabs what changed.
pub fn announce(change: Change) {
    OPEN.with(|open| {
        if let Some(channel) = open.borrow().as_ref()
            && let Ok(post) = Reflect::get(channel, &"postMessage".into())
            && let Some(post) = post.dyn_ref::<Function>()
        {
            let _ = post.call1(channel, &change.as_str().into());
        }
    });
}
