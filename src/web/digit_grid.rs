//! The sample test digits above their reconstructions, as one pixelated image.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::canvas::put_rgba;
use crate::data::IMAGE_PIXELS;
use crate::ui::image::grid_rgba;

#[component]
pub fn DigitGrid(
    #[prop(into)] originals: Signal<Vec<u8>>,
    #[prop(into)] reconstructions: Signal<Vec<u8>>,
    /// The optimiser step the reconstructions were made after.
    #[prop(into)]
    step: Signal<Option<usize>>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let top = originals.get();
        let columns = (top.len() / IMAGE_PIXELS).max(1);
        let mut bottom = reconstructions.get();
        // Until the first reconstruction arrives, the second row stays blank (zero ink).
        bottom.resize(top.len(), 0);
        let images: Vec<u8> = top.into_iter().chain(bottom).collect();
        let (w, h, rgba) = grid_rgba(&images, columns, 2);
        if let Err(e) = put_rgba(&canvas, w, h, &rgba) {
            leptos::logging::warn!("digit grid: {e}");
        }
    });
    view! {
        <figure class="digits">
            <canvas node_ref=canvas class="pixelated" data-testid="recon-grid" data-step=move || step.get()></canvas>
            <figcaption>"Top: test digits. Bottom: the model's reconstructions, refreshed as it trains."</figcaption>
        </figure>
    }
}
