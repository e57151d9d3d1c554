//! Each view's choices as a link (`ui::link`): which parameters a view's address carries, read
//! with the same checked parsers as the view's own inputs, and written back in a fixed order.
//!
//! | view | parameters |
//! |---|---|
//! | `#/train` | `arch`, `d`, `epochs`, `batch`, `lr`, `images`, `seed`, `beta` (a VAE's), `x` (the loss chart's axis: `images` or `steps`); `start=1` starts the run |
//! | `#/interpolate` | `a`, `b` (models), `from`, `to` (test digits), `frames`, `alpha` |
//! | `#/decorrelation` | `model`, `coord` (the selected coordinate) |
//! | `#/transfer` | `scenarios` (comma list), `labels` (`100`, `1000` or `all`), `epochs`, `show` |
//! | `#/draw` | `model`, `classifier` (`none` for no classifier) |

use super::interpolation::{DEFAULT_FRAMES, parse_frames};
use super::link::{LinkFields, LinkQuery, hash_with};
use super::loss_axis::LossAxis;
use super::route::Route;
use super::train_form::{
    TrainForm, parse_architecture, parse_batch_size, parse_beta, parse_epochs, parse_latent_dim,
    parse_learning_rate, parse_seed, parse_train_images,
};
use crate::engine::transfer_session::TransferRequest;
use crate::model::MAX_LATENT_DIM;
use crate::training::{TrainingConfig, TransferScenario};

/// The images of the bundled training subset: the most a training link may ask for before
/// the engine has said how many there are (the form checks again at Start).
pub const BUNDLED_TRAIN_IMAGES: usize = 10_000;
/// Test digits are named by their index in the bundled test subset (`public/data`: the first
/// 2,000 of MNIST's test set).
pub const BUNDLED_TEST_IMAGES: usize = 2_000;

/// `#/train`: the form's fields, each as typed, and whether the link starts the run
/// (`start=1`, as a lesson's "train it" does; the address the page writes back has no
/// `start`, so a reload does not start another run).
pub fn train_from_link(query: &LinkQuery, base: &TrainForm) -> (TrainForm, bool, Vec<String>) {
    let mut f = query.fields(&[
        "arch", "d", "epochs", "batch", "lr", "images", "seed", "beta", "x", "start",
    ]);
    let start = f.field("start", false, |t| match t.trim() {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err("start is 1 or 0".into()),
    });
    let chart_x = f.field("x", base.chart_x, LossAxis::from_key);
    // A field is kept as the link wrote it once its parser accepts it.
    let mut text = |key: &str, default: &str, check: &dyn Fn(&str) -> Result<(), String>| {
        f.field(key, default.to_string(), |t| {
            check(t).map(|()| t.trim().to_string())
        })
    };
    let form = TrainForm {
        architecture: text("arch", &base.architecture, &|t| {
            parse_architecture(t).map(|_| ())
        }),
        latent_dim: text("d", &base.latent_dim, &|t| parse_latent_dim(t).map(|_| ())),
        epochs: text("epochs", &base.epochs, &|t| parse_epochs(t).map(|_| ())),
        batch_size: text("batch", &base.batch_size, &|t| {
            parse_batch_size(t).map(|_| ())
        }),
        learning_rate: text("lr", &base.learning_rate, &|t| {
            parse_learning_rate(t).map(|_| ())
        }),
        train_images: text("images", &base.train_images, &|t| {
            parse_train_images(t, BUNDLED_TRAIN_IMAGES).map(|_| ())
        }),
        seed: text("seed", &base.seed, &|t| parse_seed(t).map(|_| ())),
        beta: text("beta", &base.beta, &|t| parse_beta(t).map(|_| ())),
        chart_x,
    };
    (form, start, f.notices)
}

/// The notices a view would give for the link `hash` (empty: it reads as written). Lessons'
/// links are checked with it.
pub fn link_notices(hash: &str) -> Vec<String> {
    let query = LinkQuery::from_hash(hash);
    match Route::from_hash(hash) {
        Route::Train => train_from_link(&query, &TrainForm::defaults(BUNDLED_TRAIN_IMAGES)).2,
        Route::Experiments => query.fields(&[]).notices,
        Route::Report => ReportLink::from_link(&query).1,
        Route::Interpolate => InterpolateLink::from_link(&query).1,
        Route::Decorrelation => DecorrelationLink::from_link(&query).1,
        Route::Transfer => TransferLink::from_link(&query).1,
        Route::Draw => DrawLink::from_link(&query, "two-layer-d20").1,
    }
}

