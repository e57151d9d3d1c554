//! The trunk hook that writes the service worker (`scripts/trunk-service-worker.sh`): every
//! file of the build is listed, none twice and not sw.js itself, and the version changes when
//! any file does, so a new build gets a cache of its own and never mixes with the old one.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::Command;

fn write_worker(dist: &Path) -> String {
    let status = Command::new("bash")
        .arg("scripts/trunk-service-worker.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TRUNK_STAGING_DIR", dist)
        .status()
        .expect("bash runs");
    assert!(status.success());
    std::fs::read_to_string(dist.join("sw.js")).unwrap()
}

fn version(sw: &str) -> &str {
    let start = sw.find("const VERSION = \"").unwrap() + 17;
    &sw[start..start + 16]
}

#[test]
fn the_service_worker_lists_the_build_and_versions_it() {
    let dist = std::env::temp_dir().join(format!("latent-lab-sw-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(dist.join("weights")).unwrap();
    std::fs::write(dist.join("index.html"), "<html></html>").unwrap();
    std::fs::write(dist.join("weights/a b.safetensors"), [1u8, 2, 3]).unwrap();
    std::fs::write(dist.join("worker_bg.wasm"), [0u8; 8]).unwrap();

    let first = write_worker(&dist);
    assert!(!first.contains("__LATENT_LAB_"), "{first}");
    for file in [
        "\"index.html\",",
        "\"weights/a b.safetensors\",",
        "\"worker_bg.wasm\",",
    ] {
        assert_eq!(first.matches(file).count(), 1, "{file} once in {first}");
    }
    assert!(
        !first.contains("\"sw.js\""),
        "the worker does not cache itself"
    );
    assert!(first.contains("addEventListener(\"fetch\""));
    let v1 = version(&first).to_string();
    assert!(v1.chars().all(|c| c.is_ascii_hexdigit()), "{v1}");

    // The same build again: the same version (sw.js itself does not count).
    assert_eq!(version(&write_worker(&dist)), v1);
    // One byte of one file changed: a new version.
    std::fs::write(dist.join("weights/a b.safetensors"), [1u8, 2, 4]).unwrap();
    assert_ne!(version(&write_worker(&dist)), v1);
    std::fs::remove_dir_all(&dist).unwrap();
}
