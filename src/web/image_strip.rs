//! A row of 28×28 frames drawn as one pixelated image (`putImageData`). A live strip (one
//! that answers a drawing, a slider or a click) says which request it shows and which one is
//! wanted (`ui::live`), and is dimmed while the newest answer is slow to come. A strip may
//! hand its canvas to the engine, which then paints it (the draw view's reconstruction).

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::canvas::put_rgba;
use super::slow_answer::dimmed_when_slow;
use crate::data::IMAGE_PIXELS;
use crate::ui::image::{grid_rgba, grid_size, tint_cell};

/// The property that marks a canvas handed to the engine (it can be handed only once).
const HANDED: &str = "latentLabHandedToEngine";

/// The paper of a marked frame: a light orange.
const MARK_TINT: [u8; 3] = [255, 214, 160];
use crate::ui::live::LiveState;

#[component]
pub fn ImageStrip(
    /// 784 grey bytes per frame.
    #[prop(into)]
    pixels: Signal<Vec<u8>>,
    testid: &'static str,
    /// Frames per row (all of them by default).
    #[prop(optional, into)]
    columns: Option<Signal<usize>>,
    #[prop(optional, into)] model: Option<Signal<String>>,
    #[prop(default = "strip")] class: &'static str,
    /// For a live result: the request it answers and the newest one.
    #[prop(optional, into)]
    live: Option<Signal<LiveState>>,
    /// Frames drawn on tinted paper (an interpolation's frames past its two digits).
    #[prop(optional, into)]
    marked: Option<Signal<Vec<bool>>>,
    /// Hands the canvas to the engine, where the browser can (`transferControlToOffscreen`):
    /// the engine paints the frame as soon as it has it, and the strip only hides the canvas
    /// while `pixels` is empty. Where the browser cannot, the strip paints as any other.
    #[prop(default = None)]
    hand_to_engine: Option<Callback<web_sys::OffscreenCanvas>>,
) -> impl IntoView {
    let live_state = move || live.map(|l| l.get());
    let dimmed = live.map(|l| dimmed_when_slow(Memo::new(move |_| l.with(LiveState::pending))));
    let canvas = NodeRef::<Canvas>::new();
    let frames = Memo::new(move |_| pixels.with(|p| p.len() / IMAGE_PIXELS));
    // The grid's width over its height, for the style sheet: a strip given a height there
    // and narrowed to fit the page scales both ways, rather than squeezing its digits.
    let aspect = Memo::new(move |_| {
        let n = frames.get();
        let (w, h) = grid_size(n, columns.map_or(n, |c| c.get()), 1);
        format!("{:.4}", w as f64 / h as f64)
    });
    let engine_paints = RwSignal::new(false);
    let handing_tried = StoredValue::new(false);
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        if let Some(hand) = hand_to_engine
            && !handing_tried.get_value()
        {
            handing_tried.set_value(true);
            // A view built anew in place (leptos rebuilds a view of the same shape) keeps its
            // elements: this canvas may be the engine's already.
            let handed = JsValue::from_str(HANDED);
            if js_sys::Reflect::get(&canvas, &handed).is_ok_and(|v| v.is_truthy()) {
                engine_paints.set(true);
            } else {
                // Before any context is taken (a canvas with one cannot be handed over); the
                // size of an empty strip, so that nothing moves when the first frame comes.
                let (w, h, _) = grid_rgba(&[], 1, 1);
                canvas.set_width(w as u32);
                canvas.set_height(h as u32);
                if let Ok(offscreen) = canvas.transfer_control_to_offscreen() {
                    let _ = js_sys::Reflect::set(&canvas, &handed, &JsValue::TRUE);
                    engine_paints.set(true);
                    hand.run(offscreen);
                }
            }
        }
        if engine_paints.get_untracked() {
            return;
        }
        pixels.with(|p| {
            let n = p.len() / IMAGE_PIXELS;
            let columns = columns.map_or(n, |c| c.get()).max(1);
            let (w, h, mut rgba) = grid_rgba(p, columns, 1);
            if let Some(marked) = marked {
                for (cell, _) in marked.get().iter().enumerate().filter(|(_, m)| **m) {
                    tint_cell(&mut rgba, w, columns, 1, cell, MARK_TINT);
                }
            }
            if let Err(e) = put_rgba(&canvas, w, h, &rgba) {
                leptos::logging::warn!("strip: {e}");
            }
        });
    });
    let strip = view! {
        <canvas
            node_ref=canvas
            class=move || {
                let dim = dimmed.is_some_and(|d| d.get());
                format!("pixelated {class}{}", if dim { " pending" } else { "" })
            }
            style:visibility=move || (engine_paints.get() && frames.get() == 0).then_some("hidden")
            style=("--aspect", move || aspect.get())
            data-testid=testid
            data-painter=move || hand_to_engine.map(|_| if engine_paints.get() { "engine" } else { "page" })
            data-frames=move || frames.get()
            data-marked=move || marked.map(|m| m.with(|m| m.iter().filter(|x| **x).count()))
            data-model=move || model.map(|m| m.get())
            data-version=move || live_state().map(|l| l.version_attribute())
            data-wanted=move || live_state().map(|l| l.wanted_attribute())
            data-pending=move || live_state().map(|l| l.pending().to_string())
            data-input=move || live_state().map(|l| l.input_attribute())
        ></canvas>
    };
    // A canvas the engine paints is hidden while there is nothing to show (it still holds the
    // last frame, which the page cannot wipe): the paper beneath it shows the empty strip's grey.
    if hand_to_engine.is_some() {
        view! { <span class="engine-paper">{strip}</span> }.into_any()
    } else {
        strip.into_any()
    }
}