pub fn train_hash(form: &TrainForm) -> String {
    hash_with(
        Route::Train,
        &[
            ("arch", form.architecture.clone()),
            ("d", form.latent_dim.clone()),
            ("epochs", form.epochs.clone()),
            ("batch", form.batch_size.clone()),
            ("lr", form.learning_rate.clone()),
            ("images", form.train_images.clone()),
            ("seed", form.seed.clone()),
        ]
        .into_iter()
        // β only where it means something: a variational autoencoder.
        .chain((form.architecture == "vae").then(|| ("beta", form.beta.clone())))
        // The chart's axis only where it is not the report's (epochs).
        .chain((form.chart_x != LossAxis::Epochs).then(|| ("x", form.chart_x.key().to_string())))
        .collect::<Vec<_>>(),
    )
}

/// `#/interpolate`: two models, a pair of test digits, the number of frames and α.
#[derive(Debug, Clone, PartialEq)]
pub struct InterpolateLink {
    pub model_a: String,
    pub model_b: String,
    /// `None` until chosen: the view starts on the exercise's first pair.
    pub pair: (Option<usize>, Option<usize>),
    pub frames: usize,
    pub alpha: f32,
    /// The strips go on past both digits (α from −0.5 to 1.5).
    pub past_ends: bool,
}

impl Default for InterpolateLink {
    fn default() -> Self {
        Self {
            // Issue 20: a plain autoencoder and a VAE of the same size side by side.
            model_a: "two-layer-d20".into(),
            model_b: "vae-d20".into(),
            pair: (None, None),
            frames: DEFAULT_FRAMES,
            alpha: 0.5,
            past_ends: false,
        }
    }
}

impl InterpolateLink {
    pub fn from_link(query: &LinkQuery) -> (Self, Vec<String>) {
        let d = Self::default();
        let mut f = query.fields(&["a", "b", "from", "to", "frames", "alpha", "past"]);
        let model_a = f.model("a", &d.model_a);
        let model_b = f.model("b", &d.model_b);
        let from = test_digit(&mut f, "from", "the exercise's first pair");
        let to = test_digit(&mut f, "to", "the exercise's first pair");
        let link = Self {
            model_a,
            model_b,
            pair: (from, to),
            frames: f.field("frames", d.frames, parse_frames),
            alpha: f.field("alpha", d.alpha, parse_alpha),
            past_ends: f.field("past", d.past_ends, parse_switch),
        };
        (link.with_whole_pair(), f.notices)
    }

    /// A pair with one end only is no pair: the view starts on a preset instead.
    fn with_whole_pair(self) -> Self {
        match self.pair {
            (Some(_), Some(_)) => self,
            _ => Self {
                pair: (None, None),
                ..self
            },
        }
    }

    pub fn hash(&self) -> String {
        let index = |i: Option<usize>| i.map_or(String::new(), |i| i.to_string());
        hash_with(
            Route::Interpolate,
            &[
                ("a", self.model_a.clone()),
                ("b", self.model_b.clone()),
                ("from", index(self.pair.0)),
                ("to", index(self.pair.1)),
                ("frames", self.frames.to_string()),
                ("alpha", format!("{:.2}", self.alpha)),
                ("past", u8::from(self.past_ends).to_string()),
            ],
        )
    }
}

/// A test digit named by a link, displayed as the default it falls back to: `none` says what
/// the view shows without one ("the exercise's first pair", "no digit picked").
struct Pick {
    index: Option<usize>,
    none: &'static str,
}

impl std::fmt::Display for Pick {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(i) => write!(f, "test digit {i}"),
            None => f.write_str(self.none),
        }
    }
}

/// A link's test digit, read for a view that shows `none` without one.
fn test_digit(f: &mut LinkFields<'_>, key: &str, none: &'static str) -> Option<usize> {
    let parse = |text: &str| match text.trim().parse::<usize>() {
        Ok(i) if i < BUNDLED_TEST_IMAGES => Ok(Pick {
            index: Some(i),
            none,
        }),
        _ => Err(format!(
            "a test digit is an index from 0 to {}",
            BUNDLED_TEST_IMAGES - 1
        )),
    };
    f.field(key, Pick { index: None, none }, parse).index
}

