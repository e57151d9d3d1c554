//! A cell (i, j) of the correlation heatmap opened: coordinate i of every test digit's code
//! against coordinate j, one point per digit coloured by its class, with the cell's r.

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;

use super::canvas::context_2d;
use crate::engine::latent_analysis::LatentAnalysis;
use crate::engine::protocol::SCATTER_REQUEST;
use crate::ui::decorrelation::{correlation_text, scatter_positions};
use crate::ui::engine_state::EngineState;
use crate::ui::latent_map::DIGIT_COLOURS;

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 320.0;
const MARGIN: f64 = 10.0;

#[component]
pub fn CoordinateScatterView(
    #[prop(into)] analysis: Signal<Option<Arc<LatentAnalysis>>>,
    #[prop(into)] state: Signal<EngineState>,
    /// The opened cell: (i, j).
    #[prop(into)]
    pair: Signal<Option<(usize, usize)>>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    // The engine's answer for the opened cell of this model, once there.
    let scatter = Memo::new(move |_| {
        let (i, j) = pair.get()?;
        let model = analysis.with(|a| a.as_ref().map(|a| a.model.clone()))?;
        state.with(|s| {
            s.scatter
                .clone()
                .filter(|c| c.model == model && (c.i, c.j) == (i, j))
        })
    });
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let Ok(context) = context_2d(&canvas) else {
            return;
        };
        context.set_fill_style_str("#fff");
        context.fill_rect(0.0, 0.0, WIDTH, HEIGHT);
        let Some(s) = scatter.get() else { return };
        let labels = analysis.with(|a| a.as_ref().map(|a| a.labels.clone()).unwrap_or_default());
        for (&(x, y), &label) in scatter_positions(&s.x, &s.y, WIDTH, HEIGHT, MARGIN)
            .iter()
            .zip(&labels)
        {
            let (r, g, b) = DIGIT_COLOURS[usize::from(label) % 10];
            context.set_fill_style_str(&format!("rgba({r},{g},{b},0.6)"));
            context.fill_rect(x - 1.5, y - 1.5, 3.0, 3.0);
        }
    });
    let caption = move || {
        let Some((i, j)) = pair.get() else {
            return "Click a cell (i, j) of the heatmap to plot coordinate j against coordinate i over the test digits.".to_string();
        };
        let r = analysis.with(|a| {
            a.as_ref().map_or(String::new(), |a| {
                correlation_text(&a.matrix, a.latent_dim, i, j)
            })
        });
        match scatter.get() {
            Some(s) => format!(
                "Coordinate {j} (up) against coordinate {i} (across), {} test digits coloured by class; r = {r}.",
                s.x.len()
            ),
            None => state
                .with(|s| s.request_errors.get(SCATTER_REQUEST).cloned())
                .unwrap_or_else(|| format!("Reading coordinates {i} and {j}…")),
        }
    };
    view! {
        <figure>
            <canvas node_ref=canvas width=WIDTH as u32 height=HEIGHT as u32 data-testid="heatmap-scatter"
                hidden=move || pair.get().is_none()
                role="img" aria-label=caption
                data-i=move || pair.get().map(|p| p.0)
                data-j=move || pair.get().map(|p| p.1)
                data-points=move || scatter.with(|s| s.as_ref().map_or(0, |s| s.x.len()))></canvas>
            <figcaption>{caption}</figcaption>
        </figure>
    }
}
