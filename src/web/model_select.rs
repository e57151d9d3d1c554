//! A choice among the model list's names (autoencoders or classifiers), optionally "none".

use leptos::prelude::*;

#[component]
pub fn ModelSelect(
    #[prop(into)] value: Signal<String>,
    #[prop(into)] options: Signal<Vec<String>>,
    on_change: Callback<String>,
    testid: &'static str,
    /// Offer "none" (the empty name) first.
    #[prop(optional)]
    none: bool,
    /// The select's accessible name where no `<label>` wraps it.
    #[prop(optional)]
    label: Option<&'static str>,
) -> impl IntoView {
    view! {
        <select data-testid=testid prop:value=move || value.get() aria-label=label
            on:change=move |ev| on_change.run(event_target_value(&ev))>
            {none.then(|| view! { <option value="">"none"</option> })}
            {move || options.get().into_iter().map(|name| view! {
                <option value=name.clone() selected=name == value.get_untracked()>{name.clone()}</option>
            }).collect_view()}
        </select>
    }
}
