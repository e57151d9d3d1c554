//! The page: header, navigation, the view of the current hash route.

use leptos::prelude::*;

use super::copy_link::CopyLink;
use super::decorrelation_view::DecorrelationView;
use super::download::offer_download;
use super::draw_view::{DrawSession, DrawView};
use super::earlier_lists;
use super::engine_client::EngineClient;
use super::experiments_view::ExperimentsView;
use super::header::Header;
use super::interpolate_view::InterpolateView;
use super::isolation::cross_origin_isolated;
use super::kept_runs;
use super::lesson_panel::LessonPanel;
use super::offline::register_service_worker;
use super::report_view::ReportView;
use super::reproduction::{Reproduction, fetch_depth_seeds, fetch_reproduction};
use super::train_view::TrainView;
use super::transfer_view::TransferView;
use super::view_link::{LeftAddresses, LinkNotices};
use super::wasm_features::relaxed_simd;
use super::webgpu_probe::probe_webgpu;
use crate::engine::bundle::{
    BrowserSupport, EngineBundle, HandOverMode, StartPlan, relaxed_simd_turned_off,
};
use crate::engine::kernel_thread_count::{requested_copies, requested_threads};
use crate::engine::protocol::{ErrorSource, query_value};
use crate::engine::{BackendChoice, FromEngine, InterruptedChoice, ToEngine};
use crate::model::Architecture;
use crate::ui::earlier_runs::EarlierRunChange;
use crate::ui::engine_handover::HandOverPhase;
use crate::ui::engine_state::EngineState;
use crate::ui::format;
use crate::ui::hide::{hide_css, parse_hide};
use crate::ui::lesson::parse_lesson_name;
use crate::ui::link::percent_decode;
use crate::ui::route::{Route, ViewAddresses, base_url};
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

/// `window.latentLabTest.loseGpuDevice()`, for the end-to-end test of a lost GPU,
/// `breakDrawingCanvas()`, for the page taking over the reconstruction's painting, and
/// `releaseHandOver()`, which lets a move to the WebGPU engine held by `?handover=held` happen
/// (only with `?test-hooks=1` in the address).
fn install_test_hooks(send: Callback<ToEngine>, state: RwSignal<EngineState>) {
    use wasm_bindgen::prelude::*;
    let hooks = js_sys::Object::new();
    let lose = Closure::<dyn Fn()>::new(move || send.run(ToEngine::LoseGpuDevice));
    let _ = js_sys::Reflect::set(&hooks, &"loseGpuDevice".into(), lose.as_ref());
    lose.forget();
    let break_canvas = Closure::<dyn Fn()>::new(move || send.run(ToEngine::BreakDrawingCanvas));
    let _ = js_sys::Reflect::set(&hooks, &"breakDrawingCanvas".into(), break_canvas.as_ref());
    break_canvas.forget();
    let release = Closure::<dyn Fn()>::new(move || state.update(|s| s.handover.held = false));
    let _ = js_sys::Reflect::set(&hooks, &"releaseHandOver".into(), release.as_ref());
    release.forget();
    let _ = js_sys::Reflect::set(&window(), &"latentLabTest".into(), &hooks);
}

type ClientSlot = StoredValue<Option<EngineClient>, LocalStorage>;

/// An engine's event for the page's state (a weight file becomes a download first).
fn engine_event(state: RwSignal<EngineState>, event: FromEngine) {
    match event {
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
    }
}

/// The WebGPU engine's events while it loads beside the CPU engine: its `Ready` (it listens,
/// so the move may happen), then, once it has taken over, all of them; its `Loaded` ends the
/// move and sends it the requests held meanwhile.
fn next_engine_event(state: RwSignal<EngineState>, client: ClientSlot, event: FromEngine) {
    let phase = state.with_untracked(|s| s.handover.phase.clone());
    let loaded = matches!(
        event,
        FromEngine::Loaded { .. }
            | FromEngine::Failed {
                source: ErrorSource::Startup,
                ..
            }
    );
    match phase {
        HandOverPhase::Loading if event == FromEngine::Ready => {
            state.update(|s| s.handover.phase = HandOverPhase::Waiting)
        }
        HandOverPhase::Starting if loaded => {
            engine_event(state, event);
            client.with_value(|c| c.as_ref().map(EngineClient::release));
            state.update(|s| s.handover.phase = HandOverPhase::Done);
        }
        HandOverPhase::Starting | HandOverPhase::Done => engine_event(state, event),
        // It speaks only once started.
        _ => {}
    }
}

/// The WebGPU engine's worker failed: before the move the page stays on the CPU engine and
/// says why; after it, this is the page's engine.
fn next_engine_crashed(state: RwSignal<EngineState>, next_engine: ClientSlot, message: String) {
    let phase = state.with_untracked(|s| s.handover.phase.clone());
    match phase {
        HandOverPhase::Loading | HandOverPhase::Waiting | HandOverPhase::Asking => {
            next_engine.with_value(|c| c.as_ref().map(EngineClient::terminate));
            next_engine.set_value(None);
            state.update(|s| s.handover.phase = HandOverPhase::Failed(message));
        }
        _ => state.update(|s| s.worker_crashed(message)),
    }
}

