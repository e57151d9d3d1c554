//! The latent map: every test image's code on the first two principal components, one colour
//! and numeral per digit; a click on a point, or the arrow keys, show that digit and the
//! model's reconstruction.

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;

use super::canvas::{click_point, context_2d};
use super::download::offer_canvas_png;
use super::image_strip::ImageStrip;
use super::view_link::notify;
use crate::engine::latent_analysis::LatentAnalysis;
use crate::engine::{ImageRef, ToEngine};
use crate::ui::cursor::{CursorKey, map_step};
use crate::ui::engine_state::EngineState;
use crate::ui::latent_map::{DIGIT_COLOURS, class_centres, map_positions, nearest_point};
use crate::ui::live::{LiveSlot, LiveState};

const SIZE: f64 = 420.0;
const MARGIN: f64 = 12.0;
const SLOT: &str = "map";

#[component]
pub fn LatentMap(
    #[prop(into)] analysis: Signal<Option<Arc<LatentAnalysis>>>,
    #[prop(into)] state: Signal<EngineState>,
    send: Callback<ToEngine>,
    /// The picked point (a test image's index): the view keeps it in its link.
    picked: RwSignal<Option<usize>>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    // The picked digit's decode (`ui::live`): the subject is the model and the digit.
    let last_answer = state.with_untracked(|s| s.decoded.get(SLOT).map_or(0, |d| d.seq));
    let slot = RwSignal::new(LiveSlot::<(String, usize)>::after(last_answer));
    let positions = Memo::new(move |_| {
        analysis
            .get()
            .map(|a| map_positions(&a.map, SIZE, MARGIN))
            .unwrap_or_default()
    });
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let Ok(context) = context_2d(&canvas) else {
            return;
        };
        context.set_fill_style_str("#fff");
        context.fill_rect(0.0, 0.0, SIZE, SIZE);
        let labels = analysis.with(|a| a.as_ref().map(|a| a.labels.clone()).unwrap_or_default());
        let positions = positions.get();
        for (&(x, y), &label) in positions.iter().zip(&labels) {
            let (r, g, b) = DIGIT_COLOURS[usize::from(label) % 10];
            context.set_fill_style_str(&format!("rgba({r},{g},{b},0.7)"));
            context.fill_rect(x - 1.5, y - 1.5, 3.0, 3.0);
        }
        // Each digit's numeral at the middle of its points: the map reads without colour.
        context.set_font("bold 18px sans-serif");
        context.set_text_align("center");
        context.set_text_baseline("middle");
        context.set_line_width(4.0);
        context.set_stroke_style_str("#fff");
        for (label, x, y) in class_centres(&positions, &labels) {
            let (r, g, b) = DIGIT_COLOURS[usize::from(label) % 10];
            let _ = context.stroke_text(&label.to_string(), x, y);
            context.set_fill_style_str(&format!("rgb({r},{g},{b})"));
            let _ = context.fill_text(&label.to_string(), x, y);
        }
        if let Some(&(x, y)) = picked.get().and_then(|i| positions.get(i)) {
            context.set_stroke_style_str("#111");
            context.set_line_width(2.0);
            context.begin_path();
            let _ = context.arc(x, y, 6.0, 0.0, std::f64::consts::TAU);
            context.stroke();
        }
    });
    // Shows test image `i` and its reconstruction by the map's model.
    let show = move |i: usize| {
        let Some(model) = analysis.with_untracked(|a| a.as_ref().map(|a| a.model.clone())) else {
            return;
        };
        picked.set(Some(i));
        let seq = slot
            .try_update(|s| s.request((model.clone(), i), i.to_string()))
            .unwrap_or_default();
        send.run(ToEngine::Decode {
            slot: SLOT.into(),
            seq,
            model,
            from: ImageRef::Test(i),
            to: ImageRef::Test(i),
            alphas: vec![0.0],
            diagnose: None,
        });
    };
    // The first analysis shows the digit the link picked, if the map holds it; another model
    // forgets the picked point.
    let shown_model = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let Some(model) = analysis.with(|a| a.as_ref().map(|a| a.model.clone())) else {
            return;
        };
        let before = shown_model.get_value();
        if before.as_deref() == Some(model.as_str()) {
            return;
        }
        shown_model.set_value(Some(model.clone()));
        if before.is_some() {
            picked.set(None);
            slot.update(LiveSlot::forget);
            return;
        }
        let points = positions.with_untracked(Vec::len);
        match picked.get_untracked() {
            Some(i) if i < points => show(i),
            Some(i) => {
                notify(vec![format!(
                    "the link's picked digit {i} is not on {model}'s map ({points} test images); no digit is picked"
                )]);
                picked.set(None);
            }
            None => {}
        }
    });
    let click = move |ev: leptos::ev::MouseEvent| {
        let Some(canvas) = canvas.get() else { return };
        let (x, y) = click_point(&canvas, &ev);
        if let Some(i) = nearest_point(&positions.get_untracked(), x, y, 8.0) {
            show(i);
        }
    };
    // By keyboard the arrows walk from point to point, each one shown as it is reached.
    let key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(key) = CursorKey::from_key(&ev.key()) else {
            return;
        };
        ev.prevent_default();
        let from = picked.get_untracked();
        let to = positions.with_untracked(|p| map_step(p, from, key));
        if let Some(i) = to.filter(|&i| Some(i) != from) {
            show(i);
        }
    };
    let live = Signal::derive(move || {
        let answered = state.with(|s| s.decoded.get(SLOT).map(|d| d.seq));
        slot.with(|l| LiveState::of(l, answered))
    });
    let pair = Signal::derive(move || {
        if picked.get().is_none() || live.with(|l| l.shown.is_none()) {
            return Vec::new();
        }
        state.with(|s| {
            s.decoded
                .get(SLOT)
                .map(|d| {
                    let mut images = d.inputs.get(..784).map(<[u8]>::to_vec).unwrap_or_default();
                    images.extend_from_slice(&d.pixels);
                    images
                })
                .unwrap_or_default()
        })
    });
    let explained = move || {
        analysis.get().map(|a| {
            let e = &a.map.explained;
            format!(
                "{} test images of {}, on the first two principal components of their codes ({:.0}% and {:.0}% of the variance).",
                a.images,
                a.model,
                e.first().copied().unwrap_or(0.0) * 100.0,
                e.get(1).copied().unwrap_or(0.0) * 100.0
            )
        })
    };
    view! {
        <div class="heatmap-row">
            <figure>
                <canvas node_ref=canvas width=SIZE as u32 height=SIZE as u32 class="latent-map"
                    data-testid="latent-map" data-points=move || positions.get().len()
                    data-picked=move || picked.get().map(|i| i.to_string())
                    tabindex="0" role="img"
                    aria-label="Latent map: one point per test image, coloured and numbered by digit. Arrow keys move from point to point and show each one; Home and End go to the leftmost and rightmost."
                    on:click=click on:keydown=key></canvas>
                <figcaption>
                    {explained} " Click a point, or focus the map and use the arrow keys, to see it. "
                    <button class="small" on:click=move |_| {
                        if let Some(c) = canvas.get() {
                            let _ = offer_canvas_png(&c, "latent-map.png");
                        }
                    }>"PNG"</button>
                    <span class="legend">
                        {DIGIT_COLOURS.iter().enumerate().map(|(d, (r, g, b))| view! {
                            <span class="swatch" style=format!("background: rgb({r},{g},{b})")></span>{d.to_string()} " "
                        }).collect_view()}
                    </span>
                </figcaption>
            </figure>
            <figure>
                <ImageStrip pixels=pair testid="latent-map-pick" class="large" live=live/>
                <figcaption aria-live="polite" data-testid="latent-map-picked">{move || picked.get().map_or(
                    "The picked test image and its reconstruction.".to_string(),
                    |i| format!("Test image {i} (a {}) and its reconstruction.",
                        analysis.with(|a| a.as_ref().and_then(|a| a.labels.get(i).copied()).map_or("?".into(), |l| l.to_string()))),
                )}</figcaption>
            </figure>
        </div>
    }
}
