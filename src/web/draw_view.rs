//! `#/draw`: a person draws a digit and sees, while drawing, the 28×28 image the models get,
//! the autoencoder's reconstruction, the code, the classifier's guess, the nearest test digits,
//! and an interpolation from the drawing to a test digit or to a kept drawing.

use leptos::prelude::*;

use super::class_probabilities::ClassProbabilities;
use super::digit_gallery::DigitGallery;
use super::drawing_pad::{DrawingPad, PadKey};
use super::image_strip::ImageStrip;
use super::latent_bars::LatentBars;
use super::model_select::ModelSelect;
use super::slow_answer::dimmed_when_slow;
use super::view_link::{keep_in_address, notify, opening_link, resolve_linked_model};
use super::{now_ms, page_time_of};
use crate::analysis::interpolation_alphas;
use crate::data::{mnist_style, pixels_to_bytes};
use crate::engine::{ImageRef, ToEngine};
use crate::ui::drawing_strokes::{Drawing, LatencyLog, LatestOnly, RASTER_SIDE, latent_bars};
use crate::ui::engine_state::{DRAWING, EngineState, PREFERRED_CLASSIFIER, ReconstructionCanvas};
use crate::ui::format;
use crate::ui::live::{LiveSlot, LiveState};
use crate::ui::view_links::DrawLink;
use crate::weights::ModelSpec;

const DEFAULT_AUTOENCODER: &str = "two-layer-d20";
const INTERP_SLOT: &str = "draw-interp";
const INTERP_FRAMES: usize = 10;

/// Where the interpolation strip goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Test(usize),
    Kept,
}

/// What a person made in the draw view, kept by the app so that it survives a visit to
/// another view: the drawing, a drawing kept for interpolation, and the strip's target.
#[derive(Debug, Clone, Copy)]
pub struct DrawSession {
    drawing: RwSignal<Drawing>,
    /// 784 grey bytes: the input of the drawing kept ("Keep for interpolation").
    kept: RwSignal<Option<Vec<u8>>>,
    target: RwSignal<Option<Target>>,
}

impl Default for DrawSession {
    fn default() -> Self {
        Self {
            drawing: RwSignal::new(Drawing::default()),
            kept: RwSignal::new(None),
            target: RwSignal::new(None),
        }
    }
}