/// The CPU engine's answer to the page's question whether anything is under way: idle, the
/// WebGPU engine takes over with the requests held since; busy, the held requests go to the
/// CPU engine and the page asks again a little later.
fn answered_idle(
    idle: bool,
    state: RwSignal<EngineState>,
    client: ClientSlot,
    next_engine: ClientSlot,
    base_url: &str,
) {
    let asking = state.with_untracked(|s| s.handover.phase == HandOverPhase::Asking);
    let mut next = None;
    if asking && idle {
        next_engine.update_value(|n| next = n.take());
    }
    let Some(next) = next else {
        client.with_value(|c| c.as_ref().map(EngineClient::release));
        if asking {
            set_timeout(
                move || {
                    state.update(|s| {
                        if s.handover.phase == HandOverPhase::Asking {
                            s.handover.phase = HandOverPhase::Waiting;
                        }
                    })
                },
                std::time::Duration::from_millis(250),
            );
        }
        return;
    };
    let held = client.with_value(|c| c.as_ref().map(EngineClient::take_held).unwrap_or_default());
    client.with_value(|c| c.as_ref().map(EngineClient::terminate));
    next.hold(held);
    next.send_now(&ToEngine::Start {
        backend: BackendChoice::Auto,
        base_url: base_url.to_string(),
        // The engine moved to trains on the GPU: no kernel threads to choose.
        threads: None,
        copies: None,
    });
    client.set_value(Some(next));
    state.update(|s| s.handover.phase = HandOverPhase::Starting);
}

