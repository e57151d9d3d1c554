//! `#/decorrelation`: how correlated the latent coordinates are, per latent size, computed
//! here on the bundled test subset beside the full test set's figures; one model's whole
//! correlation matrix; one coordinate's activations.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::canvas::context_2d;
use super::coordinate_scatter::CoordinateScatterView;
use super::correlation_heatmap::CorrelationHeatmap;
use super::download::offer_download;
use super::latent_map::LatentMap;
use super::latent_map_comparison::LatentMapComparison;
use super::line_chart::LineChart;
use super::model_select::ModelSelect;
use super::reproduction::Reproduction;
use super::view_link::{keep_in_address, notify, opening_link, resolve_linked_model};
use crate::engine::ToEngine;
use crate::model::LATENT_SIZES;
use crate::ui::decorrelation::{
    decorrelation_chart, decorrelation_csv, decorrelation_rows, decorrelation_summary,
    histogram_bars, sweep_model_name,
};
use crate::ui::engine_state::EngineState;
use crate::ui::format::{self, analysis_progress};
use crate::ui::view_links::DecorrelationLink;
use crate::weights::ModelSpec;

#[component]
pub fn DecorrelationView(
    #[prop(into)] state: Signal<EngineState>,
    #[prop(into)] reproduction: Signal<Reproduction>,
    send: Callback<ToEngine>,
) -> impl IntoView {
    let loaded = Memo::new(move |_| state.with(|s| s.loaded));
    let test_images = Memo::new(move |_| state.with(|s| s.test_images));
    let asked = StoredValue::new(std::collections::BTreeSet::<String>::new());
    let ask = move |name: String| {
        let known = state.with_untracked(|s| {
            s.analyses.contains_key(&name) || !s.models.iter().any(|m| m.name == name)
        });
        if !known && asked.with_value(|a| !a.contains(&name)) {
            asked.update_value(|a| {
                a.insert(name.clone());
            });
            send.run(ToEngine::Analyse { name });
        }
    };
    // Every model of the sweep is analysed once the engine has loaded them.
    Effect::new(move |_| {
        if loaded.get() {
            for d in LATENT_SIZES {
                ask(sweep_model_name(d));
            }
        }
    });
    let rows = Memo::new(move |_| {
        state.with(|s| {
            reproduction.with(|r| {
                decorrelation_rows(|name| s.analyses.get(name).map(|a| a.as_ref()), r.results())
            })
        })
    });
    let pending = Memo::new(move |_| {
        state.with(|s| {
            LATENT_SIZES
                .iter()
                .filter(|&&d| {
                    let name = sweep_model_name(d);
                    !s.analyses.contains_key(&name) && !s.request_errors.contains_key(&name)
                })
                .count()
        })
    });

    let autoencoders = Memo::new(move |_| {
        state.with(|s| {
            s.models
                .iter()
                .filter(|m| matches!(m.spec, ModelSpec::Autoencoder { latent_dim, .. } if latent_dim > 1))
                .map(|m| m.name.clone())
                .collect::<Vec<_>>()
        })
    });
    // The view opens on its link's model, coordinate and picked digit; the address follows them.
    let query = opening_link();
    let (link, notices) = DecorrelationLink::from_link(&query);
    notify(notices);
    let chosen = RwSignal::new(link.model);
    let coordinate = RwSignal::new(link.coordinate);
    let map_pick = RwSignal::new(link.pick);
    if query.get("model").is_some() {
        resolve_linked_model(
            state,
            chosen,
            "two-layer-d20",
            |m| matches!(m.spec, ModelSpec::Autoencoder { latent_dim, .. } if latent_dim > 1),
        );
    }
    keep_in_address(move || {
        DecorrelationLink {
            model: chosen.get(),
            coordinate: coordinate.get(),
            pick: map_pick.get(),
        }
        .hash()
    });
    Effect::new(move |_| {
        if loaded.get() {
            ask(chosen.get());
        }
    });
    let analysis = Memo::new(move |_| state.with(|s| s.analyses.get(&chosen.get()).cloned()));
    // A linked coordinate past the model's code is refused once the model's size is known.
    Effect::new(move |_| {
        let Some(d) = analysis.get().map(|a| a.latent_dim) else {
            return;
        };
        let i = coordinate.get_untracked();
        if i >= d {
            notify(vec![format!(
                "the link's coordinate {i} is past {}'s last one ({}); showing coordinate 0",
                chosen.get_untracked(),
                d - 1
            )]);
            coordinate.set(0);
        }
    });
    let chosen_error = move || state.with(|s| s.request_errors.get(&chosen.get()).cloned());

    // The heatmap cell opened, if any: another model closes it.
    let scatter_pair = RwSignal::new(None::<(usize, usize)>);
    Effect::new(move |_| {
        chosen.track();
        scatter_pair.set(None);
    });
    // The cell (i, j) opened: coordinate i's histogram, and i against j over the test digits.
    let open_cell = Callback::new(move |(i, j): (usize, usize)| {
        let Some(model) = analysis.with_untracked(|a| a.as_ref().map(|a| a.model.clone())) else {
            return;
        };
        coordinate.set(i);
        scatter_pair.set(Some((i, j)));
        send.run(ToEngine::CoordinatePair { model, i, j });
    });
    let histogram = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(canvas) = histogram.get() else {
            return;
        };
        let Some(a) = analysis.get() else { return };
        let Some(h) = a.histograms.get(coordinate.get()).cloned() else {
            return;
        };
        let Ok(context) = context_2d(&canvas) else {
            return;
        };
        let (w, hgt) = (f64::from(canvas.width()), f64::from(canvas.height()));
        context.set_fill_style_str("#fff");
        context.fill_rect(0.0, 0.0, w, hgt);
        let (plot_w, plot_h) = (w - 20.0, hgt - 36.0);
        context.set_fill_style_str(if h.is_constant() {
            "#9a9aa4"
        } else {
            "#2857c8"
        });
        for (x, y, bw, bh) in histogram_bars(&h, plot_w, plot_h) {
            context.fill_rect(10.0 + x + 0.5, 8.0 + y, (bw - 1.0).max(1.0), bh);
        }
        context.set_fill_style_str("#4a5060");
        context.set_font("12px system-ui, sans-serif");
        context.set_text_baseline("top");
        context.set_text_align("left");
        let _ = context.fill_text(&format!("{:.3}", h.min), 10.0, hgt - 24.0);
        context.set_text_align("right");
        let _ = context.fill_text(&format!("{:.3}", h.max), w - 10.0, hgt - 24.0);
    });
    let coordinate_text = move || {
        analysis.get().and_then(|a| {
            let i = coordinate.get();
            let h = a.histograms.get(i)?;
            Some(if h.is_constant() {
                format!(
                    "Coordinate {i} is dead: it is {:.3} for every one of the {} images, so its correlation with anything is undefined.",
                    h.min, a.images
                )
            } else {
                format!(
                    "Coordinate {i}: activations from {:.3} to {:.3} over {} images.",
                    h.min, h.max, a.images
                )
            })
        })
    };

    view! {
        <section class="decorrelation">
            <h2>"Decorrelation of the latent coordinates"</h2>
            <p class="note">
                {move || format!(
                    "Mean |Pearson r| over pairs of latent coordinates of the two-layer models, computed in this page on the bundled test subset ({} images); dashed: the full test set (10,000 images) in the reproduction. A dead coordinate (a ReLU that never fires) has no defined correlation: the report counted its pairs as 0.",
                    test_images.get()
                )}
            </p>
            {move || (pending.get() > 0 && loaded.get()).then(|| view! {
                <p class="note" data-testid="decorrelation-pending">{format!("Encoding the test subset with {}…", format::count(pending.get(), "model", "models"))}</p>
            })}
            <LineChart
                spec=Signal::derive(move || decorrelation_chart(&rows.get()))
                testid="decorrelation-chart"
                file_stem="decorrelation"
                caption="Against latent size (log scale). Grey: the fraction of dead coordinates."
            />
            <table class="data" tabindex="0" data-testid="decorrelation-table" data-part="decorrelation-table">
                <thead><tr>
                    <th>"latent size"</th>
                    <th>"mean |r|, dead as 0"</th><th>"defined pairs only"</th><th>"dead"</th>
                    <th>"full MNIST: dead as 0"</th><th>"defined only"</th><th>"dead"</th>
                </tr></thead>
                <tbody>
                    {move || rows.get().into_iter().map(|r| {
                        let f = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
                        let b = r.browser;
                        let full = r.reproduction;
                        view! {
                            <tr data-latent=r.latent_dim data-analysed=b.is_some().to_string()>
                                <td class="num">{r.latent_dim}</td>
                                <td class="num" data-col="browser-zero">{f(b.and_then(|s| s.mean_abs_pearson))}</td>
                                <td class="num" data-col="browser-defined">{f(b.and_then(|s| s.mean_abs_pearson_defined))}</td>
                                <td class="num" data-col="browser-dead">{b.map_or("–".into(), |s| s.dead_units.to_string())}</td>
                                <td class="num">{f(full.and_then(|s| s.mean_abs_pearson))}</td>
                                <td class="num">{f(full.and_then(|s| s.mean_abs_pearson_defined))}</td>
                                <td class="num">{full.map_or("–".into(), |s| s.dead_units.to_string())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <p><button class="small" data-testid="decorrelation-table-csv"
                on:click=move |_| { let _ = offer_download("decorrelation.csv", decorrelation_csv(&rows.get()).as_bytes()); }>"Table as CSV"</button></p>
            <div class="summary" data-testid="decorrelation-summary">
                {move || decorrelation_summary(&rows.get()).into_iter().map(|t| view! { <p>{t}</p> }).collect_view()}
            </div>

            <h3>"One model's correlation matrix"</h3>
            <p>
                <label>"Model "
                    <ModelSelect value=chosen options=autoencoders testid="heatmap-model"
                        on_change=Callback::new(move |v| { chosen.set(v); coordinate.set(0); })/>
                </label>
                " · coordinate "
                <input type="number" min="0" data-testid="heatmap-coordinate" aria-label="Coordinate shown in the histogram"
                    prop:max=move || analysis.get().map_or(0, |a| a.latent_dim.saturating_sub(1))
                    prop:value=move || coordinate.get().to_string()
                    on:input=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                            let d = analysis.get_untracked().map_or(0, |a| a.latent_dim);
                            coordinate.set(i.min(d.saturating_sub(1)));
                        }
                    }/>
                {move || chosen_error().map(|e| view! { <span class="warning">" " {e}</span> })}
            </p>
            {move || {
                let model = chosen.get();
                state.with(|s| s.analysing.get(&model).copied()).map(|(done, total)| view! {
                    <p class="analysis-progress" data-testid="analysis-progress" role="status"
                        data-done=done data-total=total>
                        {analysis_progress(&model, done, total)}
                    </p>
                })
            }}
            <div class="heatmap-row" data-part="heatmap">
                <CorrelationHeatmap analysis=analysis opened=scatter_pair on_open=open_cell/>
                <figure>
                    <canvas node_ref=histogram width="320" height="180" data-testid="coordinate-histogram"
                        data-coordinate=move || coordinate.get()></canvas>
                    <figcaption>{coordinate_text}</figcaption>
                </figure>
                <CoordinateScatterView analysis=analysis state=state pair=scatter_pair/>
            </div>
            <div data-part="latent-map">
                <h3>"A map of the latent space"</h3>
                <LatentMap analysis=analysis state=state send=send picked=map_pick>
                    <LatentMapComparison state=state model=chosen options=autoencoders ask=Callback::new(ask)/>
                </LatentMap>
            </div>
        </section>
    }
}
