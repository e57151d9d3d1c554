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
use crate::analysis::StableAxes;
use crate::engine::ModelOrigin;
use crate::engine::latent_analysis::LatentAnalysis;
use crate::engine::protocol::BRUSH_REQUEST;
use crate::engine::{ImageRef, ToEngine};
use crate::ui::cursor::{CursorKey, map_step};
use crate::ui::engine_state::EngineState;
use crate::ui::format;
use crate::ui::latent_map::{
    DIGIT_COLOURS, analysis_map_caption, class_centres, epoch_positions, is_brush, map_positions,
    nearest_point, points_in_rect, snapshot_label,
};
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
    /// Shown right after the map, in its row (the view's second map, to compare).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    // A brush: where the drag started, the rectangle drawn so far, the digits it holds (as
    // the page counted them), and whether the click that ends a drag is to be ignored.
    let drag_start = StoredValue::new(None::<(f64, f64)>);
    let brush_rect = RwSignal::new(None::<((f64, f64), (f64, f64))>);
    let brushed_here = RwSignal::new(None::<(String, usize)>);
    let just_brushed = StoredValue::new(false);
    // The picked digit's decode (`ui::live`): the subject is the model and the digit.
    let last_answer = state.with_untracked(|s| s.decoded.get(SLOT).map_or(0, |d| d.seq));
    let slot = RwSignal::new(LiveSlot::<(String, usize)>::after(last_answer));
    // A model trained here recorded its sample's codes every epoch (and `latent-lab reproduce`
    // recorded the pretrained ones'): the map then shows the chosen epoch (the last one by
    // default) on still axes, with a scrubber.
    let model_name = Memo::new(move |_| analysis.with(|a| a.as_ref().map(|a| a.model.clone())));
    let model_origin = Memo::new(move |_| {
        let model = model_name.get()?;
        state.with(|s| s.models.iter().find(|m| m.name == model).map(|m| m.origin))
    });
    Effect::new(move |_| {
        let Some(model) = model_name.get() else {
            return;
        };
        let recorded = matches!(
            model_origin.get_untracked(),
            Some(ModelOrigin::Trained | ModelOrigin::Pretrained)
        );
        if recorded {
            send.run(ToEngine::EpochMaps { model });
        }
    });
    let recorded = Memo::new(move |_| {
        let model = model_name.get()?;
        state.with(|s| s.recorded_epochs.clone().filter(|r| r.model == model))
    });
    // The scrubber's position: an index into the recorded epochs, `None` for the last.
    let epoch_index = RwSignal::new(None::<usize>);
    let shown_epoch = Memo::new(move |_| {
        recorded.with(|r| {
            r.as_ref().map(|r| {
                let last = r.maps.epochs.len().saturating_sub(1);
                epoch_index.get().unwrap_or(last).min(last)
            })
        })
    });
    let positions = Memo::new(move |_| match (recorded.get(), shown_epoch.get()) {
        (Some(r), Some(e)) => epoch_positions(&r.maps.points, e, SIZE, MARGIN),
        _ => analysis
            .get()
            .map(|a| map_positions(&a.map, SIZE, MARGIN))
            .unwrap_or_default(),
    });
    let labels = Memo::new(move |_| match recorded.get() {
        Some(r) => r.labels.clone(),
        None => analysis.with(|a| a.as_ref().map(|a| a.labels.clone()).unwrap_or_default()),
    });
    let playing = StoredValue::new(None::<IntervalHandle>);
    let stop = move || {
        if let Some(handle) = playing.get_value() {
            handle.clear();
        }
        playing.set_value(None);
    };
    let play = move |_| {
        if playing.get_value().is_some() {
            stop();
            return;
        }
        let count = recorded.with_untracked(|r| r.as_ref().map_or(0, |r| r.maps.epochs.len()));
        if count < 2 {
            return;
        }
        // From the start, an epoch every 700 ms, stopping at the last.
        epoch_index.set(Some(0));
        let handle = set_interval_with_handle(
            move || {
                let next = epoch_index.get_untracked().unwrap_or(0) + 1;
                if next >= count {
                    if let Some(handle) = playing.get_value() {
                        handle.clear();
                    }
                    playing.set_value(None);
                } else {
                    epoch_index.set(Some(next));
                }
            },
            std::time::Duration::from_millis(700),
        );
        playing.set_value(handle.ok());
    };
    on_cleanup(move || {
        if let Some(handle) = playing.get_value() {
            handle.clear();
        }
    });
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let Ok(context) = context_2d(&canvas) else {
            return;
        };
        context.set_fill_style_str("#fff");
        context.fill_rect(0.0, 0.0, SIZE, SIZE);
        let positions = positions.get();
        draw_digit_points(&context, &positions, &labels.get(), 3.0, 18);
        if let Some(((x0, y0), (x1, y1))) = brush_rect.get() {
            context.set_stroke_style_str("#111");
            context.set_line_width(1.0);
            let _ = context.set_line_dash(&js_sys::Array::of2(&4.0.into(), &3.0.into()));
            context.stroke_rect(x0.min(x1), y0.min(y1), (x1 - x0).abs(), (y1 - y0).abs());
            let _ = context.set_line_dash(&js_sys::Array::new());
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
        epoch_index.set(None);
        stop();
        brush_rect.set(None);
        brushed_here.set(None);
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
    // A drag brushes a rectangle: its digits and their mean decoded (`latent-brush`).
    let mouse_down = move |ev: leptos::ev::MouseEvent| {
        let Some(canvas) = canvas.get() else { return };
        drag_start.set_value(Some(click_point(&canvas, &ev)));
    };
    let mouse_move = move |ev: leptos::ev::MouseEvent| {
        let (Some(canvas), Some(start)) = (canvas.get(), drag_start.get_value()) else {
            return;
        };
        let at = click_point(&canvas, &ev);
        if is_brush(start, at) {
            brush_rect.set(Some((start, at)));
        }
    };
    let mouse_up = move |ev: leptos::ev::MouseEvent| {
        let (Some(canvas), Some(start)) = (canvas.get(), drag_start.get_value()) else {
            return;
        };
        drag_start.set_value(None);
        let at = click_point(&canvas, &ev);
        if !is_brush(start, at) {
            return;
        }
        just_brushed.set_value(true);
        brush_rect.set(Some((start, at)));
        let indices = positions.with_untracked(|p| points_in_rect(p, start, at));
        let Some(model) = analysis.with_untracked(|a| a.as_ref().map(|a| a.model.clone())) else {
            return;
        };
        brushed_here.set(Some((model.clone(), indices.len())));
        if !indices.is_empty() {
            send.run(ToEngine::Brush { model, indices });
        }
    };
    let click = move |ev: leptos::ev::MouseEvent| {
        // The click that ends a brush is not a pick.
        if just_brushed.get_value() {
            just_brushed.set_value(false);
            return;
        }
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
        if let (Some(r), Some(e)) = (recorded.get(), shown_epoch.get()) {
            let [x, y] = r.maps.explained.get(e).copied().unwrap_or([0.0, 0.0]);
            let training = if model_origin.get() == Some(ModelOrigin::Pretrained) {
                "of its training on full MNIST by latent-lab reproduce"
            } else {
                "of its training here"
            };
            return Some(format!(
                "The first {} test images of {} after {} {training} ({:.0}% and {:.0}% of the code variance then on the two axes).",
                r.labels.len(),
                r.model,
                snapshot_label(&r.maps.epochs, &r.maps.steps, e),
                x * 100.0,
                y * 100.0
            ));
        }
        analysis.get().map(|a| analysis_map_caption(&a))
    };
    view! {
        <div class="heatmap-row">
            <figure class="latent-map-figure">
                <canvas node_ref=canvas width=SIZE as u32 height=SIZE as u32 class="latent-map"
                    data-testid="latent-map" data-points=move || positions.get().len()
                    data-epoch=move || shown_epoch.get().and_then(|e| recorded.with(|r| r.as_ref()?.maps.epochs.get(e).copied()))
                    data-step=move || shown_epoch.get().and_then(|e| recorded.with(|r| r.as_ref()?.maps.steps.get(e).copied()))
                    data-picked=move || picked.get().map(|i| i.to_string())
                    tabindex="0" role="img"
                    aria-label="Latent map: one point per test image, coloured and numbered by digit. Arrow keys move from point to point and show each one; Home and End go to the leftmost and rightmost."
                    on:click=click on:keydown=key on:mousedown=mouse_down on:mousemove=mouse_move
                    on:mouseup=mouse_up on:mouseleave=move |_| drag_start.set_value(None)></canvas>
                <figcaption>
                    {explained} " Click a point, or focus the map and use the arrow keys, to see it; drag a rectangle to see the digits in it. "
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
            {children.map(|c| view! { <div class="comparison-slot" data-part="latent-map-comparison">{c()}</div> })}
            {move || recorded.get().map(|r| {
                let last = r.maps.epochs.len().saturating_sub(1);
                let axes = match r.maps.method {
                    StableAxes::Projection => "each map projected on the last one's two principal axes",
                    StableAxes::Procrustes => "each map's own principal components turned onto the last one's by orthogonal Procrustes",
                };
                let motion = match r.maps.procrustes_motion {
                    Some(p) => format!(
                        "the way that moves the points less from one map to the next: {:.3} of the last map's spread, against {:.3} the other way",
                        r.maps.projection_motion.min(p),
                        r.maps.projection_motion.max(p)
                    ),
                    None => "too large a run to compute every epoch's own components".to_string(),
                };
                view! {
                    <div class="epoch-scrubber" data-part="latent-epochs">
                        <label>"Through the training "
                            <input type="range" min="0" max=last step="1" data-testid="latent-epoch"
                                aria-label="Moment of the training shown on the latent map"
                                prop:value=move || shown_epoch.get().unwrap_or(0).to_string()
                                on:input=move |ev| {
                                    stop();
                                    if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                                        epoch_index.set(Some(i));
                                    }
                                }/>
                            " " {move || shown_epoch.get().and_then(|e| recorded.with(|r| r.as_ref().map(|r| snapshot_label(&r.maps.epochs, &r.maps.steps, e)))).unwrap_or_default()}
                            {format!(" · {} over {}", format::count(r.maps.epochs.len(), "map", "maps"),
                                format::count(r.maps.epochs.last().copied().unwrap_or(0), "epoch", "epochs"))}
                        </label>
                        " "
                        <button class="small" data-testid="latent-epoch-play" on:click=play>"Play"</button>
                        <p class="note">{format!("Axes kept still: {axes} ({motion}).")}</p>
                    </div>
                }
            })}
            <figure>
                <ImageStrip pixels=pair testid="latent-map-pick" class="large" live=live/>
                <figcaption aria-live="polite" data-testid="latent-map-picked">{move || picked.get().map_or(
                    "The picked test image and its reconstruction.".to_string(),
                    |i| format!("Test image {i} (a {}) and its reconstruction.",
                        labels.with(|l| l.get(i).copied()).map_or("?".into(), |l| l.to_string())),
                )}</figcaption>
            </figure>
        </div>
        <BrushedView state=state brushed_here=brushed_here/>
    }
}

