//! `#/report`: the exercise as an explorable report, part by part (`ui::report` writes the
//! text from the data); each part has the reproduction's figure and a live one computed here
//! by the pretrained models.

use leptos::prelude::*;

use super::image_strip::ImageStrip;
use super::reproduction::Reproduction;
use super::view_link::{notify, opening_link};
use crate::analysis::interpolation_alphas;
use crate::engine::{ImageRef, ToEngine};
use crate::model::LATENT_SIZES;
use crate::ui::decorrelation::{decorrelation_rows, sweep_model_name};
use crate::ui::engine_state::EngineState;
use crate::ui::experiments::SeedStudy;
use crate::ui::format;
use crate::ui::report::{
    BUNDLED_CLASSIFIERS, ReportPart, live_classifier_rows, report_parts, uniform_guess_loss,
};
use crate::ui::view_links::{REPORT_PARTS, ReportLink};

/// The live figures' requests: (slot, model, the same digit twice or a pair, alphas).
fn live_requests(digit: usize, other: usize) -> Vec<(String, String, usize, usize, Vec<f32>)> {
    let mut out: Vec<_> = LATENT_SIZES
        .iter()
        .map(|&d| {
            let model = sweep_model_name(d);
            (format!("report-a-{model}"), model, digit, digit, vec![0.0])
        })
        .collect();
    for model in ["one-layer-d20", "two-layer-d20", "three-layer-d20"] {
        out.push((
            format!("report-b-{model}"),
            model.into(),
            digit,
            digit,
            vec![0.0],
        ));
    }
    for model in ["two-layer-d20", "two-layer-d100"] {
        out.push((
            format!("report-c-{model}"),
            model.into(),
            digit,
            other,
            interpolation_alphas(10),
        ));
    }
    out
}

