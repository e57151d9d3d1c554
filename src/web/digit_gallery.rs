//! Test digits to choose from: one pixelated image; a click picks the digit under it, and so
//! do the arrow keys (a green cursor) and Enter. The two chosen ones are framed (A blue,
//! B orange).

use leptos::html::Canvas;
use leptos::prelude::*;

use super::canvas::{click_point, put_rgba};
use crate::data::IMAGE_PIXELS;
use crate::ui::cursor::{CursorKey, grid_step};
use crate::ui::image::{cell_at, grid_rgba, outline_cell};
use crate::ui::interpolation::Gallery;

const COLUMNS: usize = 15;
const GAP: usize = 2;

#[component]
pub fn DigitGallery(
    #[prop(into)] gallery: Signal<Gallery>,
    /// Test indices of the chosen images A and B.
    #[prop(into)]
    chosen: Signal<(Option<usize>, Option<usize>)>,
    /// A test index was clicked.
    on_pick: Callback<usize>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    // The keyboard's cursor: a cell of the grid, none until an arrow key is pressed.
    let cursor = RwSignal::new(None::<usize>);
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let (a, b) = chosen.get();
        let cursor = cursor.get();
        gallery.with(|g| {
            let (w, h, mut rgba) = grid_rgba(&g.pixels, COLUMNS, GAP);
            for (index, colour) in [(a, [40, 90, 200]), (b, [220, 90, 30])] {
                if let Some(cell) = index.and_then(|i| g.indices.iter().position(|&x| x == i)) {
                    outline_cell(&mut rgba, w, COLUMNS, GAP, cell, colour);
                }
            }
            if let Some(cell) = cursor.filter(|&c| c < g.len()) {
                outline_cell(&mut rgba, w, COLUMNS, GAP, cell, [0, 158, 115]);
            }
            if let Err(e) = put_rgba(&canvas, w, h, &rgba) {
                leptos::logging::warn!("gallery: {e}");
            }
        });
    });
    let click = move |ev: leptos::ev::MouseEvent| {
        let Some(canvas) = canvas.get() else { return };
        // From CSS pixels to the canvas's own.
        let (x, y) = click_point(&canvas, &ev);
        let picked = gallery.with(|g| {
            cell_at(x, y, COLUMNS, GAP, g.pixels.len() / IMAGE_PIXELS)
                .and_then(|cell| g.indices.get(cell).copied())
        });
        if let Some(index) = picked {
            on_pick.run(index);
        }
    };
    let key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(key) = CursorKey::from_key(&ev.key()) else {
            return;
        };
        ev.prevent_default();
        let count = gallery.with_untracked(Gallery::len);
        let at = cursor.get_untracked();
        if key == CursorKey::Pick {
            if let Some(index) =
                at.and_then(|c| gallery.with_untracked(|g| g.indices.get(c).copied()))
            {
                on_pick.run(index);
            }
            return;
        }
        cursor.set(grid_step(at, key, COLUMNS, count));
    };
    let under_cursor = move || {
        let cell = cursor.get()?;
        gallery.with(|g| {
            let index = *g.indices.get(cell)?;
            let label = g.label(index).map_or("?".into(), |l| l.to_string());
            Some(format!(
                "Cursor on a {label} (test image {index}); Enter picks it."
            ))
        })
    };
    view! {
        <canvas node_ref=canvas class="pixelated gallery" data-testid="digit-gallery" on:click=click
            tabindex="0" role="img"
            aria-label="Test digits to pick from: click one, or use the arrow keys and Enter."
            on:keydown=key
            data-cursor=move || cursor.get().and_then(|c| gallery.with(|g| g.indices.get(c).copied())).map(|i| i.to_string())
            data-images=move || gallery.with(Gallery::len)></canvas>
        <p class="visually-hidden" aria-live="polite">{under_cursor}</p>
    }
}