/// One point per digit in its colour, and each digit's numeral at the middle of its points:
/// the map reads without colour too. `point` is a point's side, `font_px` the numerals' size.
pub(super) fn draw_digit_points(
    context: &web_sys::CanvasRenderingContext2d,
    positions: &[(f64, f64)],
    labels: &[u8],
    point: f64,
    font_px: u32,
) {
    for (&(x, y), &label) in positions.iter().zip(labels) {
        let (r, g, b) = DIGIT_COLOURS[usize::from(label) % 10];
        context.set_fill_style_str(&format!("rgba({r},{g},{b},0.7)"));
        context.fill_rect(x - point / 2.0, y - point / 2.0, point, point);
    }
    context.set_font(&format!("bold {font_px}px sans-serif"));
    context.set_text_align("center");
    context.set_text_baseline("middle");
    context.set_line_width(f64::from(font_px) / 4.5);
    context.set_stroke_style_str("#fff");
    for (label, x, y) in class_centres(positions, labels) {
        let (r, g, b) = DIGIT_COLOURS[usize::from(label) % 10];
        let _ = context.stroke_text(&label.to_string(), x, y);
        context.set_fill_style_str(&format!("rgb({r},{g},{b})"));
        let _ = context.fill_text(&label.to_string(), x, y);
    }
}

