//! The mean training digit beside the training's reconstructions: what a model with no code
//! draws for every digit, and so what a run's reconstructions look like before they have
//! learnt anything (the loss chart's grey line is its test loss).

use leptos::prelude::*;

use super::image_strip::ImageStrip;
use crate::ui::model_score::no_code_caption;

#[component]
pub fn NoCodeDigit(
    /// The mean digit, 784 bytes (empty until the engine has worked it out).
    #[prop(into)]
    pixels: Signal<Vec<u8>>,
    /// Its test loss.
    #[prop(into)]
    loss: Signal<Option<f32>>,
) -> impl IntoView {
    view! {
        <Show when=move || pixels.with(|p| !p.is_empty())>
            <figure class="no-code-digit">
                <ImageStrip pixels=pixels testid="no-code-digit"/>
                <figcaption>{move || no_code_caption(loss.get())}</figcaption>
            </figure>
        </Show>
    }
}
