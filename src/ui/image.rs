//! Grey MNIST images as RGBA buffers for a canvas's `putImageData`.

use crate::data::{IMAGE_PIXELS, IMAGE_SIDE};

/// Lays out `images` (784 grey bytes each, 0 = background) in a grid of `columns`, with a
/// `gap`-pixel border, as RGBA: ink is dark on a light page, as people write. Returns
/// `(width, height, rgba)`.
pub fn grid_rgba(images: &[u8], columns: usize, gap: usize) -> (usize, usize, Vec<u8>) {
    let count = images.len() / IMAGE_PIXELS;
    let columns = columns.max(1);
    let rows = count.div_ceil(columns).max(1);
    let width = columns * IMAGE_SIDE + (columns + 1) * gap;
    let height = rows * IMAGE_SIDE + (rows + 1) * gap;
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

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
