//! The offer to resume a training that a reload or a closed tab interrupted.

use leptos::prelude::*;

use crate::engine::{InterruptedChoice, InterruptedRun, ToEngine};

#[component]
pub fn InterruptedRunOffer(
    #[prop(into)] run: Signal<Option<InterruptedRun>>,
    /// False while another training holds the engine.
    #[prop(into)]
    can_resume: Signal<bool>,
    send: Callback<ToEngine>,
) -> impl IntoView {
    let choose = move |choice| move |_| send.run(ToEngine::Interrupted { choice });
    move || {
        run.get().map(|r| {
            let text = format!(
                "A training of the {} autoencoder (latent size {}) was interrupted after epoch {} of {}. ",
                r.request.architecture, r.request.latent_dim, r.epochs_done, r.request.training.epochs
            );
            view! {
                <div class="interrupted" data-testid="interrupted" role="status">
                    {text}
                    <button data-testid="interrupted-resume" disabled=move || !can_resume.get()
                        on:click=choose(InterruptedChoice::Resume)
                        title="Go on from the last completed epoch (Adam's moment estimates restart)"
                    >"Resume"</button>
                    " "
                    <button data-testid="interrupted-keep" on:click=choose(InterruptedChoice::KeepModel)>
                        {format!("Keep epoch {}'s model", r.epochs_done)}
                    </button>
                    " "
                    <button data-testid="interrupted-discard" on:click=choose(InterruptedChoice::Discard)>"Discard"</button>
                </div>
            }
        })
    }
}
