//! The models in the store: pretrained, trained here, loaded.

use leptos::prelude::*;

use crate::engine::{ModelInfo, ModelOrigin};
use crate::ui::format;
use crate::weights::ModelSpec;

#[component]
pub fn ModelList(#[prop(into)] models: Signal<Vec<ModelInfo>>) -> impl IntoView {
    let rows = move || {
        models
            .get()
            .into_iter()
            .map(|m| {
                let kind = match m.spec {
                    ModelSpec::Autoencoder {
                        architecture,
                        latent_dim,
                    } => {
                        format!("{architecture} autoencoder, d = {latent_dim}")
                    }
                    ModelSpec::Classifier { latent_dim } => format!("classifier, d = {latent_dim}"),
                };
                let origin = match m.origin {
                    ModelOrigin::Pretrained => "pretrained (full MNIST)",
                    ModelOrigin::Trained => "trained here",
                    ModelOrigin::Uploaded => "loaded from a file",
                };
                let score = match m.test_accuracy {
                    Some(acc) => format!("{:.1} % accuracy", acc * 100.0),
                    None => format!("test loss {}", format::loss(m.test_loss)),
                };
                view! {
                    <tr>
                        <td>{m.name}</td>
                        <td>{kind}</td>
                        <td class="num">{format::thousands(m.params)}</td>
                        <td>{score}</td>
                        <td>{origin}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="models">
            <h3>"Models"</h3>
            <table data-testid="model-list">
                <thead>
                    <tr><th>"name"</th><th>"model"</th><th>"parameters"</th><th>"score"</th><th>"origin"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <Show when=move || models.with(|m| m.is_empty())>
                <p class="note">"No models yet: train one above."</p>
            </Show>
        </section>
    }
}
