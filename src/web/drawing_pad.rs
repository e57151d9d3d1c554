//! The drawing pad: a square canvas that takes mouse, touch and pen through pointer events,
//! drawn at the screen's pixel density so strokes stay sharp. Ctrl+Z (or U) undoes the last
//! stroke and Delete (or Backspace, Escape) clears, while the pad has the focus.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::canvas::context_2d;
use super::now_ms;
use crate::ui::drawing_strokes::{BRUSH, Drawing, Point, RawPacer};

/// The pad's side in CSS pixels.
pub const PAD_SIDE: f64 = 280.0;

#[component]
pub fn DrawingPad(
    drawing: RwSignal<Drawing>,
    /// A stroke ended (pointer up, or it left the pad).
    on_stroke_end: Callback<()>,
    /// Undo or clear from the keyboard.
    on_key: Callback<PadKey>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        drawing.with(|d| {
            if let Err(e) = paint(&canvas, d) {
                leptos::logging::warn!("pad: {e}");
            }
        });
    });
    // Pointer position in [0, 1] of the pad.
    let point = move |ev: &leptos::ev::PointerEvent| -> Option<Point> {
        let canvas = canvas.get_untracked()?;
        let rect = canvas.get_bounding_client_rect();
        let (w, h) = (rect.width().max(1.0), rect.height().max(1.0));
        Some([
            ((f64::from(ev.client_x()) - rect.left()) / w) as f32,
            ((f64::from(ev.client_y()) - rect.top()) / h) as f32,
        ])
    };
    // Chromium hands over each move as it arrives (`pointerrawupdate`) and again at the start
    // of the next frame (`pointermove`, aligned with it). The pad takes a stroke's points from
    // the first where the pointer sends them: its reading is asked for before the frame
    // begins, and the answer less often waits for that frame to end. A stroke without raw
    // updates (touch, other browsers) takes them from `pointermove`. `RawPacer` keeps which,
    // and notifies the page of raw updates at most every 4 ms.
    let pacer = StoredValue::new(RawPacer::default());
    let down = move |ev: leptos::ev::PointerEvent| {
        // Only the main button of a mouse; touch and pen report button 0 too.
        if ev.button() != 0 {
            return;
        }
        pacer.update_value(RawPacer::begin);
        ev.prevent_default();
        if let Some(c) = canvas.get_untracked() {
            let _ = c.set_pointer_capture(ev.pointer_id());
            let _ = c.focus();
        }
        if let Some(p) = point(&ev) {
            drawing.update(|d| d.begin(p));
        }
    };
    let moved = move |ev: leptos::ev::PointerEvent| {
        if pacer.with_value(RawPacer::is_raw) {
            if pacer.try_update_value(|p| p.frame(now_ms())) == Some(true) {
                drawing.notify();
            }
            return;
        }
        if !drawing.with_untracked(Drawing::is_drawing) {
            return;
        }
        if let Some(p) = point(&ev) {
            drawing.update(|d| d.extend(p));
        }
    };
    let raw_move = move |ev: web_sys::Event| {
        let Ok(ev) = ev.dyn_into::<web_sys::PointerEvent>() else {
            return;
        };
        if !drawing.with_untracked(Drawing::is_drawing) {
            return;
        }
        let Some(p) = point(&ev) else { return };
        if pacer.try_update_value(|pace| pace.point(now_ms())) == Some(true) {
            drawing.update(|d| d.extend(p));
        } else {
            drawing.update_untracked(|d| d.extend(p));
        }
    };
    let up = move |_ev: leptos::ev::PointerEvent| {
        pacer.update_value(|p| p.notified(now_ms()));
        let mut ended = false;
        drawing.update(|d| ended = d.end());
        if ended {
            on_stroke_end.run(());
        }
    };
    let key = move |ev: leptos::ev::KeyboardEvent| {
        let k = ev.key();
        let action = match k.as_str() {
            "z" | "Z" if ev.ctrl_key() || ev.meta_key() => Some(PadKey::Undo),
            "u" | "U" => Some(PadKey::Undo),
            "Delete" | "Backspace" | "Escape" => Some(PadKey::Clear),
            _ => None,
        };
        if let Some(action) = action {
            ev.prevent_default();
            on_key.run(action);
        }
    };
    view! {
        <canvas
            node_ref=canvas
            class="draw-pad"
            data-testid="draw-pad"
            tabindex="0"
            role="img"
            aria-label="Drawing pad: draw a digit with the mouse, a finger or a pen. Ctrl+Z undoes the last stroke, Delete clears."
            data-strokes=move || drawing.with(|d| d.strokes().len())
            data-version=move || drawing.with(|d| d.version())
            on:pointerdown=down
            on:pointerrawupdate=raw_move
            on:pointermove=moved
            on:pointerup=up
            on:pointercancel=up
            on:lostpointercapture=up
            on:keydown=key
        ></canvas>
    }
}

/// What a key on the pad asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PadKey {
    Undo,
    Clear,
}

/// Draws every stroke, white on black like MNIST, at the device's pixel ratio.
fn paint(canvas: &web_sys::HtmlCanvasElement, drawing: &Drawing) -> Result<(), String> {
    let ratio = window().device_pixel_ratio().max(1.0);
    let side = (PAD_SIDE * ratio).round();
    if f64::from(canvas.width()) != side {
        canvas.set_width(side as u32);
        canvas.set_height(side as u32);
    }
    let ctx = context_2d(canvas)?;
    ctx.set_fill_style_str("#000");
    ctx.fill_rect(0.0, 0.0, side, side);
    ctx.set_stroke_style_str("#fff");
    ctx.set_fill_style_str("#fff");
    ctx.set_line_width(f64::from(BRUSH) * side);
    ctx.set_line_cap("round");
    ctx.set_line_join("round");
    for stroke in drawing.strokes() {
        let Some(first) = stroke.first() else {
            continue;
        };
        let at = |p: &Point| (f64::from(p[0]) * side, f64::from(p[1]) * side);
        let (x, y) = at(first);
        if stroke.len() == 1 {
            // A dot: a disc of the brush's width.
            ctx.begin_path();
            ctx.arc(
                x,
                y,
                f64::from(BRUSH) * side / 2.0,
                0.0,
                std::f64::consts::TAU,
            )
            .map_err(|e| format!("{e:?}"))?;
            ctx.fill();
            continue;
        }
        ctx.begin_path();
        ctx.move_to(x, y);
        for p in &stroke[1..] {
            let (x, y) = at(p);
            ctx.line_to(x, y);
        }
        ctx.stroke();
    }
    Ok(())
}
