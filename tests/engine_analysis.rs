//! The experiment views' engine requests, natively on the committed pretrained weights:
//! latent analysis, decoded interpolation, the gallery.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::Path;

use common::{device, test_subset};
use latent_lab::analysis::reconstruct;
use latent_lab::data::pixels_to_bytes;
use latent_lab::engine::drawing_reading::LatentIndex;
use latent_lab::engine::interpolation_diagnostics::decode_with_diagnostics;
use latent_lab::engine::latent_analysis::{
    AnalysisProgress, GALLERY_PER_DIGIT, HISTOGRAM_BINS, analyse_latents, analyse_latents_in_steps,
    decode_between, gallery_indices,
};
use latent_lab::engine::latent_selection::{
    BRUSHED_DIGITS_SHOWN, brushed_digits, coordinate_scatter,
};
use latent_lab::engine::{ImageRef, ModelOrigin, ModelStore};
use latent_lab::results::Results;
use pollster::block_on;

fn store_with(name: &str) -> ModelStore {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("public/weights")
        .join(format!("{name}.safetensors"));
    let bytes = std::fs::read(&path).unwrap();
    let mut store = ModelStore::default();
    store
        .insert_file(name, &bytes, ModelOrigin::Pretrained, &device())
        .unwrap();
    store
}

