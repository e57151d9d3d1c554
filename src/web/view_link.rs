//! A view's choices kept in the page's address (`ui::link`, `ui::view_links`): read once when
//! the view opens, written back with `history.replaceState` whenever they change (no reload,
//! no new history entry), and the notices about what a link asked for and could not get.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::engine::ModelInfo;
use crate::ui::engine_state::EngineState;
use crate::ui::link::{LinkQuery, resolve_model, with_search_param};
use crate::ui::route::{Route, ViewAddresses};

/// What links asked for and could not get, shown by the app above the view until the person
/// dismisses them or opens another view.
#[derive(Debug, Clone, Copy)]
pub struct LinkNotices(pub RwSignal<Vec<String>>);

/// The query of the address the view opened with.
pub fn opening_link() -> LinkQuery {
    LinkQuery::from_hash(&window().location().hash().unwrap_or_default())
}

/// Shows `notices` (provided by the app as a context).
pub fn notify(notices: Vec<String>) {
    if notices.is_empty() {
        return;
    }
    if let Some(LinkNotices(list)) = use_context::<LinkNotices>() {
        list.update(|l| {
            for notice in notices {
                if !l.contains(&notice) {
                    l.push(notice);
                }
            }
        });
    }
}

/// Where each view was last left, for the navigation's links (provided by the app as a
/// context).
#[derive(Debug, Clone, Copy)]
pub struct LeftAddresses(pub RwSignal<ViewAddresses>);

/// Keeps the address's hash at `hash()` while the view is open, and the navigation's link to
/// the view with it.
pub fn keep_in_address(hash: impl Fn() -> String + 'static) {
    let left = use_context::<LeftAddresses>();
    Effect::new(move |_| {
        let hash = hash();
        // The navigation is redrawn only for a new address.
        if let Some(LeftAddresses(addresses)) = left {
            addresses.maybe_update(|a| a.remember(&hash));
        }
        let current = window().location().hash().unwrap_or_default();
        // Another view's address is never overwritten by one closing.
        if current != hash
            && Route::from_hash(&current) == Route::from_hash(&hash)
            && let Err(e) = replace_address(&hash)
        {
            leptos::logging::warn!("the address could not follow the view: {e}");
        }
    });
}

/// `history.replaceState(null, "", url)` (a hash, or a path with search and hash), through
/// `Reflect` (no new web-sys features: they would rebuild the wgpu stack).
pub fn replace_address(url: &str) -> Result<(), String> {
    let history =
        js_sys::Reflect::get(&window(), &"history".into()).map_err(|_| "no history".to_string())?;
    let replace = js_sys::Reflect::get(&history, &"replaceState".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or("no history.replaceState")?;
    replace
        .call3(&history, &JsValue::NULL, &"".into(), &url.into())
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

/// Sets (or removes) one parameter of the address's search part, leaving the view alone.
pub fn set_search_param(key: &str, value: Option<&str>) {
    let location = window().location();
    let search = with_search_param(&location.search().unwrap_or_default(), key, value);
    let url = format!(
        "{}{search}{}",
        location.pathname().unwrap_or_default(),
        location.hash().unwrap_or_default()
    );
    if let Err(e) = replace_address(&url) {
        leptos::logging::warn!("the address could not follow the page: {e}");
    }
}

/// Once the engine has loaded its models, a model the link named that this browser does not
/// have is replaced by the nearest bundled one, with a notice. Checked once: a model removed
/// later is the view's own business.
pub fn resolve_linked_model(
    state: Signal<EngineState>,
    chosen: RwSignal<String>,
    default: &'static str,
    kind: fn(&ModelInfo) -> bool,
) {
    let checked = StoredValue::new(false);
    let notices = use_context::<LinkNotices>();
    Effect::new(move |_| {
        if checked.get_value() || !state.with(|s| s.loaded) {
            return;
        }
        checked.set_value(true);
        let models: Vec<ModelInfo> =
            state.with_untracked(|s| s.models.iter().filter(|m| kind(m)).cloned().collect());
        let wanted = chosen.get_untracked();
        if let Err((replacement, notice)) = resolve_model(&wanted, &models, default) {
            chosen.set(replacement);
            if let Some(LinkNotices(list)) = notices {
                list.update(|l| l.push(notice));
            }
        }
    });
}
