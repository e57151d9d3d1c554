//! The full-MNIST reproduction's numbers (`results/results.json`, bundled with the page),
//! fetched once by the page and shown beside what the browser computes.

use std::sync::Arc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::js_error;
use crate::results::{Results, SeedRun};
use crate::ui::experiments::SeedStudy;

/// Where the bundled results live, relative to the page.
pub const RESULTS_PATH: &str = "results/results.json";

/// The reproduction as the views see it.
#[derive(Debug, Clone, Default)]
pub enum Reproduction {
    #[default]
    Loading,
    Loaded(Arc<Results>),
    Failed(String),
}

impl Reproduction {
    pub fn results(&self) -> Option<&Results> {
        match self {
            Reproduction::Loaded(r) => Some(r),
            _ => None,
        }
    }
}

pub async fn fetch_reproduction(base_url: &str) -> Reproduction {
    let url = format!("{base_url}{RESULTS_PATH}");
    match fetch_text(&url).await.and_then(|t| Results::from_json(&t)) {
        Ok(results) => Reproduction::Loaded(Arc::new(results)),
        Err(e) => Reproduction::Failed(format!("the full-MNIST results could not be loaded: {e}")),
    }
}

pub(crate) async fn fetch_text(url: &str) -> Result<String, String> {
    let window = leptos::prelude::window();
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("{url}: {}", js_error(&e)))?;
    let response: web_sys::Response = response.unchecked_into();
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(|e| js_error(&e))?)
        .await
        .map_err(|e| format!("{url}: {}", js_error(&e)))?;
    text.as_string().ok_or_else(|| format!("{url}: not text"))
}

/// The committed seed studies of the depth comparison (`results/seeds/`); a missing or
/// malformed file leaves its study out and says why.
pub async fn fetch_depth_seeds(base_url: &str) -> (Vec<SeedStudy>, Vec<String>) {
    let mut studies = Vec::new();
    let mut problems = Vec::new();
    for (layers, name) in [(2, "two-layer-d20"), (3, "three-layer-d20")] {
        let url = format!("{base_url}results/seeds/seeds-{name}.json");
        let parsed = fetch_text(&url).await.and_then(|t| {
            serde_json::from_str::<Vec<SeedRun>>(&t).map_err(|e| format!("{url}: {e}"))
        });
        match parsed {
            Ok(runs) => studies.push(SeedStudy { layers, runs }),
            Err(e) => problems.push(e),
        }
    }
    (studies, problems)
}
