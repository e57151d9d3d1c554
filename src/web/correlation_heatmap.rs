//! One model's correlation matrix as a heatmap. A click on a cell (i, j) opens it (coordinate
//! i's histogram, j against i), and so do the arrow keys (a green cursor) and Enter; the opened
//! cell is framed. The frames are elements laid over the canvas, so moving them never repaints
//! the matrix (a million cells at the largest latent size).

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;

use super::canvas::{click_point, put_rgba};
use super::download::offer_canvas_png;
use crate::engine::latent_analysis::LatentAnalysis;
use crate::ui::cursor::{CursorKey, grid_step};
use crate::ui::decorrelation::{
    heatmap_cell, heatmap_cursor_text, heatmap_mark_style, heatmap_rgba,
};

#[component]
pub fn CorrelationHeatmap(
    #[prop(into)] analysis: Signal<Option<Arc<LatentAnalysis>>>,
    /// The opened cell (i, j), if any.
    #[prop(into)]
    opened: Signal<Option<(usize, usize)>>,
    /// A cell was opened, by a click or by Enter.
    on_open: Callback<(usize, usize)>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let dim = Memo::new(move |_| analysis.with(|a| a.as_ref().map(|a| a.latent_dim)));
    let model = Memo::new(move |_| analysis.with(|a| a.as_ref().map(|a| a.model.clone())));
    // The keyboard's cursor: a cell (i, j), none until an arrow key is pressed; another model
    // starts without one.
    let cursor = RwSignal::new(None::<(usize, usize)>);
    Effect::new(move |_| {
        // Read, not only tracked: a memo nothing reads never computes, and so never hears
        // that the analysis changed (`track()` alone left the cursor on the old model's cell).
        model.with(|_| ());
        cursor.set(None);
    });
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let Some(a) = analysis.get() else { return };
        // Coloured in a task of its own, after the one in which the analysis arrived: a
        // million correlations decoded and drawn in one task froze the page for 200 ms.
        request_animation_frame(move || {
            let cell = heatmap_cell(a.latent_dim);
            let (w, h, rgba) = heatmap_rgba(&a.matrix, a.latent_dim, cell);
            if let Err(e) = put_rgba(&canvas, w, h, &rgba) {
                leptos::logging::warn!("heatmap: {e}");
            }
        });
    });
    let click = move |ev: leptos::ev::MouseEvent| {
        let (Some(canvas), Some(d)) = (canvas.get(), dim.get_untracked()) else {
            return;
        };
        let cell = heatmap_cell(d) as f64;
        let (x, y) = click_point(&canvas, &ev);
        let (i, j) = ((y / cell) as usize, (x / cell) as usize);
        if i < d && j < d {
            cursor.set(Some((i, j)));
            on_open.run((i, j));
        }
    };
    let key = move |ev: leptos::ev::KeyboardEvent| {
        let (Some(key), Some(d)) = (CursorKey::from_key(&ev.key()), dim.get_untracked()) else {
            return;
        };
        ev.prevent_default();
        let at = cursor.get_untracked().filter(|&(i, j)| i < d && j < d);
        if key == CursorKey::Pick {
            if let Some(cell) = at {
                on_open.run(cell);
            }
            return;
        }
        let step = grid_step(at.map(|(i, j)| i * d + j), key, d, d * d);
        cursor.set(step.map(|c| (c / d, c % d)));
    };
    // The marks, on cells of this matrix only.
    let on_matrix = move |cell: Option<(usize, usize)>| {
        let d = dim.get()?;
        cell.filter(|&(i, j)| i < d && j < d).map(|c| (c, d))
    };
    let opened_mark = move || {
        on_matrix(opened.get()).map(|((i, j), d)| {
            view! { <div class="heatmap-mark opened" style=heatmap_mark_style(i, j, d)></div> }
        })
    };
    let cursor_mark = move || {
        let at = on_matrix(cursor.get()).filter(|&(c, _)| Some(c) != opened.get());
        at.map(|((i, j), d)| {
            view! { <div class="heatmap-mark cursor" style=heatmap_mark_style(i, j, d)></div> }
        })
    };
    let under_cursor = move || {
        let ((i, j), d) = on_matrix(cursor.get())?;
        analysis.with(|a| Some(heatmap_cursor_text(&a.as_ref()?.matrix, d, i, j)))
    };
    view! {
        <figure class="heatmap-figure">
            <div class="heatmap-frame">
                <canvas node_ref=canvas class="pixelated heatmap" data-testid="correlation-heatmap"
                    // Square before the first matrix comes, as every matrix is: nothing moves then.
                    width="300" height="300"
                    tabindex="0" role="img"
                    aria-label="Correlation matrix: click a cell, or move to one with the arrow keys and press Enter, to plot its two coordinates against each other."
                    data-dim=move || dim.get().unwrap_or(0)
                    data-dead=move || analysis.with(|a| a.as_ref().map_or(0, |a| a.stats.dead_units))
                    data-cursor=move || on_matrix(cursor.get()).map(|((i, j), _)| format!("{i},{j}"))
                    on:click=click on:keydown=key></canvas>
                {opened_mark}
                {cursor_mark}
            </div>
            <p class="visually-hidden" aria-live="polite">{under_cursor}</p>
            <figcaption>"Pearson r between coordinates i (rows) and j (columns): red positive, blue negative, white 0; grey striped: a dead coordinate. Click a cell to see coordinate i's histogram and the two coordinates against each other." " "
                <button class="small" on:click=move |_| {
                    if let (Some(c), Some(name)) = (canvas.get(), model.get()) {
                        let _ = offer_canvas_png(&c, &format!("correlation-{name}.png"));
                    }
                }>"PNG"</button>
            </figcaption>
        </figure>
    }
}
