//! `#/report` on the committed reproduction (`results/`): every part reads its numbers from the
//! results and the seed studies, and none says they are missing.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use latent_lab::results::{Results, SeedRun};
use latent_lab::ui::experiments::SeedStudy;
use latent_lab::ui::report::report_parts;

#[test]
fn the_report_view_reads_the_committed_reproduction() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let results =
        Results::from_json(&std::fs::read_to_string(root.join("results.json")).unwrap()).unwrap();
    let seeds: Vec<SeedStudy> = [(2, "two-layer-d20"), (3, "three-layer-d20")]
        .into_iter()
        .map(|(layers, name)| {
            let text = std::fs::read_to_string(root.join(format!("seeds/seeds-{name}.json")));
            let runs: Vec<SeedRun> = serde_json::from_str(&text.unwrap()).unwrap();
            SeedStudy { layers, runs }
        })
        .collect();
    let parts = report_parts(Some(&results), &seeds);
    for part in &parts {
        println!("\n== {} {}", part.part, part.title);
        for line in part.measured.iter().chain(&part.corrections) {
            println!("- {line}");
        }
        assert!(
            !part.measured.is_empty() && !part.corrections.is_empty(),
            "{}",
            part.part
        );
        assert!(
            part.measured.iter().all(|m| !m.contains("not loaded")),
            "{}",
            part.part
        );
    }
    // The numbers the text quotes are the results' own.
    let d20 = results
        .latent_sweep
        .iter()
        .find(|e| e.latent_dim == 20)
        .unwrap();
    assert!(
        parts[0]
            .measured
            .iter()
            .any(|m| m.contains(&format!("test loss {:.4}", d20.test_loss)))
    );
    assert_eq!(
        parts[4].measured.len(),
        results.transfer.len() + 1,
        "one line per classifier and the summary"
    );
    // The seed studies' verdict is part of B.
    assert!(
        parts[1].corrections.iter().any(|c| c.contains("seed")),
        "{:?}",
        parts[1].corrections
    );
}
