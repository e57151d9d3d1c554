//! The earlier trainings under the loss chart: one row each (its colour, settings, how far it
//! went, its last training and test loss, its model), a box that lays it over the chart, and a
//! button that forgets it; the table as CSV.

use leptos::prelude::*;

use super::download::offer_download;
use crate::ui::earlier_runs::{EarlierRun, EarlierRunChange, MAX_EARLIER_RUNS, runs_csv};
use crate::ui::format;

#[component]
pub fn EarlierRunList(
    /// The runs before the chart's own, newest first.
    #[prop(into)]
    runs: Signal<Vec<EarlierRun>>,
    /// A run shown, hidden or forgotten, by its id.
    change: Callback<(String, EarlierRunChange)>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let row = move |run: EarlierRun| {
        let (r, g, b) = run.rgb();
        let id = run.run_id.clone();
        let forget_id = run.run_id.clone();
        let label = run.label();
        view! {
            <tr data-run-id=run.run_id.clone() data-shown=run.shown.to_string()>
                <td>
                    <label class="earlier-run-shown">
                        <input
                            type="checkbox"
                            data-testid="earlier-run-shown"
                            prop:checked=run.shown
                            aria-label=format!("Lay the run {label} over the chart")
                            on:change=move |ev| change.run((id.clone(), EarlierRunChange::Show(event_target_checked(&ev))))
                        />
                        <span class="swatch" style=format!("background: rgb({r}, {g}, {b})")></span>
                    </label>
                </td>
                <td>{label.clone()}</td>
                <td>{run.extent()}</td>
                <td class="num">{format::loss(run.final_train_loss())}</td>
                <td class="num">{format::loss(run.final_test_loss())}</td>
                <td>{run.model.clone().unwrap_or_default()}</td>
                <td class="actions">
                    <button class="small" data-testid="earlier-run-forget"
                        title="Take this run off the list (its model stays in the model list)"
                        on:click=move |_| change.run((forget_id.clone(), EarlierRunChange::Forget))
                    >"Forget"</button>
                </td>
            </tr>
        }
    };
    view! {
        <section class="earlier-runs" data-testid="earlier-runs" data-count=move || runs.with(Vec::len)>
            <h3>"Earlier runs in this browser"</h3>
            <Show
                when=move || runs.with(|r| !r.is_empty())
                fallback=|| view! {
                    <p class="note">"None yet. When a run has ended, the next one you start is drawn over it: \
                        the ended run stays on the chart, thin and in a colour of its own, to compare."</p>
                }
            >
                <table class="data" tabindex="0">
                    <thead><tr>
                        <th>"on the chart"</th><th>"settings"</th><th>"epochs"</th>
                        <th title="The mean training loss over its last epoch, as it trained">"train loss"</th><th>"test loss"</th><th>"model"</th><th></th>
                    </tr></thead>
                    <tbody>{move || runs.get().into_iter().map(row).collect_view()}</tbody>
                </table>
                <p class="note">
                    {format!("Kept in this browser, the {MAX_EARLIER_RUNS} newest. Ticked runs are drawn \
                        on the chart: training loss thin, test loss dashed. Forgetting a run keeps its model. ")}
                    <button class="small" data-testid="earlier-runs-csv" on:click=move |_| {
                        error.set(offer_download("earlier-runs.csv", runs.with(|r| runs_csv(r)).as_bytes()).err());
                    }>"Table as CSV"</button>
                    {move || error.get().map(|e| view! { <span class="warning">" " {e}</span> })}
                </p>
            </Show>
        </section>
    }
}
