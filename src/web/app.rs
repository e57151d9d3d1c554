//! The page: header, navigation, the view of the current hash route.

use leptos::prelude::*;

use super::copy_link::CopyLink;
use super::decorrelation_view::DecorrelationView;
use super::download::offer_download;
use super::draw_view::DrawView;
use super::engine_client::EngineClient;
use super::experiments_view::ExperimentsView;
use super::header::Header;
use super::interpolate_view::InterpolateView;
use super::isolation::cross_origin_isolated;
use super::lesson_panel::LessonPanel;
use super::offline::register_service_worker;
use super::report_view::ReportView;
use super::reproduction::{Reproduction, fetch_depth_seeds, fetch_reproduction};
use super::train_view::TrainView;
use super::transfer_view::TransferView;
use super::view_link::LinkNotices;
use super::wasm_features::relaxed_simd;
use super::webgpu_probe::probe_webgpu;
use crate::engine::bundle::{BrowserSupport, EngineBundle, relaxed_simd_turned_off};
use crate::engine::protocol::{ErrorSource, query_value};
use crate::engine::{BackendChoice, FromEngine, InterruptedChoice, ToEngine};
use crate::model::Architecture;
use crate::ui::drawing_strokes::Drawing;
use crate::ui::engine_state::EngineState;
use crate::ui::hide::{hide_css, parse_hide};
use crate::ui::lesson::parse_lesson_name;
use crate::ui::link::percent_decode;
use crate::ui::route::{Route, base_url};
use crate::ui::train_form::TrainForm;
use crate::ui::view_links::BUNDLED_TRAIN_IMAGES;

/// Entry point of the page's wasm.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

fn location() -> web_sys::Location {
    window().location()
}

/// `window.latentLabTest.loseGpuDevice()`, for the end-to-end test of a lost GPU (only with
/// `?test-hooks=1` in the address).
fn install_test_hooks(send: Callback<ToEngine>) {
    use wasm_bindgen::prelude::*;
    let hooks = js_sys::Object::new();
    let lose = Closure::<dyn Fn()>::new(move || send.run(ToEngine::LoseGpuDevice));
    let _ = js_sys::Reflect::set(&hooks, &"loseGpuDevice".into(), lose.as_ref());
    lose.forget();
    let _ = js_sys::Reflect::set(&window(), &"latentLabTest".into(), &hooks);
}

