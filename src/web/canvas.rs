//! Small canvas helpers shared by the views.

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// The canvas's 2d drawing context.
pub fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, String> {
    Ok(canvas
        .get_context("2d")
        .map_err(|e| format!("{e:?}"))?
        .ok_or("the canvas has no 2d context")?
        .unchecked_into())
}

/// Where a click fell on `canvas`, in the canvas's own pixels (CSS may scale it).
pub fn click_point(canvas: &HtmlCanvasElement, ev: &web_sys::MouseEvent) -> (f64, f64) {
    let scale = f64::from(canvas.width()) / f64::from(canvas.client_width().max(1));
    (
        f64::from(ev.offset_x()) * scale,
        f64::from(ev.offset_y()) * scale,
    )
}

/// Puts an RGBA buffer on `canvas`, resizing the canvas to the buffer; CSS scales it up
/// (pixelated).
pub fn put_rgba(
    canvas: &HtmlCanvasElement,
    width: usize,
    height: usize,
    rgba: &[u8],
) -> Result<(), String> {
    // Setting a canvas's size clears and reallocates it even when the size is unchanged, and a
    // live strip is redrawn at every answer.
    if canvas.width() != width as u32 {
        canvas.set_width(width as u32);
    }
    if canvas.height() != height as u32 {
        canvas.set_height(height as u32);
    }
    let context = context_2d(canvas)?;
    let image =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width as u32, height as u32)
            .map_err(|e| format!("{e:?}"))?;
    context
        .put_image_data(&image, 0.0, 0.0)
        .map_err(|e| format!("{e:?}"))
}
