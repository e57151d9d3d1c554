//! Arbitrary bytes as an IDX file (raw or gzipped), read as images and as labels: the reader
//! returns a payload of exactly the length its header declares, or an error, never a panic,
//! and never inflates more than the header justifies.
#![no_main]

use latent_lab::data::{IdxKind, parse_idx};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    for kind in [IdxKind::Images, IdxKind::Labels] {
        if let Ok(payload) = parse_idx("fuzz", bytes, kind) {
            let per_item = match kind {
                IdxKind::Images => 784,
                IdxKind::Labels => 1,
            };
            assert_eq!(payload.len() % per_item, 0, "payload is whole items");
            if kind == IdxKind::Labels {
                assert!(payload.iter().all(|&l| l < 10), "labels are digits");
            }
        }
    }
});
