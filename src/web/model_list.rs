//! The models in the store: pretrained, trained here, loaded; save, remove, load a file.

use leptos::prelude::*;

use super::browser_storage;
use super::read_file_bytes;
use crate::engine::{ModelInfo, ModelOrigin, ToEngine};
use crate::ui::format;
use crate::ui::model_file::check_model_file;
use crate::ui::model_score::{above_no_code, score_text};

/// Reads the picked file and hands its bytes to the engine.
async fn read_file(file: web_sys::File) -> Result<ToEngine, String> {
    let file_name = file.name();
    check_model_file(&file_name, file.size())?;
    let bytes = read_file_bytes(&file).await?;
    Ok(ToEngine::LoadFile { file_name, bytes })
}

#[component]
pub fn ModelList(
    #[prop(into)] models: Signal<Vec<ModelInfo>>,
    /// No code's test loss (the mean digit): a model trained here above it is marked.
    #[prop(into)]
    no_code: Signal<Option<f32>>,
    send: Callback<ToEngine>,
) -> impl IntoView {
    let load_error = RwSignal::new(None::<String>);
    // The quota line, refreshed whenever the list changes (a model kept or removed).
    let usage = RwSignal::new(None::<String>);
    let persistence_asked = StoredValue::new(false);
    Effect::new(move |_| {
        let any_kept = models.with(|m| {
            m.iter()
                .any(|m| m.kept && m.origin != ModelOrigin::Pretrained)
        });
        // Ask once, when the first model is kept: before that there is nothing to protect.
        let ask = any_kept && !persistence_asked.get_value();
        if ask {
            persistence_asked.set_value(true);
        }
        leptos::task::spawn_local(async move {
            let persisted = if ask {
                browser_storage::persist().await
            } else {
                browser_storage::persisted().await
            };
            let line = browser_storage::estimate()
                .await
                .map(|(used, quota)| format::storage_usage(used, quota, persisted));
            usage.set(line);
        });
    });
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        // Picking the same file again must fire `change` again.
        input.set_value("");
        leptos::task::spawn_local(async move {
            match read_file(file).await {
                Ok(message) => {
                    load_error.set(None);
                    send.run(message);
                }
                Err(e) => load_error.set(Some(e)),
            }
        });
    };
    let rows = move || {
        models
            .get()
            .into_iter()
            .map(|m| {
                let kind = m.kind();
                let origin = match (m.origin, m.kept) {
                    (ModelOrigin::Pretrained, _) => "pretrained (full MNIST)",
                    (ModelOrigin::Trained, true) => "trained here · kept in this browser",
                    (ModelOrigin::Trained, false) => "trained here",
                    (ModelOrigin::Uploaded, true) => "loaded from a file · kept in this browser",
                    (ModelOrigin::Uploaded, false) => "loaded from a file",
                };
                let score = score_text(&m);
                let above = above_no_code(&m, no_code.get()).map(|why| view! {
                    <span class="warning score-mark" data-testid="above-no-code" title=why>"above no code"</span>
                });
                let row_name = m.name.clone();
                let save_name = m.name.clone();
                let remove_name = m.name.clone();
                let keep_name = m.name.clone();
                let removable = m.origin != ModelOrigin::Pretrained;
                let not_kept = m.not_kept.clone().map(|reason| {
                    view! {
                        " "
                        <span class="warning" data-testid="not-kept" title=reason.clone()>
                            "not kept — download it"
                        </span>
                        " "
                        <button
                            class="small"
                            data-testid="model-keep"
                            title=format!("Try again to keep it in this browser ({reason})")
                            on:click=move |_| send.run(ToEngine::Keep { name: keep_name.clone() })
                        >"Keep"</button>
                    }
                });
                view! {
                    <tr data-model=row_name data-model-id=m.id.clone() data-kept=m.kept.to_string()>
                        // data-label: the column's name, shown beside the value where a
                        // phone lays each model out as a card (style/main.css).
                        <td class="name">{m.name}</td>
                        <td data-label="model">{kind}</td>
                        <td class="num" data-label="parameters">{format::thousands(m.params)}</td>
                        <td class="score" data-label="score">{score}{above}</td>
                        <td data-label="origin">{origin}{not_kept}</td>
                        <td class="actions">
                            <button
                                data-testid="model-save"
                                title="Download the weights file (safetensors, the format of the bundled weights)"
                                on:click=move |_| send.run(ToEngine::Download { name: save_name.clone() })
                            >"Save"</button>
                            {removable.then(|| view! {
                                <button
                                    data-testid="model-remove"
                                    title="Remove from the page and from this browser's storage"
                                    on:click=move |_| send.run(ToEngine::Remove { name: remove_name.clone() })
                                >"Remove"</button>
                            })}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="models" data-part="model-list">
            <h3>"Models"</h3>
            <p class="note">
                "Models trained or loaded here are kept in this browser and come back after a reload. "
                <label class="file-pick">
                    "Load a model file… "
                    <input type="file" accept=".safetensors" data-testid="model-load" on:change=on_pick/>
                </label>
                {move || load_error.get().map(|e| view! { <span class="warning" role="alert">" " {e}</span> })}
            </p>
            <table tabindex="0" data-testid="model-list">
                <thead>
                    <tr><th>"name"</th><th>"model"</th><th>"parameters"</th><th>"score"</th><th>"origin"</th><th></th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <Show when=move || models.with(|m| m.is_empty())>
                <p class="note">"No models yet: train one above."</p>
            </Show>
            <p class="note" data-testid="storage-usage">
                {move || usage.get().unwrap_or_else(|| "Storage: this browser does not say how much is used".into())}
            </p>
        </section>
    }
}