fn committed_results() -> Results {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/results.json");
    Results::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn latent_analysis_of_a_pretrained_model() {
    let store = store_with("two-layer-d50");
    let model = store.autoencoder("two-layer-d50").unwrap();
    let set = test_subset(1000);
    let a = block_on(analyse_latents("two-layer-d50", model, &set, &device())).unwrap();
    assert_eq!(
        (a.model.as_str(), a.latent_dim, a.images),
        ("two-layer-d50", 50, 1000)
    );
    assert_eq!(a.matrix.len(), 50 * 50);
    assert_eq!(a.histograms.len(), 50);
    for (i, h) in a.histograms.iter().enumerate() {
        assert_eq!(h.counts.len(), HISTOGRAM_BINS);
        assert_eq!(h.counts.iter().sum::<u32>(), 1000);
        // A coordinate is dead exactly when its histogram is one value and its r undefined.
        assert_eq!(
            h.is_constant(),
            a.matrix.get(i * 50 + i).is_none(),
            "coordinate {i}"
        );
    }
    let dead = a.histograms.iter().filter(|h| h.is_constant()).count();
    assert_eq!(a.stats.dead_units, dead);
    // A unit that never fires on the whole test set never fires on its first 1,000 images.
    let full = committed_results();
    let full_dead = full
        .decorrelation
        .iter()
        .find(|s| s.latent_dim == 50)
        .unwrap()
        .dead_units;
    assert!(
        dead >= full_dead,
        "subset {dead} dead, full set {full_dead}"
    );
    // The latent map: every image on two components, the first holding the most variance.
    assert_eq!((a.map.components, a.map.points.len()), (2, 2 * 1000));
    assert!(a.map.explained[0] >= a.map.explained[1] && a.map.explained[1] > 0.0);
    assert!(a.map.explained.iter().sum::<f64>() <= 1.0 + 1e-9);
    assert_eq!(
        a.labels,
        (0..1000).map(|i| set.label(i)).collect::<Vec<_>>()
    );
    let r = a.stats.mean_abs_pearson.unwrap();
    assert!(r > 0.0 && r < 1.0, "{r}");
}

/// An analysis in steps (as the browser runs it, reporting progress between steps) gives the
/// same result; its steps count up to their total one by one.
#[test]
fn an_analysis_in_steps_reports_each_step_and_gives_the_same_result() {
    let store = store_with("two-layer-d100");
    let model = store.autoencoder("two-layer-d100").unwrap();
    let set = test_subset(1000);
    let whole = block_on(analyse_latents("m", model, &set, &device())).unwrap();
    let mut steps = Vec::new();
    let stepped = block_on(analyse_latents_in_steps(
        "m",
        model,
        &set,
        &device(),
        async |p: AnalysisProgress| steps.push(p),
    ))
    .unwrap();
    assert_eq!(stepped, whole);
    // d = 100: 400 rows a block, so 3 blocks of the 1,000 rows, after the encoding; the map
    // is the last step, done when the result is there.
    let total = 2 + 1000usize.div_ceil(400);
    assert_eq!(
        steps,
        (1..total)
            .map(|done| AnalysisProgress { done, total })
            .collect::<Vec<_>>()
    );
}

#[test]
fn decoded_ends_are_the_reconstructions() {
    let store = store_with("two-layer-d20");
    let model = store.autoencoder("two-layer-d20").unwrap();
    let set = test_subset(100);
    let (from, to) = (
        set.first_of_digit(3).unwrap(),
        set.first_of_digit(5).unwrap(),
    );
    let (frames, inputs) = block_on(decode_between(
        model,
        &set,
        &ImageRef::Test(from),
        &ImageRef::Test(to),
        &[0.0, 0.5, 1.0],
        &device(),
    ))
    .unwrap();
    assert_eq!(&inputs[..784], set.image(from));
    assert_eq!(&inputs[784..], set.image(to));
    assert_eq!(frames.len(), 3 * 784);
    let ends =
        pixels_to_bytes(&block_on(reconstruct(model, &set, &[from, to], &device())).unwrap());
    let close = |a: &[u8], b: &[u8]| a.iter().zip(b).all(|(x, y)| x.abs_diff(*y) <= 1);
    assert!(
        close(&frames[..784], &ends[..784]),
        "α = 0 is the first reconstruction"
    );
    assert!(
        close(&frames[2 * 784..], &ends[784..]),
        "α = 1 is the second"
    );
    assert!(
        !close(&frames[784..2 * 784], &ends[..784]),
        "the middle frame is neither end"
    );

    let err = block_on(decode_between(
        model,
        &set,
        &ImageRef::Test(0),
        &ImageRef::Test(100),
        &[0.5],
        &device(),
    ))
    .unwrap_err();
    assert!(err.contains("not among the 100 test images"), "{err}");
    // A drawing decodes like the test image it copies.
    let (drawn, _) = block_on(decode_between(
        model,
        &set,
        &ImageRef::Drawn(set.image(from).to_vec()),
        &ImageRef::Test(to),
        &[0.0, 0.5, 1.0],
        &device(),
    ))
    .unwrap();
    assert_eq!(drawn, frames);
    let err = block_on(decode_between(
        model,
        &set,
        &ImageRef::Test(0),
        &ImageRef::Drawn(vec![0; 10]),
        &[0.5],
        &device(),
    ))
    .unwrap_err();
    assert!(err.contains("784 pixels, not 10"), "{err}");
    let err = block_on(decode_between(
        model,
        &set,
        &ImageRef::Test(0),
        &ImageRef::Test(1),
        &[f32::NAN],
        &device(),
    ))
    .unwrap_err();
    assert!(err.contains("α must be a number"), "{err}");
}

/// Issue 20, part 3: a path between two real digits starts and ends on their codes (distance
/// 0), leaves the data in between or past the ends, and each frame gets the classifier's
/// guess; the ends are read as the digits they reconstruct.
#[test]
fn interpolation_diagnostics_measure_each_frame_against_the_data() {
    let mut store = store_with("two-layer-d20");
    let classifier_bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("public/weights/classifier-finetune.safetensors"),
    )
    .unwrap();
    store
        .insert_file(
            "classifier-finetune",
            &classifier_bytes,
            ModelOrigin::Pretrained,
            &device(),
        )
        .unwrap();
    let model = store.autoencoder("two-layer-d20").unwrap();
    let classifier = store.classifier("classifier-finetune").unwrap();
    let set = test_subset(300);
    let index = block_on(LatentIndex::build(model, &set, &device())).unwrap();
    let (from, to) = (
        set.first_of_digit(0).unwrap(),
        set.first_of_digit(4).unwrap(),
    );
    let alphas = [-0.5, 0.0, 0.5, 1.0, 1.5];
    let (frames, inputs, diagnostics) = block_on(decode_with_diagnostics(
        model,
        &index,
        &set,
        &ImageRef::Test(from),
        &ImageRef::Test(to),
        &alphas,
        Some(("classifier-finetune", classifier)),
        &device(),
    ))
    .unwrap();
    assert_eq!((frames.len(), inputs.len()), (5 * 784, 2 * 784));
    assert_eq!(diagnostics.alphas, alphas);
    let d = &diagnostics.distances;
    assert_eq!(d.len(), 5);
    assert_eq!((d[1], d[3]), (0.0, 0.0), "the ends are real digits' codes");
    assert!(
        d[0] > 0.0 && d[4] > 0.0,
        "past the ends lies off the data: {d:?}"
    );
    // By hand: the frame at α = 1.5 is b + (b − a)/2; its nearest code is no farther than b.
    let (a, b) = (index.row(from).unwrap(), index.row(to).unwrap());
    let half_step: f32 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (0.5 * (y - x)).powi(2))
        .sum::<f32>()
        .sqrt();
    assert!(d[4] <= half_step * 1.0001, "{} > {half_step}", d[4]);
    let typical = diagnostics.typical_distance.unwrap();
    assert!(typical > 0.0 && typical == index.typical_neighbour_distance().unwrap());
    assert_eq!(diagnostics.relative_distances().unwrap()[4], d[4] / typical);
    assert_eq!(
        diagnostics.classifier.as_deref(),
        Some("classifier-finetune")
    );
    assert_eq!(diagnostics.guesses.len(), 5);
    assert_eq!(
        (diagnostics.guesses[1], diagnostics.guesses[3]),
        (0, 4),
        "{diagnostics:?}"
    );
    assert!(
        diagnostics
            .confidences
            .iter()
            .all(|&p| (0.1..=1.0).contains(&p))
    );
    // The frames are the decoded codes: the same as a plain decode, up to rounding.
    let (plain, _) = block_on(decode_between(
        model,
        &set,
        &ImageRef::Test(from),
        &ImageRef::Test(to),
        &alphas,
        &device(),
    ))
    .unwrap();
    assert!(plain.iter().zip(&frames).all(|(x, y)| x.abs_diff(*y) <= 2));
    // Without a classifier: distances only. A drawing of a test digit gets its code encoded.
    let (_, _, plain_diagnostics) = block_on(decode_with_diagnostics(
        model,
        &index,
        &set,
        &ImageRef::Drawn(set.image(from).to_vec()),
        &ImageRef::Test(to),
        &[0.0],
        None,
        &device(),
    ))
    .unwrap();
    assert!(plain_diagnostics.guesses.is_empty() && plain_diagnostics.classifier.is_none());
    assert!(
        plain_diagnostics.distances[0] < 1e-3 * typical,
        "{plain_diagnostics:?}"
    );
    // An index of another set is refused rather than misread.
    let err = block_on(decode_with_diagnostics(
        model,
        &index,
        &test_subset(100),
        &ImageRef::Test(0),
        &ImageRef::Test(1),
        &[0.5],
        None,
        &device(),
    ))
    .unwrap_err();
    assert!(err.contains("out of date"), "{err}");
}

