//! The draw view's reconstruction, painted by the engine itself. The page hands its canvas
//! over (`transferControlToOffscreen`), so a drawing's reconstruction shows as soon as the
//! engine has read it: the browser composites a worker's canvas without the page's main
//! thread, which is often busy with the frame the pen's move started (issue 19, measured in
//! docs/performance.md: that wait was most of the drawing's 95th percentile).

use wasm_bindgen::JsCast;
use web_sys::{ImageData, OffscreenCanvas, OffscreenCanvasRenderingContext2d};

use super::browser::scope;
use crate::engine::drawing_reading::{DrawingReading, Painting};
use crate::ui::image::grid_rgba;

/// The canvas the draw view handed over, and the reconstruction last painted into it.
#[derive(Default)]
pub(super) struct DrawingCanvas {
    canvas: Option<OffscreenCanvas>,
    /// What the canvas shows: a canvas handed later (the draw view opened again, with its
    /// drawing kept) shows it at once, whichever of the new canvas and the view's request for
    /// a reading reaches the engine first.
    painted: Option<Vec<u8>>,
}

impl DrawingCanvas {
    /// Takes a newer canvas from the page (the old one has left the page with its view) and
    /// paints the last reconstruction into it. A canvas that cannot be painted is kept: the
    /// next reading tries again and tells the page, which then paints on a canvas of its own.
    pub(super) fn hand(&mut self, canvas: OffscreenCanvas) {
        if let Some(pixels) = &self.painted
            && let Err(why) = paint(&canvas, pixels)
        {
            leptos::logging::warn!("the reconstruction was not painted into the new canvas: {why}");
        }
        self.canvas = Some(canvas);
    }

    /// Whether the page handed a canvas that the engine still paints.
    pub(super) fn is_handed(&self) -> bool {
        self.canvas.is_some()
    }

    /// Swaps the handed canvas for one whose painting fails (a test hook).
    pub(super) fn break_with(&mut self, broken: OffscreenCanvas) {
        self.canvas = Some(broken);
    }

    /// Paints the reading's reconstruction into the page's canvas, where the page handed one
    /// over, and says so in the reading. Where painting fails, the canvas is let go and the
    /// reading says why: the page then paints the reconstruction on a canvas of its own (this
    /// one cannot go back), so a broken canvas loses nothing but the head start.
    pub(super) fn paint_reading(&mut self, reading: &mut DrawingReading) {
        let Some(handed) = &self.canvas else { return };
        reading.painting = match paint(handed, &reading.reconstruction) {
            Ok(at) => {
                self.painted = Some(reading.reconstruction.clone());
                Painting::ByEngine { at }
            }
            Err(why) => {
                leptos::logging::warn!(
                    "the reconstruction was not painted, the page paints it: {why}"
                );
                *self = Self::default();
                Painting::Failed { why }
            }
        };
    }
}

/// A canvas whose painting fails as a broken one would: it has a context that is not 2d, so
/// asking it for one gives none (`ToEngine::BreakDrawingCanvas`, a test hook).
pub(super) fn broken_canvas() -> Option<OffscreenCanvas> {
    let canvas = OffscreenCanvas::new(1, 1).ok()?;
    canvas.get_context("bitmaprenderer").ok()??;
    Some(canvas)
}

/// Paints 784 grey bytes as the page's strips draw one frame (`ImageStrip`: a one-pixel
/// border of the page's grey), and says when it did, in ms since the Unix epoch
/// (`performance.timeOrigin + now()`: the page reads it against its own time origin).
fn paint(canvas: &OffscreenCanvas, pixels: &[u8]) -> Result<f64, String> {
    let (width, height, rgba) = grid_rgba(pixels, 1, 1);
    let (width, height) = (width as u32, height as u32);
    // Setting the size clears the canvas even when it is unchanged.
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != height {
        canvas.set_height(height);
    }
    let context: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(|e| format!("{e:?}"))?
        .ok_or("the page's canvas has no 2d context in the engine")?
        .unchecked_into();
    // A copy outside the wasm memory: the threaded engine's memory is shared, and an
    // `ImageData` refuses a view of shared memory.
    let bytes = js_sys::Uint8ClampedArray::new_with_length(rgba.len() as u32);
    bytes.copy_from(&rgba);
    let image = ImageData::new_with_js_u8_clamped_array_and_sh(&bytes, width, height)
        .map_err(|e| format!("{e:?}"))?;
    context
        .put_image_data(&image, 0.0, 0.0)
        .map_err(|e| format!("{e:?}"))?;
    Ok(scope()
        .performance()
        .map_or_else(js_sys::Date::now, |p| p.time_origin() + p.now()))
}
