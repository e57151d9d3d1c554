//! The IDX format of the original MNIST files, gzipped or raw, with strict validation.
//!
//! Layout (big-endian): magic `0x00000803` (2051) for images or `0x00000801` (2049) for
//! labels, the item count, for images the rows and columns, then one byte per pixel or label.

use std::io::Read;

use flate2::read::GzDecoder;

const IMAGES_MAGIC: u32 = 2051;
const LABELS_MAGIC: u32 = 2049;
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const SIDE: u32 = 28;

/// What an IDX file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdxKind {
    /// `N × 28 × 28` unsigned bytes.
    Images,
    /// `N` labels in `0..=9`.
    Labels,
}

impl IdxKind {
    fn magic(self) -> u32 {
        match self {
            IdxKind::Images => IMAGES_MAGIC,
            IdxKind::Labels => LABELS_MAGIC,
        }
    }

    fn header_len(self) -> usize {
        match self {
            IdxKind::Images => 16,
            IdxKind::Labels => 8,
        }
    }
}

/// Why an IDX file was refused. Every variant names the file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdxError {
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: not a valid gzip stream ({reason})")]
    BadGzip { file: String, reason: String },
    #[error("{file}: header is {len} bytes, an IDX {kind:?} header needs {needed}")]
    TruncatedHeader {
        file: String,
        kind: IdxKind,
        len: usize,
        needed: usize,
    },
    #[error("{file}: magic number {found} but {expected} was expected for {kind:?}")]
    WrongMagic {
        file: String,
        kind: IdxKind,
        found: u32,
        expected: u32,
    },
    #[error("{file}: images are {rows}x{cols}, MNIST images are 28x28")]
    WrongImageSize { file: String, rows: u32, cols: u32 },
    #[error("{file}: header promises {count} items, more than an IDX file of MNIST can hold")]
    TooLarge { file: String, count: u32 },
    #[error("{file}: header promises {expected} data bytes but {found} follow it")]
    WrongLength {
        file: String,
        expected: usize,
        found: usize,
    },
    #[error("{file}: label {label} at index {index} is not a digit 0-9")]
    BadLabel {
        file: String,
        index: usize,
        label: u8,
    },
    #[error("{file}: {images} images but {labels} labels in its partner file")]
    CountMismatch {
        file: String,
        images: usize,
        labels: usize,
    },
    #[error("{file}: {reason}")]
    Io { file: String, reason: String },
}

/// Parses an IDX file (gzip-compressed or raw) and returns its payload: `N·784` pixel bytes for
/// images, `N` labels for labels. `file` names the source in errors.
///
/// A gzipped file is inflated only as far as its header justifies (header + `N·784` bytes and
/// one more to detect a longer stream), so a small "gzip bomb" never fills the memory. Lengths
/// use checked arithmetic: in the browser `usize` is 32 bits, and a crafted count must not wrap.
pub fn parse_idx(file: &str, bytes: &[u8], kind: IdxKind) -> Result<Vec<u8>, IdxError> {
    let file = file.to_string();
    if bytes.is_empty() {
        return Err(IdxError::Empty { file });
    }
    let needed = kind.header_len();
    let bad_gzip = |e: std::io::Error| IdxError::BadGzip {
        file: file.clone(),
        reason: e.to_string(),
    };
    let mut gzip = bytes
        .starts_with(&GZIP_MAGIC)
        .then(|| GzDecoder::new(bytes));
    let mut raw = Vec::new();
    match gzip.as_mut() {
        Some(stream) => {
            stream
                .take(needed as u64)
                .read_to_end(&mut raw)
                .map_err(bad_gzip)?;
            if raw.is_empty() {
                return Err(IdxError::Empty { file });
            }
        }
        None => raw.extend_from_slice(&bytes[..bytes.len().min(needed)]),
    }
    if raw.len() < needed {
        // A file too short to hold a header is more likely a broken download than IDX.
        return Err(IdxError::TruncatedHeader {
            file,
            kind,
            len: raw.len(),
            needed,
        });
    }
    let word = |i: usize| u32::from_be_bytes([raw[i], raw[i + 1], raw[i + 2], raw[i + 3]]);
    let magic = word(0);
    if magic != kind.magic() {
        return Err(IdxError::WrongMagic {
            file,
            kind,
            found: magic,
            expected: kind.magic(),
        });
    }
    let count = word(4);
    let item_len = match kind {
        IdxKind::Images => {
            let (rows, cols) = (word(8), word(12));
            if rows != SIDE || cols != SIDE {
                return Err(IdxError::WrongImageSize { file, rows, cols });
            }
            SIDE * SIDE
        }
        IdxKind::Labels => 1,
    };
    // In u32 on every platform, so the limit (5.4 million images) is the same natively and in
    // the 32-bit browser build.
    let Some(expected) = count
        .checked_mul(item_len)
        .and_then(|len| usize::try_from(len).ok())
    else {
        return Err(IdxError::TooLarge { file, count });
    };
    let payload = match gzip {
        Some(stream) => {
            let mut payload = Vec::new();
            // One byte past the promise tells a longer stream from an exact one.
            stream
                .take(expected as u64 + 1)
                .read_to_end(&mut payload)
                .map_err(bad_gzip)?;
            payload
        }
        None => bytes[needed..].to_vec(),
    };
    if payload.len() != expected {
        return Err(IdxError::WrongLength {
            file,
            expected,
            found: payload.len(),
        });
    }
    if kind == IdxKind::Labels
        && let Some((index, &label)) = payload.iter().enumerate().find(|(_, l)| **l > 9)
    {
        return Err(IdxError::BadLabel { file, index, label });
    }
    Ok(payload)
}

/// Encodes images (`N·784` bytes) as a raw IDX file.
pub fn encode_idx_images(pixels: &[u8]) -> Vec<u8> {
    let count = pixels.len() / (SIDE * SIDE) as usize;
    let mut out = Vec::with_capacity(16 + pixels.len());
    for word in [IMAGES_MAGIC, count as u32, SIDE, SIDE] {
        out.extend_from_slice(&word.to_be_bytes());
    }
    out.extend_from_slice(pixels);
    out
}

/// Encodes labels as a raw IDX file.
pub fn encode_idx_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + labels.len());
    for word in [LABELS_MAGIC, labels.len() as u32] {
        out.extend_from_slice(&word.to_be_bytes());
    }
    out.extend_from_slice(labels);
    out
}
