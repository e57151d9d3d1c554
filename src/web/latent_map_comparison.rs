//! A second latent map beside the first (issue 20: a plain autoencoder and a VAE side by
//! side), another model's codes of the same test digits on their own first two principal
//! components, with the numbers that say what differs.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::canvas::context_2d;
use super::latent_map::draw_digit_points;
use super::model_select::ModelSelect;
use crate::ui::engine_state::EngineState;
use crate::ui::latent_map::{
    analysis_map_caption, counterpart_model, map_comparison_row, map_positions,
};

const SIZE: f64 = 300.0;
const MARGIN: f64 = 10.0;

#[component]
pub fn LatentMapComparison(
    #[prop(into)] state: Signal<EngineState>,
    /// The first map's model.
    #[prop(into)]
    model: Signal<String>,
    /// The models a map can show.
    #[prop(into)]
    options: Signal<Vec<String>>,
    /// Asks the engine to analyse a model (once: the view keeps track).
    ask: Callback<String>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    // The person's choice; until then the first map's counterpart.
    let chosen = RwSignal::new(None::<String>);
    let other = Memo::new(move |_| {
        chosen
            .get()
            .or_else(|| options.with(|o| counterpart_model(&model.get(), o)))
            .unwrap_or_default()
    });
    let loaded = Memo::new(move |_| state.with(|s| s.loaded));
    Effect::new(move |_| {
        let name = other.get();
        if loaded.get() && !name.is_empty() {
            ask.run(name);
        }
    });
    let analysis = Memo::new(move |_| state.with(|s| s.analyses.get(&other.get()).cloned()));
    let positions = Memo::new(move |_| {
        analysis
            .get()
            .map(|a| map_positions(&a.map, SIZE, MARGIN))
            .unwrap_or_default()
    });
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let Ok(context) = context_2d(&canvas) else {
            return;
        };
        context.set_fill_style_str("#fff");
        context.fill_rect(0.0, 0.0, SIZE, SIZE);
        let labels = analysis.with(|a| a.as_ref().map(|a| a.labels.clone()).unwrap_or_default());
        draw_digit_points(&context, &positions.get(), &labels, 2.0, 14);
    });
    let rows = Memo::new(move |_| {
        [model.get(), other.get()]
            .map(|name| {
                state.with(|s| {
                    map_comparison_row(
                        s.models.iter().find(|m| m.name == name),
                        s.analyses.get(&name).map(|a| a.as_ref()),
                    )
                })
            })
            .to_vec()
    });
    let waiting = move || {
        let name = other.get();
        state.with(|s| {
            if let Some(e) = s.request_errors.get(&name) {
                Some(e.clone())
            } else if analysis.with(Option::is_none) && !name.is_empty() {
                Some(format!("Analysing {name}…"))
            } else {
                None
            }
        })
    };
    view! {
        <figure class="comparison-map">
            <canvas node_ref=canvas width=SIZE as u32 height=SIZE as u32 class="latent-map-compare"
                data-testid="latent-map-compare" data-model=move || other.get()
                data-points=move || positions.with(Vec::len)
                role="img" aria-label="A second latent map, of the model chosen beside it: one point per test image, coloured and numbered by digit."></canvas>
            <figcaption>
                <label>"Beside it: "
                    <ModelSelect value=Signal::derive(move || other.get()) options=options
                        on_change=Callback::new(move |name: String| chosen.set(Some(name)))
                        testid="latent-compare-model"/>
                </label>
                {move || waiting().map(|w| view! { <span class="note">" " {w}</span> })}
                <span class="caption-line" data-testid="latent-map-compare-caption">{move || analysis.get().map(|a| analysis_map_caption(&a))}</span>
            </figcaption>
        </figure>
        <table class="data" tabindex="0" data-testid="latent-compare-numbers">
            <caption>"The two maps' models: what differs"</caption>
            <thead><tr>
                <th scope="col">"model"</th>
                <th scope="col">"test loss (its file)"</th>
                <th scope="col">"mean |r|, defined pairs"</th>
                <th scope="col">"dead coordinates"</th>
                <th scope="col">"variance on the map's axes"</th>
            </tr></thead>
            <tbody>
                {move || rows.get().into_iter().map(|r| {
                    let (model, mean_r, dead) = (r.model.clone(), r.mean_abs_r.clone(), r.dead.clone());
                    view! {
                    <tr data-model=model data-mean-r=mean_r data-dead=dead>
                        <th scope="row">{r.model}</th>
                        <td>{r.test_loss}</td>
                        <td>{r.mean_abs_r}</td>
                        <td>{r.dead}</td>
                        <td>{r.axes}</td>
                    </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
