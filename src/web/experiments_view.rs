//! `#/experiments`: the latent sweep (table and chart), the depth comparison, the report's
//! numbers beside the full-MNIST reproduction's and this browser's runs, and the variational
//! autoencoder beside the plain one.

use leptos::prelude::*;

use super::download::offer_download;
use super::line_chart::LineChart;
use super::reproduction::Reproduction;
use crate::model::Architecture;
use crate::ui::engine_state::EngineState;
use crate::ui::experiments::{
    BrowserRuns, DEPTH_LATENT_DIM, SeedStudy, depth_chart, depth_claims, depth_rows,
    linear_code_reading, no_code_test_loss, seed_verdict, sweep_chart, sweep_csv, sweep_rows,
    variational_rows,
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
    let no_code = Memo::new(move |_| reproduction.with(|r| no_code_test_loss(r.results())));
    let depth = Memo::new(move |_| {
        reproduction.with(|r| r.results().map(|r| r.depth.clone()).unwrap_or_default())
    });
    let depth_table = Memo::new(move |_| depth.with(|d| depth_rows(d, &models.get())));
    let vae_rows =
        Memo::new(move |_| reproduction.with(|r| variational_rows(r.results(), &models.get())));
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
                "measured on the bundled test subset (2,000 images). Beside them, what a linear code of the "
                "same size reconstructs: the first principal components of the training images (PCA, the best "
                "any linear encoder and decoder does), made by " <code>"latent-lab baselines"</code> "."
            </p>
            <table class="data" tabindex="0" data-testid="sweep-table">
                <thead>
                    <tr>
                        <th>"latent size"</th><th>"parameters"</th>
                        <th>"report: train"</th><th>"report: test"</th>
                        <th>"full MNIST: train"</th><th>"full MNIST: test"</th>
                        <th title="Test loss of the first principal components of the training images, as many as the latent size">
                            "linear code (PCA): test"</th>
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
                            <td class="num" data-col="pca-test">{loss(row.linear.map(|l| l.test))}</td>
                            {browser_cell(row.browser.as_ref())}
                            {train_here_cell("sweep-train", retrain, Architecture::TwoLayer, row.latent_dim)}
                        </tr>
                    </For>
                </tbody>
            </table>
            <p><button class="small" on:click=save_csv data-testid="sweep-table-csv">"Table as CSV"</button></p>
            <LineChart
                spec=Signal::derive(move || sweep_chart(&rows.get(), no_code.get()))
                testid="sweep-chart"
                file_stem="latent-sweep"
                caption="Test loss against latent size (both axes logarithmic). Green dashed: a linear code of the same size (PCA); grey: no code at all, the mean training digit for every image."
            />
            {move || rows.with(|r| linear_code_reading(r)).map(|text| view! {
                <p class="note" data-testid="sweep-linear-reading">{text}</p>
            })}

            <h3>"B. One, two and three convolution layers at latent size 20"</h3>
            <LineChart
                spec=Signal::derive(move || depth_chart(&depth.get()))
                testid="depth-chart"
                file_stem="depth-curves"
                caption="Full-MNIST reproduction: loss after each epoch, test solid, train dashed (log scale)."
            />
            <p class="note">
                "Final test losses: the full-MNIST reproduction's, and the best model of each depth trained in this "
                "browser (bundled test subset)."
            </p>
            <table class="data" tabindex="0" data-testid="depth-table">
                <thead>
                    <tr>
                        <th>"convolution layers"</th><th>"parameters"</th>
                        <th>"full MNIST: test"</th><th>"this browser: test"</th><th></th>
                    </tr>
                </thead>
                <tbody>
                    {move || depth_table.get().into_iter().map(|row| view! {
                        <tr data-layers=row.layers>
                            <td class="num">{row.layers}</td>
                            <td class="num">{format::thousands(row.params)}</td>
                            <td class="num" data-col="full-test">{loss(row.reproduction_test)}</td>
                            {browser_cell(row.browser.as_ref())}
                            {train_here_cell("depth-train", retrain, row.architecture, DEPTH_LATENT_DIM)}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
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

            <h3>"Beyond the exercise: a variational autoencoder beside the plain one"</h3>
            <p class="note">
                "The two-layer architecture with a Gaussian code, trained on MSE + β·KL/784 (full MNIST, "
                <code>"latent-lab reproduce"</code> "), evaluated at the mean code; the plain two-layer model of the same "
                "latent size beside it; and the best VAE of that size and β trained in this browser (its objective on "
                "the bundled test subset). The paths' distance is the mean, over the exercise's four digit pairs, of how far "
                "each interpolation's inner frames lie from the data (1: as near as real digits lie to each other). "
                "Compare them in " <a href="#/interpolate?a=two-layer-d20&b=vae-d20">"#/interpolate"</a> " and on the latent maps of "
                <a href="#/decorrelation?model=two-layer-d20">"#/decorrelation"</a> "."
            </p>
            <table class="data" tabindex="0" data-testid="vae-table">
                <thead>
                    // Each measure over its two models (VAE, plain), so the pairs read side by side
                    // under one heading, not as fifteen headings in a row.
                    <tr>
                        <th rowspan="2" scope="col">"latent size"</th><th rowspan="2" scope="col">"β"</th>
                        <th rowspan="2" scope="col">"parameters"</th>
                        <th colspan="2" scope="colgroup" class="pair">"test MSE"</th>
                        <th rowspan="2" scope="col">"VAE objective"</th>
                        <th colspan="2" scope="colgroup" class="pair">"mean |r|, defined pairs"</th>
                        <th colspan="2" scope="colgroup" class="pair">"dead coordinates"</th>
                        <th colspan="2" scope="colgroup" class="pair">"paths from the data"</th>
                        <th rowspan="2" scope="col">"this browser: VAE objective"</th><th rowspan="2"></th>
                    </tr>
                    <tr>
                        {(0..4).map(|_| view! { <th scope="col" class="pair-start">"VAE"</th><th scope="col">"plain"</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {move || vae_rows.get().into_iter().map(|row| {
                        let d = row.latent_dim;
                        let r = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
                        let p = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.2}"));
                        view! {
                            <tr data-latent=d>
                                <td class="num">{d}</td>
                                <td class="num">{row.beta.to_string()}</td>
                                <td class="num">{format::thousands(row.params)}</td>
                                <td class="num pair-start" data-col="vae-mse">{loss(Some(row.vae_test_mse))}</td>
                                <td class="num" data-col="plain-mse">{loss(row.plain_test_mse)}</td>
                                <td class="num">{loss(Some(row.objective))}</td>
                                <td class="num pair-start" data-col="vae-r">{r(row.vae_mean_r)}</td>
                                <td class="num" data-col="plain-r">{r(row.plain_mean_r)}</td>
                                <td class="num pair-start" data-col="vae-dead">{row.vae_dead}</td>
                                <td class="num" data-col="plain-dead">{row.plain_dead.map_or("–".to_string(), |v| v.to_string())}</td>
                                <td class="num pair-start" data-col="vae-path">{p(row.vae_path)}</td>
                                <td class="num" data-col="plain-path">{p(row.plain_path)}</td>
                                {browser_cell(row.browser.as_ref())}
                                {train_here_cell("vae-train", retrain, Architecture::Vae, d)}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The best of this browser's runs of a model, its name and runs in the title; a dash before
/// there is one.
fn browser_cell(browser: Option<&BrowserRuns>) -> impl IntoView + use<> {
    view! {
        <td class="num" data-col="browser-test" title=browser.map(BrowserRuns::describe)>
            {browser.map_or("–".to_string(), |b| format::loss(Some(b.test)))}
        </td>
    }
}

/// A row's "Train here": opens the training view with that model's configuration.
fn train_here_cell(
    testid: &'static str,
    retrain: Callback<(Architecture, usize)>,
    architecture: Architecture,
    latent_dim: usize,
) -> impl IntoView + use<> {
    view! {
        <td class="actions">
            <button class="small" data-testid=testid
                on:click=move |_| retrain.run((architecture, latent_dim))>
                "Train here"
            </button>
        </td>
    }
}