/// The digits a brush holds (the first hundred) and their codes' mean, decoded.
#[component]
fn BrushedView(
    #[prop(into)] state: Signal<EngineState>,
    /// The model and how many digits the page counted in the brush, once one was drawn.
    #[prop(into)]
    brushed_here: Signal<Option<(String, usize)>>,
) -> impl IntoView {
    let answer = Memo::new(move |_| {
        let (model, count) = brushed_here.get()?;
        state.with(|s| {
            s.brushed
                .clone()
                .filter(|b| b.model == model && b.count == count)
        })
    });
    let digits = Signal::derive(move || {
        answer.with(|a| a.as_ref().map(|a| a.pixels.clone()).unwrap_or_default())
    });
    let mean = Signal::derive(move || {
        answer.with(|a| a.as_ref().map(|a| a.mean.clone()).unwrap_or_default())
    });
    let caption = move || match (brushed_here.get(), answer.get()) {
        (None, _) => None,
        (Some((_, 0)), _) => Some("The rectangle holds no digit.".to_string()),
        (Some(_), Some(a)) if a.indices.len() < a.count => Some(format!(
            "{} in the rectangle (the first {} shown); right: the mean of their codes, decoded.",
            format::count(a.count, "digit", "digits"),
            a.indices.len()
        )),
        (Some(_), Some(a)) => Some(format!(
            "{} in the rectangle; right: the mean of their codes, decoded.",
            format::count(a.count, "digit", "digits")
        )),
        (Some((_, n)), None) => Some(
            state
                .with(|s| s.request_errors.get(BRUSH_REQUEST).cloned())
                .unwrap_or_else(|| format!("Reading the {n} digits in the rectangle…")),
        ),
    };
    view! {
        <Show when=move || brushed_here.with(Option::is_some)>
            <div class="heatmap-row" data-testid="latent-brush"
                data-selected=move || brushed_here.with(|b| b.as_ref().map(|b| b.1))
                data-count=move || answer.with(|a| a.as_ref().map(|a| a.count))
                data-shown=move || answer.with(|a| a.as_ref().map(|a| a.indices.len()))>
                <figure>
                    <ImageStrip pixels=digits testid="latent-brush-grid" columns=Signal::derive(|| 10usize)/>
                    <figcaption aria-live="polite">{caption}</figcaption>
                </figure>
                <figure>
                    <ImageStrip pixels=mean testid="latent-brush-mean" class="large"/>
                    <figcaption>"The mean code, decoded."</figcaption>
                </figure>
            </div>
        </Show>
    }
}
