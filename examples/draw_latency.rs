//! Times the drawing view's work for one drawing natively, part by part (rasterising and
//! MNIST-style preprocessing, then the models' reading), to see what a stroke's latency is
//! made of: `cargo run --release --example draw_latency -- [ROUNDS]`.
use std::path::Path;
use std::time::Instant;

use latent_lab::BackendKind;
use latent_lab::data::{MnistSet, Split, mnist_style};
use latent_lab::engine::drawing_reading::{DrawingModels, LatentIndex, read_drawing};
use latent_lab::engine::store::StoredModel;
use latent_lab::engine::{ModelOrigin, ModelStore};
use latent_lab::ui::drawing_strokes::{Drawing, RASTER_SIDE};
use pollster::block_on;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let device = BackendKind::Flex.init().expect("flex").device;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut store = ModelStore::default();
    for name in ["two-layer-d20", "classifier-finetune"] {
        let bytes = std::fs::read(root.join(format!("public/weights/{name}.safetensors")))
            .expect("bundled weights");
        store
            .insert_file(name, &bytes, ModelOrigin::Pretrained, &device)
            .expect("weights load");
    }
    let autoencoder = store.autoencoder("two-layer-d20").unwrap();
    let Some(StoredModel::Classifier(classifier)) = store.get("classifier-finetune") else {
        panic!("the classifier loads");
    };
    let set = MnistSet::load_dir(&root.join("data/mnist"), Split::Test)
        .expect("bundled MNIST")
        .first(2000);
    let index = block_on(LatentIndex::build(autoencoder, &set, &device)).unwrap();
    // A seven, as the end-to-end test draws it.
    let mut drawing = Drawing::default();
    for stroke in [[[0.25, 0.2], [0.75, 0.2]], [[0.75, 0.2], [0.45, 0.85]]] {
        drawing.begin(stroke[0]);
        for i in 1..=20 {
            let t = i as f32 / 20.0;
            drawing.extend([
                stroke[0][0] + t * (stroke[1][0] - stroke[0][0]),
                stroke[0][1] + t * (stroke[1][1] - stroke[0][1]),
            ]);
        }
        drawing.end();
    }
    let mut preprocess = Vec::new();
    let mut read = Vec::new();
    let mut read_alone = Vec::new();
    {
        for _ in 0..rounds {
            let t = Instant::now();
            let pixels = mnist_style(&drawing.rasterise(RASTER_SIDE), RASTER_SIDE, RASTER_SIDE)
                .unwrap()
                .unwrap();
            preprocess.push(t.elapsed().as_secs_f64() * 1e3);
            for (with_classifier, log) in [(true, &mut read), (false, &mut read_alone)] {
                let models = DrawingModels {
                    autoencoder_name: "two-layer-d20",
                    autoencoder,
                    index: &index,
                    classifier: with_classifier.then_some(("classifier-finetune", classifier)),
                    set: &set,
                };
                let t = Instant::now();
                block_on(read_drawing(models, 1, &pixels, &device)).unwrap();
                log.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
    }
    for (what, log) in [
        ("rasterise + MNIST-style", &mut preprocess),
        ("read (autoencoder + classifier + neighbours)", &mut read),
        ("read (autoencoder + neighbours)", &mut read_alone),
    ] {
        log.sort_by(f64::total_cmp);
        let at = |p: f64| log[((p * log.len() as f64).ceil() as usize).clamp(1, log.len()) - 1];
        println!(
            "{what}: median {:.2} ms, p95 {:.2} ms over {rounds}",
            at(0.5),
            at(0.95)
        );
    }
}
