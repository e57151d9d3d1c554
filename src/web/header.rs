//! The header: the app's name, the backend in use and why, and the start-up progress.

use leptos::prelude::*;

use crate::BackendKind;
use crate::ui::engine_state::{EngineState, LoadingStep};

#[component]
pub fn Header(#[prop(into)] state: Signal<EngineState>) -> impl IntoView {
    let backend = Memo::new(move |_| state.with(|s| s.backend.clone()));
    let loading = Memo::new(move |_| state.with(|s| s.loading.clone()));
    let hand_over = Memo::new(move |_| state.with(EngineState::hand_over_text));
    let backend_text = move || match backend.get() {
        None => "Backend: starting the engine…".to_string(),
        Some(b) => match b.kind {
            BackendKind::Wgpu => format!("Backend: WebGPU · {}", b.adapter),
            _ => format!("Backend: CPU · {}", b.adapter),
        },
    };
    view! {
        <header class="app-header">
            <div class="brand">
                <span class="logo">"◐"</span>
                " Latent Lab"
                <span class="tagline">"what an autoencoder learns from handwritten digits"</span>
            </div>
            <div class="backend" data-testid="backend" data-part="backend">
                <span>{backend_text}</span>
                {move || {
                    backend
                        .get()
                        .and_then(|b| b.fallback_reason)
                        .map(|reason| view! { <span class="note">" (WebGPU not used: " {reason} ")"</span> })
                }}
                {move || {
                    backend
                        .get()
                        .filter(|b| b.kind == BackendKind::Wgpu && b.software_adapter)
                        .map(|_| {
                            view! {
                                <span class="warning">
                                    " This is a software WebGPU adapter: the CPU backend is usually much faster. "
                                    <a href="?backend=cpu">"Use the CPU"</a>
                                </span>
                            }
                        })
                }}
                {move || hand_over.get().map(|text| view! {
                    <span class="note" data-testid="handover">" · " {text}</span>
                })}
            </div>
            {move || {
                loading
                    .get()
                    .map(|LoadingStep { what, done, total }| {
                        view! {
                            <div class="loading" data-testid="loading">
                                <progress max=total value=done></progress>
                                " Loading " {what} " (" {done + 1} "/" {total} ")"
                            </div>
                        }
                    })
            }}
        </header>
    }
}
