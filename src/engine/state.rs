//! The engine's state and its rules, as plain Rust: what the worker holds between two
//! messages. The model store, the loaded data, the run counter, the page's last pause,
//! resume or cancel, the interrupted trainings' checkpoints and the latent-index cache live
//! here, with the rules about them (one run at a time, how runs and their models are named),
//! so they are tested natively; the worker only calls them.

use std::collections::HashMap;
use std::rc::Rc;

use burn::prelude::Device;

use super::drawing_reading::LatentIndex;
use super::epoch_recording::{EpochRecording, RecordedEpochs};
use super::protocol::{InterruptedRun, ModelInfo, ModelOrigin, TrainRequest};
use super::store::{ModelStore, StoredModel};
use crate::data::MnistSet;
use crate::model::{Autoencoder, Classifier, ThreeLayerEncoder};
use crate::training::TransferScenario;
use crate::weights::WeightsManifest;

/// The pretrained encoder transfer learning starts from.
pub const PRETRAINED_ENCODER: &str = "three-layer-d20";

/// The page's last word to the running session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Run,
    Pause,
    Cancel,
    /// One optimiser step, then paused (the training view's Step button).
    Step,
}

/// The slow-motion rates a page may ask for, in optimiser steps per second.
pub const SLOW_MOTION_RATES: std::ops::RangeInclusive<f32> = 0.1..=60.0;

/// A training a reload interrupted: its record, and its last completed epoch's model.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub run: InterruptedRun,
    pub model: Autoencoder,
    pub manifest: WeightsManifest,
}

/// The bundled data, once loaded: the training and test subsets and the sample digits whose
/// reconstructions a training shows.
#[derive(Debug, Clone)]
pub struct LoadedData {
    pub train: Rc<MnistSet>,
    pub test: Rc<MnistSet>,
    pub samples: Vec<usize>,
}

/// What a run gets when it claims the engine: its number, its id and what it trains with.
#[derive(Debug, Clone)]
pub struct RunClaim {
    /// From 1, counting the runs of earlier visits whose models were kept.
    pub number: usize,
    /// Unique across tabs and visits (`<tab>-run<n>`): the key of the run's checkpoint and the
    /// name of the lock that says the run is alive.
    pub run_id: String,
    pub device: Device,
    pub data: LoadedData,
}

/// An autoencoder of the store with the device and the test subset it is used with.
#[derive(Debug, Clone)]
pub struct AutoencoderOnTest {
    pub model: Autoencoder,
    pub device: Device,
    pub test: Rc<MnistSet>,
}

#[derive(Default)]
pub struct EngineCore {
    pub store: ModelStore,
    device: Option<Device>,
    data: Option<LoadedData>,
    /// `Some` exactly while a run (a training or a transfer run) owns the engine.
    control: Option<Control>,
    /// Slow motion: at most this many optimiser steps a second, each reported in full
    /// (`None`: full speed). The page's setting, kept from one run to the next.
    slow_motion: Option<f32>,
    runs: usize,
    /// The interrupted trainings offered to the person, until they decide about each.
    checkpoints: Vec<Checkpoint>,
    /// Model name → the run whose checkpoint stays stored because keeping that model failed:
    /// once the model is kept, the checkpoint can go.
    checkpoint_awaits: HashMap<String, String>,
    /// Each autoencoder's codes of the test subset, made on its first drawing.
    latent_indices: HashMap<String, Rc<LatentIndex>>,
    /// Model name → its latent map through the epochs (issue 20): recorded while it trained
    /// here, read back with it from the browser's storage, or bundled with a pretrained one.
    recorded_epochs: HashMap<String, Rc<RecordedEpochs>>,
    /// Reads of the browser's storage begun after another tab changed its models: only the
    /// latest may change the list (see [`EngineCore::begin_kept_refresh`]).
    kept_refreshes: u64,
}

/// The store name of an autoencoder trained in the page: `two-layer-d20 (trained 3)`.
pub fn trained_autoencoder_name(request: &TrainRequest, run: usize) -> String {
    format!(
        "{}-d{} (trained {run})",
        request.architecture, request.latent_dim
    )
}

