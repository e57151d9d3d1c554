//! Placeholder for the views that later issues build.

use leptos::prelude::*;

use crate::ui::route::Route;

#[component]
pub fn ComingSoon(route: Route) -> impl IntoView {
    let what = match route {
        Route::Experiments => "the latent-size sweep and the depth comparison",
        Route::Interpolate => "interpolation strips between two digits",
        Route::Decorrelation => "the correlation between latent coordinates",
        Route::Transfer => "transfer learning with the pretrained encoder",
        Route::Draw => "drawing a digit and watching it encoded and decoded",
        Route::Train => "training",
    };
    view! {
        <section class="coming">
            <h2>{route.title()}</h2>
            <p>"Coming soon: " {what} ". The training view works today."</p>
            <p><a href="#/train">"Go to training"</a></p>
        </section>
    }
}
