//! Grey MNIST images as RGBA buffers for a canvas's `putImageData`.

use crate::data::{IMAGE_PIXELS, IMAGE_SIDE};

/// The pixel size (width, height) of a grid of `count` images, `columns` to a row, with
/// `gap` pixels around each: what [`grid_rgba`] paints, and the aspect ratio a strip keeps
/// when the page is too narrow for it (an empty grid is one blank cell).
pub fn grid_size(count: usize, columns: usize, gap: usize) -> (usize, usize) {
    let columns = columns.max(1);
    let rows = count.div_ceil(columns).max(1);
    (
        columns * IMAGE_SIDE + (columns + 1) * gap,
        rows * IMAGE_SIDE + (rows + 1) * gap,
    )
}

/// Lays out `images` (784 grey bytes each, 0 = background) in a grid of `columns`, with a
/// `gap`-pixel border, as RGBA: ink is dark on a light page, as people write. Returns
/// `(width, height, rgba)`.
pub fn grid_rgba(images: &[u8], columns: usize, gap: usize) -> (usize, usize, Vec<u8>) {
    let columns = columns.max(1);
    let (width, height) = grid_size(images.len() / IMAGE_PIXELS, columns, gap);
    let mut rgba = vec![0u8; width * height * 4];
    // Background of the gaps: the page's light grey.
    for px in rgba.chunks_exact_mut(4) {
        px.copy_from_slice(&[0xe8, 0xe8, 0xec, 0xff]);
    }
    for (i, image) in images.chunks_exact(IMAGE_PIXELS).enumerate() {
        let (row, col) = (i / columns, i % columns);
        let x0 = gap + col * (IMAGE_SIDE + gap);
        let y0 = gap + row * (IMAGE_SIDE + gap);
        for (p, &ink) in image.iter().enumerate() {
            let (y, x) = (p / IMAGE_SIDE, p % IMAGE_SIDE);
            let at = ((y0 + y) * width + x0 + x) * 4;
            let v = 255 - ink;
            rgba[at..at + 4].copy_from_slice(&[v, v, v, 0xff]);
        }
    }
    (width, height, rgba)
}

/// Paints the `gap`-wide frame around cell `cell` of a grid made by [`grid_rgba`] (to mark
/// a chosen image).
pub fn outline_cell(
    rgba: &mut [u8],
    width: usize,
    columns: usize,
    gap: usize,
    cell: usize,
    colour: [u8; 3],
) {
    let columns = columns.max(1);
    let (row, col) = (cell / columns, cell % columns);
    let x0 = col * (IMAGE_SIDE + gap);
    let y0 = row * (IMAGE_SIDE + gap);
    let side = IMAGE_SIDE + 2 * gap;
    let height = rgba.len() / 4 / width.max(1);
    for y in y0..(y0 + side).min(height) {
        for x in x0..(x0 + side).min(width) {
            let inside = x >= x0 + gap
                && x < x0 + gap + IMAGE_SIDE
                && y >= y0 + gap
                && y < y0 + gap + IMAGE_SIDE;
            if !inside {
                let at = (y * width + x) * 4;
                rgba[at..at + 3].copy_from_slice(&colour);
            }
        }
    }
}

/// Tints cell `cell` of a grid made by [`grid_rgba`]: each channel scaled by `tint / 255`, so
/// the white paper takes the tint and the ink stays dark (marks a frame, e.g. one past the
/// ends of an interpolation).
pub fn tint_cell(
    rgba: &mut [u8],
    width: usize,
    columns: usize,
    gap: usize,
    cell: usize,
    tint: [u8; 3],
) {
    let columns = columns.max(1);
    let (row, col) = (cell / columns, cell % columns);
    let x0 = gap + col * (IMAGE_SIDE + gap);
    let y0 = gap + row * (IMAGE_SIDE + gap);
    let height = rgba.len() / 4 / width.max(1);
    for y in y0..(y0 + IMAGE_SIDE).min(height) {
        for x in x0..(x0 + IMAGE_SIDE).min(width) {
            let at = (y * width + x) * 4;
            for (c, &t) in rgba[at..at + 3].iter_mut().zip(&tint) {
                *c = (u16::from(*c) * u16::from(t) / 255) as u8;
            }
        }
    }
}

