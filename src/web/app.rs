//! The page: header, navigation, the view of the current hash route.

use leptos::prelude::*;

use super::coming_soon::ComingSoon;
use super::engine_client::EngineClient;
use super::header::Header;
use super::train_view::TrainView;
use crate::engine::{BackendChoice, ToEngine};
use crate::ui::route::{Route, base_url};
use crate::ui::training_state::EngineState;

/// Entry point of the page's wasm.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

fn location() -> web_sys::Location {
    window().location()
}

#[component]
pub fn App() -> impl IntoView {
    let state = RwSignal::new(EngineState::default());
    let route = RwSignal::new(Route::from_hash(&location().hash().unwrap_or_default()));
    let _ = window_event_listener(leptos::ev::hashchange, move |_| {
        route.set(Route::from_hash(&location().hash().unwrap_or_default()));
    });

    let href = location().href().unwrap_or_default();
    let base = base_url(&href);
    let (choice, query_error) =
        match BackendChoice::from_query(&location().search().unwrap_or_default()) {
            Ok(choice) => (choice, None),
            Err(e) => (BackendChoice::Auto, Some(e)),
        };
    let client = match EngineClient::spawn(
        &base,
        move |event| state.update(|s| s.apply(event)),
        move |message| state.update(|s| s.worker_crashed(message)),
    ) {
        Ok(client) => {
            client.send(&ToEngine::Start {
                backend: choice,
                base_url: base.clone(),
            });
            Some(client)
        }
        Err(e) => {
            state.update(|s| s.error = Some(e));
            None
        }
    };
    if let Some(e) = query_error {
        state.update(|s| s.error = Some(e));
    }
    let client = StoredValue::new_local(client);
    let send = Callback::new(move |message: ToEngine| {
        client.with_value(|c| {
            if let Some(c) = c {
                c.send(&message)
            }
        })
    });

    let error = Memo::new(move |_| state.with(|s| s.error.clone()));
    let backend_lost = Memo::new(move |_| state.with(|s| s.backend_lost));
    let problems = Memo::new(move |_| state.with(|s| s.problems.clone()));

    view! {
        <Header state=state/>
        <nav class="views">
            {Route::ALL.iter().map(|&r| view! {
                <a href=r.hash() class:active=move || route.get() == r>{r.title()}</a>
            }).collect_view()}
        </nav>
        {move || error.get().map(|e| view! {
            <div class="error" data-testid="error" role="alert">
                {e}
                {move || backend_lost.get().then(|| view! {
                    " " <a href="?backend=cpu">"Continue on the CPU"</a>
                })}
            </div>
        })}
        {move || {
            let p = problems.get();
            (!p.is_empty()).then(|| view! {
                <details class="problems">
                    <summary>{format!("{} bundled file(s) could not be loaded", p.len())}</summary>
                    <ul>{p.into_iter().map(|x| view! { <li>{x}</li> }).collect_view()}</ul>
                </details>
            })
        }}
        <main>
            {move || match route.get() {
                Route::Train => view! { <TrainView state=state send=send/> }.into_any(),
                other => view! { <ComingSoon route=other/> }.into_any(),
            }}
        </main>
        <footer>
            "Latent Lab · models run in this page with burn · MNIST by LeCun, Cortes and Burges"
        </footer>
    }
}
