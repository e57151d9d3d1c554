//! A drawing made MNIST-like, the way the original data was made (LeCun, Cortes and Burges):
//! the ink's bounding box scaled to fit 20×20 with its aspect ratio kept, anti-aliased, then
//! placed in 28×28 so that the ink's centre of mass is at the centre.

use super::mnist::{IMAGE_PIXELS, IMAGE_SIDE};

/// The side of the box the ink is scaled into.
pub const INK_BOX: usize = 20;
/// Coverage below this is not ink when finding the bounding box (a stray anti-aliased edge
/// pixel should not widen the box).
const INK_THRESHOLD: f32 = 0.05;

/// What can be wrong with an image given to [`mnist_style`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PreprocessError {
    #[error("the drawing is {width}×{height} but has {len} values")]
    WrongSize {
        width: usize,
        height: usize,
        len: usize,
    },
    #[error("the drawing has a value that is not a number")]
    NotANumber,
}

/// The ink (coverage in `[0, 1]`, row-major, `width × height`) as a 28×28 MNIST-style image,
/// or `None` when there is no ink: an empty pad is a state, not an error.
pub fn mnist_style(
    ink: &[f32],
    width: usize,
    height: usize,
) -> Result<Option<Vec<f32>>, PreprocessError> {
    if ink.len() != width * height {
        return Err(PreprocessError::WrongSize {
            width,
            height,
            len: ink.len(),
        });
    }
    if ink.iter().any(|v| v.is_nan()) {
        return Err(PreprocessError::NotANumber);
    }
    let Some((x0, y0, x1, y1)) = ink_bounds(ink, width, height) else {
        return Ok(None);
    };
    let (box_w, box_h) = (x1 - x0, y1 - y0);
    // The longer side becomes 20 pixels; the other keeps the ratio (at least one pixel).
    let scale = INK_BOX as f32 / box_w.max(box_h) as f32;
    let out_w = ((box_w as f32 * scale).round() as usize).clamp(1, INK_BOX);
    let out_h = ((box_h as f32 * scale).round() as usize).clamp(1, INK_BOX);
    let small = area_resample(ink, width, (x0, y0, box_w, box_h), out_w, out_h);

    let Some((cx, cy)) = centre_of_mass(&small, out_w, out_h) else {
        return Ok(None);
    };
    // Shift so the centre of mass lands on the image's centre (14, 14), rounded to whole
    // pixels (within half a pixel, and no resampling blur); the box stays inside the frame.
    let centre = IMAGE_SIDE as f32 / 2.0;
    let left = ((centre - cx).round() as i64).clamp(0, (IMAGE_SIDE - out_w) as i64) as usize;
    let top = ((centre - cy).round() as i64).clamp(0, (IMAGE_SIDE - out_h) as i64) as usize;
    let mut image = vec![0.0; IMAGE_PIXELS];
    for y in 0..out_h {
        for x in 0..out_w {
            image[(top + y) * IMAGE_SIDE + left + x] = small[y * out_w + x].clamp(0.0, 1.0);
        }
    }
    Ok(Some(image))
}

/// The smallest box `[x0, x1) × [y0, y1)` holding every pixel of ink.
fn ink_bounds(ink: &[f32], width: usize, height: usize) -> Option<(usize, usize, usize, usize)> {
    let mut bounds: Option<(usize, usize, usize, usize)> = None;
    for y in 0..height {
        for x in 0..width {
            if ink[y * width + x] > INK_THRESHOLD {
                let b = bounds.get_or_insert((x, y, x + 1, y + 1));
                b.0 = b.0.min(x);
                b.1 = b.1.min(y);
                b.2 = b.2.max(x + 1);
                b.3 = b.3.max(y + 1);
            }
        }
    }
    bounds
}

