//! `#/transfer`: classifiers on the pretrained encoder (frozen, fine-tuned) against the same
//! classifier from scratch, trained here with live curves, a results table beside the
//! full-MNIST one, and a confusion matrix.

use leptos::prelude::*;

use super::confusion_matrix::ConfusionMatrix;
use super::download::{NOTHING_TO_SAVE, offer_download};
use super::line_chart::LineChart;
use super::reproduction::Reproduction;
use super::view_link::{keep_in_address, notify, opening_link};
use crate::engine::ToEngine;
use crate::engine::transfer_session::TransferResult;
use crate::training::{TrainingConfig, TransferScenario, transfer_epochs};
use crate::ui::engine_state::{EngineState, RunStatus};
use crate::ui::format;
use crate::ui::transfer_state::{
    accuracy_chart, loss_chart, reproduction_csv, reproduction_rows, results_csv, scenario_text,
};
use crate::ui::view_links::TransferLink;

#[component]
pub fn TransferView(
    #[prop(into)] state: Signal<EngineState>,
    #[prop(into)] reproduction: Signal<Reproduction>,
    send: Callback<ToEngine>,
    /// Forget the earlier runs' results (the page keeps them).
    forget_earlier: Callback<()>,
) -> impl IntoView {
    let loaded = Memo::new(move |_| state.with(|s| s.loaded));
    let busy = Memo::new(move |_| {
        state.with(|s| s.transfer.status.is_active() || s.run.status.is_active())
    });
    let status = Memo::new(move |_| state.with(|s| s.transfer.status));
    let available = Memo::new(move |_| state.with(|s| s.train_images));
    let points = Memo::new(move |_| state.with(|s| s.transfer.points.clone()));
    let results = Memo::new(move |_| state.with(|s| s.transfer.results.clone()));
    let no_results = Memo::new(move |_| results.with(Vec::is_empty));
    // Earlier runs' rows, under this run's: a run on 1,000 labels beside one on 100.
    let earlier = Memo::new(move |_| {
        state.with(|s| {
            s.earlier_transfers
                .besides(&s.transfer.results)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let no_rows = Memo::new(move |_| no_results.get() && earlier.with(Vec::is_empty));
    let current = Memo::new(move |_| state.with(|s| s.transfer.current));

    // The view opens on its link's choices; the address follows them.
    let (link, notices) = TransferLink::from_link(&opening_link());
    notify(notices);
    let chosen = RwSignal::new(link.scenarios);
    let labels = RwSignal::new(link.labels);
    let epochs = RwSignal::new(link.epochs);
    let form_error = RwSignal::new(None::<String>);
    let selected = RwSignal::new(link.shown);
    // The form as a link, scenarios in the page's order: the address shows it, and Start asks
    // for what it says.
    let form_link = move || TransferLink {
        scenarios: TransferScenario::ALL
            .into_iter()
            .filter(|s| chosen.with(|c| c.contains(s)))
            .collect(),
        labels: labels.get(),
        epochs: epochs.get(),
        shown: selected.get(),
    };
    keep_in_address(move || form_link().hash());

    let labels_value = Memo::new(move |_| form_link().labelled_images(available.get()));
    let schedule = move || {
        transfer_epochs(
            labels_value.get().max(1),
            TrainingConfig::default().batch_size,
        )
    };
    let start = move |_| match form_link().request(available.get()) {
        Ok(request) => {
            form_error.set(None);
            selected.set(None);
            send.run(ToEngine::Transfer(request));
        }
        Err(e) => form_error.set(Some(e)),
    };
    let toggle = move |scenario: TransferScenario, on: bool| {
        chosen.update(|c| {
            c.retain(|s| *s != scenario);
            if on {
                c.push(scenario);
            }
        })
    };
    let progress_text = move || {
        current
            .get()
            .map(|(scenario, p)| format!("{scenario}: {}", format::progress_line(&p, status.get())))
    };
    let shown = Memo::new(move |_| {
        let rs = results.get();
        let pick = selected.get();
        pick.and_then(|s| rs.iter().find(|r| r.scenario == s).cloned())
            .or_else(|| rs.last().cloned())
    });
    let shown_scenario = Memo::new(move |_| shown.with(|r| r.as_ref().map(|r| r.scenario)));
    // The matrix sits below the full-MNIST table, out of sight of the button: bring it in
    // once it shows the picked scenario.
    let show_confusion = move |scenario: TransferScenario| {
        selected.set(Some(scenario));
        request_animation_frame(|| {
            if let Some(el) = document().get_element_by_id("confusion") {
                el.scroll_into_view();
            }
        });
    };
    let full_rows = Memo::new(move |_| {
        let labels = state.with(|s| s.transfer.request.as_ref().map(|r| r.labels));
        reproduction.with(|r| reproduction_rows(r.results(), labels))
    });

    view! {
        <section class="transfer">
            <h2>"Transfer learning: a classifier on the pretrained encoder"</h2>
            <p class="note">
                "The three-layer autoencoder's encoder (latent size 20, pretrained on full MNIST) followed by an MLP "
                "20 → 50 → 100 → 10, trained with cross-entropy on logits on the first labelled images of the bundled subset, "
                "scored on the bundled test subset. The report's losses stayed at 2.30 = ln 10: a uniform guess over ten digits."
            </p>
            <form class="train-form" data-part="transfer-form" on:submit=move |ev| ev.prevent_default()>
                {TransferScenario::ALL.map(|s| view! {
                    <label title=scenario_text(s)>
                        <input type="checkbox" data-testid=format!("transfer-{s}")
                            prop:checked=move || chosen.get().contains(&s)
                            on:change=move |ev| toggle(s, event_target_checked(&ev))/>
                        " " {s.to_string()}
                    </label>
                })}
                <label>"Labelled images "
                    <select data-testid="transfer-labels" prop:value=move || labels.get()
                        on:change=move |ev| labels.set(event_target_value(&ev))>
                        <option value="100" selected=move || labels.get() == "100">"100"</option>
                        <option value="1000" selected=move || labels.get() == "1000">"1,000"</option>
                        <option value="all" selected=move || labels.get() == "all">{move || format!("all {}", format::thousands(available.get()))}</option>
                    </select>
                </label>
                <label>"Epochs "
                    <input type="number" min="1" max="2000" data-testid="transfer-epochs"
                        placeholder=move || schedule().to_string()
                        prop:value=move || epochs.get()
                        on:input=move |ev| epochs.set(event_target_value(&ev))/>
                </label>
                <span class="note">{move || format!("(empty: the exercise's schedule, {} epochs = at least 2,000 steps)", schedule())}</span>
            </form>
            <div class="controls">
                <button data-testid="transfer-start" class="primary" on:click=start
                    disabled=move || !loaded.get() || busy.get()>"Start"</button>
                <button data-testid="transfer-pause" disabled=move || !status.get().is_active()
                    on:click=move |_| send.run(if status.get() == RunStatus::Paused { ToEngine::Resume } else { ToEngine::Pause })>
                    {move || if status.get() == RunStatus::Paused { "Resume" } else { "Pause" }}
                </button>
                <button data-testid="transfer-cancel" disabled=move || !status.get().is_active()
                    on:click=move |_| send.run(ToEngine::Cancel)>"Cancel"</button>
                {move || form_error.get().map(|e| view! { <span class="warning">{e}</span> })}
            </div>
            <div class="progress" data-testid="transfer-progress" data-status=move || format!("{:?}", status.get()).to_lowercase()>
                <progress
                    max=move || current.get().map_or(1, |(_, p)| p.total_steps.max(1))
                    value=move || current.get().map_or(0, |(_, p)| p.step)></progress>
                <span>{move || progress_text().unwrap_or_else(|| "Not started.".into())}</span>
            </div>
            <div class="train-output">
                <LineChart spec=Signal::derive(move || loss_chart(&points.get()))
                    testid="transfer-loss-chart" file_stem="transfer-loss" width=520
                    caption="Cross-entropy per scored epoch: test solid, training batches dashed, grey dashed: a uniform guess over ten digits, ln 10 (log scale)."/>
                <LineChart spec=Signal::derive(move || accuracy_chart(&points.get()))
                    testid="transfer-accuracy-chart" file_stem="transfer-accuracy" width=520
                    caption="Test accuracy per scored epoch; grey dashed: chance, a guess among ten digits (10 %)."/>
            </div>
            <h3>"Results in this browser"</h3>
            <table class="data" tabindex="0" data-testid="transfer-table">
                <thead><tr>
                    <th>"scenario"</th><th>"labels"</th><th>"epochs"</th><th>"train loss"</th>
                    <th>"test loss"</th><th>"test accuracy"</th><th>"time"</th><th></th>
                </tr></thead>
                <tbody>
                    {move || no_rows.get().then(|| view! {
                        <tr><td colspan="8" class="note">"No run in this browser yet: Start trains the scenarios ticked above."</td></tr>
                    })}
                    {move || results.get().into_iter().map(|r| {
                        let s = r.scenario;
                        view! {
                            <tr data-scenario=s.to_string() data-accuracy=r.test_accuracy.to_string()>
                                {result_cells(&r)}
                                <td class="actions"><button class="small" data-testid="transfer-confusion"
                                    title=format!("Show the {s} classifier's confusion matrix below")
                                    aria-pressed=move || (shown_scenario.get() == Some(s)).to_string()
                                    on:click=move |_| show_confusion(s)>"Confusion"</button></td>
                            </tr>
                        }
                    }).collect_view()}
                    {move || earlier.with(|e| !e.is_empty()).then(|| view! {
                        <tr><td colspan="8" class="note">"Earlier runs in this browser, newest first (their confusion matrices are not kept):"</td></tr>
                    })}
                    {move || earlier.get().into_iter().map(|r| view! {
                        <tr class="earlier" data-earlier-scenario=r.scenario.to_string() data-accuracy=r.test_accuracy.to_string()
                            title=format!("An earlier run: {}", r.classifier)>
                            {result_cells(&r)}
                            <td></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p><button class="small" data-testid="transfer-table-csv"
                disabled=no_rows
                title=move || no_rows.get().then_some(NOTHING_TO_SAVE)
                on:click=move |_| {
                    let rows: Vec<_> = results.get().into_iter().chain(earlier.get()).collect();
                    let _ = offer_download("transfer.csv", results_csv(&rows).as_bytes());
                }>"Table as CSV"</button>
                {move || earlier.with(|e| !e.is_empty()).then(|| view! {
                    " "
                    <button class="small" data-testid="transfer-forget-earlier"
                        title="Take the earlier runs' rows off the table (their classifiers stay in the model list)"
                        on:click=move |_| forget_earlier.run(())>"Forget earlier runs"</button>
                })}
            </p>
            <div data-part="reproduction">
            <h3>"Full MNIST (the reproduction, 10,000 test images)"</h3>
            <table class="data" tabindex="0" data-testid="transfer-full-table">
                <thead><tr>
                    <th>"scenario"</th><th>"labels"</th><th>"epochs"</th><th>"train loss"</th>
                    <th>"test loss"</th><th>"test accuracy"</th>
                </tr></thead>
                <tbody>
                    {move || full_rows.get().into_iter().map(|e| view! {
                        <tr>
                            <td>{e.scenario.to_string()}</td>
                            <td class="num">{format::thousands(e.labels)}</td>
                            <td class="num">{e.epochs}</td>
                            <td class="num">{format::loss(Some(e.train_loss))}</td>
                            <td class="num">{format::loss(Some(e.test_loss))}</td>
                            <td class="num">{percent(e.test_accuracy)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p><button class="small" data-testid="transfer-full-table-csv"
                on:click=move |_| { let _ = offer_download("transfer-full-mnist.csv", reproduction_csv(&full_rows.get()).as_bytes()); }>"Table as CSV"</button></p>
            </div>
            <div id="confusion">
                {move || shown.get().map(|r| view! { <ConfusionMatrix result=r state=state send=send/> })}
            </div>
        </section>
    }
}

/// A result's figures: the cells a row of this run shares with a row of an earlier run.
fn result_cells(r: &TransferResult) -> impl IntoView + use<> {
    view! {
        <td>{r.scenario.to_string()}{r.cancelled.then_some(" (cancelled)")}</td>
        <td class="num">{format::thousands(r.labels)}</td>
        <td class="num">{r.epochs}</td>
        <td class="num">{format::loss(Some(r.train_loss))}</td>
        <td class="num">{format::loss(Some(r.test_loss))}</td>
        <td class="num">{percent(r.test_accuracy)}</td>
        <td class="num">{format::duration(r.seconds)}</td>
    }
}

/// An accuracy as the tables show it: "97.4%".
fn percent(accuracy: f32) -> String {
    format!("{:.1}%", accuracy * 100.0)
}