/// α, the slider's mix of the two codes: from 0 (the first digit) to 1 (the second), and
/// past them to −0.5 and 1.5 (the view keeps it within the strips' range).
pub fn parse_alpha(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(a) if (-0.5..=1.5).contains(&a) => Ok(a),
        _ => Err("α is a number from −0.5 to 1.5".into()),
    }
}

/// A switch in a link: `1` or `0`.
pub fn parse_switch(text: &str) -> Result<bool, String> {
    match text.trim() {
        "1" | "true" | "on" => Ok(true),
        "0" | "false" | "off" => Ok(false),
        _ => Err("use 1 or 0".into()),
    }
}

/// `#/report`: the part it opens at (`part=A` … `E`), scrolled into view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportLink {
    pub part: Option<char>,
}

/// The parts of `#/report`, one per part of the exercise.
pub const REPORT_PARTS: [char; 5] = ['A', 'B', 'C', 'D', 'E'];

struct ReportPartChoice(Option<char>);

impl std::fmt::Display for ReportPartChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(p) => write!(f, "part {p}"),
            None => f.write_str("the top"),
        }
    }
}

impl ReportLink {
    pub fn from_link(query: &LinkQuery) -> (Self, Vec<String>) {
        let mut f = query.fields(&["part"]);
        let part = f
            .field("part", ReportPartChoice(None), |text| {
                let mut chars = text.trim().chars();
                match (chars.next().map(|c| c.to_ascii_uppercase()), chars.next()) {
                    (Some(c), None) if REPORT_PARTS.contains(&c) => Ok(ReportPartChoice(Some(c))),
                    _ => Err("a part is one of A, B, C, D and E".into()),
                }
            })
            .0;
        (Self { part }, f.notices)
    }

    pub fn hash(&self) -> String {
        hash_with(
            Route::Report,
            &[("part", self.part.map_or(String::new(), String::from))],
        )
    }
}

/// `#/decorrelation`: the model of the heatmap and latent map, the selected coordinate, and
/// the test digit picked on the latent map.
#[derive(Debug, Clone, PartialEq)]
pub struct DecorrelationLink {
    pub model: String,
    pub coordinate: usize,
    /// A test digit's index (its point on the map); whether the map holds it is known once the
    /// model's analysis is there.
    pub pick: Option<usize>,
}

impl Default for DecorrelationLink {
    fn default() -> Self {
        Self {
            model: "two-layer-d20".into(),
            coordinate: 0,
            pick: None,
        }
    }
}

impl DecorrelationLink {
    pub fn from_link(query: &LinkQuery) -> (Self, Vec<String>) {
        let d = Self::default();
        let mut f = query.fields(&["model", "coord", "pick"]);
        let link = Self {
            model: f.model("model", &d.model),
            coordinate: f.field("coord", d.coordinate, parse_coordinate),
            pick: test_digit(&mut f, "pick", "no digit picked"),
        };
        (link, f.notices)
    }

    pub fn hash(&self) -> String {
        hash_with(
            Route::Decorrelation,
            &[
                ("model", self.model.clone()),
                ("coord", self.coordinate.to_string()),
                ("pick", self.pick.map_or(String::new(), |i| i.to_string())),
            ],
        )
    }
}

/// A latent coordinate: below the largest latent size (the model's own is checked once its
/// analysis is there).
pub fn parse_coordinate(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(i) if i < MAX_LATENT_DIM => Ok(i),
        _ => Err(format!(
            "a coordinate is a whole number from 0 to {}",
            MAX_LATENT_DIM - 1
        )),
    }
}

/// `#/transfer`: the scenarios to train, how many labelled images, the epochs (empty: the
/// exercise's schedule) and the scenario whose confusion matrix is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferLink {
    pub scenarios: Vec<TransferScenario>,
    pub labels: String,
    pub epochs: String,
    pub shown: Option<TransferScenario>,
}

pub const LABEL_CHOICES: [&str; 3] = ["100", "1000", "all"];

impl Default for TransferLink {
    fn default() -> Self {
        Self {
            scenarios: TransferScenario::ALL.to_vec(),
            labels: "1000".into(),
            epochs: String::new(),
            shown: None,
        }
    }
}

