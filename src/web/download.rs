//! Offers bytes as a file download (a blob URL clicked through a temporary link).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

use super::js_error;

/// The title of a download button with nothing to download yet (the button is disabled).
pub const NOTHING_TO_SAVE: &str = "Nothing to save yet";

/// Offers a URL of this page (a blob or a `data:` URL) as a download named `file_name`.
pub fn offer_url(file_name: &str, url: &str) -> Result<(), String> {
    let document = leptos::prelude::document();
    let link: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_error(&e))?
        .unchecked_into();
    link.set_href(url);
    link.set_download(file_name);
    link.click();
    Ok(())
}

pub fn offer_download(file_name: &str, bytes: &[u8]) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob =
        Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|e| js_error(&e))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|e| js_error(&e))?;
    offer_url(file_name, &url)?;
    // The download has started from the URL; free it once the click has been handled.
    let revoke = Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url);
    });
    let _ = leptos::prelude::window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    Ok(())
}

/// Offers a canvas's picture as a PNG download.
pub fn offer_canvas_png(
    canvas: &web_sys::HtmlCanvasElement,
    file_name: &str,
) -> Result<(), String> {
    let url = canvas.to_data_url().map_err(|e| js_error(&e))?;
    offer_url(file_name, &url)
}
