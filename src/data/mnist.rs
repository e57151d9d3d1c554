//! MNIST image sets in memory: bytes as stored, converted to tensors per batch.

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::idx::{IdxError, IdxKind, encode_idx_images, encode_idx_labels, parse_idx};

pub const IMAGE_SIDE: usize = 28;
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;

pub const TRAIN_IMAGES_FILE: &str = "train-images-idx3-ubyte.gz";
pub const TRAIN_LABELS_FILE: &str = "train-labels-idx1-ubyte.gz";
pub const TEST_IMAGES_FILE: &str = "t10k-images-idx3-ubyte.gz";
pub const TEST_LABELS_FILE: &str = "t10k-labels-idx1-ubyte.gz";

/// The two halves of MNIST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

impl Split {
    /// File names of (images, labels) in a data folder.
    pub fn file_names(self) -> (&'static str, &'static str) {
        match self {
            Split::Train => (TRAIN_IMAGES_FILE, TRAIN_LABELS_FILE),
            Split::Test => (TEST_IMAGES_FILE, TEST_LABELS_FILE),
        }
    }
}

/// Errors when reading or writing a data folder.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(transparent)]
    Idx(#[from] IdxError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Images (`len · 784` bytes, 0 = background) and their labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MnistSet {
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

impl MnistSet {
    /// Builds a set from already-validated parts.
    ///
    /// # Panics
    /// If the lengths disagree; use [`MnistSet::from_idx`] for untrusted bytes.
    pub fn new(pixels: Vec<u8>, labels: Vec<u8>) -> Self {
        assert_eq!(
            pixels.len(),
            labels.len() * IMAGE_PIXELS,
            "pixels and labels disagree"
        );
        Self { pixels, labels }
    }

    /// Parses a pair of IDX files (gzipped or raw) and checks that they agree.
    pub fn from_idx(
        images_name: &str,
        images: &[u8],
        labels_name: &str,
        labels: &[u8],
    ) -> Result<Self, IdxError> {
        let pixels = parse_idx(images_name, images, IdxKind::Images)?;
        let labels_vec = parse_idx(labels_name, labels, IdxKind::Labels)?;
        let count = pixels.len() / IMAGE_PIXELS;
        if count != labels_vec.len() {
            return Err(IdxError::CountMismatch {
                file: images_name.to_string(),
                images: count,
                labels: labels_vec.len(),
            });
        }
        Ok(Self::new(pixels, labels_vec))
    }

    /// Reads one split from a folder holding the four standard MNIST file names.
    pub fn load_dir(dir: &Path, split: Split) -> Result<Self, DataError> {
        let (images_name, labels_name) = split.file_names();
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| DataError::Io {
                path: path.display().to_string(),
                source,
            })
        };
        let images_path = dir.join(images_name).display().to_string();
        let labels_path = dir.join(labels_name).display().to_string();
        Ok(Self::from_idx(
            &images_path,
            &read(images_name)?,
            &labels_path,
            &read(labels_name)?,
        )?)
    }

    /// Writes this set as gzipped IDX files under the standard names of `split`.
    pub fn write_dir(&self, dir: &Path, split: Split) -> Result<(), DataError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| DataError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let (images_name, labels_name) = split.file_names();
        for (name, raw) in [
            (images_name, encode_idx_images(&self.pixels)),
            (labels_name, encode_idx_labels(&self.labels)),
        ] {
            let path = dir.join(name);
            let mut gz = GzEncoder::new(Vec::new(), Compression::best());
            gz.write_all(&raw).map_err(io(&path))?;
            let bytes = gz.finish().map_err(io(&path))?;
            crate::files::write_atomic(&path, &bytes).map_err(io(&path))?;
        }
        Ok(())
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The 784 bytes of image `index`, row-major.
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS]
    }

    /// Every image's bytes, one image after another (784 each): what a pass over the whole set
    /// reads, without copying it image by image.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    pub fn label(&self, index: usize) -> u8 {
        self.labels[index]
    }

    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The first `n` images (all of them if `n` is larger).
    pub fn first(&self, n: usize) -> Self {
        let n = n.min(self.len());
        Self::new(
            self.pixels[..n * IMAGE_PIXELS].to_vec(),
            self.labels[..n].to_vec(),
        )
    }

    /// Index of the first image with this label.
    pub fn first_of_digit(&self, digit: u8) -> Option<usize> {
        self.labels.iter().position(|&l| l == digit)
    }
}
