//! The offers to resume the trainings that a reload or a closed tab interrupted: one line each,
//! with its run's id (`data-run-id`), until the person decides.

use leptos::prelude::*;

use crate::engine::{InterruptedChoice, InterruptedRun, ToEngine};

#[component]
pub fn InterruptedRunOffer(
    #[prop(into)] runs: Signal<Vec<InterruptedRun>>,
    /// False while another training holds the engine.
    #[prop(into)]
    can_resume: Signal<bool>,
    send: Callback<ToEngine>,
) -> impl IntoView {
    let offer = move |r: InterruptedRun| {
        let choose = {
            let id = r.id.clone();
            move |choice| {
                let id = id.clone();
                move |_| {
                    send.run(ToEngine::Interrupted {
                        id: id.clone(),
                        choice,
                    })
                }
            }
        };
        let text = format!(
            "A training of the {} (latent size {}) was interrupted after epoch {} of {}. ",
            r.request.architecture.noun(),
            r.request.latent_dim,
            r.epochs_done,
            r.request.training.epochs
        );
        view! {
            <div class="interrupted" data-testid="interrupted" data-run-id=r.id.clone() role="status">
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
    };
    move || runs.get().into_iter().map(offer).collect_view()
}