/// The region `(x0, y0, w, h)` of `src` (row length `stride`) resampled to `out_w × out_h` by
/// averaging the area each output pixel covers: a box filter, which is what anti-aliases a
/// large drawing shrunk to a few pixels.
fn area_resample(
    src: &[f32],
    stride: usize,
    (x0, y0, w, h): (usize, usize, usize, usize),
    out_w: usize,
    out_h: usize,
) -> Vec<f32> {
    let sx = w as f32 / out_w as f32;
    let sy = h as f32 / out_h as f32;
    let mut out = vec![0.0; out_w * out_h];
    for oy in 0..out_h {
        let (fy0, fy1) = (oy as f32 * sy, (oy + 1) as f32 * sy);
        for ox in 0..out_w {
            let (fx0, fx1) = (ox as f32 * sx, (ox + 1) as f32 * sx);
            let mut sum = 0.0;
            for y in fy0.floor() as usize..(fy1.ceil() as usize).min(h) {
                let wy = overlap(y as f32, fy0, fy1);
                if wy <= 0.0 {
                    continue;
                }
                let row = (y0 + y) * stride + x0;
                for x in fx0.floor() as usize..(fx1.ceil() as usize).min(w) {
                    sum += src[row + x] * wy * overlap(x as f32, fx0, fx1);
                }
            }
            out[oy * out_w + ox] = sum / (sx * sy);
        }
    }
    out
}

/// How much of the unit cell `[i, i + 1)` lies in `[a, b)`.
fn overlap(i: f32, a: f32, b: f32) -> f32 {
    ((i + 1.0).min(b) - i.max(a)).max(0.0)
}

