//! `#/interpolate`: decode the codes mixed between two test digits, for two models side by
//! side, beside a blend of the pixels themselves; a slider shows one α large and live.

use leptos::prelude::*;

use super::digit_gallery::DigitGallery;
use super::image_strip::ImageStrip;
use super::line_chart::LineChart;
use super::model_select::ModelSelect;
use super::view_link::{keep_in_address, notify, opening_link, resolve_linked_model};
use crate::analysis::is_extrapolation;
use crate::engine::protocol::{DiagnoseFrames, FrameDiagnostics};
use crate::engine::{ImageRef, ToEngine};
use crate::ui::chart::{BLUE, Colour, ORANGE};
use crate::ui::engine_state::EngineState;
use crate::ui::interpolation::{
    DEFAULT_FRAMES, PathSummary, alpha_range, blend_pixels, distance_chart, frame_rows,
    parse_frames, path_comparison, path_summary, presets, strip_alphas,
};
use crate::ui::live::{LiveSlot, LiveState};
use crate::ui::view_links::InterpolateLink;
use crate::weights::ModelSpec;

/// Which end a click in the gallery sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    A,
    B,
}

#[component]
pub fn InterpolateView(
    #[prop(into)] state: Signal<EngineState>,
    send: Callback<ToEngine>,
) -> impl IntoView {
    let loaded = Memo::new(move |_| state.with(|s| s.loaded));
    let gallery = Memo::new(move |_| state.with(|s| s.gallery.clone()));
    let autoencoders = Memo::new(move |_| state.with(EngineState::autoencoder_names));
    // The view opens on its link's choices (`ui::view_links`), and the address follows them.
    let query = opening_link();
    let (link, notices) = InterpolateLink::from_link(&query);
    notify(notices);
    let model_a = RwSignal::new(link.model_a);
    let model_b = RwSignal::new(link.model_b);
    let is_autoencoder =
        |m: &crate::engine::ModelInfo| matches!(m.spec, ModelSpec::Autoencoder { .. });
    if query.get("a").is_some() {
        resolve_linked_model(state, model_a, "two-layer-d20", is_autoencoder);
    }
    if query.get("b").is_some() {
        resolve_linked_model(state, model_b, "vae-d20", is_autoencoder);
    }
    let pair = RwSignal::new(link.pair);
    let picking = RwSignal::new(End::A);
    let frames_text = RwSignal::new(link.frames.to_string());
    let frames = Memo::new(move |_| parse_frames(&frames_text.get()));
    let past_ends = RwSignal::new(link.past_ends);
    let alpha = RwSignal::new(
        link.alpha
            .clamp(alpha_range(link.past_ends).0, alpha_range(link.past_ends).1),
    );
    // The strips' frames: from A to B, and on past both where asked.
    let alphas = Memo::new(move |_| frames.get().map(|n| strip_alphas(n, past_ends.get())));
    // Each frame is read by a classifier: the preferred one until the person picks.
    let classifiers = Memo::new(move |_| state.with(EngineState::classifier_names));
    let classifier_choice = RwSignal::new(None::<String>);
    let classifier = Memo::new(move |_| {
        classifier_choice
            .get()
            .unwrap_or_else(|| state.with(EngineState::preferred_classifier))
    });
    keep_in_address(move || {
        InterpolateLink {
            model_a: model_a.get(),
            model_b: model_b.get(),
            pair: pair.get(),
            frames: frames.get().unwrap_or(DEFAULT_FRAMES),
            alpha: alpha.get(),
            past_ends: past_ends.get(),
        }
        .hash()
    });

    // Start on the exercise's first pair once the gallery is there (or on it instead of a
    // linked digit the gallery does not hold).
    Effect::new(move |_| {
        let g = gallery.get();
        let Some((_, (a, b))) = presets(&g).first().copied() else {
            return;
        };
        match pair.get_untracked() {
            (None, None) => pair.set((Some(a), Some(b))),
            (Some(i), Some(j)) if g.image(i).is_none() || g.image(j).is_none() => {
                notify(vec![format!(
                    "the link's test digits {i} and {j} are not both among the {} digits this page holds; showing the exercise's first pair",
                    g.len()
                )]);
                pair.set((Some(a), Some(b)));
            }
            _ => {}
        }
    });

    // Per slot, its requests (`ui::live`): the subject is the model, the pair and the number
    // of frames; frames decoded for another subject (an earlier visit, another pair) are not
    // shown; a new α alone keeps the last frame, marked pending, until its answer comes.
    type Subject = (String, usize, usize, usize);
    let live_slot = move |slot: &'static str| {
        let last = state.with_untracked(|s| s.decoded.get(slot).map_or(0, |d| d.seq));
        RwSignal::new(LiveSlot::<Subject>::after(last))
    };
    let slots = [
        ("strip-a", live_slot("strip-a")),
        ("strip-b", live_slot("strip-b")),
        ("alpha-a", live_slot("alpha-a")),
        ("alpha-b", live_slot("alpha-b")),
    ];
    let slot_of = move |slot: &'static str| {
        slots
            .iter()
            .find(|(name, _)| *name == slot)
            .map(|(_, s)| *s)
            .expect("a slot of this view")
    };
    let request = move |slot: &'static str,
                        model: String,
                        alphas: Vec<f32>,
                        diagnose: Option<DiagnoseFrames>| {
        let (Some(from), Some(to)) = pair.get() else {
            return;
        };
        if !loaded.get() || model.is_empty() {
            return;
        }
        let input = match alphas.as_slice() {
            [alpha] => format!("{from}-{to}@{alpha:.2}"),
            _ => format!("{from}-{to}"),
        };
        let subject = (model.clone(), from, to, alphas.len());
        let Some(seq) = slot_of(slot).try_update(|s| s.request(subject, input)) else {
            return;
        };
        send.run(ToEngine::Decode {
            slot: slot.into(),
            seq,
            model,
            from: ImageRef::Test(from),
            to: ImageRef::Test(to),
            alphas,
            diagnose,
        });
    };
    for (slot, model) in [("strip-a", model_a), ("strip-b", model_b)] {
        Effect::new(move |_| {
            if let Ok(alphas) = alphas.get() {
                let c = classifier.get();
                let diagnose = DiagnoseFrames {
                    classifier: (!c.is_empty()).then_some(c),
                };
                request(slot, model.get(), alphas, Some(diagnose));
            }
        });
    }
    for (slot, model) in [("alpha-a", model_a), ("alpha-b", model_b)] {
        Effect::new(move |_| request(slot, model.get(), vec![alpha.get()], None));
    }

    let live_now = move |slot: &'static str| {
        let answered = state.with(|s| s.decoded.get(slot).map(|d| d.seq));
        slot_of(slot).with(|l| LiveState::of(l, answered))
    };
    let live = move |slot: &'static str| Signal::derive(move || live_now(slot));
    let decoded = move |slot: &'static str| {
        Signal::derive(move || {
            if live_now(slot).shown.is_none() {
                return Vec::new();
            }
            state.with(|s| {
                s.decoded
                    .get(slot)
                    .map(|d| d.pixels.clone())
                    .unwrap_or_default()
            })
        })
    };
    let diagnostics = move |slot: &'static str| {
        Signal::derive(move || {
            live_now(slot).shown?;
            state.with(|s| s.decoded.get(slot).and_then(|d| d.diagnostics.clone()))
        })
    };
    // Both paths on one chart, in their models' colours.
    let distances = Signal::derive(move || {
        let (a, b) = (diagnostics("strip-a").get(), diagnostics("strip-b").get());
        distance_chart(&[
            (model_a.get(), a.as_ref(), BLUE),
            (model_b.get(), b.as_ref(), ORANGE),
        ])
    });
    let marked = Signal::derive(move || {
        alphas
            .get()
            .map(|a| a.iter().map(|&x| is_extrapolation(x)).collect())
            .unwrap_or_default()
    });
    let failure =
        move |slot: &'static str| move || state.with(|s| s.request_errors.get(slot).cloned());
    let blend = Signal::derive(move || {
        let (Some(a), Some(b)) = pair.get() else {
            return Vec::new();
        };
        let Ok(alphas) = alphas.get() else {
            return Vec::new();
        };
        gallery.with(|g| match (g.image(a), g.image(b)) {
            (Some(x), Some(y)) => blend_pixels(x, y, &alphas),
            _ => Vec::new(),
        })
    });
    let ends = Signal::derive(move || {
        let (a, b) = pair.get();
        gallery.with(|g| {
            [a, b]
                .into_iter()
                .flatten()
                .filter_map(|i| g.image(i).map(<[u8]>::to_vec))
                .flatten()
                .collect::<Vec<u8>>()
        })
    });
    let pick = Callback::new(move |index: usize| {
        let end = picking.get();
        pair.update(|p| match end {
            End::A => p.0 = Some(index),
            End::B => p.1 = Some(index),
        });
        picking.set(if end == End::A { End::B } else { End::A });
    });
    let describe = move |index: Option<usize>| {
        index.map_or("–".to_string(), |i| {
            gallery.with(|g| {
                format!(
                    "a {} (test image {i})",
                    g.label(i).map_or("?".into(), |l| l.to_string())
                )
            })
        })
    };
    // The full-MNIST reproduction's strips, for the exercise's pairs.
    let reproduction_pair = Memo::new(move |_| {
        let p = pair.get();
        gallery.with(|g| {
            presets(g)
                .into_iter()
                .find(|(_, indices)| (Some(indices.0), Some(indices.1)) == p)
                .map(|(digits, _)| digits)
        })
    });

    // What differs between the two paths, in numbers: how far from the data each runs between
    // A and B, and how many of its frames read as neither digit.
    let comparison = move || {
        let ends = pair.get();
        let labels = gallery.with(|g| match ends {
            (Some(a), Some(b)) => g.label(a).zip(g.label(b)),
            _ => None,
        });
        let paths: Vec<(String, Option<PathSummary>)> =
            [("strip-a", model_a), ("strip-b", model_b)]
                .into_iter()
                .map(|(slot, model)| {
                    let summary = diagnostics(slot)
                        .with(|d| d.as_ref().and_then(|d| path_summary(d, labels)));
                    (model.get(), summary)
                })
                .collect();
        path_comparison(&paths)
    };
    let model_select = move |model: RwSignal<String>, testid: &'static str| {
        let label = if testid == "model-a" {
            "Model of the first strip"
        } else {
            "Model of the second strip"
        };
        view! {
            <ModelSelect value=model options=autoencoders label=label
                on_change=Callback::new(move |v| model.set(v)) testid=testid/>
        }
    };

    view! {
        <section class="interpolate">
            <h2>"Interpolation between two digits"</h2>
            <p class="note">
                "Each digit is encoded; the codes are mixed as (1 − α)·A + α·B and decoded. The end frames are "
                "the model's reconstructions of A and B, not the images themselves."
            </p>
            <div class="presets" data-part="presets">
                "The exercise's pairs: "
                {move || presets(&gallery.get()).into_iter().map(|((a, b), (i, j))| view! {
                    <button class="small" data-testid="interp-preset"
                        on:click=move |_| pair.set((Some(i), Some(j)))>{format!("{a} → {b}")}</button> " "
                }).collect_view()}
            </div>
            <div data-part="gallery">
            <p>
                "Or pick from the test digits: a click sets "
                <label><input type="radio" name="end" prop:checked=move || picking.get() == End::A
                    on:change=move |_| picking.set(End::A)/>" A"</label> " "
                <label><input type="radio" name="end" prop:checked=move || picking.get() == End::B
                    on:change=move |_| picking.set(End::B)/>" B"</label>
                " · A is " <strong class="end-a">{move || describe(pair.get().0)}</strong>
                ", B is " <strong class="end-b">{move || describe(pair.get().1)}</strong>
            </p>
            <DigitGallery gallery=gallery chosen=pair on_pick=pick/>
            </div>
            <div class="interp-form">
                <label>"Frames " <input type="number" min="2" max="20" data-testid="interp-frames"
                    prop:value=move || frames_text.get()
                    on:input=move |ev| frames_text.set(event_target_value(&ev))/></label>
                {move || frames.get().err().map(|e| view! { <span class="warning">{e}</span> })}
                <label><input type="checkbox" data-testid="interp-extend" prop:checked=move || past_ends.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        past_ends.set(on);
                        let (lo, hi) = alpha_range(on);
                        alpha.update(|a| *a = a.clamp(lo, hi));
                    }/>
                    " Go on past A and B (α from −0.5 to 1.5)"</label>
                " · "
                <label>"Frames read by " <ModelSelect value=classifier options=classifiers none=true
                    on_change=Callback::new(move |v| classifier_choice.set(Some(v))) testid="interp-classifier"/></label>
            </div>
            {move || (!loaded.get()).then(|| view! { <p class="note">"Loading the models…"</p> })}
            <div class="strips">
                {[(model_a, "strip-a", "model-a"), (model_b, "strip-b", "model-b")].map(|(model, strip, testid)| view! {
                    <div class="strip-row">
                        <div class="strip-label">{model_select(model, testid)}</div>
                        <ImageStrip pixels=decoded(strip) testid="interp-strip" model=Signal::derive(move || model.get())
                            live=live(strip) marked=marked/>
                        {move || failure(strip)().map(|e| view! { <span class="warning">{e}</span> })}
                    </div>
                })}
                <div class="strip-row" data-part="blend">
                    <div class="strip-label">"Pixels blended"</div>
                    <ImageStrip pixels=blend testid="blend-strip" marked=marked/>
                </div>
            </div>
            <p class="note">
                "What each frame is: the classifier's top guess, and how far the frame's code lies from the nearest "
                "real test digit's code, in units of the distance from a real digit to its nearest neighbour "
                "(1: as near the data as real digits are to each other). Frames on tinted paper lie past A or B."
            </p>
            <div class="interp-diagnostics-row">
                <FrameDiagnosticsView diagnostics=diagnostics("strip-a") model=Signal::derive(move || model_a.get()) colour=BLUE/>
                <FrameDiagnosticsView diagnostics=diagnostics("strip-b") model=Signal::derive(move || model_b.get()) colour=ORANGE/>
            </div>
            <LineChart spec=distances testid="interp-distance-chart" file_stem="interpolation-distance" width=520 height=260
                caption="Each path's frames: distance to the nearest real digit's code, in units of a real digit's distance to its nearest neighbour (dashed)."/>
            <p class="note" data-testid="interp-comparison" aria-live="polite">{comparison}</p>
            <div class="alpha">
                <label>"α = " {move || format!("{:.2}", alpha.get())} " "
                    <input type="range" step="0.01" data-testid="interp-slider"
                        min=move || alpha_range(past_ends.get()).0 max=move || alpha_range(past_ends.get()).1
                        prop:value=move || alpha.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<f32>() {
                                let (lo, hi) = alpha_range(past_ends.get_untracked());
                                alpha.set(v.clamp(lo, hi));
                            }
                        }/>
                </label>
                <div class="alpha-frames">
                    <figure>
                        <ImageStrip pixels=ends testid="interp-inputs" class="large"/>
                        <figcaption>"A and B"</figcaption>
                    </figure>
                    {[(model_a, "alpha-a"), (model_b, "alpha-b")].map(|(model, slot)| view! {
                        <figure>
                            <ImageStrip pixels=decoded(slot) testid=slot class="large" live=live(slot)/>
                            <figcaption>{move || model.get()}</figcaption>
                        </figure>
                    })}
                </div>
            </div>
            {move || reproduction_pair.get().map(|(a, b)| view! { <div data-part="reproduction">
                <h3>"The same pair in the full-MNIST reproduction"</h3>
                <p class="note">"Made by " <code>"latent-lab reproduce"</code> " with the same weights as the pretrained models."</p>
                <div class="strip-row"><div class="strip-label">"latent 20"</div>
                    <img class="pixelated strip" alt=format!("{a} to {b}, latent 20") src=format!("results/interp_{a}_{b}_d20.png")/></div>
                <div class="strip-row"><div class="strip-label">"latent 100"</div>
                    <img class="pixelated strip" alt=format!("{a} to {b}, latent 100") src=format!("results/interp_{a}_{b}_d100.png")/></div>
                <div class="strip-row"><div class="strip-label">"VAE, latent 20"</div>
                    <img class="pixelated strip" alt=format!("{a} to {b}, VAE latent 20") src=format!("results/vae_interp_{a}_{b}_d20.png")/></div>
                <div class="strip-row"><div class="strip-label">"VAE, latent 100"</div>
                    <img class="pixelated strip" alt=format!("{a} to {b}, VAE latent 100") src=format!("results/vae_interp_{a}_{b}_d100.png")/></div>
            </div> })}
        </section>
    }
}