#[component]
pub fn DrawView(
    #[prop(into)] state: Signal<EngineState>,
    send: Callback<ToEngine>,
    /// Hands the reconstruction's canvas to the engine, which paints it.
    hand_canvas: Callback<web_sys::OffscreenCanvas>,
    /// The drawing and what goes with it, kept by the app.
    session: DrawSession,
) -> impl IntoView {
    let DrawSession {
        drawing,
        kept,
        target,
    } = session;
    let loaded = Memo::new(move |_| state.with(|s| s.loaded));
    let autoencoders = Memo::new(move |_| state.with(EngineState::autoencoder_names));
    let classifiers = Memo::new(move |_| state.with(EngineState::classifier_names));
    // The view opens on its link's models; the address follows them.
    let query = opening_link();
    let (link, notices) = DrawLink::from_link(&query, DEFAULT_AUTOENCODER);
    notify(notices);
    let autoencoder = RwSignal::new(link.autoencoder);
    if query.get("model").is_some() {
        resolve_linked_model(state, autoencoder, DEFAULT_AUTOENCODER, |m| {
            matches!(m.spec, ModelSpec::Autoencoder { .. })
        });
    }
    // `None` until the person picks: then the default if the list has it; "" is no classifier.
    let classifier_choice = RwSignal::new(link.classifier.clone());
    if link.classifier.is_some_and(|c| !c.is_empty()) {
        let linked = RwSignal::new(classifier_choice.get_untracked().unwrap_or_default());
        resolve_linked_model(state, linked, PREFERRED_CLASSIFIER, |m| {
            matches!(m.spec, ModelSpec::Classifier { .. })
        });
        Effect::new(move |_| classifier_choice.set(Some(linked.get())));
    }
    keep_in_address(move || {
        DrawLink {
            autoencoder: autoencoder.get(),
            classifier: classifier_choice.get(),
        }
        .hash()
    });
    let classifier = Memo::new(move |_| {
        classifier_choice
            .get()
            .unwrap_or_else(|| state.with(EngineState::preferred_classifier))
    });

    // The reconstruction's canvas goes anew to the engine the page moves to (the first one had
    // it), or to the page where the engine failed to paint it.
    let reconstruction_canvas = Memo::new(move |_| state.with(EngineState::reconstruction_canvas));

    // The MNIST-style input of the drawing's current version.
    let input = RwSignal::new(None::<(u64, Vec<u8>)>);
    let input_error = RwSignal::new(None::<String>);
    let gate = StoredValue::new(LatestOnly::default());
    let latency = RwSignal::new(LatencyLog::default());

    let send_current = move || {
        let Some(Some((seq, pixels))) = input.try_get_untracked() else {
            return;
        };
        let c = classifier.get_untracked();
        send.run(ToEngine::ReadDrawing {
            seq,
            autoencoder: autoencoder.get_untracked(),
            classifier: (!c.is_empty()).then_some(c),
            pixels,
        });
    };
    let want = move || match input.try_get_untracked().flatten() {
        Some((version, _)) => {
            if gate
                .try_update_value(|g| g.want(version))
                .flatten()
                .is_some()
            {
                send_current();
            }
        }
        None => {
            gate.try_update_value(LatestOnly::forget_waiting);
        }
    };
    // Makes the input of the drawing's current version and asks for its reading.
    let make_input = move || {
        let Some((version, ink)) =
            drawing.try_with_untracked(|d| (d.version(), d.rasterise(RASTER_SIDE)))
        else {
            return; // the view is gone
        };
        match mnist_style(&ink, RASTER_SIDE, RASTER_SIDE) {
            Ok(image) => {
                input_error.try_set(None);
                input.try_set(image.map(|i| (version, pixels_to_bytes(&i))));
                if loaded.get_untracked() {
                    want();
                }
            }
            Err(e) => {
                input_error.try_set(Some(e.to_string()));
            }
        }
    };
    // Every change of the drawing: its input made at once (a few hundred microseconds; the
    // browser sends at most one pointer move a frame), and the reading asked for (one request
    // at a time: `LatestOnly`). Not for a repeated version (the end of a stroke adds no point).
    Effect::new(move |_| {
        let version = drawing.with(Drawing::version);
        // What the log shows changes only with a new sample: no notification here.
        latency.update_untracked(|l| l.drawn(version, now_ms()));
        let made = input.with_untracked(|i| i.as_ref().map(|(v, _)| *v)) == Some(version);
        if !made {
            make_input();
        }
    });
    // Another model, the models just loaded, or another canvas for the reconstruction (blank
    // on another engine): read the drawing again.
    Effect::new(move |_| {
        autoencoder.track();
        classifier.track();
        reconstruction_canvas.track();
        if loaded.get() {
            want();
        }
    });
    // Answers came back (counted since the view opened): the newest drawing goes next, if
    // it waited.
    let answers_seen = StoredValue::new(state.with_untracked(|s| s.drawing_answers));
    Effect::new(move |_| {
        let total = state.with(|s| s.drawing_answers);
        let new = answers_seen
            .try_update_value(|seen| total.saturating_sub(std::mem::replace(seen, total)))
            .unwrap_or(0);
        if new > 0
            && gate
                .try_update_value(|g| g.answered(new))
                .flatten()
                .is_some()
        {
            send_current();
        }
    });
    // Latency: from a stroke's last point to the reconstruction of the drawing it finished,
    // shown when the engine painted it into the canvas the view handed over, else when the
    // reading reached the page (the log is shown anew only when it records a sample).
    Effect::new(move |_| {
        if let Some((seq, painted_at)) = state.with(|s| {
            s.drawing
                .as_ref()
                .map(|d| (d.seq, d.painting.engine_painted_at()))
        }) && latency
            .try_update_untracked(|l| l.shown(seq, painted_at.map_or_else(now_ms, page_time_of)))
            .flatten()
            .is_some()
        {
            latency.notify();
        }
    });

    // The newest reading, if it was made with the chosen models from this drawing (an older
    // version of it shows as pending until the current one is read).
    let reading = Memo::new(move |_| {
        let shown = !drawing.with(Drawing::is_empty);
        let model = autoencoder.get();
        let c = classifier.get();
        let wanted_classifier = (!c.is_empty()).then_some(c);
        state.with(|s| {
            s.drawing
                .clone()
                .filter(|r| shown && r.autoencoder == model && r.classifier == wanted_classifier)
        })
    });
    let reading_live = Signal::derive(move || {
        LiveState::of_input_version(
            reading.with(|r| r.as_ref().map(|r| r.seq)),
            input.with(|i| i.as_ref().map(|(v, _)| *v)),
        )
    });
    let reading_dimmed =
        dimmed_when_slow(Memo::new(move |_| reading_live.with(LiveState::pending)));
    // Whether the engine paints the reconstruction (the latency note says what it times).
    let engine_painted = Memo::new(move |_| {
        state.with(|s| {
            s.drawing
                .as_ref()
                .is_some_and(|d| d.painting.engine_painted_at().is_some())
        })
    });
    let reconstruction = Signal::derive(move || {
        reading
            .with(|r| r.as_ref().map(|r| r.reconstruction.clone()))
            .unwrap_or_default()
    });
    let input_pixels = Signal::derive(move || {
        input
            .with(|i| i.as_ref().map(|(_, p)| p.clone()))
            .unwrap_or_default()
    });
    let bars = Signal::derive(move || {
        reading.with(|r| {
            r.as_ref()
                .map(|r| latent_bars(&r.code, &r.dead, r.code_scale))
                .unwrap_or_default()
        })
    });
    let probabilities = Signal::derive(move || {
        reading.with(|r| {
            r.as_ref()
                .map(|r| r.probabilities.clone())
                .unwrap_or_default()
        })
    });
    let neighbours = Memo::new(move |_| {
        reading.with(|r| r.as_ref().map(|r| r.neighbours.clone()).unwrap_or_default())
    });
    let neighbour_pixels = Signal::derive(move || {
        neighbours.with(|n| n.iter().flat_map(|x| x.pixels.clone()).collect::<Vec<u8>>())
    });

    // Interpolation from the drawing: asked for when a stroke ends and when the target or the
    // model changes, not while the pointer moves.
    let gallery = Memo::new(move |_| state.with(|s| s.gallery.clone()));
    // The strip's subject is the model and the target; the drawing's version is its input.
    // A cleared pad starts a new subject (`LiveSlot::forget`).
    let last_answer = state.with_untracked(|s| s.decoded.get(INTERP_SLOT).map_or(0, |d| d.seq));
    let interp_slot = RwSignal::new(LiveSlot::<(String, ImageRef)>::after(last_answer));
    // Tracked, so the strip is asked for when a stroke ends: the drawing's last version was
    // read while the pointer was still down, and the end adds no new one.
    let stroke_in_progress = Memo::new(move |_| drawing.with(Drawing::is_drawing));
    Effect::new(move |_| {
        let Some(t) = target.get() else { return };
        let model = autoencoder.get();
        let Some((version, pixels)) = input.get() else {
            return;
        };
        if stroke_in_progress.get() || !loaded.get_untracked() {
            return;
        }
        let to = match t {
            Target::Test(i) => ImageRef::Test(i),
            Target::Kept => match kept.get() {
                Some(k) => ImageRef::Drawn(k),
                None => return,
            },
        };
        let Some(seq) =
            interp_slot.try_update(|s| s.request((model.clone(), to.clone()), version.to_string()))
        else {
            return;
        };
        send.run(ToEngine::Decode {
            slot: INTERP_SLOT.into(),
            seq,
            model,
            from: ImageRef::Drawn(pixels),
            to,
            alphas: interpolation_alphas(INTERP_FRAMES),
            diagnose: None,
        });
    });
    let interp_live = Memo::new(move |_| {
        let answered = state.with(|s| s.decoded.get(INTERP_SLOT).map(|d| d.seq));
        interp_slot.with(|slot| LiveState::of(slot, answered))
    });
    let interp = Signal::derive(move || {
        if target.get().is_none()
            || drawing.with(Drawing::is_empty)
            || interp_live.with(|l| l.shown.is_none())
        {
            return Vec::new();
        }
        state.with(|s| {
            s.decoded
                .get(INTERP_SLOT)
                .map(|d| d.pixels.clone())
                .unwrap_or_default()
        })
    });
    let chosen = Signal::derive(move || match target.get() {
        Some(Target::Test(i)) => (None, Some(i)),
        _ => (None, None),
    });

    let stroke_end = Callback::new(move |()| {
        let v = drawing.with_untracked(Drawing::version);
        if latency
            .try_update_untracked(|l| l.stroke_ended(v, now_ms()))
            .flatten()
            .is_some()
        {
            latency.notify();
        }
    });
    let undo = move || {
        latency.update(LatencyLog::cancel);
        drawing.update(|d| {
            d.undo();
        })
    };
    let clear = move || {
        latency.update(LatencyLog::cancel);
        interp_slot.update(LiveSlot::forget);
        drawing.update(Drawing::clear);
    };
    let on_key = Callback::new(move |k: PadKey| match k {
        PadKey::Undo => undo(),
        PadKey::Clear => clear(),
    });
    let empty = Memo::new(move |_| drawing.with(Drawing::is_empty));
    let failure = move || {
        input_error
            .get()
            .or_else(|| state.with(|s| s.request_errors.get(DRAWING).cloned()))
    };

    view! {
        <section class="draw">
            <h2>"Draw a digit"</h2>
            <p class="note">
                "Draw in the black square with the mouse, a finger or a pen. The drawing is made "
                "MNIST-like as the original digits were: cropped to its ink, scaled to fit 20×20 "
                "pixels, and placed in 28×28 with its centre of mass in the middle. "
                "Keys on the pad: Ctrl+Z undoes the last stroke, Delete clears."
            </p>
            <div class="draw-models">
                <label>"Autoencoder " <ModelSelect value=autoencoder options=autoencoders
                    on_change=Callback::new(move |v| autoencoder.set(v)) testid="draw-model"/></label>
                " "
                <label>"Classifier " <ModelSelect value=classifier options=classifiers none=true
                    on_change=Callback::new(move |v| classifier_choice.set(Some(v))) testid="draw-classifier"/></label>
            </div>
            <div class="draw-row">
                <div class="draw-pad-box">
                    <DrawingPad drawing=drawing on_stroke_end=stroke_end on_key=on_key/>
                    <div class="buttons">
                        <button data-testid="draw-undo" on:click=move |_| undo()
                            prop:disabled=move || empty.get()>"Undo"</button>
                        " "
                        <button data-testid="draw-clear" on:click=move |_| clear()
                            prop:disabled=move || empty.get()>"Clear"</button>
                        " "
                        <button data-testid="draw-keep" title="Keep this drawing to interpolate to it from the next one"
                            prop:disabled=move || input.with(Option::is_none)
                            on:click=move |_| {
                                kept.set(input.get_untracked().map(|(_, p)| p));
                                target.set(Some(Target::Kept));
                            }>"Keep for interpolation"</button>
                    </div>
                </div>
                <figure>
                    <ImageStrip pixels=input_pixels testid="draw-input" class="large"/>
                    <figcaption>"What the models see (28×28)"</figcaption>
                </figure>
                <figure>
                    // A canvas handed to one engine cannot go to the next or come back, so the
                    // engine the page moved to gets a new one, and so does the page where the
                    // engine failed to paint. Leptos rebuilds a view of the same shape in place,
                    // keeping its elements: each canvas is wrapped differently.
                    {move || {
                        let strip = move |hand| view! {
                            <ImageStrip pixels=reconstruction testid="reconstruction" class="large"
                                model=Signal::derive(move || autoencoder.get()) live=reading_live
                                hand_to_engine=hand/>
                        };
                        match reconstruction_canvas.get() {
                            ReconstructionCanvas::Engine(0) => strip(Some(hand_canvas)).into_any(),
                            ReconstructionCanvas::Engine(_) => {
                                view! { <div class="contents">{strip(Some(hand_canvas))}</div> }.into_any()
                            }
                            ReconstructionCanvas::Page => {
                                view! { <span class="contents">{strip(None)}</span> }.into_any()
                            }
                        }
                    }}
                    <figcaption>"Reconstruction by " <span class="model-name">{move || autoencoder.get()}</span></figcaption>
                </figure>
            </div>
            {move || empty.get().then(|| view! {
                <p class="note" data-testid="draw-empty">"Nothing drawn yet: draw a digit to see what the models make of it."</p>
            })}
            {move || failure().map(|e| view! { <p class="warning">{e}</p> })}
            {move || (!loaded.get()).then(|| view! { <p class="note">"Loading the models…"</p> })}
            <p class="note" data-testid="draw-latency"
                data-count=move || latency.with(|l| l.samples().len())
                data-median=move || latency.with(|l| l.median().map(|m| format!("{m:.1}")).unwrap_or_default())
                data-p95=move || latency.with(|l| l.p95().map(|m| format!("{m:.1}")).unwrap_or_default())>
                {move || latency.with(|l| match (l.samples().last(), l.median(), l.p95()) {
                    (Some(last), Some(m), Some(p)) => format!(
                        "{} {last:.0} ms after the stroke's last point (median {m:.0} ms, 95th percentile {p:.0} ms over {}).",
                        if engine_painted.get() { "The reconstruction showed" } else { "Updated" },
                        format::count(l.samples().len(), "stroke", "strokes")),
                    _ => String::new(),
                })}
            </p>
            <div class="draw-results" data-testid="draw-reading"
                class:pending=move || reading_dimmed.get()
                data-version=move || reading_live.with(LiveState::version_attribute)
                data-wanted=move || reading_live.with(LiveState::wanted_attribute)
                data-pending=move || reading_live.with(|l| l.pending().to_string())
                data-input=move || reading_live.with(LiveState::input_attribute)>
                <div>
                    <h3>"The code"</h3>
                    <LatentBars bars=bars/>
                    <p class="note">"One bar per latent coordinate, on the scale of the test digits' codes. Hatched: dead, never active on the test digits."</p>
                </div>
                <div data-part="classifier">
                    <h3>"The classifier"</h3>
                    <ClassProbabilities probabilities=probabilities
                        classifier_chosen=Signal::derive(move || !classifier.with(String::is_empty))
                        drawn=Signal::derive(move || !drawing.with(Drawing::is_empty))/>
                </div>
                <div data-part="neighbours">
                    <h3>"Nearest test digits in latent space"</h3>
                    <div data-testid="neighbours"
                        data-labels=move || neighbours.with(|n| n.iter().map(|x| x.label.to_string()).collect::<Vec<_>>().join(","))>
                        <ImageStrip pixels=neighbour_pixels testid="neighbour-strip" class="large"/>
                        <p class="note">{move || neighbours.with(|n| n.iter()
                            .map(|x| format!("{} (distance {:.2})", x.label, x.distance))
                            .collect::<Vec<_>>().join(" · "))}</p>
                    </div>
                </div>
            </div>
            <h3>"Interpolate to…"</h3>
            <p class="note">
                "Pick a test digit below, or keep a drawing (button above) and draw another: the strip "
                "decodes the codes mixed from this drawing (left) to the target (right)."
                {move || (kept.with(Option::is_some)).then(|| view! {
                    " " <button class="small" on:click=move |_| target.set(Some(Target::Kept))>"To the kept drawing"</button>
                })}
            </p>
            <DigitGallery gallery=gallery chosen=chosen on_pick=Callback::new(move |i| target.set(Some(Target::Test(i))))/>
            // On a line of its own: an empty strip beside the gallery read as a missing digit.
            <div class="strip-row">
                <ImageStrip pixels=interp testid="draw-interp-strip" model=Signal::derive(move || autoencoder.get())
                    live=interp_live/>
            </div>
        </section>
    }
}
