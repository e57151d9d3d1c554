//! `#/interpolate` as data: the test-image gallery, the exercise's preset pairs, the number
//! of frames, and the pixel blend the latent strips are contrasted with.

use crate::data::IMAGE_PIXELS;
use crate::reference::INTERPOLATION_PAIRS;

pub const MIN_FRAMES: usize = 2;
pub const MAX_FRAMES: usize = 20;
pub const DEFAULT_FRAMES: usize = 10;

/// Test images the page can show without asking the engine: indices into the bundled test
/// subset, their labels and pixels (784 bytes each).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gallery {
    pub indices: Vec<usize>,
    pub labels: Vec<u8>,
    pub pixels: Vec<u8>,
}

impl Gallery {
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// The pixels of the gallery image with test index `index`.
    pub fn image(&self, index: usize) -> Option<&[u8]> {
        let at = self.indices.iter().position(|&i| i == index)?;
        self.pixels.get(at * IMAGE_PIXELS..(at + 1) * IMAGE_PIXELS)
    }

    /// The label of the gallery image with test index `index`.
    pub fn label(&self, index: usize) -> Option<u8> {
        let at = self.indices.iter().position(|&i| i == index)?;
        self.labels.get(at).copied()
    }

    /// The test index of the first image of `digit` (the reproduction's choice for a pair).
    pub fn first_of_digit(&self, digit: u8) -> Option<usize> {
        let at = self.labels.iter().position(|&l| l == digit)?;
        self.indices.get(at).copied()
    }
}

/// The exercise's pairs (3→5, 5→8, 0→4, 2→9) as test indices, first image of each digit.
pub fn presets(gallery: &Gallery) -> Vec<((u8, u8), (usize, usize))> {
    INTERPOLATION_PAIRS
        .iter()
        .filter_map(|&(a, b)| {
            Some((
                (a, b),
                (gallery.first_of_digit(a)?, gallery.first_of_digit(b)?),
            ))
        })
        .collect()
}

/// The number of frames typed in the form, checked.
pub fn parse_frames(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (MIN_FRAMES..=MAX_FRAMES).contains(&n) => Ok(n),
        _ => Err(format!(
            "frames: enter a whole number from {MIN_FRAMES} to {MAX_FRAMES}, not '{}'",
            text.trim()
        )),
    }
}

/// `(1 − α)·a + α·b` pixel by pixel, one 784-byte frame per α: what mixing the images
/// themselves (not their codes) looks like.
pub fn blend_pixels(a: &[u8], b: &[u8], alphas: &[f32]) -> Vec<u8> {
    alphas
        .iter()
        .flat_map(|&t| {
            a.iter().zip(b).map(move |(&x, &y)| {
                ((1.0 - t) * f32::from(x) + t * f32::from(y))
                    .round()
                    .clamp(0.0, 255.0) as u8
            })
        })
        .collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn gallery() -> Gallery {
        // Digits 0..9 at test indices 100 + digit, then a second 3 at index 7.
        let mut indices: Vec<usize> = (0..10).map(|d| 100 + d).collect();
        let mut labels: Vec<u8> = (0..10).collect();
        indices.insert(4, 7);
        labels.insert(4, 3);
        let pixels = labels
            .iter()
            .flat_map(|&l| vec![l * 10; IMAGE_PIXELS])
            .collect();
        Gallery {
            indices,
            labels,
            pixels,
        }
    }

    #[test]
    fn presets_use_the_first_image_of_each_digit() {
        let g = gallery();
        let p = presets(&g);
        assert_eq!(p.len(), 4);
        assert_eq!(p[0], ((3, 5), (103, 105)));
        assert_eq!(p[2], ((0, 4), (100, 104)));
        assert_eq!(g.image(7).unwrap()[0], 30);
        assert_eq!(g.label(7), Some(3));
        assert_eq!(g.image(99), None);
        assert!(presets(&Gallery::default()).is_empty());
    }

    #[test]
    fn frames_are_checked() {
        assert_eq!(parse_frames(" 10 "), Ok(10));
        assert_eq!(parse_frames("2"), Ok(2));
        assert!(parse_frames("1").is_err());
        assert!(parse_frames("21").unwrap_err().contains("2 to 20"));
        assert!(parse_frames("ten").is_err());
    }

    #[test]
    fn blend_starts_and_ends_at_the_images() {
        let a = vec![0u8, 100, 255];
        let b = vec![200u8, 100, 55];
        let frames = blend_pixels(&a, &b, &[0.0, 0.5, 1.0]);
        assert_eq!(&frames[0..3], &a[..]);
        assert_eq!(&frames[3..6], &[100, 100, 155]);
        assert_eq!(&frames[6..9], &b[..]);
    }
}