/// The store name of a classifier trained in the page: `classifier-frozen (trained 2)`.
pub fn trained_classifier_name(scenario: TransferScenario, run: usize) -> String {
    format!("classifier-{scenario} (trained {run})")
}

/// The run number in a trained model's name: `two-layer-d20 (trained 3)` → 3 (a suffix such
/// as ` (2)` after it is allowed).
pub fn trained_number(name: &str) -> Option<usize> {
    let rest = &name[name.find("(trained ")? + "(trained ".len()..];
    rest[..rest.find(')')?].parse().ok()
}

/// The number in a run id `<tab>-run<n>`.
pub fn run_id_number(run_id: &str) -> Option<usize> {
    run_id.rsplit_once("-run")?.1.parse().ok()
}

/// The store name of an interrupted run's last epoch kept as a model:
/// `two-layer-d20 (epoch 2 of 5)`.
pub fn checkpoint_model_name(run: &InterruptedRun) -> String {
    format!(
        "{}-d{} (epoch {} of {})",
        run.request.architecture,
        run.request.latent_dim,
        run.epochs_done,
        run.request.training.epochs
    )
}

impl EngineCore {
    /// The backend is chosen: models can be loaded from now on.
    pub fn set_device(&mut self, device: Device) {
        self.device = Some(device);
    }

    pub fn device(&self) -> Option<&Device> {
        self.device.as_ref()
    }

    /// Start-up is over: the data is there, and new runs are numbered after the trained models
    /// kept from earlier visits.
    pub fn finish_loading(&mut self, data: LoadedData) {
        self.data = Some(data);
        self.runs = self
            .store
            .infos()
            .iter()
            .filter(|m| m.origin == ModelOrigin::Trained)
            .count();
    }

    /// A run (training or transfer) takes the engine, or is told why it cannot.
    pub fn claim_run(&mut self) -> Result<RunClaim, String> {
        if self.control.is_some() {
            return Err("a training is already running: cancel it first".into());
        }
        let (Some(device), Some(data)) = (self.device.clone(), self.data.clone()) else {
            return Err("the data is not loaded yet".into());
        };
        self.control = Some(Control::Run);
        self.runs += 1;
        let prefix = match self.store.id_prefix() {
            "" => "tab",
            prefix => prefix,
        };
        Ok(RunClaim {
            number: self.runs,
            run_id: format!("{prefix}-run{}", self.runs),
            device,
            data,
        })
    }

    /// Numbers a claimed run past every number in use, so display names stay unique across
    /// the tabs: the trained models of the list (which hears of the models other tabs keep)
    /// and the runs alive in other tabs (`live_run_ids`, from their locks). The caller holds
    /// the tabs' naming lock, so two tabs never take the same number.
    pub fn number_past(&mut self, claim: &mut RunClaim, live_run_ids: &[String]) {
        let in_use = self
            .store
            .infos()
            .iter()
            .filter_map(|m| trained_number(&m.name))
            .chain(live_run_ids.iter().filter_map(|id| run_id_number(id)))
            .max()
            .unwrap_or(0);
        if claim.number <= in_use {
            claim.number = in_use + 1;
            claim.run_id = match claim.run_id.rsplit_once("-run") {
                Some((tab, _)) => format!("{tab}-run{}", claim.number),
                None => format!("{}-run{}", claim.run_id, claim.number),
            };
        }
        self.runs = self.runs.max(claim.number);
    }

    /// The run that claimed the engine ended (finished, cancelled or failed).
    pub fn release_run(&mut self) {
        self.control = None;
    }

    pub fn is_running(&self) -> bool {
        self.control.is_some()
    }

    /// Pause, resume, step or cancel the running session; nothing when none runs, and
    /// nothing after a cancel (a late click does not undo it).
    pub fn set_control(&mut self, control: Control) {
        if self.control.is_some_and(|c| c != Control::Cancel) {
            self.control = Some(control);
        }
    }

    /// The single step asked for is done: the run is paused.
    pub fn step_taken(&mut self) {
        if self.control == Some(Control::Step) {
            self.control = Some(Control::Pause);
        }
    }