/// Under a strip: each frame's guess and distance from the data, as a table (the chart of both
/// strips is below them).
#[component]
fn FrameDiagnosticsView(
    #[prop(into)] diagnostics: Signal<Option<FrameDiagnostics>>,
    #[prop(into)] model: Signal<String>,
    colour: Colour,
) -> impl IntoView {
    let rows =
        Memo::new(move |_| diagnostics.with(|d| d.as_ref().map(frame_rows).unwrap_or_default()));
    let attribute = move |f: fn(&crate::ui::interpolation::FrameRow) -> String| {
        move || rows.with(|r| r.iter().map(f).collect::<Vec<_>>().join(","))
    };
    let reader = move || {
        diagnostics.with(|d| match d.as_ref().map(|d| d.classifier.clone()) {
            Some(Some(c)) => format!("guesses by {c}"),
            Some(None) => "no classifier chosen".into(),
            None => "waiting for the frames…".into(),
        })
    };
    view! {
        <div class="interp-diagnostics" data-testid="interp-diagnostics" data-model=move || model.get()
            data-frames=move || rows.with(Vec::len)
            data-alphas=attribute(|r| format!("{:.3}", r.alpha))
            data-distances=attribute(|r| r.relative_distance.map_or(String::new(), |d| format!("{d:.4}")))
            data-guesses=attribute(|r| r.guess.map_or(String::new(), |g| g.0.to_string()))>
            // The model's name beside its line's colour on the chart below.
            <p class="note"><span class="swatch" style=format!("background: rgb({},{},{})", colour.0, colour.1, colour.2)></span>
                {move || model.get()} ": " {reader}</p>
            <table class="data frame-table" tabindex="0" aria-label="Each frame's α, the classifier's guess and the distance to the data">
                    <tbody>
                        <tr><th>"α"</th>{move || rows.get().into_iter().map(|r| view! {
                            <td class="num" class:extrapolated=r.extrapolated>{format!("{:.2}", r.alpha)}</td>
                        }).collect_view()}</tr>
                        <tr><th>"guess"</th>{move || rows.get().into_iter().map(|r| view! {
                            <td class="num" class:extrapolated=r.extrapolated>{r.guess.map_or("–".into(), |(g, p)| format!("{g} {:.0}%", p * 100.0))}</td>
                        }).collect_view()}</tr>
                        <tr><th>"distance"</th>{move || rows.get().into_iter().map(|r| view! {
                            <td class="num" class:extrapolated=r.extrapolated>{r.relative_distance.map_or("–".into(), |d| format!("{d:.2}"))}</td>
                        }).collect_view()}</tr>
                    </tbody>
            </table>
        </div>
    }
}