#[component]
pub fn App() -> impl IntoView {
    let state = RwSignal::new(EngineState::default());
    // The last training and transfer run, from an earlier visit, and kept from now on.
    kept_runs::restore(state);
    kept_runs::keep_finished_runs(state);
    let forget_earlier_transfers =
        Callback::new(move |()| earlier_lists::forget_earlier_transfers(state));
    // The list of earlier runs changes in storage first: another tab may have changed it.
    let change_earlier = Callback::new(move |(run_id, change): (String, EarlierRunChange)| {
        earlier_lists::change_earlier_runs(state, |runs| {
            runs.apply(&run_id, change);
        })
    });
    let route = RwSignal::new(Route::from_hash(&location().hash().unwrap_or_default()));
    // What a link asked for and could not get; a view opened anew starts without them.
    let link_notices = RwSignal::new(Vec::<String>::new());
    provide_context(LinkNotices(link_notices));
    // Where each view was left: the navigation goes back to it as it was.
    let left_addresses = RwSignal::new(ViewAddresses::default());
    provide_context(LeftAddresses(left_addresses));
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
    // Offline: shown once the service worker has cached every file of the build. Its copy
    // (every engine, the data) begins once the engines the page runs have loaded
    // (`offline_copy_due`), so that it never delays the start.
    let offline_ready = RwSignal::new(false);
    {
        let base = base.clone();
        // The effect's value: whether the copy has begun (it begins once).
        Effect::new(move |begun: Option<bool>| {
            if begun == Some(true) {
                return true;
            }
            if !state.with(EngineState::offline_copy_due) {
                return false;
            }
            let base = base.clone();
            leptos::task::spawn_local(async move {
                match register_service_worker(&base).await {
                    Ok(()) => offline_ready.set(true),
                    Err(e) => leptos::logging::warn!("the lab will not work offline here: {e}"),
                }
            });
            true
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
    let draw_session = DrawSession::default();
    let retrain = Callback::new(move |(architecture, latent_dim): (Architecture, usize)| {
        form.update(|f| {
            f.architecture = architecture.to_string();
            f.latent_dim = latent_dim.to_string();
        });
        let _ = location().set_hash(&Route::Train.hash());
    });
    let client = StoredValue::new_local(None::<EngineClient>);
    // The draw view's canvas, handed over before the engine's worker was spawned.
    let waiting_canvas = StoredValue::new_local(None::<web_sys::OffscreenCanvas>);
    // The WebGPU engine, loading beside the CPU engine until it takes over (issue 19).
    let next_engine = StoredValue::new_local(None::<EngineClient>);
    // Its build, until the CPU engine has loaded.
    let next_bundle = StoredValue::new(None::<EngineBundle>);
    let relaxed_simd_off = relaxed_simd_turned_off(&search);
    let hand_over_mode = HandOverMode::from_query(&search).unwrap_or_else(|e| {
        state.update(|s| s.push_error(ErrorSource::Page, e));
        HandOverMode::default()
    });
    state.update(|s| s.handover.held = hand_over_mode == HandOverMode::Held);
    let threads = requested_threads(&search).unwrap_or_else(|e| {
        state.update(|s| s.push_error(ErrorSource::Page, e));
        None
    });
    let copies = requested_copies(&search).unwrap_or_else(|e| {
        state.update(|s| s.push_error(ErrorSource::Page, e));
        None
    });
    {
        let base = base.clone();
        leptos::task::spawn_local(async move {
            // Only a browser with a WebGPU adapter downloads the engine build that contains wgpu.
            let adapter = match choice {
                BackendChoice::Auto => probe_webgpu().await.ok(),
                _ => None,
            };
            let browser = BrowserSupport {
                webgpu_adapter: adapter.is_some(),
                isolated: cross_origin_isolated(),
                relaxed_simd: relaxed_simd() && !relaxed_simd_off,
            };
            let software_adapter = adapter.is_some_and(|a| a.software);
            let plan = StartPlan::new(choice, browser, software_adapter, hand_over_mode);
            // The engine that runs first: the CPU engine where the WebGPU engine follows.
            let first_choice = match plan.then {
                Some(_) => BackendChoice::Cpu,
                None => choice,
            };
            let answer_base = base.clone();
            let spawned = EngineClient::spawn(
                &base,
                plan.first,
                move |event| match event {
                    FromEngine::IdleAnswer { idle } => {
                        answered_idle(idle, state, client, next_engine, &answer_base)
                    }
                    event => engine_event(state, event),
                },
                move |message| state.update(|s| s.worker_crashed(message)),
            );
            match spawned {
                Ok(c) => {
                    c.send(&ToEngine::Start {
                        backend: first_choice,
                        base_url: base.clone(),
                        threads,
                        copies,
                    });
                    if let Some(canvas) = waiting_canvas.try_update_value(Option::take).flatten() {
                        c.hand_canvas(canvas);
                    }
                    client.set_value(Some(c));
                }
                Err(e) => state.update(|s| s.push_error(ErrorSource::Worker, e)),
            }
            if let Some(bundle) = plan.then {
                next_bundle.set_value(Some(bundle));
                state.update(|s| s.handover.phase = HandOverPhase::Queued);
            }
        });
    }
    // The WebGPU engine's download begins once the CPU engine has loaded (or failed to).
    {
        let base = base.clone();
        Effect::new(move |_| {
            if !state.with(EngineState::start_settled) {
                return;
            }
            let mut bundle = None;
            next_bundle.update_value(|b| bundle = b.take());
            let Some(bundle) = bundle else { return };
            state.update(|s| s.handover.phase = HandOverPhase::Loading);
            match EngineClient::spawn(
                &base,
                bundle,
                move |event| next_engine_event(state, client, event),
                move |message| next_engine_crashed(state, next_engine, message),
            ) {
                Ok(c) => next_engine.set_value(Some(c)),
                Err(e) => state.update(|s| s.handover.phase = HandOverPhase::Failed(e)),
            }
        });
    }
    let send = Callback::new(move |message: ToEngine| {
        client.with_value(|c| {
            if let Some(c) = c {
                c.send(&message)
            }
        })
    });
    // The draw view's reconstruction canvas, for the engine to paint into (kept until the
    // engine's worker exists: the view may open first).
    let hand_canvas = Callback::new(move |canvas: web_sys::OffscreenCanvas| {
        let kept = client.with_value(|c| match c {
            Some(c) => {
                c.hand_canvas(canvas);
                None
            }
            None => Some(canvas),
        });
        if kept.is_some() {
            waiting_canvas.set_value(kept);
        }
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
    // The WebGPU engine takes over once it listens and nothing would be lost: the CPU engine
    // is asked whether a request is under way, and the views' requests wait meanwhile.
    Effect::new(move |_| {
        if state.with(EngineState::hand_over_due) {
            client.with_value(|c| {
                if let Some(c) = c {
                    c.hold(Vec::new());
                    c.send_now(&ToEngine::AskIdle);
                }
            });
            state.update(|s| s.handover.phase = HandOverPhase::Asking);
        }
    });
    if query_value(&search, "test-hooks") == Some("1") {
        install_test_hooks(send, state);
    }

    let errors = Memo::new(move |_| state.with(|s| s.errors.clone()));
    let backend_lost = Memo::new(move |_| state.with(|s| s.backend_lost));
    let problems = Memo::new(move |_| state.with(|s| s.problems.clone()));
    let notice = Memo::new(move |_| state.with(|s| s.notice.clone()));

    view! {
        <Header state=state/>
        <nav class="views" data-part="nav">
            {Route::ALL.iter().map(|&r| view! {
                <a href=move || left_addresses.with(|a| a.href(r)) class:active=move || route.get() == r>{r.title()}</a>
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
                    <summary>{format!("{} could not be loaded at start", format::count(p.len(), "thing", "things"))}</summary>
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
                Route::Train => view! { <TrainView state=state send=send form=form change_earlier=change_earlier/> }.into_any(),
                Route::Experiments => view! {
                    <ExperimentsView state=state reproduction=reproduction depth_seeds=depth_seeds retrain=retrain/>
                }.into_any(),
                Route::Interpolate => view! { <InterpolateView state=state send=send/> }.into_any(),
                Route::Decorrelation => view! {
                    <DecorrelationView state=state reproduction=reproduction send=send/>
                }.into_any(),
                Route::Transfer => view! {
                    <TransferView state=state reproduction=reproduction send=send forget_earlier=forget_earlier_transfers/>
                }.into_any(),
                Route::Draw => view! { <DrawView state=state send=send hand_canvas=hand_canvas session=draw_session/> }.into_any(),
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