    /// Sets slow motion (steps per second) or turns it off (`None`); a rate outside
    /// [`SLOW_MOTION_RATES`] is refused and changes nothing.
    pub fn set_slow_motion(&mut self, steps_per_second: Option<f32>) -> Result<(), String> {
        if let Some(rate) = steps_per_second
            && !SLOW_MOTION_RATES.contains(&rate)
        {
            return Err(format!(
                "slow motion runs {} to {} steps a second, not {rate}",
                SLOW_MOTION_RATES.start(),
                SLOW_MOTION_RATES.end()
            ));
        }
        self.slow_motion = steps_per_second;
        Ok(())
    }

    pub fn slow_motion(&self) -> Option<f32> {
        self.slow_motion
    }

    pub fn control(&self) -> Option<Control> {
        self.control
    }

    /// An autoencoder of the model list with what it is used with, or why not.
    pub fn autoencoder_on_test(&self, name: &str) -> Result<AutoencoderOnTest, String> {
        let (device, test) = self.device_and_test()?;
        let model = self
            .store
            .autoencoder(name)
            .ok_or_else(|| format!("'{name}' is not an autoencoder of the model list"))?
            .clone();
        Ok(AutoencoderOnTest {
            model,
            device,
            test,
        })
    }

    /// The test subset, once the data is loaded.
    pub fn test_subset(&self) -> Option<Rc<MnistSet>> {
        self.data.as_ref().map(|d| d.test.clone())
    }

    /// The device and the test subset, once the data is loaded.
    fn device_and_test(&self) -> Result<(Device, Rc<MnistSet>), String> {
        match (&self.device, &self.data) {
            (Some(device), Some(data)) => Ok((device.clone(), data.test.clone())),
            _ => Err("the data is not loaded yet".into()),
        }
    }

    /// A classifier of the model list with the test subset and the device, or why not.
    pub fn classifier_on_test(
        &self,
        name: &str,
    ) -> Result<(Classifier, Device, Rc<MnistSet>), String> {
        let (device, test) = self.device_and_test()?;
        Ok((self.classifier(name)?, device, test))
    }

    /// A classifier of the model list, or why not.
    pub fn classifier(&self, name: &str) -> Result<Classifier, String> {
        self.store
            .classifier(name)
            .cloned()
            .ok_or_else(|| format!("'{name}' is not a classifier of the model list"))
    }

    /// The encoder of the pretrained three-layer autoencoder, where the store has it.
    pub fn pretrained_encoder(&self) -> Option<ThreeLayerEncoder> {
        self.store
            .autoencoder(PRETRAINED_ENCODER)
            .and_then(|m| m.three_layer_encoder())
            .cloned()
    }

    /// Keeps a run's recorded epochs with its model (dropped with it), as maps on still axes:
    /// the codes themselves are not needed after. A recording with a code that is not a
    /// number gives no maps and is dropped.
    pub fn keep_recording(&mut self, name: &str, recording: EpochRecording) {
        if let Some(recorded) = recording.recorded(name) {
            self.recorded_epochs
                .insert(name.to_string(), Rc::new(recorded));
        }
    }

    /// A model's latent map through the epochs, where it has one.
    pub fn recorded_epochs(&self, name: &str) -> Option<Rc<RecordedEpochs>> {
        self.recorded_epochs.get(name).cloned()
    }

    /// Joins a recording read back (a kept model's, a bundled one) to the model `name`, once
    /// it is checked against the test subset it was made on.
    pub fn insert_recorded_epochs(
        &mut self,
        name: &str,
        mut recorded: RecordedEpochs,
        test: &MnistSet,
    ) -> Result<Rc<RecordedEpochs>, String> {
        recorded.check(test)?;
        recorded.model = name.to_string();
        let recorded = Rc::new(recorded);
        self.recorded_epochs
            .insert(name.to_string(), recorded.clone());
        Ok(recorded)
    }

    pub fn latent_index(&self, name: &str) -> Option<Rc<LatentIndex>> {
        self.latent_indices.get(name).cloned()
    }

    pub fn cache_latent_index(&mut self, name: &str, index: Rc<LatentIndex>) {
        self.latent_indices.insert(name.to_string(), index);
    }

