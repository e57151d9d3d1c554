//! `#/experiments`: the latent sweep (table and chart) and the depth comparison, the
//! report's numbers beside the full-MNIST reproduction's and this browser's runs.

use leptos::prelude::*;

use super::download::offer_download;
use super::line_chart::LineChart;
use super::reproduction::Reproduction;
use crate::model::Architecture;
use crate::ui::engine_state::EngineState;
use crate::ui::experiments::{
    SeedStudy, depth_chart, depth_claims, seed_verdict, sweep_chart, sweep_csv, sweep_rows,
};
use crate::ui::format;

#[component]
pub fn ExperimentsView(
    #[prop(into)] state: Signal<EngineState>,
    #[prop(into)] reproduction: Signal<Reproduction>,
    /// The committed seed studies of the depth comparison, and what could not be read.
    #[prop(into)]
    depth_seeds: Signal<(Vec<SeedStudy>, Vec<String>)>,
    /// Opens the training view with this configuration.
    retrain: Callback<(Architecture, usize)>,
) -> impl IntoView {
    let models = Memo::new(move |_| state.with(|s| s.models.clone()));
    let rows = Memo::new(move |_| reproduction.with(|r| sweep_rows(r.results(), &models.get())));
    let depth = Memo::new(move |_| {
        reproduction.with(|r| r.results().map(|r| r.depth.clone()).unwrap_or_default())
    });
    let loss = |v: Option<f32>| format::loss(v);
    let save_csv = move |_| {
        if let Err(e) = offer_download("latent-sweep.csv", sweep_csv(&rows.get()).as_bytes()) {
            leptos::logging::warn!("sweep csv: {e}");
        }
    };
    view! {
        <section class="experiments">
            <h2>"Autoencoding: latent size and depth"</h2>
            {move || reproduction.with(|r| match r {
                Reproduction::Failed(e) => Some(view! { <p class="warning">{e.clone()}</p> }),
                _ => None,
            })}
            <h3>"A. Latent sweep (two convolution layers)"</h3>
            <p class="note">
                "Final losses (MSE per pixel). The report's numbers; the full-MNIST reproduction's (60,000 / 10,000 images, "
                "made by " <code>"latent-lab reproduce"</code> "); and the best model trained in this browser, "
                "measured on the bundled test subset (2,000 images)."
            </p>
            <table class="data" tabindex="0" data-testid="sweep-table">
                <thead>
                    <tr>
                        <th>"latent size"</th><th>"parameters"</th>
                        <th>"report: train"</th><th>"report: test"</th>
                        <th>"full MNIST: train"</th><th>"full MNIST: test"</th>
                        <th>"this browser: test"</th><th></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|r| format!("{:?}", r) let:row>
                        <tr data-latent=row.latent_dim>
                            <td class="num">{row.latent_dim}</td>
                            <td class="num">{format::thousands(row.params)}</td>
                            <td class="num">{loss(Some(row.report.train))}</td>
                            <td class="num">{loss(Some(row.report.test))}</td>
                            <td class="num" data-col="full-train">{loss(row.reproduction.map(|l| l.train))}</td>
                            <td class="num" data-col="full-test">{loss(row.reproduction.map(|l| l.test))}</td>
                            <td class="num" data-col="browser-test" title=row.browser.as_ref().map(|b| format!(
                                "{} ({} run{}; {} epochs on {} images)",
                                b.best, b.runs, if b.runs > 1 { "s" } else { "" },
                                b.epochs.map_or("?".into(), |e| e.to_string()),
                                b.train_images.map_or("?".into(), format::thousands)
                            ))>
                                {row.browser.as_ref().map_or("–".to_string(), |b| format::loss(Some(b.test)))}
                            </td>
                            <td>
                                <button class="small" data-testid="sweep-train"
                                    on:click=move |_| retrain.run((Architecture::TwoLayer, row.latent_dim))>
                                    "Train here"
                                </button>
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table>
            <p><button class="small" on:click=save_csv data-testid="sweep-table-csv">"Table as CSV"</button></p>
            <LineChart
                spec=Signal::derive(move || sweep_chart(&rows.get()))
                testid="sweep-chart"
                file_stem="latent-sweep"
                caption="Test loss against latent size (both axes logarithmic)."
            />

            <h3>"B. One, two and three convolution layers at latent size 20"</h3>
            <LineChart
                spec=Signal::derive(move || depth_chart(&depth.get()))
                testid="depth-chart"
                file_stem="depth-curves"
                caption="Full-MNIST reproduction: loss after each epoch, test solid, train dashed (log scale)."
            />
            <h4>"The report's conclusions, checked"</h4>
            <ul class="claims" data-testid="depth-claims">
                {move || depth_claims(&depth.get()).into_iter().map(|c| view! {
                    <li class:holds=c.holds class:fails=!c.holds data-holds=c.holds.to_string()>
                        <strong>{if c.holds { "Holds: " } else { "Does not hold: " }}</strong>
                        {c.statement} " " <span class="note">{format!("({})", c.evidence)}</span>
                    </li>
                }).collect_view()}
            </ul>
            <h4>"Is one run enough? The same models from three seeds"</h4>
            <div class="summary" data-testid="depth-seeds">
                <p class="note">"From " <code>"latent-lab seeds"</code> " on full MNIST (" <code>"results/seeds/"</code> "), 10 epochs each, made with burn's default initialisation of the code layer, before its bias started at +1 (the reproduction above uses +1; see " <code>"docs/dead-units.md"</code> ")."</p>
                {move || depth_seeds.with(|(studies, _)| {
                    seed_verdict(studies).into_iter().map(|t| view! { <p>{t}</p> }).collect_view()
                })}
                {move || depth_seeds.with(|(_, problems)| {
                    problems.iter().map(|p| view! { <p class="warning">{format!("not loaded: {p}")}</p> }).collect_view()
                })}
            </div>
            <p>
                {[1usize, 2, 3].map(|layers| {
                    let architecture = Architecture::from_layers(layers).expect("1 to 3 layers");
                    view! {
                        <button class="small" on:click=move |_| retrain.run((architecture, 20))>
                            {format!("Train {layers} layer{} here", if layers > 1 { "s" } else { "" })}
                        </button> " "
                    }
                }).collect_view()}
            </p>
        </section>
    }
}
