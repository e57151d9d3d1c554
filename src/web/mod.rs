//! The browser layer (feature `web`, wasm32 only): the engine worker's glue and the leptos
//! page. It moves messages and draws; what it shows is computed in `engine` and `ui`.

pub mod app;
mod browser_storage;
mod canvas;
mod chart_frame;
mod class_probabilities;
mod confusion_matrix;
mod coordinate_scatter;
mod copy_link;
mod correlation_heatmap;
mod decorrelation_view;
mod digit_gallery;
mod digit_grid;
mod download;
mod draw_view;
mod drawing_pad;
mod earlier_lists;
mod earlier_runs;
mod engine_client;
mod experiments_view;
mod header;
mod image_strip;
mod indexed_db;
mod interpolate_view;
mod interrupted_run;
mod isolation;
mod kept_runs;
mod latent_bars;
mod latent_map;
mod latent_map_comparison;
mod lesson_panel;
mod line_chart;
mod loss_chart;
mod model_list;
mod model_select;
mod no_code_digit;
mod offline;
mod report_view;
mod reproduction;
mod slow_answer;
mod tab_channel;
mod train_view;
mod transfer_view;
mod view_link;
pub mod wasm_features;
mod web_locks;
mod webgpu_probe;
pub mod worker;

/// The page's clock, in milliseconds (`performance.now()`).
pub(crate) fn now_ms() -> f64 {
    leptos::prelude::window()
        .performance()
        .map_or(0.0, |p| p.now())
}

/// A time stamp in ms since the Unix epoch (`performance.timeOrigin + now()` in a worker) on
/// this page's clock ([`now_ms`]).
pub(crate) fn page_time_of(epoch_ms: f64) -> f64 {
    epoch_ms
        - leptos::prelude::window()
            .performance()
            .map_or(0.0, |p| p.time_origin())
}

/// The bytes of a file the person picked; the error names the file.
pub(crate) async fn read_file_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("'{}' could not be read: {}", file.name(), js_error(&e)))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The message of a JavaScript error value (an `Error`, a string, or whatever else was thrown).
pub(crate) fn js_error(value: &wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