    /// Takes a model out of the store, with what was cached about it.
    pub fn remove_model(&mut self, name: &str) -> Result<ModelInfo, String> {
        let removed = self.store.remove(name)?;
        self.latent_indices.remove(name);
        self.recorded_epochs.remove(name);
        Ok(removed)
    }

    /// A trained autoencoder joins the store under its run's name.
    pub fn add_trained_autoencoder(
        &mut self,
        request: &TrainRequest,
        run: usize,
        model: Autoencoder,
        manifest: WeightsManifest,
    ) -> ModelInfo {
        self.store.insert(
            &trained_autoencoder_name(request, run),
            manifest,
            ModelOrigin::Trained,
            StoredModel::Autoencoder(Box::new(model)),
        )
    }

    /// A trained classifier joins the store under its run's name.
    pub fn add_trained_classifier(
        &mut self,
        scenario: TransferScenario,
        run: usize,
        model: Classifier,
        manifest: WeightsManifest,
    ) -> ModelInfo {
        self.store.insert(
            &trained_classifier_name(scenario, run),
            manifest,
            ModelOrigin::Trained,
            StoredModel::Classifier(Box::new(model)),
        )
    }

    /// The interrupted trainings found at start-up (or after another tab's run ended), until
    /// the person decides about each. A run already offered is not offered twice.
    pub fn offer_checkpoints(&mut self, checkpoints: Vec<Checkpoint>) {
        for checkpoint in checkpoints {
            if !self.is_offered(&checkpoint.run.id) {
                self.checkpoints.push(checkpoint);
            }
        }
    }

    pub fn is_offered(&self, id: &str) -> bool {
        self.checkpoints.iter().any(|c| c.run.id == id)
    }

    /// The interrupted run `id`, taken out of the offers (to resume, keep or discard).
    pub fn take_checkpoint(&mut self, id: &str) -> Option<Checkpoint> {
        let at = self.checkpoints.iter().position(|c| c.run.id == id)?;
        Some(self.checkpoints.remove(at))
    }

    /// The runs offered, oldest offer first.
    pub fn interrupted_runs(&self) -> Vec<InterruptedRun> {
        self.checkpoints.iter().map(|c| c.run.clone()).collect()
    }

    /// The checkpoint of run `run_id` stays stored until `model` is kept (its keep failed).
    pub fn checkpoint_awaits(&mut self, model: &str, run_id: &str) {
        self.checkpoint_awaits
            .insert(model.to_string(), run_id.to_string());
    }

    /// `model` is now durably kept: the run whose stored checkpoint waited for it (and should
    /// now be removed), if any. Answers once.
    pub fn model_kept(&mut self, model: &str) -> Option<String> {
        self.checkpoint_awaits.remove(model)
    }

    /// Another tab changed the models stored in this browser, and this tab begins to read them
    /// again. Two reads can be under way at once and finish in either order; the older one's
    /// view may hold a model the newer one knows was removed. So each read gets a ticket, and
    /// only the latest read begun may change the list: [`EngineCore::is_latest_kept_refresh`].
    pub fn begin_kept_refresh(&mut self) -> u64 {
        self.kept_refreshes += 1;
        self.kept_refreshes
    }

    /// Whether no read of the storage began after the one holding `ticket`.
    pub fn is_latest_kept_refresh(&self, ticket: u64) -> bool {
        ticket == self.kept_refreshes
    }

