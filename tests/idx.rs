//! The IDX reader: real files load, malformed ones get a typed error naming the problem.

#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use latent_lab::data::{
    IdxError, IdxKind, MnistSet, Split, encode_idx_images, encode_idx_labels, parse_idx,
};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn images(count: usize) -> Vec<u8> {
    encode_idx_images(&vec![7u8; count * 784])
}

#[test]
fn bundled_mnist_loads_with_the_expected_counts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist");
    let test = MnistSet::load_dir(&dir, Split::Test).expect("test split loads");
    assert_eq!(test.len(), 10_000);
    // The first MNIST test image is a 7, the second a 2 (well-known facts of the data set).
    assert_eq!(test.label(0), 7);
    assert_eq!(test.label(1), 2);
    assert_eq!(test.image(0).len(), 784);
    // Every digit appears.
    for digit in 0..10 {
        assert!(test.first_of_digit(digit).is_some());
    }
}

#[test]
fn raw_and_gzipped_files_parse_the_same() {
    let raw = images(3);
    let a = parse_idx("raw", &raw, IdxKind::Images).unwrap();
    let b = parse_idx("gz", &gzip(&raw), IdxKind::Images).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), 3 * 784);
}

#[test]
fn empty_file_is_refused() {
    let e = parse_idx("empty.gz", &[], IdxKind::Images).unwrap_err();
    assert_eq!(
        e,
        IdxError::Empty {
            file: "empty.gz".into()
        }
    );
    assert!(e.to_string().contains("empty.gz"));
}

#[test]
fn truncated_payload_is_refused() {
    let mut raw = images(2);
    raw.truncate(raw.len() - 10);
    let e = parse_idx("cut", &gzip(&raw), IdxKind::Images).unwrap_err();
    assert_eq!(
        e,
        IdxError::WrongLength {
            file: "cut".into(),
            expected: 2 * 784,
            found: 2 * 784 - 10
        }
    );
}

#[test]
fn truncated_header_is_refused() {
    let e = parse_idx("short", &[0, 0, 8, 3, 0], IdxKind::Images).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::TruncatedHeader {
                len: 5,
                needed: 16,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn truncated_gzip_stream_is_refused() {
    let gz = gzip(&images(5));
    let e = parse_idx("cut.gz", &gz[..gz.len() / 2], IdxKind::Images).unwrap_err();
    assert!(matches!(e, IdxError::BadGzip { .. }), "{e:?}");
}

#[test]
fn wrong_magic_is_refused() {
    // A labels file where images are expected.
    let e = parse_idx(
        "labels-as-images",
        &encode_idx_labels(&[1, 2]),
        IdxKind::Images,
    )
    .unwrap_err();
    assert!(e.to_string().contains("labels-as-images"));
    let e = parse_idx(
        "labels-as-images",
        &encode_idx_labels(&[1, 2]),
        IdxKind::Labels,
    );
    assert!(e.is_ok());
    let mut raw = images(1);
    raw[3] = 0x04;
    let e = parse_idx("m", &raw, IdxKind::Images).unwrap_err();
    assert_eq!(
        e,
        IdxError::WrongMagic {
            file: "m".into(),
            kind: IdxKind::Images,
            found: 0x0804,
            expected: 2051
        }
    );
}

#[test]
fn wrong_image_size_is_refused() {
    let mut raw = images(1);
    raw[11] = 32; // rows = 32
    let e = parse_idx("big", &raw, IdxKind::Images).unwrap_err();
    assert_eq!(
        e,
        IdxError::WrongImageSize {
            file: "big".into(),
            rows: 32,
            cols: 28
        }
    );
}

#[test]
fn bad_label_is_refused() {
    let e = parse_idx("l", &encode_idx_labels(&[0, 9, 10, 3]), IdxKind::Labels).unwrap_err();
    assert_eq!(
        e,
        IdxError::BadLabel {
            file: "l".into(),
            index: 2,
            label: 10
        }
    );
}

#[test]
fn not_gzip_garbage_is_refused() {
    // Text is neither gzip nor IDX: the magic check catches it.
    let e = parse_idx(
        "notes.txt",
        b"hello, this is not MNIST at all",
        IdxKind::Labels,
    )
    .unwrap_err();
    assert!(matches!(e, IdxError::WrongMagic { .. }), "{e:?}");
}

#[test]
fn image_and_label_counts_must_agree() {
    let e = MnistSet::from_idx("i", &images(3), "l", &encode_idx_labels(&[1, 2])).unwrap_err();
    assert_eq!(
        e,
        IdxError::CountMismatch {
            file: "i".into(),
            images: 3,
            labels: 2
        }
    );
}

#[test]
fn subset_round_trips_through_a_folder() {
    let dir = std::env::temp_dir().join(format!("latent-lab-idx-{}", std::process::id()));
    let pixels: Vec<u8> = (0..2 * 784).map(|i| (i % 251) as u8).collect();
    let set = MnistSet::new(pixels, vec![4, 2]);
    set.write_dir(&dir, Split::Test).unwrap();
    let back = MnistSet::load_dir(&dir, Split::Test).unwrap();
    assert_eq!(back, set);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_count_that_would_wrap_is_refused_not_wrapped() {
    // 2^32 - 1 images of 784 bytes: the product wraps a 32-bit length (the browser's usize)
    // to a small number; the header must be refused however the file goes on.
    let mut raw = Vec::new();
    for word in [2051u32, u32::MAX, 28, 28] {
        raw.extend_from_slice(&word.to_be_bytes());
    }
    raw.extend_from_slice(&[0u8; 784]);
    for bytes in [raw.clone(), gzip(&raw)] {
        let e = parse_idx("crafted", &bytes, IdxKind::Images).unwrap_err();
        assert_eq!(
            e,
            IdxError::TooLarge {
                file: "crafted".into(),
                count: u32::MAX
            }
        );
    }
}

#[test]
fn a_gzip_bomb_is_inflated_only_as_far_as_its_header_justifies() {
    // One image promised, 64 MiB of zeros following: 64 KiB compressed.
    let mut raw = images(1);
    raw.resize(16 + 64 * 1024 * 1024, 0);
    let bomb = gzip(&raw);
    assert!(bomb.len() < 1_000_000, "{}", bomb.len());
    let e = parse_idx("bomb.gz", &bomb, IdxKind::Images).unwrap_err();
    // Inflation stopped one byte past the promise, not at 64 MiB.
    assert_eq!(
        e,
        IdxError::WrongLength {
            file: "bomb.gz".into(),
            expected: 784,
            found: 785
        }
    );
}
