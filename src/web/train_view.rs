//! `#/train`: choose a model and settings, train it in the worker, watch it learn.

use leptos::prelude::*;

use super::digit_grid::DigitGrid;
use super::earlier_runs::EarlierRunList;
use super::interrupted_run::InterruptedRunOffer;
use super::loss_chart::LossChart;
use super::model_list::ModelList;
use super::no_code_digit::NoCodeDigit;
use super::view_link::{keep_in_address, notify, opening_link};
use crate::engine::ToEngine;
use crate::model::{Architecture, LATENT_SIZES};
use crate::ui::earlier_runs::{EarlierRun, EarlierRunChange};
use crate::ui::engine_state::{EngineState, RunStatus};
use crate::ui::loss_axis::{LossAxis, RunShape};
use crate::ui::train_form::{
    SLOW_MOTION_CHOICES, TrainForm, available_images_note, parse_slow_motion,
};
use crate::ui::view_links::{train_from_link, train_hash};

#[component]
pub fn TrainView(
    #[prop(into)] state: Signal<EngineState>,
    /// Commands for the engine flow up through this.
    send: Callback<ToEngine>,
    /// The form, owned by the page so other views can open it with a configuration.
    form: RwSignal<TrainForm>,
    /// An earlier run shown, hidden or forgotten (the page keeps the list).
    change_earlier: Callback<(String, EarlierRunChange)>,
) -> impl IntoView {
    let available = Memo::new(move |_| state.with(|s| s.train_images));
    let loaded = Memo::new(move |_| state.with(|s| s.loaded));
    // A memo: the chart redraws when the line changes, not at every message.
    let no_code = Memo::new(move |_| state.with(|s| s.no_code_test_loss));
    let mean_digit = Memo::new(move |_| state.with(|s| s.mean_digit.clone()));
    let status = Memo::new(move |_| state.with(|s| s.run.status));
    let progress = Memo::new(move |_| state.with(|s| s.run.progress));
    let run_id = Memo::new(move |_| state.with(|s| s.run.run_id.clone()));
    let history = Memo::new(move |_| state.with(|s| s.run.history.clone()));
    let earlier = Memo::new(move |_| {
        state.with(|s| {
            let current = s.run.run_id.as_deref();
            s.earlier_runs
                .besides(current)
                .cloned()
                .collect::<Vec<EarlierRun>>()
        })
    });
    let earlier_shown = Memo::new(move |_| {
        earlier.with(|runs| runs.iter().filter(|r| r.shown).cloned().collect::<Vec<_>>())
    });
    let samples = Memo::new(move |_| state.with(|s| s.samples.clone()));
    let reconstructions = Memo::new(move |_| state.with(|s| s.run.reconstructions.clone()));
    let reconstructions_step = Memo::new(move |_| state.with(|s| s.run.reconstructions_step));
    let models = Memo::new(move |_| state.with(|s| s.models.clone()));
    let interrupted = Memo::new(move |_| state.with(|s| s.interrupted.clone()));
    let epochs =
        Memo::new(move |_| state.with(|s| s.run.request.as_ref().map_or(1, |r| r.training.epochs)));
    let shape = Memo::new(move |_| state.with(|s| s.run.request.as_ref().map(RunShape::of)));
    let chart_x = Memo::new(move |_| form.with(|f| f.chart_x));
    let choose_axis = Callback::new(move |axis: LossAxis| form.update(|f| f.chart_x = axis));

    // A link with settings fills the form; without any, the form stays as it was (another
    // view may have just filled it). The address follows every change.
    let link = opening_link();
    let mut start_from_link = false;
    if !link.is_empty() {
        let (linked, start, notices) = train_from_link(&link, &form.get_untracked());
        form.set(linked);
        start_from_link = start;
        notify(notices);
    }
    keep_in_address(move || train_hash(&form.get()));

    // When the subset arrives, default to all of it (unless the person typed something).
    Effect::new(move |_| {
        let n = available.get();
        if n > 0 {
            form.update(|f| {
                if f.train_images == "10000" {
                    f.train_images = n.to_string();
                }
            });
        }
    });
    let form_error = RwSignal::new(None::<String>);
    // Slow motion, in steps a second ("": full speed): the engine keeps it for every run.
    let slow_motion = RwSignal::new(String::new());
    let start_run = move || match form.get_untracked().parse(available.get_untracked()) {
        Ok(request) => {
            form_error.set(None);
            send.run(ToEngine::Train(request));
            true
        }
        Err(e) => {
            form_error.set(Some(e));
            false
        }
    };
    let start = move |_| {
        start_run();
    };
    // One optimiser step, then paused; with no run going on, a new one starts with it.
    let step = move |_| {
        if status.get_untracked().is_active() || start_run() {
            send.run(ToEngine::Step);
        }
    };
    let set_slow_motion = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        send.run(ToEngine::SlowMotion {
            steps_per_second: parse_slow_motion(&value),
        });
        slow_motion.set(value);
    };
    // A link with `start=1` (a lesson's "train it") starts the run once the engine is ready,
    // unless one is already going on.
    if start_from_link {
        let started = StoredValue::new(false);
        Effect::new(move |_| {
            if !started.get_value() && loaded.get() && available.get() > 0 {
                started.set_value(true);
                if status.get_untracked().is_active() {
                    notify(vec![
                        "the link asks to start a training, but one is already running".into(),
                    ]);
                } else {
                    start_run();
                }
            }
        });
    }
    let pause = move |_| {
        send.run(if status.get() == RunStatus::Paused {
            ToEngine::Resume
        } else {
            ToEngine::Pause
        })
    };
    let cancel = move |_| send.run(ToEngine::Cancel);

    let progress_text = Memo::new(move |_| state.with(|s| s.run.progress_text()));

    let field = move |get: fn(&TrainForm) -> String, set: fn(&mut TrainForm, String)| {
        (
            move || get(&form.get()),
            move |ev: leptos::ev::Event| {
                let value = event_target_value(&ev);
                form.update(|f| set(f, value));
            },
        )
    };
    let (arch_value, arch_change) = field(|f| f.architecture.clone(), |f, v| f.architecture = v);
    let (latent_value, latent_change) = field(|f| f.latent_dim.clone(), |f, v| f.latent_dim = v);
    let (epochs_value, epochs_change) = field(|f| f.epochs.clone(), |f, v| f.epochs = v);
    let (batch_value, batch_change) = field(|f| f.batch_size.clone(), |f, v| f.batch_size = v);
    let (lr_value, lr_change) = field(|f| f.learning_rate.clone(), |f, v| f.learning_rate = v);
    let (images_value, images_change) =
        field(|f| f.train_images.clone(), |f, v| f.train_images = v);
    let (seed_value, seed_change) = field(|f| f.seed.clone(), |f, v| f.seed = v);
    let (beta_value, beta_change) = field(|f| f.beta.clone(), |f, v| f.beta = v);
    let variational = Memo::new(move |_| form.with(|f| f.architecture == "vae"));
    // The exercise's sizes, and the one a link or another view asked for if it is not one.
    let latent_options = move || {
        let mut sizes: Vec<String> = LATENT_SIZES.iter().map(|d| d.to_string()).collect();
        let current = form.with(|f| f.latent_dim.clone());
        if !sizes.contains(&current) {
            sizes.push(current);
        }
        sizes
    };

    view! {
        <section class="train">
            <h2>"Train an autoencoder"</h2>
            <InterruptedRunOffer
                runs=interrupted
                can_resume=Signal::derive(move || loaded.get() && !status.get().is_active())
                send=send
            />
            <form class="train-form" data-part="train-form" on:submit=move |ev| ev.prevent_default()>
                <label>"Architecture "
                    <select prop:value=arch_value on:change=arch_change data-testid="train-architecture">
                        {Architecture::ALL.iter().map(|a| {
                            let name = a.to_string();
                            view! { <option value=name.clone()>{a.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Latent size "
                    <select prop:value=latent_value on:change=latent_change data-testid="train-latent">
                        {move || latent_options().into_iter().map(|d| view! { <option value=d.clone()>{d.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Epochs " <input type="number" min="1" max="100" prop:value=epochs_value on:input=epochs_change data-testid="train-epochs"/></label>
                <label>"Batch " <input type="number" min="1" max="4096" prop:value=batch_value on:input=batch_change data-testid="train-batch"/></label>
                <label>"Learning rate " <input type="text" size="7" prop:value=lr_value on:input=lr_change data-testid="train-lr"/></label>
                <label>"Training images " <input type="number" min="1" prop:value=images_value on:input=images_change data-testid="train-images"/>
                    <span class="note">{move || available_images_note(available.get(), state.with(|s| s.loaded))}</span>
                </label>
                <label title="Seeds the initial weights and the order of the images: the same seed and settings on the same backend give the same run">
                    "Seed " <input type="number" min="0" prop:value=seed_value on:input=seed_change data-testid="train-seed"/>
                </label>
                <Show when=move || variational.get()>
                    <label title="The weight of the KL term: 0 trains a plain autoencoder with noisy codes; larger values pull the codes towards the standard normal and blur the reconstructions">
                        "β " <input type="text" size="4" prop:value=beta_value on:input=beta_change data-testid="train-beta"/>
                    </label>
                </Show>
            </form>
            <div class="controls" data-part="train-controls">
                <button
                    data-testid="train-start"
                    on:click=start
                    disabled=move || !loaded.get() || status.get().is_active()
                >"Start"</button>
                <button data-testid="train-pause" on:click=pause disabled=move || !status.get().is_active()>
                    {move || if status.get() == RunStatus::Paused { "Resume" } else { "Pause" }}
                </button>
                <button data-testid="train-cancel" on:click=cancel disabled=move || !status.get().is_active()>"Cancel"</button>
                <button data-testid="train-step" on:click=step disabled=move || !loaded.get()
                    title="One optimiser step, then paused: the loss, the chart and the reconstructions show what it changed">"Step"</button>
                <label title="Slow motion: a few steps a second, every one shown">"Speed "
                    <select data-testid="train-slow" prop:value=move || slow_motion.get() on:change=set_slow_motion>
                        {SLOW_MOTION_CHOICES.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    </select>
                </label>
                {move || form_error.get().map(|e| view! { <span class="warning">{e}</span> })}
            </div>
            <div class="progress" data-testid="train-progress" data-status=move || format!("{:?}", status.get()).to_lowercase()
                data-run-id=move || run_id.get()>
                <progress
                    max=move || progress.get().map_or(1, |p| p.total_steps.max(1))
                    value=move || progress.get().map_or(0, |p| p.step)
                ></progress>
                <span>{progress_text}</span>
            </div>
            <div class="train-output">
                <LossChart history=history epochs=epochs shape=shape no_code=no_code earlier=earlier_shown
                    axis=chart_x choose_axis=choose_axis/>
                <div class="train-pictures">
                    <DigitGrid originals=samples reconstructions=reconstructions step=reconstructions_step/>
                    <NoCodeDigit pixels=mean_digit loss=no_code/>
                </div>
            </div>
            <EarlierRunList runs=earlier change=change_earlier/>
            <ModelList models=models no_code=no_code send=send/>
        </section>
    }
}