    /// An interrupted run's last completed epoch joins the store as a model of its own.
    pub fn add_checkpoint_model(&mut self, checkpoint: Checkpoint) -> ModelInfo {
        self.store.insert(
            &checkpoint_model_name(&checkpoint.run),
            checkpoint.manifest,
            ModelOrigin::Trained,
            StoredModel::Autoencoder(Box::new(checkpoint.model)),
        )
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::BackendKind;
    use crate::engine::protocol::EpochLoss;
    use crate::model::{Architecture, AutoencoderConfig, ClassifierConfig, param_count};
    use crate::training::TrainingConfig;
    use crate::weights::ModelSpec;

    fn device() -> Device {
        BackendKind::Flex.cpu_backend().device
    }

    fn data() -> LoadedData {
        let set = || Rc::new(MnistSet::new(vec![0; 4 * 784], vec![1, 2, 3, 4]));
        LoadedData {
            train: set(),
            test: set(),
            samples: vec![0, 1],
        }
    }

    fn request(latent_dim: usize) -> TrainRequest {
        TrainRequest {
            architecture: Architecture::TwoLayer,
            latent_dim,
            training: TrainingConfig::default(),
            train_images: 4,
            beta: None,
        }
    }

    fn autoencoder(latent_dim: usize) -> (Autoencoder, WeightsManifest) {
        let model = AutoencoderConfig::new(Architecture::TwoLayer, latent_dim).init(&device());
        let manifest = WeightsManifest::new(
            ModelSpec::Autoencoder {
                architecture: Architecture::TwoLayer,
                latent_dim,
            },
            param_count(&model),
        );
        (model, manifest)
    }

    fn loaded_core() -> EngineCore {
        let mut core = EngineCore::default();
        core.set_device(device());
        core.finish_loading(data());
        core
    }

    #[test]
    fn only_the_latest_read_of_the_storage_may_change_the_list() {
        let mut core = EngineCore::default();
        let first = core.begin_kept_refresh();
        assert!(core.is_latest_kept_refresh(first));
        let second = core.begin_kept_refresh();
        // The first read finishes after the second began: its view is older, so it is dropped,
        // whichever of the two finishes first.
        assert!(!core.is_latest_kept_refresh(first));
        assert!(core.is_latest_kept_refresh(second));
        assert_ne!(first, second);
    }

    #[test]
    fn a_run_needs_the_data_and_runs_one_at_a_time() {
        let mut core = EngineCore::default();
        assert_eq!(
            core.claim_run().unwrap_err(),
            "the data is not loaded yet",
            "no backend yet"
        );
        core.set_device(device());
        assert_eq!(core.claim_run().unwrap_err(), "the data is not loaded yet");
        core.finish_loading(data());
        let first = core.claim_run().expect("the engine is free");
        assert_eq!(first.number, 1);
        assert_eq!(first.run_id, "tab-run1");
        assert_eq!(first.data.samples, vec![0, 1]);
        assert!(core.is_running());
        assert_eq!(
            core.claim_run().unwrap_err(),
            "a training is already running: cancel it first"
        );
        core.release_run();
        assert!(!core.is_running());
        core.store.set_id_prefix("a1f3");
        let second = core.claim_run().expect("free again");
        assert_eq!((second.number, second.run_id.as_str()), (2, "a1f3-run2"));
    }

    #[test]
    fn numbers_are_read_from_names_and_run_ids() {
        assert_eq!(trained_number("two-layer-d20 (trained 3)"), Some(3));
        assert_eq!(
            trained_number("classifier-frozen (trained 12) (2)"),
            Some(12)
        );
        assert_eq!(trained_number("two-layer-d20"), None);
        assert_eq!(trained_number("two-layer-d20 (trained x)"), None);
        assert_eq!(trained_number("(trained 4"), None);
        assert_eq!(run_id_number("a1f3c9-run7"), Some(7));
        assert_eq!(run_id_number("current"), None);
        assert_eq!(run_id_number("a-run"), None);
    }

    #[test]
    fn a_run_is_numbered_past_other_tabs_runs_and_models() {
        let mut core = loaded_core();
        core.store.set_id_prefix("tabA");
        let mut claim = core.claim_run().unwrap();
        assert_eq!((claim.number, claim.run_id.as_str()), (1, "tabA-run1"));
        // Nothing else in use: the number stays.
        core.number_past(&mut claim, &[]);
        assert_eq!((claim.number, claim.run_id.as_str()), (1, "tabA-run1"));
        // Tab B runs its run 1 and 3 now, and its trained 2 is in this tab's list.
        let (model, manifest) = autoencoder(5);
        core.add_trained_autoencoder(&request(5), 2, model, manifest);
        let live = [
            "tabB-run1".to_string(),
            "tabB-run3".into(),
            "current".into(),
        ];
        core.number_past(&mut claim, &live);
        assert_eq!((claim.number, claim.run_id.as_str()), (4, "tabA-run4"));
        core.release_run();
        assert_eq!(core.claim_run().unwrap().number, 5, "the count goes on");
    }

    #[test]
    fn slow_motion_takes_a_rate_in_range_or_none() {
        let mut core = EngineCore::default();
        assert_eq!(core.slow_motion(), None);
        core.set_slow_motion(Some(2.0)).unwrap();
        assert_eq!(
            core.slow_motion(),
            Some(2.0),
            "set with no run: kept for the next"
        );
        for bad in [0.0, -1.0, 61.0, f32::NAN] {
            assert!(
                core.set_slow_motion(Some(bad))
                    .unwrap_err()
                    .contains("steps a second")
            );
            assert_eq!(
                core.slow_motion(),
                Some(2.0),
                "a refused rate changes nothing"
            );
        }
        core.set_slow_motion(None).unwrap();
        assert_eq!(core.slow_motion(), None);
    }

    #[test]
    fn control_reaches_only_a_running_session() {
        let mut core = loaded_core();
        core.set_control(Control::Pause);
        assert_eq!(core.control(), None, "nothing runs: a pause is ignored");
        core.claim_run().unwrap();
        assert_eq!(core.control(), Some(Control::Run));
        core.set_control(Control::Pause);
        assert_eq!(core.control(), Some(Control::Pause));
        core.set_control(Control::Step);
        assert_eq!(core.control(), Some(Control::Step));
        core.step_taken();
        assert_eq!(
            core.control(),
            Some(Control::Pause),
            "a step leaves the run paused"
        );
        core.step_taken();
        assert_eq!(core.control(), Some(Control::Pause));
        core.set_control(Control::Cancel);
        assert_eq!(core.control(), Some(Control::Cancel));
        core.set_control(Control::Step);
        assert_eq!(
            core.control(),
            Some(Control::Cancel),
            "nothing undoes a cancel"
        );
        core.release_run();
        assert_eq!(core.control(), None);
        core.set_control(Control::Run);
        assert_eq!(core.control(), None, "a late resume does not start a run");
    }

    #[test]
    fn runs_are_numbered_after_the_trained_models_kept_from_earlier_visits() {
        let mut core = EngineCore::default();
        core.set_device(device());
        for (name, origin) in [
            ("two-layer-d20", ModelOrigin::Pretrained),
            ("two-layer-d20 (trained 1)", ModelOrigin::Trained),
            ("mine", ModelOrigin::Uploaded),
            ("two-layer-d5 (trained 2)", ModelOrigin::Trained),
        ] {
            let (model, manifest) = autoencoder(5);
            core.store.insert(
                name,
                manifest,
                origin,
                StoredModel::Autoencoder(Box::new(model)),
            );
        }
        core.finish_loading(data());
        let claim = core.claim_run().unwrap();
        assert_eq!(claim.number, 3);
        let (model, manifest) = autoencoder(5);
        let info = core.add_trained_autoencoder(&request(5), claim.number, model, manifest);
        assert_eq!(info.name, "two-layer-d5 (trained 3)");
        assert_eq!(info.origin, ModelOrigin::Trained);
    }

    #[test]
    fn trained_models_are_named_by_their_run_and_never_replace_another() {
        let mut core = loaded_core();
        let (model, manifest) = autoencoder(20);
        let first = core.add_trained_autoencoder(&request(20), 4, model, manifest);
        assert_eq!(first.name, "two-layer-d20 (trained 4)");
        let (model, manifest) = autoencoder(20);
        let again = core.add_trained_autoencoder(&request(20), 4, model, manifest);
        assert_eq!(again.name, "two-layer-d20 (trained 4) (2)");
        let classifier = ClassifierConfig::new().init(&device());
        let manifest = WeightsManifest::new(
            ModelSpec::Classifier { latent_dim: 20 },
            param_count(&classifier),
        );
        let info = core.add_trained_classifier(TransferScenario::Finetune, 5, classifier, manifest);
        assert_eq!(info.name, "classifier-finetune (trained 5)");
        assert!(core.classifier(&info.name).is_ok());
        assert_eq!(
            core.classifier(&first.name).unwrap_err(),
            "'two-layer-d20 (trained 4)' is not a classifier of the model list"
        );
    }

    #[test]
    fn an_autoencoder_is_found_with_its_test_subset_or_refused() {
        let mut core = EngineCore::default();
        assert_eq!(
            core.autoencoder_on_test("two-layer-d20").unwrap_err(),
            "the data is not loaded yet"
        );
        core.set_device(device());
        core.finish_loading(data());
        let (model, manifest) = autoencoder(20);
        core.add_trained_autoencoder(&request(20), 1, model, manifest);
        let found = core
            .autoencoder_on_test("two-layer-d20 (trained 1)")
            .unwrap();
        assert_eq!(found.model.latent_dim(), 20);
        assert_eq!(found.test.len(), 4);
        assert_eq!(
            core.autoencoder_on_test("nope").unwrap_err(),
            "'nope' is not an autoencoder of the model list"
        );
    }

    #[test]
    fn removing_a_model_drops_its_cached_latent_index() {
        let mut core = loaded_core();
        let (model, manifest) = autoencoder(20);
        let info = core.add_trained_autoencoder(&request(20), 1, model.clone(), manifest);
        let found = core.autoencoder_on_test(&info.name).unwrap();
        let index = pollster::block_on(LatentIndex::build(&model, &found.test, &found.device))
            .expect("an index of four images");
        core.cache_latent_index(&info.name, Rc::new(index));
        assert!(core.latent_index(&info.name).is_some());
        core.remove_model(&info.name).unwrap();
        assert!(core.latent_index(&info.name).is_none());
        assert!(core.store.get(&info.name).is_none());
        assert!(core.remove_model(&info.name).is_err(), "gone already");
    }

    fn interrupted(id: &str, epochs_done: usize) -> Checkpoint {
        let (model, manifest) = autoencoder(20);
        let mut req = request(20);
        req.training.epochs = 5;
        let run = InterruptedRun {
            id: id.into(),
            request: req,
            epochs_done,
            epoch_losses: (1..=epochs_done)
                .map(|epoch| EpochLoss {
                    epoch,
                    train_loss: 0.05,
                    test_loss: 0.04,
                })
                .collect(),
        };
        Checkpoint {
            run,
            model,
            manifest,
        }
    }

    #[test]
    fn interrupted_runs_are_offered_together_until_each_is_taken() {
        let mut core = loaded_core();
        core.offer_checkpoints(vec![interrupted("a-run1", 2), interrupted("b-run1", 1)]);
        // Offered again (another tab's run ended): no duplicate.
        core.offer_checkpoints(vec![interrupted("b-run1", 1), interrupted("current", 3)]);
        let ids = |core: &EngineCore| {
            core.interrupted_runs()
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&core), ["a-run1", "b-run1", "current"]);
        // A new run claims the engine: the offers stay.
        let claim = core.claim_run().unwrap();
        assert_ne!(claim.run_id, "a-run1");
        assert_eq!(ids(&core).len(), 3);
        let taken = core.take_checkpoint("b-run1").expect("offered");
        assert_eq!(taken.run.epochs_done, 1);
        assert!(core.take_checkpoint("b-run1").is_none(), "taken once");
        assert!(core.take_checkpoint("nope").is_none());
        assert_eq!(ids(&core), ["a-run1", "current"]);
        let taken = core.take_checkpoint("a-run1").unwrap();
        let info = core.add_checkpoint_model(taken);
        assert_eq!(info.name, "two-layer-d20 (epoch 2 of 5)");
        assert!(core.store.autoencoder(&info.name).is_some());
    }

    #[test]
    fn a_stored_checkpoint_waits_for_its_model_to_be_kept() {
        let mut core = EngineCore::default();
        // Nothing waits: keeping any model removes no checkpoint.
        assert_eq!(core.model_kept("two-layer-d20 (trained 1)"), None);
        core.checkpoint_awaits("two-layer-d20 (trained 1)", "a-run1");
        core.checkpoint_awaits("two-layer-d5 (trained 2)", "a-run2");
        assert_eq!(core.model_kept("two-layer-d20 (trained 3)"), None);
        assert_eq!(
            core.model_kept("two-layer-d5 (trained 2)").as_deref(),
            Some("a-run2")
        );
        assert_eq!(
            core.model_kept("two-layer-d20 (trained 1)").as_deref(),
            Some("a-run1")
        );
        assert_eq!(core.model_kept("two-layer-d20 (trained 1)"), None, "once");
    }
}