#[test]
fn gallery_holds_the_first_images_of_every_digit_in_order() {
    let set = test_subset(2000);
    let indices = gallery_indices(&set);
    assert_eq!(indices.len(), 10 * GALLERY_PER_DIGIT);
    for digit in 0..10u8 {
        let of_digit = &indices[digit as usize * GALLERY_PER_DIGIT..][..GALLERY_PER_DIGIT];
        assert_eq!(of_digit[0], set.first_of_digit(digit).unwrap());
        assert!(of_digit.iter().all(|&i| set.label(i) == digit));
        assert!(of_digit.windows(2).all(|w| w[0] < w[1]));
    }
}

/// Issue 20, part 2: a heatmap cell's scatter holds those two coordinates of every code; a
/// brush's mean code, for one digit, decodes as that digit's reconstruction.
#[test]
fn a_heatmap_cell_and_a_brush_read_the_models_codes() {
    let store = store_with("two-layer-d20");
    let model = store.autoencoder("two-layer-d20").unwrap();
    let set = test_subset(200);
    let index = block_on(LatentIndex::build(model, &set, &device())).unwrap();
    let scatter = coordinate_scatter("two-layer-d20", &index, 3, 7).unwrap();
    assert_eq!((scatter.x.len(), scatter.y.len()), (200, 200));
    let row = index.row(10).unwrap();
    assert_eq!((scatter.x[10], scatter.y[10]), (row[3], row[7]));
    assert!(coordinate_scatter("m", &index, 20, 0).is_err());

    let seven = set.first_of_digit(7).unwrap();
    let one = block_on(brushed_digits(
        "m",
        model,
        &index,
        &set,
        &[seven],
        &device(),
    ))
    .unwrap();
    let reconstruction =
        pixels_to_bytes(&block_on(reconstruct(model, &set, &[seven], &device())).unwrap());
    assert_eq!((one.count, one.indices.clone()), (1, vec![seven]));
    assert_eq!(one.pixels, set.image(seven));
    assert!(
        one.mean
            .iter()
            .zip(&reconstruction)
            .all(|(a, b)| a.abs_diff(*b) <= 2),
        "one digit's mean code is its code"
    );
    let many: Vec<usize> = (0..150).rev().collect();
    let brushed = block_on(brushed_digits("m", model, &index, &set, &many, &device())).unwrap();
    assert_eq!(brushed.count, 150);
    assert_eq!(
        brushed.indices,
        many[..BRUSHED_DIGITS_SHOWN].to_vec(),
        "as brushed, the first 100"
    );
    assert_eq!(brushed.pixels.len(), BRUSHED_DIGITS_SHOWN * 784);
    assert_eq!(brushed.mean.len(), 784);
    let err = block_on(brushed_digits(
        "m",
        model,
        &index,
        &test_subset(100),
        &[1],
        &device(),
    ))
    .unwrap_err();
    assert!(err.contains("out of date"), "{err}");
}