impl TransferLink {
    pub fn from_link(query: &LinkQuery) -> (Self, Vec<String>) {
        let d = Self::default();
        let mut f = query.fields(&["scenarios", "labels", "epochs", "show"]);
        let link = Self {
            scenarios: f
                .field("scenarios", Scenarios(d.scenarios), parse_scenarios)
                .0,
            labels: f.field("labels", d.labels, |t| {
                LABEL_CHOICES
                    .contains(&t.trim())
                    .then(|| t.trim().to_string())
                    .ok_or_else(|| "labelled images are 100, 1000 or all".to_string())
            }),
            epochs: f
                .field("epochs", Epochs(d.epochs), |t| {
                    parse_transfer_epochs(t)
                        .map(|e| Epochs(e.map_or(String::new(), |n| n.to_string())))
                })
                .0,
            shown: f
                .field("show", Shown(None), |t| {
                    t.trim().parse().map(|s| Shown(Some(s)))
                })
                .0,
        };
        (link, f.notices)
    }

    /// The labelled images `labels` stands for, out of the `available` training images.
    pub fn labelled_images(&self, available: usize) -> usize {
        let n = match self.labels.trim() {
            "all" => available,
            text => text.parse().unwrap_or(0),
        };
        n.min(available)
    }

    /// The run Start asks the engine for: the chosen scenarios in the page's order, at the
    /// training's default batch size and learning rate.
    pub fn request(&self, available: usize) -> Result<TransferRequest, String> {
        let scenarios: Vec<TransferScenario> = TransferScenario::ALL
            .into_iter()
            .filter(|s| self.scenarios.contains(s))
            .collect();
        if scenarios.is_empty() {
            return Err("choose at least one scenario".into());
        }
        let defaults = TrainingConfig::default();
        Ok(TransferRequest {
            scenarios,
            labels: self.labelled_images(available),
            epochs: parse_transfer_epochs(&self.epochs)?,
            batch_size: defaults.batch_size,
            learning_rate: defaults.learning_rate,
        })
    }

    pub fn hash(&self) -> String {
        let scenarios: Vec<String> = self.scenarios.iter().map(|s| s.to_string()).collect();
        hash_with(
            Route::Transfer,
            &[
                ("scenarios", scenarios.join(",")),
                ("labels", self.labels.clone()),
                ("epochs", self.epochs.trim().to_string()),
                ("show", self.shown.map_or(String::new(), |s| s.to_string())),
            ],
        )
    }
}

/// The transfer form's epochs: empty for the exercise's schedule, else 1 to 2,000.
pub fn parse_transfer_epochs(text: &str) -> Result<Option<usize>, String> {
    match text.trim() {
        "" => Ok(None),
        t => match t.parse::<usize>() {
            Ok(n) if (1..=2000).contains(&n) => Ok(Some(n)),
            _ => Err(format!(
                "epochs: a whole number from 1 to 2000, or empty for the exercise's schedule, not '{t}'"
            )),
        },
    }
}

struct Scenarios(Vec<TransferScenario>);

impl std::fmt::Display for Scenarios {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.0.iter().map(|s| s.to_string()).collect();
        f.write_str(&names.join(", "))
    }
}

fn parse_scenarios(text: &str) -> Result<Scenarios, String> {
    let mut scenarios = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let scenario: TransferScenario = name.parse()?;
        if !scenarios.contains(&scenario) {
            scenarios.push(scenario);
        }
    }
    if scenarios.is_empty() {
        return Err("name at least one scenario".into());
    }
    Ok(Scenarios(scenarios))
}

struct Epochs(String);

impl std::fmt::Display for Epochs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.as_str() {
            "" => f.write_str("the exercise's schedule"),
            n => write!(f, "{n} epochs"),
        }
    }
}

struct Shown(Option<TransferScenario>);

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(s) => write!(f, "{s}"),
            None => f.write_str("the last scenario trained"),
        }
    }
}

/// `#/draw`: the autoencoder and the classifier (`None`: the default; `Some("")`: none).
#[derive(Debug, Clone, PartialEq)]
pub struct DrawLink {
    pub autoencoder: String,
    pub classifier: Option<String>,
}

/// A link's `classifier=none`: read the drawing with no classifier.
pub const NO_CLASSIFIER: &str = "none";

impl DrawLink {
    pub fn from_link(query: &LinkQuery, default_autoencoder: &str) -> (Self, Vec<String>) {
        let mut f = query.fields(&["model", "classifier"]);
        let autoencoder = f.model("model", default_autoencoder);
        let classifier = query
            .get("classifier")
            .map(|_| f.model("classifier", NO_CLASSIFIER))
            .map(|c| if c == NO_CLASSIFIER { String::new() } else { c });
        (
            Self {
                autoencoder,
                classifier,
            },
            f.notices,
        )
    }