/// The ink-weighted mean position of an image, in pixel coordinates where pixel `(x, y)`
/// covers `[x, x + 1) × [y, y + 1)` (so one lit pixel at 0 has its centre at 0.5).
pub fn centre_of_mass(image: &[f32], width: usize, height: usize) -> Option<(f32, f32)> {
    let (mut total, mut sx, mut sy) = (0.0f64, 0.0f64, 0.0f64);
    for y in 0..height {
        for x in 0..width {
            let v = f64::from(image[y * width + x].max(0.0));
            total += v;
            sx += v * (x as f64 + 0.5);
            sy += v * (y as f64 + 0.5);
        }
    }
    (total > 0.0).then(|| ((sx / total) as f32, (sy / total) as f32))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w × h` image with a filled rectangle `[x0, x1) × [y0, y1)`.
    fn rectangle(w: usize, h: usize, (x0, y0, x1, y1): (usize, usize, usize, usize)) -> Vec<f32> {
        let mut img = vec![0.0; w * h];
        for y in y0..y1 {
            for x in x0..x1 {
                img[y * w + x] = 1.0;
            }
        }
        img
    }

    fn ink_box(image: &[f32]) -> (usize, usize) {
        let (x0, y0, x1, y1) = ink_bounds(image, IMAGE_SIDE, IMAGE_SIDE).expect("ink");
        (x1 - x0, y1 - y0)
    }

    #[test]
    fn a_tall_stroke_fills_twenty_rows_and_keeps_its_aspect_ratio() {
        // 40 wide, 200 tall, off-centre on a 280×280 pad: 1 : 5, so 4 × 20 in the result.
        let pad = rectangle(280, 280, (30, 50, 70, 250));
        let image = mnist_style(&pad, 280, 280).unwrap().expect("ink");
        assert_eq!(image.len(), 784);
        assert_eq!(ink_box(&image), (4, 20));
        let (cx, cy) = centre_of_mass(&image, 28, 28).unwrap();
        assert!(
            (cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5,
            "({cx}, {cy})"
        );
        // A filled rectangle stays fully inked: every pixel of the box is 1.
        let lit = image.iter().filter(|&&v| v > 0.999).count();
        assert_eq!(lit, 80);
    }

    #[test]
    fn a_wide_shape_fits_twenty_columns() {
        let pad = rectangle(300, 100, (0, 10, 300, 70));
        let image = mnist_style(&pad, 300, 100).unwrap().expect("ink");
        assert_eq!(ink_box(&image), (20, 4));
    }

    #[test]
    fn the_centre_of_mass_not_the_box_goes_to_the_centre() {
        // An L: the vertical bar holds most of the mass to the left, the bottom bar pulls it
        // down, so the box is placed right of and above the centre.
        let mut pad = rectangle(100, 100, (10, 10, 20, 90));
        for y in 80..90 {
            for x in 10..90 {
                pad[y * 100 + x] = 1.0;
            }
        }
        let image = mnist_style(&pad, 100, 100).unwrap().expect("ink");
        let (cx, cy) = centre_of_mass(&image, 28, 28).unwrap();
        assert!(
            (cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5,
            "({cx}, {cy})"
        );
        let (x0, y0, x1, y1) = ink_bounds(&image, 28, 28).unwrap();
        assert!((x0 + x1) as f32 / 2.0 > 14.5, "box {x0}..{x1}");
        assert!((y0 + y1) as f32 / 2.0 < 13.5, "box {y0}..{y1}");
    }

    #[test]
    fn a_lopsided_shape_stays_whole_inside_the_frame() {
        // Nearly all the mass in the bottom row: centring it exactly would push the top of
        // the box out of the image; the box stops at the edge instead and no ink is lost.
        let mut pad = rectangle(100, 100, (0, 0, 2, 100));
        for x in 0..100 {
            for y in 90..100 {
                pad[y * 100 + x] = 1.0;
            }
        }
        let image = mnist_style(&pad, 100, 100).unwrap().expect("ink");
        let expected: f32 = pad.iter().sum::<f32>() * (20.0f32 / 100.0).powi(2);
        let total: f32 = image.iter().sum();
        assert!((total - expected).abs() < 0.01, "{total} vs {expected}");
        assert_eq!(ink_bounds(&image, 28, 28).map(|b| b.1), Some(0));
    }

    #[test]
    fn shrinking_antialiases_edges() {
        // A 1-pixel line on a 10×10 pad scales up (10 → 20) and stays solid; a 3-pixel-wide
        // line of a 90-pixel box shrinks to 2/3 of a pixel: grey, not black or white.
        let pad = rectangle(90, 90, (0, 0, 90, 1));
        let mut pad2 = pad.clone();
        for y in 0..90 {
            for x in 0..3 {
                pad2[y * 90 + x] = 1.0;
            }
        }
        let image = mnist_style(&pad2, 90, 90).unwrap().expect("ink");
        let greys = image.iter().filter(|&&v| v > 0.05 && v < 0.95).count();
        assert!(greys > 0, "no anti-aliased pixel");
        let total: f32 = image.iter().sum();
        // Ink is conserved by the box filter: (90 + 89·3) source pixels × (20/90)².
        let expected = (90.0 + 89.0 * 3.0) * (20.0f32 / 90.0).powi(2);
        assert!((total - expected).abs() < 0.01, "{total} vs {expected}");
    }

    #[test]
    fn an_empty_pad_is_no_image_and_bad_input_is_an_error() {
        assert_eq!(mnist_style(&[0.0; 100], 10, 10), Ok(None));
        // Faint noise under the threshold is not ink either.
        assert_eq!(mnist_style(&[0.01; 100], 10, 10), Ok(None));
        assert!(matches!(
            mnist_style(&[0.0; 99], 10, 10),
            Err(PreprocessError::WrongSize { len: 99, .. })
        ));
        let mut nan = vec![0.0; 100];
        nan[3] = f32::NAN;
        assert_eq!(mnist_style(&nan, 10, 10), Err(PreprocessError::NotANumber));
    }

    #[test]
    fn a_single_dot_becomes_a_centred_block() {
        let pad = rectangle(50, 50, (0, 0, 1, 1));
        let image = mnist_style(&pad, 50, 50).unwrap().expect("ink");
        // A 1×1 box scales to 20×20, centred: rows and columns 4..24.
        assert_eq!(ink_bounds(&image, 28, 28), Some((4, 4, 24, 24)));
    }

    #[test]
    fn centre_of_mass_uses_pixel_centres() {
        let mut image = vec![0.0; 9];
        image[0] = 1.0;
        assert_eq!(centre_of_mass(&image, 3, 3), Some((0.5, 0.5)));
        image[8] = 1.0;
        assert_eq!(centre_of_mass(&image, 3, 3), Some((1.5, 1.5)));
        assert_eq!(centre_of_mass(&[0.0; 4], 2, 2), None);
    }
}