#[component]
pub fn ReportView(
    #[prop(into)] state: Signal<EngineState>,
    #[prop(into)] reproduction: Signal<Reproduction>,
    #[prop(into)] depth_seeds: Signal<(Vec<SeedStudy>, Vec<String>)>,
    send: Callback<ToEngine>,
) -> impl IntoView {
    // The link's part (`#/report?part=E`) is scrolled into view once the parts are there.
    let (link, notices) = ReportLink::from_link(&opening_link());
    notify(notices);
    let parts = Memo::new(move |_| {
        reproduction.with(|r| depth_seeds.with(|(s, _)| report_parts(r.results(), s)))
    });
    // The exercise's first pair, 3 → 5, as the gallery holds it.
    let pair = Memo::new(move |_| {
        state.with(|s| Some((s.gallery.first_of_digit(3)?, s.gallery.first_of_digit(5)?)))
    });
    let asked = StoredValue::new(false);
    Effect::new(move |_| {
        let (Some((digit, other)), true) = (pair.get(), state.with(|s| s.loaded)) else {
            return;
        };
        if asked.get_value() {
            return;
        }
        asked.set_value(true);
        for (slot, model, from, to, alphas) in live_requests(digit, other) {
            let seq = state.with_untracked(|s| s.decoded.get(&slot).map_or(1, |d| d.seq + 1));
            send.run(ToEngine::Decode {
                slot,
                seq,
                model,
                from: ImageRef::Test(from),
                to: ImageRef::Test(to),
                alphas,
                diagnose: None,
            });
        }
        for d in LATENT_SIZES {
            let name = sweep_model_name(d);
            if state.with_untracked(|s| !s.analyses.contains_key(&name)) {
                send.run(ToEngine::Analyse { name });
            }
        }
        for name in BUNDLED_CLASSIFIERS {
            let wanted = state.with_untracked(|s| {
                !s.evaluations.contains_key(name) && s.models.iter().any(|m| m.name == name)
            });
            if wanted {
                send.run(ToEngine::Evaluate { name: name.into() });
            }
        }
    });
    let frames = move |slots: Vec<String>| {
        Signal::derive(move || {
            state.with(|s| {
                slots
                    .iter()
                    .filter_map(|slot| s.decoded.get(slot))
                    .flat_map(|d| d.pixels.clone())
                    .collect::<Vec<u8>>()
            })
        })
    };
    if let Some(part) = link.part {
        let scrolled = StoredValue::new(false);
        Effect::new(move |_| {
            if parts.with(Vec::is_empty) || scrolled.get_value() {
                return;
            }
            request_animation_frame(move || {
                if let Some(el) = document().get_element_by_id(&format!("part-{part}")) {
                    el.scroll_into_view();
                    scrolled.set_value(true);
                }
            });
        });
    }
    let live_figure = move |part: &'static str| -> AnyView {
        match part {
            "A" => {
                let slots = LATENT_SIZES
                    .iter()
                    .map(|&d| format!("report-a-{}", sweep_model_name(d)))
                    .collect();
                view! {
                    <figure>
                        <ImageStrip pixels=frames(slots) testid="report-live-a" class="large"/>
                        <figcaption>"Live: the exercise's 3 rebuilt by the pretrained models with codes of 1, 5, 10, 20, 50 and 100 numbers, computed in this page."</figcaption>
                    </figure>
                }
                .into_any()
            }
            "B" => {
                let slots = ["one-layer-d20", "two-layer-d20", "three-layer-d20"]
                    .iter()
                    .map(|m| format!("report-b-{m}"))
                    .collect();
                view! {
                    <figure>
                        <ImageStrip pixels=frames(slots) testid="report-live-b" class="large"/>
                        <figcaption>"Live: the same 3 rebuilt with one, two and three convolution layers (code of 20)."</figcaption>
                    </figure>
                }
                .into_any()
            }
            "C" => view! {
                <figure>
                    <ImageStrip pixels=frames(vec!["report-c-two-layer-d20".into()]) testid="report-live-c"/>
                    <ImageStrip pixels=frames(vec!["report-c-two-layer-d100".into()]) testid="report-live-c"/>
                    <figcaption>"Live: 3 → 5 decoded from mixed codes, latent 20 (top) and 100 (bottom)."</figcaption>
                </figure>
            }
            .into_any(),
            "D" => view! {
                <table class="data" tabindex="0" data-testid="report-live-d">
                    <thead><tr><th>"d"</th><th>"mean |r|, this page"</th><th>"mean |r|, reproduction"</th><th>"dead units, this page"</th></tr></thead>
                    <tbody>
                        {move || {
                            let rows = state.with(|s| reproduction.with(|r| {
                                decorrelation_rows(|name| s.analyses.get(name).map(|a| a.as_ref()), r.results())
                            }));
                            rows.into_iter().filter(|r| r.latent_dim > 1).map(|r| {
                                let show = |s: Option<f64>| s.map_or("…".to_string(), |v| format!("{v:.3}"));
                                view! {
                                    <tr data-analysed=r.browser.is_some().to_string()>
                                        <td class="num">{r.latent_dim}</td>
                                        <td class="num">{show(r.browser.and_then(|b| b.mean_abs_pearson))}</td>
                                        <td class="num">{show(r.reproduction.and_then(|b| b.mean_abs_pearson))}</td>
                                        <td class="num">{r.browser.map_or("…".to_string(), |b| b.dead_units.to_string())}</td>
                                    </tr>
                                }
                            }).collect_view()
                        }}
                    </tbody>
                </table>
                <p class="note">"Live: computed in this page on the bundled test subset (undefined pairs counted as 0, as the report did)."</p>
            }
            .into_any(),
            _ => view! {
                <table class="data" tabindex="0" data-testid="report-live-e">
                    <thead><tr>
                        <th>"classifier"</th><th>"test loss, this page"</th><th>"accuracy, this page"</th>
                        <th>"test loss, reproduction"</th><th>"accuracy, reproduction"</th><th>"below ln 10"</th>
                    </tr></thead>
                    <tbody>
                        {move || state.with(|s| live_classifier_rows(&s.models, &s.evaluations)).into_iter().map(|r| {
                            let pair = |p: Option<(f32, f32)>| p.map_or(("…".to_string(), "…".to_string()), |(loss, accuracy)| {
                                (format!("{loss:.4}"), format!("{:.2}%", accuracy * 100.0))
                            });
                            let (loss, accuracy) = pair(r.here);
                            let (loss_then, accuracy_then) = pair(r.reproduction);
                            view! {
                                <tr data-measured=r.here.is_some().to_string()
                                    data-loss=r.here.map(|h| h.0.to_string()) data-accuracy=r.here.map(|h| h.1.to_string())
                                    data-reproduction-accuracy=r.reproduction.map(|h| h.1.to_string())>
                                    <td>{r.name}</td>
                                    <td class="num">{loss}</td><td class="num">{accuracy}</td>
                                    <td class="num">{loss_then}</td><td class="num">{accuracy_then}</td>
                                    <td class="num">{r.below_uniform.map_or("…".to_string(), |x| format!("{x:.0}×"))}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <p class="note" role="status">{move || state.with(|s| {
                    BUNDLED_CLASSIFIERS.iter().find_map(|name| s.analysing.get(*name).map(|(done, total)| {
                        format!("Measuring {name}: {} of {} test images…", format::thousands(*done), format::thousands(*total))
                    }))
                })}</p>
                <p class="note">
                    {move || state.with(|s| {
                        let images = BUNDLED_CLASSIFIERS.iter().find_map(|n| s.evaluations.get(*n)).map(|e| e.images);
                        format!(
                            "Live: the three bundled classifiers measured in this page on its {} bundled test digits; the reproduction's figures, from their weight files, are on all 10,000. ",
                            images.map_or("…".to_string(), format::thousands)
                        )
                    })}
                    {format!("The report's classifiers stayed at ln 10 = {:.3}, a uniform guess over ten digits. ", uniform_guess_loss())}
                    "They also train in this page on " <a href="#/transfer?labels=100">"#/transfer"</a>
                    " with live loss and accuracy curves, and read your drawing on " <a href="#/draw">"#/draw"</a> "."
                </p>
            }
            .into_any(),
        }
    };
    let figure = |part: &'static str| match part {
        "A" => vec!["results/sweep_losses.png"],
        "B" => vec!["results/depth_curves.png"],
        "C" => vec!["results/interp_3_5_d20.png", "results/interp_3_5_d100.png"],
        "D" => vec!["results/decorrelation.png"],
        _ => vec!["results/transfer_curves.png"],
    };
    let part_view = move |p: ReportPart| {
        view! {
            <article class="report-part" data-testid="report-part" data-part=p.part id=format!("part-{}", p.part)>
                <h3>{format!("{} · {}", p.part, p.title)}</h3>
                <p class="question">{p.question}</p>
                <h4>"What the report said"</h4>
                <blockquote>{p.claim}</blockquote>
                <ul class="report-numbers">{p.report_numbers.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                <h4>"What this lab measured (full MNIST, " <code>"latent-lab reproduce"</code> ")"</h4>
                <ul data-testid="report-measured">{p.measured.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                <div class="report-figures">
                    {figure(p.part).into_iter().map(|src| view! {
                        <img class="report-figure" src=src alt=format!("the reproduction's figure for part {}", p.part)/>
                    }).collect_view()}
                    {live_figure(p.part)}
                </div>
                <h4>"Checked, corrected, completed"</h4>
                <ul data-testid="report-corrections">{p.corrections.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                <p class="try-it">"Try it: "
                    {p.try_it.into_iter().map(|(label, hash)| view! {
                        <a class="lesson-step" data-testid="report-try" href=hash>{label}</a> " "
                    }).collect_view()}
                </p>
            </article>
        }
    };
    view! {
        <section class="report" data-testid="report">
            <h2>"The exercise, retold"</h2>
            <p class="note">
                "Each part: the question, what the student's report said (quoted; its figures did not survive the scan), "
                "what this lab measured on full MNIST (read from " <code>"results/"</code> ", so a new reproduction changes this page), "
                "where the report was wrong or incomplete, and a link to try it. The reproduction's models start the code layer's bias at +1; "
                "the seed studies in B were made with burn's default initialisation."
            </p>
            <nav class="report-parts">
                {REPORT_PARTS.map(|p| view! { <a href=ReportLink { part: Some(p) }.hash()>{p.to_string()}</a> " " })}
            </nav>
            {move || parts.get().into_iter().map(part_view).collect_view()}
        </section>
    }
}
