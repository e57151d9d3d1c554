//! The drawing view's path, natively on the committed pretrained weights: strokes as a person
//! would draw them → rasterised → MNIST-style 28×28 → code, reconstruction, classifier's
//! probabilities and nearest test digits.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::Path;

use common::{device, test_subset};
use latent_lab::data::{IMAGE_PIXELS, centre_of_mass, mnist_style};
use latent_lab::engine::drawing_reading::{DrawingModels, LatentIndex, NEIGHBOURS, read_drawing};
use latent_lab::engine::store::StoredModel;
use latent_lab::engine::{ModelOrigin, ModelStore};
use latent_lab::ui::drawing_strokes::{Drawing, Point, RASTER_SIDE, top_guess};
use pollster::block_on;

const AUTOENCODER: &str = "two-layer-d20";
const CLASSIFIER: &str = "classifier-finetune";

fn store() -> ModelStore {
    let mut store = ModelStore::default();
    for name in [AUTOENCODER, CLASSIFIER] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("public/weights")
            .join(format!("{name}.safetensors"));
        let bytes = std::fs::read(&path).unwrap();
        store
            .insert_file(name, &bytes, ModelOrigin::Pretrained, &device())
            .unwrap();
    }
    store
}

/// A drawing of the given strokes, each drawn point by point as a mouse would.
fn draw(strokes: &[Vec<Point>]) -> Drawing {
    let mut d = Drawing::default();
    for stroke in strokes {
        d.begin(stroke[0]);
        for &p in &stroke[1..] {
            d.extend(p);
        }
        d.end();
    }
    d
}

fn one() -> Vec<Vec<Point>> {
    // A slightly slanted vertical line with a small flag at the top.
    vec![
        vec![[0.44, 0.26], [0.52, 0.16]],
        (0..=20)
            .map(|i| {
                let t = i as f32 / 20.0;
                [0.52 - 0.04 * t, 0.16 + 0.68 * t]
            })
            .collect(),
    ]
}

fn zero() -> Vec<Vec<Point>> {
    // An ellipse, taller than wide, closed.
    vec![
        (0..=40)
            .map(|i| {
                let a = i as f32 / 40.0 * std::f32::consts::TAU;
                [0.5 + 0.22 * a.sin(), 0.5 - 0.32 * a.cos()]
            })
            .collect(),
    ]
}

fn preprocess(d: &Drawing) -> Vec<f32> {
    mnist_style(&d.rasterise(RASTER_SIDE), RASTER_SIDE, RASTER_SIDE)
        .unwrap()
        .expect("there is ink")
}

#[test]
fn drawn_digits_are_preprocessed_like_mnist() {
    for strokes in [one(), zero()] {
        let image = preprocess(&draw(&strokes));
        assert_eq!(image.len(), IMAGE_PIXELS);
        let (cx, cy) = centre_of_mass(&image, 28, 28).unwrap();
        assert!((cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5);
        // Strokes of MNIST's width: about 2–3 pixels, so a 20-pixel-tall digit has on the
        // order of 40–150 lit pixels, not a blob and not a hairline.
        let lit = image.iter().filter(|&&v| v > 0.5).count();
        assert!((30..=160).contains(&lit), "{lit} lit pixels");
    }
    assert_eq!(
        mnist_style(
            &Drawing::default().rasterise(RASTER_SIDE),
            RASTER_SIDE,
            RASTER_SIDE
        ),
        Ok(None)
    );
}

#[test]
fn drawn_one_and_zero_are_recognised_and_decoded() {
    let store = store();
    let autoencoder = store.autoencoder(AUTOENCODER).unwrap();
    let Some(StoredModel::Classifier(classifier)) = store.get(CLASSIFIER) else {
        panic!("the classifier loads");
    };
    let set = test_subset(2000);
    let index = block_on(LatentIndex::build(autoencoder, &set, &device())).unwrap();
    assert_eq!(index.len(), 2000);
    assert_eq!(index.dead().len(), 20);
    for (digit, strokes) in [(1, one()), (0, zero())] {
        let pixels = preprocess(&draw(&strokes));
        let models = DrawingModels {
            autoencoder_name: AUTOENCODER,
            autoencoder,
            index: &index,
            classifier: Some((CLASSIFIER, classifier)),
            set: &set,
        };
        let reading = block_on(read_drawing(models, 9, &pixels, &device())).unwrap();
        assert_eq!(reading.seq, 9);
        assert_eq!(reading.code.len(), 20);
        assert_eq!(reading.reconstruction.len(), IMAGE_PIXELS);
        assert!(reading.reconstruction.iter().any(|&p| p > 128), "blank");
        let sum: f32 = reading.probabilities.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4);
        let (guess, p) = top_guess(&reading.probabilities).unwrap();
        assert_eq!(guess, digit, "probabilities {:?}", reading.probabilities);
        assert!(p > 0.5);
        // Neighbours: five test digits, nearest first, and most of them the same digit.
        assert_eq!(reading.neighbours.len(), NEIGHBOURS);
        assert!(
            reading
                .neighbours
                .windows(2)
                .all(|w| w[0].distance <= w[1].distance)
        );
        let same = reading
            .neighbours
            .iter()
            .filter(|n| n.label as usize == digit)
            .count();
        assert!(same >= 3, "{same} of the neighbours are {digit}s");
    }
    // Without a classifier: no probabilities, the rest as before.
    let models = DrawingModels {
        autoencoder_name: AUTOENCODER,
        autoencoder,
        index: &index,
        classifier: None,
        set: &set,
    };
    let reading = block_on(read_drawing(
        models,
        1,
        &preprocess(&draw(&one())),
        &device(),
    ))
    .unwrap();
    assert!(reading.probabilities.is_empty() && reading.classifier.is_none());
}
