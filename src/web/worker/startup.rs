//! Start-up: the backend, the bundled data and pretrained weights (fetched from the page's
//! own origin), then what this browser kept from earlier visits (models, an interrupted
//! training), each step reported to the page.

use std::rc::Rc;

use super::Shared;
use super::backend::choose_backend;
use super::browser::{fail, fetch_bytes, next_task, post};
use super::storage;
use crate::data::{MnistSet, Split};
use crate::engine::kernel_thread_count::ThreadRequest;
use crate::engine::latent_analysis::gallery_indices;
use crate::engine::pretrained::{data_urls, pretrained_names, weights_url};
use crate::engine::protocol::{ErrorSource, ProblemSource, StartupProblem};
use crate::engine::session::sample_digits;
use crate::engine::state::LoadedData;
use crate::engine::{BackendChoice, FromEngine, ModelOrigin};
use crate::web::indexed_db::Database;
use crate::web::tab_channel::{self, Change};
use wasm_bindgen_futures::spawn_local;

/// Sample digits shown with their reconstructions.
const SAMPLES: usize = 8;

/// `threads`: what the address asks of the CPU kernels' threads.
pub(super) async fn start(
    engine: Shared,
    choice: BackendChoice,
    threads: ThreadRequest,
    base_url: String,
) {
    let backend = choose_backend(choice, threads).await;
    post(&FromEngine::Backend {
        kind: backend.device.kind,
        adapter: backend.device.description.clone(),
        software_adapter: backend.software,
        fallback_reason: backend.fallback_reason.clone(),
    });
    let device = backend.device.device.clone();
    engine.borrow_mut().core.set_device(device.clone());
    engine.borrow_mut().base_url = base_url.clone();
    engine.borrow_mut().gpu = backend.device.gpu_watch.clone();
    // Random per tab and visit, so models two tabs make are kept under different keys.
    let prefix = format!(
        "{:08x}{:06x}",
        (js_sys::Math::random() * f64::from(u32::MAX)) as u32,
        (js_sys::Date::now() as u64) & 0xff_ffff
    );
    engine.borrow_mut().core.store.set_id_prefix(&prefix);

    let names = pretrained_names();
    let total = 2 + names.len();
    let mut problems = Vec::new();
    let mut sets = Vec::new();
    for (i, split) in [Split::Train, Split::Test].into_iter().enumerate() {
        post(&FromEngine::Loading {
            what: format!("{split:?} images").to_lowercase(),
            done: i,
            total,
        });
        let (images_url, labels_url) = data_urls(&base_url, split);
        let set = async {
            let images = fetch_bytes(&images_url).await?;
            let labels = fetch_bytes(&labels_url).await?;
            MnistSet::from_idx(&images_url, &images, &labels_url, &labels)
                .map_err(|e| e.to_string())
        }
        .await;
        match set {
            Ok(set) => sets.push(Rc::new(set)),
            // Without its training subset the page still has the pretrained models and the
            // test digits to use them on: the start goes on, empty-handed for training, and
            // says so.
            Err(e) if split == Split::Train => {
                problems.push(StartupProblem {
                    source: ProblemSource::Bundled,
                    message: format!(
                        "the training subset ({e}): training and transfer learning need it; the pretrained models work without it"
                    ),
                });
                sets.push(Rc::new(MnistSet::new(Vec::new(), Vec::new())));
            }
            Err(e) => {
                fail(
                    ErrorSource::Startup,
                    format!("the bundled data could not be loaded: {e}"),
                );
                return;
            }
        }
    }
    let test = sets.pop().expect("two sets");
    let train = sets.pop().expect("two sets");
    let samples = sample_digits(&test, SAMPLES);
    post(&FromEngine::SampleDigits {
        pixels: samples
            .iter()
            .flat_map(|&i| test.image(i).to_vec())
            .collect(),
        labels: samples.iter().map(|&i| test.label(i)).collect(),
    });
    let gallery = gallery_indices(&test);
    post(&FromEngine::Gallery {
        pixels: gallery
            .iter()
            .flat_map(|&i| test.image(i).to_vec())
            .collect(),
        labels: gallery.iter().map(|&i| test.label(i)).collect(),
        indices: gallery,
    });

    for (i, name) in names.iter().enumerate() {
        post(&FromEngine::Loading {
            what: format!("weights {name}"),
            done: 2 + i,
            total,
        });
        let result = match fetch_bytes(&weights_url(&base_url, name)).await {
            Ok(bytes) => engine
                .borrow_mut()
                .core
                .store
                .insert_file(name, &bytes, ModelOrigin::Pretrained, &device)
                .map(|_| ())
                .map_err(|e| format!("{name}: {e}")),
            Err(e) => Err(e),
        };
        if let Err(message) = result {
            problems.push(StartupProblem {
                source: ProblemSource::Bundled,
                message,
            });
        }
        next_task().await;
    }
    match Database::open().await {
        Ok(db) => {
            let db = Rc::new(db);
            engine.borrow_mut().db = Some(db.clone());
            let (kept, unreadable) = storage::kept_models(&db).await;
            problems.extend(unreadable.into_iter().map(|message| StartupProblem {
                source: ProblemSource::Stored,
                message,
            }));
            for model in kept {
                let restored = storage::restore_kept(
                    &mut engine.borrow_mut().core,
                    model,
                    &device,
                    Some(&test),
                );
                let message = match restored {
                    Ok((_, dropped)) => dropped,
                    Err(message) => Some(message),
                };
                if let Some(message) = message {
                    problems.push(StartupProblem {
                        source: ProblemSource::Stored,
                        message,
                    });
                }
            }
            // The interrupted trainings (not those alive in another tab) are offered before
            // the page hears that loading is over.
            let unreadable = storage::refresh_offers(&engine).await;
            problems.extend(unreadable.into_iter().map(|message| StartupProblem {
                source: ProblemSource::Stored,
                message,
            }));
            let listener = engine.clone();
            tab_channel::listen(move |change| {
                let engine = listener.clone();
                spawn_local(async move {
                    match change {
                        Change::Models => storage::refresh_models(&engine).await,
                        Change::Checkpoints => {
                            for message in storage::refresh_offers(&engine).await {
                                post(&FromEngine::Notice { message });
                            }
                        }
                    }
                });
            });
        }
        Err(e) => {
            problems.push(StartupProblem {
                source: ProblemSource::Storage,
                message: format!("unavailable, so nothing made here is kept after a reload: {e}"),
            });
        }
    }
    let (train_images, test_images) = (train.len(), test.len());
    // One pass over the training images for both: the mean digit and its test loss.
    let mean = crate::analysis::mean_digit(&train);
    let no_code_test_loss = mean
        .as_deref()
        .and_then(|mean| crate::analysis::loss_of_mean_digit(mean, &test));
    let mean_digit = mean.map_or(Vec::new(), |mean| {
        let values: Vec<f32> = mean.iter().map(|&m| m as f32).collect();
        crate::data::pixels_to_bytes(&values)
    });
    let models = {
        let mut e = engine.borrow_mut();
        e.core.finish_loading(LoadedData {
            train,
            test,
            samples,
        });
        e.core.store.infos()
    };
    post(&FromEngine::Loaded {
        train_images,
        test_images,
        models,
        problems,
        no_code_test_loss,
        mean_digit,
    });
}
