//! The drawing's latent code as a bar chart: one bar per coordinate, scaled by the largest
//! value the model's codes reach on the test subset; dead coordinates are marked.

use leptos::prelude::*;

use crate::ui::drawing_strokes::LatentBar;

#[component]
pub fn LatentBars(#[prop(into)] bars: Signal<Vec<LatentBar>>) -> impl IntoView {
    view! {
        <div class="latent-bars" data-testid="latent-bars"
            data-bars=move || bars.with(Vec::len)
            data-dead=move || bars.with(|b| b.iter().filter(|x| x.dead).count())>
            {move || bars.get().into_iter().enumerate().map(|(i, bar)| {
                let title = if bar.dead {
                    format!("coordinate {i}: {:.3} (dead: never fires on the test digits)", bar.value)
                } else {
                    format!("coordinate {i}: {:.3}", bar.value)
                };
                view! {
                    <div class="latent-bar" class:dead=bar.dead title=title>
                        <div class="fill" style=format!("height: {:.1}%", bar.height * 100.0)></div>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}
