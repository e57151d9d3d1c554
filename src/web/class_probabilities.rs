//! The classifier's ten probabilities as bars, with its top guess.

use leptos::prelude::*;

use crate::ui::drawing_strokes::{guess_caption, top_guess};

#[component]
pub fn ClassProbabilities(
    /// Ten probabilities (softmax of the logits), or none without a classifier.
    #[prop(into)]
    probabilities: Signal<Vec<f32>>,
    /// Whether a classifier is chosen (with no probabilities: nothing read yet).
    #[prop(into)]
    classifier_chosen: Signal<bool>,
    /// Whether the pad holds a drawing.
    #[prop(into)]
    drawn: Signal<bool>,
) -> impl IntoView {
    let guess = Memo::new(move |_| probabilities.with(|p| top_guess(p)));
    view! {
        <div class="prediction" data-testid="prediction"
            data-guess=move || guess.get().map(|(d, _)| d.to_string()).unwrap_or_default()>
            <p class="guess">{move || guess_caption(guess.get(), classifier_chosen.get(), drawn.get())}</p>
            <div class="probabilities">
                {move || probabilities.get().into_iter().enumerate().map(|(digit, p)| {
                    let top = guess.get().is_some_and(|(d, _)| d == digit);
                    view! {
                        <div class="probability" class:top=top title=format!("{digit}: {:.1} %", p * 100.0)>
                            <div class="bar"><div class="fill" style=format!("height: {:.1}%", p * 100.0)></div></div>
                            <span>{digit}</span>
                        </div>
                    }
                }).collect_view()}
            </div>
        </div>
    }
}