    pub fn hash(&self) -> String {
        let classifier = match self.classifier.as_deref() {
            None => String::new(),
            Some("") => NO_CLASSIFIER.into(),
            Some(name) => name.into(),
        };
        hash_with(
            Route::Draw,
            &[
                ("model", self.autoencoder.clone()),
                ("classifier", classifier),
            ],
        )
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn query(hash: &str) -> LinkQuery {
        LinkQuery::from_hash(hash)
    }

    #[test]
    fn a_training_link_round_trips_and_refuses_what_the_form_refuses() {
        let mut form = TrainForm::defaults(BUNDLED_TRAIN_IMAGES);
        form.architecture = "three-layer".into();
        form.latent_dim = "5".into();
        form.epochs = "3".into();
        form.learning_rate = "0.002".into();
        form.train_images = "512".into();
        form.seed = "7".into();
        assert!(!train_hash(&form).contains("beta"), "no β without a VAE");
        assert!(
            !train_hash(&form).contains("x="),
            "no axis while it counts epochs"
        );
        form.chart_x = LossAxis::Steps;
        form.architecture = "vae".into();
        form.beta = "0.25".into();
        let hash = train_hash(&form);
        assert!(hash.ends_with("&beta=0.25&x=steps"), "{hash}");
        assert_eq!(Route::from_hash(&hash), Route::Train);
        let (back, start, notices) = train_from_link(&query(&hash), &TrainForm::defaults(10_000));
        assert_eq!((back, start), (form.clone(), false));
        assert!(notices.is_empty(), "{notices:?}");
        let (_, start, notices) = train_from_link(&query("#/train?start=1"), &form);
        assert!(start && notices.is_empty());
        assert!(!train_from_link(&query("#/train?start=yes"), &form).1);

        let defaults = TrainForm::defaults(10_000);
        let (read, _, notices) = train_from_link(
            &query(
                "#/train?arch=four-layer&d=0&epochs=1e9&lr=NaN&images=20000&seed=-1&batch=64&x=pixels",
            ),
            &defaults,
        );
        assert_eq!(
            read,
            TrainForm {
                batch_size: "64".into(),
                ..defaults.clone()
            }
        );
        assert_eq!(notices.len(), 7, "{notices:?}");
        for field in [
            "arch",
            "d=",
            "epochs",
            "lr",
            "images",
            "seed",
            "x is epochs",
        ] {
            assert!(
                notices.iter().any(|n| n.contains(field)),
                "{field}: {notices:?}"
            );
        }
        // What a refused value falls back to is the form as it was, not a fixed default.
        let (read, _, _) = train_from_link(&query("#/train?d=abc"), &form);
        assert_eq!(read, form);
    }

    #[test]
    fn an_interpolation_link_round_trips() {
        let link = InterpolateLink {
            model_a: "two-layer-d20 (trained 3)".into(),
            model_b: "one-layer-d5".into(),
            pair: (Some(12), Some(1_999)),
            frames: 7,
            alpha: -0.25,
            past_ends: true,
        };
        let (back, notices) = InterpolateLink::from_link(&query(&link.hash()));
        assert_eq!(back, link);
        assert!(notices.is_empty(), "{notices:?}");
        let (read, notices) = InterpolateLink::from_link(&query(
            "#/interpolate?from=2000&to=3&frames=21&alpha=-0.6&a=&past=maybe",
        ));
        assert_eq!(read, InterpolateLink::default());
        assert_eq!(notices.len(), 5, "{notices:?}");
        assert!(parse_switch("1").unwrap() && !parse_switch("0").unwrap());
        // One end alone is no pair.
        let (read, _) = InterpolateLink::from_link(&query("#/interpolate?from=4"));
        assert_eq!(read.pair, (None, None));
        assert!(parse_alpha("NaN").is_err() && parse_alpha("inf").is_err());
        assert_eq!(parse_alpha(" 1 "), Ok(1.0));
    }

    #[test]
    fn a_report_link_names_its_part() {
        for part in [None, Some('A'), Some('E')] {
            let link = ReportLink { part };
            assert_eq!(ReportLink::from_link(&query(&link.hash())), (link, vec![]));
        }
        assert_eq!(ReportLink { part: Some('C') }.hash(), "#/report?part=C");
        let (read, notices) = ReportLink::from_link(&query("#/report?part=c"));
        assert_eq!((read.part, notices.len()), (Some('C'), 0), "either case");
        for bad in ["F", "AB", "", "%C3%89"] {
            let (read, notices) = ReportLink::from_link(&query(&format!("#/report?part={bad}")));
            assert_eq!(read.part, None, "{bad}");
            assert!(notices[0].contains("using the top"), "{notices:?}");
        }
        assert_eq!(link_notices("#/report?part=Z&x=1").len(), 2);
    }

    #[test]
    fn decorrelation_and_draw_links_round_trip() {
        for pick in [None, Some(0), Some(1_999)] {
            let link = DecorrelationLink {
                model: "three-layer-d100".into(),
                coordinate: 42,
                pick,
            };
            assert_eq!(DecorrelationLink::from_link(&query(&link.hash())).0, link);
        }
        let (read, notices) =
            DecorrelationLink::from_link(&query("#/decorrelation?pick=2000&coord=3"));
        assert_eq!((read.pick, read.coordinate), (None, 3));
        assert!(notices[0].contains("pick=\"2000\"") && notices[0].contains("no digit picked"));
        let (read, notices) =
            DecorrelationLink::from_link(&query("#/decorrelation?coord=1000&model=x"));
        assert_eq!(read.coordinate, 0);
        assert_eq!(
            read.model, "x",
            "a model name is checked once the list is there"
        );
        assert_eq!(notices.len(), 1);

        for classifier in [
            None,
            Some(String::new()),
            Some("classifier-d20 (trained 1)".into()),
        ] {
            let link = DrawLink {
                autoencoder: "two-layer-d5".into(),
                classifier,
            };
            let (back, notices) = DrawLink::from_link(&query(&link.hash()), "two-layer-d20");
            assert_eq!(back, link);
            assert!(notices.is_empty());
        }
        let (read, _) = DrawLink::from_link(&query("#/draw"), "two-layer-d20");
        assert_eq!(read.autoencoder, "two-layer-d20");
        assert_eq!(read.classifier, None);
    }

    #[test]
    fn a_transfer_link_round_trips_and_refuses_unknown_scenarios() {
        let link = TransferLink {
            scenarios: vec![TransferScenario::Scratch, TransferScenario::Frozen],
            labels: "all".into(),
            epochs: "12".into(),
            shown: Some(TransferScenario::Frozen),
        };
        assert_eq!(
            link.hash(),
            "#/transfer?scenarios=scratch,frozen&labels=all&epochs=12&show=frozen"
        );
        let (back, notices) = TransferLink::from_link(&query(&link.hash()));
        assert_eq!(back, link);
        assert!(notices.is_empty());
        let (read, notices) = TransferLink::from_link(&query(
            "#/transfer?scenarios=frozen,melted&labels=5&epochs=0&show=all",
        ));
        assert_eq!(read, TransferLink::default());
        assert_eq!(notices.len(), 4, "{notices:?}");
        assert!(notices[0].contains("melted"), "{notices:?}");
        assert_eq!(
            TransferLink::from_link(&query("#/transfer?scenarios=frozen,frozen,"))
                .0
                .scenarios,
            vec![TransferScenario::Frozen]
        );
        assert_eq!(parse_transfer_epochs(" "), Ok(None));
        assert!(parse_transfer_epochs("2001").is_err());
    }

    #[test]
    fn a_transfer_link_asks_for_its_scenarios_in_the_page_s_order() {
        let link = TransferLink {
            scenarios: vec![TransferScenario::Scratch, TransferScenario::Frozen],
            labels: "1000".into(),
            epochs: "12".into(),
            shown: None,
        };
        let request = link.request(10_000).unwrap();
        assert_eq!(
            request.scenarios,
            vec![TransferScenario::Frozen, TransferScenario::Scratch]
        );
        assert_eq!((request.labels, request.epochs), (1000, Some(12)));
        assert_eq!((request.batch_size, request.learning_rate), (64, 1e-3));
        // All the labelled images there are; never more than there are.
        let all = TransferLink {
            labels: "all".into(),
            epochs: String::new(),
            ..link.clone()
        };
        assert_eq!(all.request(10_000).unwrap().labels, 10_000);
        assert_eq!(
            all.request(10_000).unwrap().epochs,
            None,
            "the exercise's schedule"
        );
        assert_eq!(link.labelled_images(500), 500);
        let none = TransferLink {
            scenarios: vec![],
            ..link.clone()
        };
        assert_eq!(
            none.request(10_000),
            Err("choose at least one scenario".into())
        );
        let bad = TransferLink {
            epochs: "0".into(),
            ..link
        };
        assert!(bad.request(10_000).is_err());
    }
}