#[component]
pub fn App() -> impl IntoView {
    let state = RwSignal::new(EngineState::default());
    let route = RwSignal::new(Route::from_hash(&location().hash().unwrap_or_default()));
    // What a link asked for and could not get; a view opened anew starts without them.
    let link_notices = RwSignal::new(Vec::<String>::new());
    provide_context(LinkNotices(link_notices));
    // Every change of the address by the person (a navigation link, an edited or pasted
    // link, back and forward) opens the view anew from it; the views' own updates of the
    // address (`replaceState`) fire no `hashchange`.
    let visit = RwSignal::new(0u64);
    let _ = window_event_listener(leptos::ev::hashchange, move |_| {
        link_notices.set(Vec::new());
        route.set(Route::from_hash(&location().hash().unwrap_or_default()));
        visit.update(|v| *v += 1);
    });

    let href = location().href().unwrap_or_default();
    let base = base_url(&href);
    let (choice, query_error) =
        match BackendChoice::from_query(&location().search().unwrap_or_default()) {
            Ok(choice) => (choice, None),
            Err(e) => (BackendChoice::Auto, Some(e)),
        };
    if let Some(e) = query_error {
        state.update(|s| s.push_error(ErrorSource::Page, e));
    }
    let search = location().search().unwrap_or_default();
    if let Some(id) = query_value(&search, "resume").filter(|id| !id.is_empty()) {
        let id = id.to_string();
        state.update(|s| s.resume_when_offered = Some(id));
    }
    // A lesson's page: `?hide=` hides named parts, `?lesson=` opens the lesson panel.
    let (hidden, hide_notices) =
        parse_hide(&percent_decode(query_value(&search, "hide").unwrap_or("")).unwrap_or_default());
    link_notices.update(|n| n.extend(hide_notices));
    let hidden_css = hide_css(&hidden);
    let initial_lesson = query_value(&search, "lesson").and_then(|l| match parse_lesson_name(l) {
        Ok(name) => Some(name),
        Err(e) => {
            link_notices.update(|n| n.push(format!("lesson: {e}")));
            None
        }
    });
    let lesson_open = RwSignal::new(query_value(&search, "lesson").is_some());
    let lesson_base = base.clone();
    // Offline: shown once the service worker has cached every file of the build.
    let offline_ready = RwSignal::new(false);
    {
        let base = base.clone();
        leptos::task::spawn_local(async move {
            match register_service_worker(&base).await {
                Ok(()) => offline_ready.set(true),
                Err(e) => leptos::logging::warn!("the lab will not work offline here: {e}"),
            }
        });
    }
    let reproduction = RwSignal::new(Reproduction::Loading);
    {
        let base = base.clone();
        leptos::task::spawn_local(async move { reproduction.set(fetch_reproduction(&base).await) });
    }
    let depth_seeds = RwSignal::new((Vec::new(), Vec::<String>::new()));
    {
        let base = base.clone();
        leptos::task::spawn_local(async move { depth_seeds.set(fetch_depth_seeds(&base).await) });
    }
    let form = RwSignal::new(TrainForm::defaults(BUNDLED_TRAIN_IMAGES));
    let drawing = RwSignal::new(Drawing::default());
    let retrain = Callback::new(move |(architecture, latent_dim): (Architecture, usize)| {
        form.update(|f| {
            f.architecture = architecture.to_string();
            f.latent_dim = latent_dim.to_string();
        });
        let _ = location().set_hash(&Route::Train.hash());
    });
    let client = StoredValue::new_local(None::<EngineClient>);
    let relaxed_simd_off = relaxed_simd_turned_off(&search);
    leptos::task::spawn_local(async move {
        // Only a browser with a WebGPU adapter downloads the engine build that contains wgpu.
        let webgpu_adapter = match choice {
            BackendChoice::Auto => probe_webgpu().await.is_ok(),
            _ => false,
        };
        let browser = BrowserSupport {
            webgpu_adapter,
            isolated: cross_origin_isolated(),
            relaxed_simd: relaxed_simd() && !relaxed_simd_off,
        };
        let bundle = EngineBundle::for_choice(choice, browser);
        match EngineClient::spawn(
            &base,
            bundle,
            move |event| match event {
                FromEngine::ModelFile {
                    file_name, bytes, ..
                } => {
                    let notice = match offer_download(&file_name, &bytes) {
                        Ok(()) => format!("Saved {file_name}"),
                        Err(e) => format!("{file_name} could not be offered as a download: {e}"),
                    };
                    state.update(|s| s.notice = Some(notice));
                }
                event => state.update(|s| s.apply(event)),
            },
            move |message| state.update(|s| s.worker_crashed(message)),
        ) {
            Ok(c) => {
                c.send(&ToEngine::Start {
                    backend: choice,
                    base_url: base.clone(),
                });
                client.set_value(Some(c));
            }
            Err(e) => state.update(|s| s.push_error(ErrorSource::Worker, e)),
        }
    });
    let send = Callback::new(move |message: ToEngine| {
        client.with_value(|c| {
            if let Some(c) = c {
                c.send(&message)
            }
        })
    });
    // After "continue on the CPU": the run the GPU lost resumes from its checkpoint.
    Effect::new(move |_| {
        if let Some(id) = state.with(EngineState::resume_due) {
            state.update(|s| s.resume_when_offered = None);
            send.run(ToEngine::Interrupted {
                id,
                choice: InterruptedChoice::Resume,
            });
        }
    });
    if query_value(&search, "test-hooks") == Some("1") {
        install_test_hooks(send);
    }

    let errors = Memo::new(move |_| state.with(|s| s.errors.clone()));
    let backend_lost = Memo::new(move |_| state.with(|s| s.backend_lost));
    let problems = Memo::new(move |_| state.with(|s| s.problems.clone()));
    let notice = Memo::new(move |_| state.with(|s| s.notice.clone()));

    view! {
        <Header state=state/>
        <nav class="views" data-part="nav">
            {Route::ALL.iter().map(|&r| view! {
                <a href=r.hash() class:active=move || route.get() == r>{r.title()}</a>
            }).collect_view()}
            <CopyLink/>
            " "
            <button class="small" data-testid="lessons-toggle" aria-pressed=move || lesson_open.get().to_string()
                on:click=move |_| lesson_open.update(|o| *o = !*o)>"Lessons"</button>
            {move || offline_ready.get().then(|| view! {
                " " <span class="note" data-testid="offline-ready"
                    title="Every file the lab needs is stored in this browser: it loads and trains without the network">"✓ works offline"</span>
            })}
        </nav>
        {(!hidden_css.is_empty()).then(|| view! { <style>{hidden_css}</style> })}
        {move || {
            let n = link_notices.get();
            (!n.is_empty()).then(|| view! {
                <div class="notice" data-testid="link-notice" role="status">
                    <ul>{n.into_iter().map(|x| view! { <li>{x}</li> }).collect_view()}</ul>
                    <button class="dismiss" on:click=move |_| link_notices.set(Vec::new())>"OK"</button>
                </div>
            })
        }}
        {move || errors.get().into_iter().enumerate().map(|(i, e)| view! {
            <div class="error" data-testid="error" data-source=e.source.label() role="alert">
                <strong>{e.source.describe()}</strong> ": " {e.message}
                {move || backend_lost.get().then(|| view! {
                    " " <a data-testid="continue-on-cpu"
                        href=move || state.with(EngineState::continue_on_cpu_address)>
                        "Continue on the CPU"</a>
                })}
                " "
                <button class="dismiss" on:click=move |_| state.update(|s| s.dismiss_error(i))>"OK"</button>
            </div>
        }).collect_view()}
        {move || notice.get().map(|n| view! {
            <div class="notice" data-testid="notice" role="status">
                {n} " "
                <button class="dismiss" on:click=move |_| state.update(|s| s.notice = None)>"OK"</button>
            </div>
        })}
        {move || {
            let p = problems.get();
            (!p.is_empty()).then(|| view! {
                <details class="problems" data-testid="problems">
                    <summary>{format!("{} thing(s) could not be loaded at start", p.len())}</summary>
                    <ul>{p.into_iter().map(|x| view! {
                        <li data-source=format!("{:?}", x.source).to_lowercase()>
                            {x.source.describe()} ": " {x.message}
                        </li>
                    }).collect_view()}</ul>
                </details>
            })
        }}
        <div class="workspace" class:with-lesson=move || lesson_open.get()>
        <main>
            {move || match (route.get(), visit.get()).0 {
                Route::Train => view! { <TrainView state=state send=send form=form/> }.into_any(),
                Route::Experiments => view! {
                    <ExperimentsView state=state reproduction=reproduction depth_seeds=depth_seeds retrain=retrain/>
                }.into_any(),
                Route::Interpolate => view! { <InterpolateView state=state send=send/> }.into_any(),
                Route::Decorrelation => view! {
                    <DecorrelationView state=state reproduction=reproduction send=send/>
                }.into_any(),
                Route::Transfer => view! {
                    <TransferView state=state reproduction=reproduction send=send/>
                }.into_any(),
                Route::Draw => view! { <DrawView state=state send=send drawing=drawing/> }.into_any(),
                Route::Report => view! {
                    <ReportView state=state reproduction=reproduction depth_seeds=depth_seeds send=send/>
                }.into_any(),
            }}
        </main>
        {move || lesson_open.get().then(|| view! {
            <LessonPanel base=lesson_base.clone() initial=initial_lesson.clone()
                on_close=Callback::new(move |()| lesson_open.set(false))/>
        })}
        </div>
        <footer>
            "Latent Lab · models run in this page with burn · MNIST by LeCun, Cortes and Burges"
        </footer>
    }
}
