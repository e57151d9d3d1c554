//! A classifier's confusion matrix on the test subset, beside each digit's accuracy. A click
//! on a cell (or Enter on it) opens it: the test digits of true digit `i` it took for `j`,
//! each with the probability it gave `j`, most confident first.

use leptos::prelude::*;

use super::download::offer_download;
use super::image_strip::ImageStrip;
use crate::data::IMAGE_PIXELS;
use crate::engine::ToEngine;
use crate::engine::protocol::CONFUSION_CELL_REQUEST;
use crate::engine::transfer_session::TransferResult;
use crate::ui::engine_state::EngineState;
use crate::ui::format;
use crate::ui::transfer_state::{confusion_csv, confusion_shares, per_class_accuracy};

#[component]
pub fn ConfusionMatrix(
    result: TransferResult,
    #[prop(into)] state: Signal<EngineState>,
    send: Callback<ToEngine>,
) -> impl IntoView {
    let shares = confusion_shares(&result.confusion);
    let accuracy = per_class_accuracy(&result.confusion);
    let csv = confusion_csv(&result.confusion);
    let csv_name = format!("confusion-{}-{}.csv", result.scenario, result.labels);
    let classifier = result.classifier.clone();
    // The cell the person opened: (true digit, guess).
    let opened = RwSignal::new(None::<(u8, u8)>);
    let open = {
        let classifier = classifier.clone();
        move |t: u8, g: u8| {
            opened.set(Some((t, g)));
            send.run(ToEngine::OpenConfusionCell {
                model: classifier.clone(),
                true_digit: t,
                guess: g,
            });
        }
    };
    let cell_view = {
        let classifier = classifier.clone();
        move || {
            let (t, g) = opened.get()?;
            let answer = state.with(|s| {
                s.confusion_cell
                    .clone()
                    .filter(|c| c.model == classifier && (c.true_digit, c.guess) == (t, g))
            });
            let error = state.with(|s| s.request_errors.get(CONFUSION_CELL_REQUEST).cloned());
            Some(view! { <DrillDown true_digit=t guess=g answer=answer error=error/> })
        }
    };
    view! {
        <h3>{format!("Confusion matrix: {} ({} labels)", result.scenario, format::thousands(result.labels))}</h3>
        <p class="note">"A click on a cell (or Enter on it) shows its test digits."</p>
        <div class="confusion-row">
            <table class="confusion" tabindex="0" data-testid="confusion-matrix" data-scenario=result.scenario.to_string()>
                <thead><tr><th>"true ↓ predicted →"</th>{(0..10).map(|d| view! { <th>{d}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {(0..10u8).map(|t| view! {
                        <tr>
                            <th>{t}</th>
                            {(0..10u8).map(|g| {
                                let at = usize::from(t) * 10 + usize::from(g);
                                let (share, count) = (shares[at], result.confusion[at]);
                                let style = format!(
                                    "background: rgba({}, {:.3})",
                                    if t == g { "40, 90, 200" } else { "200, 60, 40" },
                                    (share * 1.5).min(1.0)
                                );
                                let open = open.clone();
                                let open_key = open.clone();
                                view! {
                                    <td class="num cell" style=style tabindex="0" data-testid="confusion-cell"
                                        data-true=t data-guess=g
                                        class:opened=move || opened.get() == Some((t, g))
                                        title=format!("{count} test {t}s taken for {g} ({:.1}% of the {t}s): click to see them", share * 100.0)
                                        on:click=move |_| open(t, g)
                                        on:keydown=move |ev| if ev.key() == "Enter" || ev.key() == " " {
                                            ev.prevent_default();
                                            open_key(t, g);
                                        }>{count}</td>
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <table class="data per-class" data-testid="per-class-accuracy">
                <thead><tr><th>"digit"</th><th>"accuracy"</th></tr></thead>
                <tbody>
                    {accuracy.into_iter().enumerate().map(|(digit, a)| view! {
                        <tr data-digit=digit data-accuracy=a.map(|a| a.to_string())>
                            <td class="num">{digit}</td>
                            <td class="num">{a.map_or("–".into(), |a| format!("{:.1}%", a * 100.0))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p><button class="small" on:click=move |_| { let _ = offer_download(&csv_name, csv.as_bytes()); }>"Matrix as CSV"</button></p>
        {cell_view}
    }
}

/// The digits of one opened cell, or why they are not there yet.
#[component]
fn DrillDown(
    true_digit: u8,
    guess: u8,
    answer: Option<crate::engine::protocol::CellDigits>,
    error: Option<String>,
) -> impl IntoView {
    let title = if true_digit == guess {
        format!("Test {true_digit}s read as {guess}")
    } else {
        format!("Test {true_digit}s taken for {guess}")
    };
    match (answer, error) {
        (Some(cell), _) => {
            let shown = cell.indices.len();
            let summary = match (cell.count, shown) {
                (0, _) => "None: the classifier never made this call.".to_string(),
                (n, s) if s < n => format!(
                    "{n} digits; the {s} it was surest of first, with the probability it gave {guess}."
                ),
                (n, _) => format!(
                    "{n} digits, the one it was surest of first, with the probability it gave {guess}."
                ),
            };
            let figures = cell
                .indices
                .iter()
                .zip(&cell.probabilities)
                .enumerate()
                .map(|(k, (&index, &p))| {
                    let pixels = cell.pixels[k * IMAGE_PIXELS..(k + 1) * IMAGE_PIXELS].to_vec();
                    view! {
                        <figure data-index=index>
                            <ImageStrip pixels=Signal::derive(move || pixels.clone()) testid="drill-down-digit" class="large"/>
                            <figcaption>{format!("{:.0}%", p * 100.0)}</figcaption>
                        </figure>
                    }
                })
                .collect_view();
            view! {
                <div data-testid="drill-down" data-true=true_digit data-guess=guess data-count=cell.count data-shown=shown>
                    <h4>{title}</h4>
                    <p class="note">{summary}</p>
                    <div class="drill-down-digits">{figures}</div>
                </div>
            }
            .into_any()
        }
        (None, Some(e)) => {
            view! { <p class="warning" data-testid="drill-down-error">{e}</p> }.into_any()
        }
        (None, None) => view! { <p class="note">{title} ": finding them…"</p> }.into_any(),
    }
}
