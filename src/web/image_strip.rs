//! A row of 28×28 frames drawn as one pixelated image (`putImageData`).

use leptos::html::Canvas;
use leptos::prelude::*;

use super::canvas::put_rgba;
use crate::data::IMAGE_PIXELS;
use crate::ui::image::grid_rgba;

#[component]
pub fn ImageStrip(
    /// 784 grey bytes per frame.
    #[prop(into)]
    pixels: Signal<Vec<u8>>,
    testid: &'static str,
    /// Frames per row (all of them by default).
    #[prop(optional, into)]
    columns: Option<Signal<usize>>,
    #[prop(optional, into)] model: Option<Signal<String>>,
    #[prop(default = "strip")] class: &'static str,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let frames = Memo::new(move |_| pixels.with(|p| p.len() / IMAGE_PIXELS));
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        pixels.with(|p| {
            let n = p.len() / IMAGE_PIXELS;
            let columns = columns.map_or(n, |c| c.get()).max(1);
            let (w, h, rgba) = grid_rgba(p, columns, 1);
            if let Err(e) = put_rgba(&canvas, w, h, &rgba) {
                leptos::logging::warn!("strip: {e}");
            }
        });
    });
    view! {
        <canvas
            node_ref=canvas
            class=format!("pixelated {class}")
            data-testid=testid
            data-frames=move || frames.get()
            data-model=move || model.map(|m| m.get())
        ></canvas>
    }
}