/// The grid cell under a point given in the canvas's own pixels, if it is on an image.
pub fn cell_at(x: f64, y: f64, columns: usize, gap: usize, count: usize) -> Option<usize> {
    let pitch = (IMAGE_SIDE + gap) as f64;
    if x < 0.0 || y < 0.0 {
        return None;
    }
    let (col, row) = ((x / pitch) as usize, (y / pitch) as usize);
    let cell = row * columns.max(1) + col;
    (col < columns.max(1) && cell < count).then_some(cell)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_cell_gets_a_coloured_frame() {
        let images = vec![0u8; 4 * IMAGE_PIXELS];
        let (w, _, mut rgba) = grid_rgba(&images, 2, 2);
        outline_cell(&mut rgba, w, 2, 2, 3, [255, 0, 0]);
        let px = |x: usize, y: usize| rgba[(y * w + x) * 4..(y * w + x) * 4 + 3].to_vec();
        // Cell 3 (row 1, column 1) spans x 32..60, y 32..60; its frame is 30..62.
        assert_eq!(px(30, 30), vec![255, 0, 0]);
        assert_eq!(px(61, 45), vec![255, 0, 0]);
        assert_eq!(px(45, 45), vec![255, 255, 255], "the image is untouched");
        assert_eq!(
            px(1, 1),
            vec![0xe8, 0xe8, 0xec],
            "other frames are untouched"
        );
    }

    #[test]
    fn a_tinted_cell_keeps_its_ink_and_colours_its_paper() {
        let mut images = vec![0u8; 2 * IMAGE_PIXELS];
        images[IMAGE_PIXELS] = 255; // the second image's first pixel: full ink
        let (w, _, mut rgba) = grid_rgba(&images, 2, 1);
        tint_cell(&mut rgba, w, 2, 1, 1, [255, 204, 102]);
        let px = |x: usize, y: usize| rgba[(y * w + x) * 4..(y * w + x) * 4 + 3].to_vec();
        // Cell 1 spans x 30..58: its paper is the tint, its ink stays black.
        assert_eq!(px(31, 1), vec![255, 204, 102]);
        assert_eq!(px(30, 1), vec![0, 0, 0]);
        assert_eq!(px(2, 1), vec![255, 255, 255], "cell 0 is untouched");
        assert_eq!(px(29, 1), vec![0xe8, 0xe8, 0xec], "the gap is untouched");
    }

    #[test]
    fn clicks_map_to_cells() {
        // Pitch 30 with gap 2: the second column starts at x = 30.
        assert_eq!(cell_at(5.0, 5.0, 10, 2, 30), Some(0));
        assert_eq!(cell_at(35.0, 65.0, 10, 2, 30), Some(21));
        assert_eq!(cell_at(35.0, 95.0, 10, 2, 30), None, "below the last row");
        assert_eq!(
            cell_at(305.0, 5.0, 10, 2, 30),
            None,
            "right of the last column"
        );
    }

    #[test]
    fn grid_size_counts_cells_and_gaps() {
        // Ten frames in a row with 1-pixel gaps: 10·28 + 11 by 28 + 2.
        assert_eq!(grid_size(10, 10, 1), (291, 30));
        // Seven frames, three to a row: three rows.
        assert_eq!(grid_size(7, 3, 1), (3 * 28 + 4, 3 * 28 + 4));
        // Nothing yet: one blank cell, so an empty strip keeps a frame's shape.
        assert_eq!(grid_size(0, 0, 1), (30, 30));
        let (w, h, rgba) = grid_rgba(&vec![0u8; 7 * IMAGE_PIXELS], 3, 1);
        assert_eq!((w, h, rgba.len()), (88, 88, 88 * 88 * 4));
    }

    #[test]
    fn grid_places_images_with_gaps() {
        let mut images = vec![0u8; 3 * IMAGE_PIXELS];
        images[0] = 255; // first image, top-left pixel: full ink
        images[2 * IMAGE_PIXELS + IMAGE_PIXELS - 1] = 100; // third image, bottom-right
        let (w, h, rgba) = grid_rgba(&images, 2, 1);
        assert_eq!((w, h), (2 * 28 + 3, 2 * 28 + 3));
        assert_eq!(rgba.len(), w * h * 4);
        let px = |x: usize, y: usize| &rgba[(y * w + x) * 4..(y * w + x) * 4 + 4];
        assert_eq!(px(0, 0), &[0xe8, 0xe8, 0xec, 0xff]); // gap
        assert_eq!(px(1, 1), &[0, 0, 0, 0xff]); // ink of image 0
        assert_eq!(px(2, 1), &[255, 255, 255, 0xff]); // background of image 0
        // Image 2 starts the second row at (1, 30); its last pixel is at (28, 57).
        assert_eq!(px(28, 57), &[155, 155, 155, 0xff]);
        assert_eq!(px(30 + 27, 57), &[0xe8, 0xe8, 0xec, 0xff]); // empty cell
    }
}
