//! Every view is a link: a view's choices live in the query of its hash route
//! (`#/interpolate?a=two-layer-d20&from=3&to=7`), so a copied address opens the same view
//! elsewhere. Reading a link is forgiving: a value that its field's checked parser refuses, an
//! unknown parameter or a malformed escape gets the field's default and a notice, never a
//! broken page. Settings of the whole page (`?backend=cpu`) stay in the address's search part.

use std::fmt::Display;

use super::route::Route;
use crate::engine::{ModelInfo, ModelOrigin};
use crate::weights::ModelSpec;

/// The longest parameter value a link may carry (a model name, a list of scenarios): longer
/// ones are refused rather than kept in every address the page writes.
pub const MAX_VALUE_LEN: usize = 200;

/// The parameters of a hash route's query, in their order, decoded.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinkQuery {
    pairs: Vec<(String, String)>,
    /// What could not be read at all (a bad escape, an over-long value).
    problems: Vec<String>,
}

impl LinkQuery {
    /// The query of a location hash such as `#/draw?model=two-layer-d5`.
    pub fn from_hash(hash: &str) -> Self {
        let query = hash.split_once('?').map_or("", |(_, q)| q);
        let mut link = Self::default();
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            match (percent_decode(key), percent_decode(value)) {
                (Ok(key), Ok(value)) if value.chars().count() <= MAX_VALUE_LEN => {
                    link.pairs.push((key, value))
                }
                (Ok(key), Ok(_)) => link.problems.push(format!(
                    "the link's '{key}' is longer than {MAX_VALUE_LEN} characters; it was ignored"
                )),
                (Err(e), _) | (_, Err(e)) => link.problems.push(format!(
                    "the link's '{part}' could not be read ({e}); it was ignored"
                )),
            }
        }
        link
    }

    /// No parameters at all (nor any that could not be read).
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty() && self.problems.is_empty()
    }

    /// The first value given for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Reads the fields of one view: see [`LinkFields`].
    pub fn fields(&self, known: &[&str]) -> LinkFields<'_> {
        let mut notices = self.problems.clone();
        for (key, _) in &self.pairs {
            if !known.contains(&key.as_str()) {
                notices.push(format!(
                    "the link's parameter '{key}' means nothing on this view; it was ignored"
                ));
            }
        }
        LinkFields {
            query: self,
            notices,
        }
    }
}

/// One view's fields read from a link, each with its own checked parser; the notices say what
/// was refused and which default took its place.
pub struct LinkFields<'a> {
    query: &'a LinkQuery,
    pub notices: Vec<String>,
}

impl LinkFields<'_> {
    /// The field `key` through `parse`, or `default` (with a notice) when the link's value is
    /// refused, or `default` (silently) when the link has none.
    pub fn field<T: Display>(
        &mut self,
        key: &str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> T {
        match self.query.get(key) {
            None => default,
            Some(text) => match parse(text) {
                Ok(value) => value,
                Err(e) => {
                    self.notices.push(format!(
                        "the link's {key}={text:?} was refused ({e}); using {default}"
                    ));
                    default
                }
            },
        }
    }

    /// A field whose value is a model's name: any non-blank text here; whether this browser
    /// has such a model is known only once the model list is there ([`resolve_model`]).
    pub fn model(&mut self, key: &str, default: &str) -> String {
        self.field(key, default.to_string(), |text| {
            let name = text.trim();
            if name.is_empty() || name.chars().any(char::is_control) {
                Err("not a model name".into())
            } else {
                Ok(name.to_string())
            }
        })
    }
}

/// The hash of `route` with `pairs` as its query: `#/interpolate?a=two-layer-d20&frames=10`.
/// Empty values are left out.
pub fn hash_with(route: Route, pairs: &[(&str, String)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    if query.is_empty() {
        route.hash()
    } else {
        format!("{}?{}", route.hash(), query.join("&"))
    }
}

/// The address's search part with `key` set to `value`, or removed (`None`); the other
/// parameters stay as they were: `("?backend=cpu", "lesson", Some("b-depth"))` →
/// `?backend=cpu&lesson=b-depth`.
pub fn with_search_param(search: &str, key: &str, value: Option<&str>) -> String {
    let mut parts: Vec<String> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| percent_decode(p.split('=').next().unwrap_or("")).as_deref() != Ok(key))
        .map(str::to_string)
        .collect();
    if let Some(value) = value {
        parts.push(format!("{}={}", percent_encode(key), percent_encode(value)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Percent-encodes everything but the unreserved characters (RFC 3986) and `,`, which lists
/// use and a query may carry as it is.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Decodes `%XX` escapes (and `+` as a space, as forms write it); a truncated or non-hex escape
/// or bytes that are not UTF-8 are an error.
pub fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("a broken escape at character {}", i + 1))?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "not UTF-8 text".to_string())
}

/// Which model a link's `wanted` name gives in this browser, once its model list is there:
/// `Ok(())` when the list has it; otherwise the name to show instead and a notice. A model
/// trained or uploaded in another browser lives only there: the replacement is the bundled
/// model nearest to it (same kind and architecture, the closest latent size), or `default`.
pub fn resolve_model(
    wanted: &str,
    models: &[ModelInfo],
    default: &str,
) -> Result<(), (String, String)> {
    if models.iter().any(|m| m.name == wanted) {
        return Ok(());
    }
    let replacement = nearest_bundled(wanted, models).unwrap_or_else(|| default.to_string());
    Err((
        replacement.clone(),
        format!(
            "the link names the model '{wanted}', which this browser does not have (a model \
             trained or uploaded in another browser stays there); showing {replacement}, the \
             nearest bundled model"
        ),
    ))
}

/// The bundled model closest to a name such as `two-layer-d20 (trained 2)`: the same kind and
/// architecture, the nearest latent size on a log scale (d = 20 is nearer 10 than 50).
fn nearest_bundled(wanted: &str, models: &[ModelInfo]) -> Option<String> {
    let stem = wanted.split(" (").next()?.trim();
    let (kind, d) = stem.rsplit_once("-d")?;
    let d: f64 = d.parse::<usize>().ok().filter(|&d| d > 0)? as f64;
    models
        .iter()
        .filter(|m| m.origin == ModelOrigin::Pretrained)
        .filter_map(|m| {
            let (spec_kind, latent_dim) = match &m.spec {
                ModelSpec::Autoencoder {
                    architecture,
                    latent_dim,
                } => (architecture.to_string(), *latent_dim),
                ModelSpec::Classifier { latent_dim } => ("classifier".to_string(), *latent_dim),
            };
            (spec_kind == kind).then(|| ((latent_dim as f64 / d).ln().abs(), m))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, m)| m.name.clone())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::model::Architecture;

    fn model(name: &str, spec: ModelSpec, origin: ModelOrigin) -> ModelInfo {
        ModelInfo {
            id: name.into(),
            name: name.into(),
            spec,
            origin,
            params: 0,
            epochs: None,
            train_images: None,
            train_loss: None,
            test_loss: None,
            test_accuracy: None,
            kept: false,
            not_kept: None,
            beta: None,
        }
    }

    fn bundled(architecture: Architecture, latent_dim: usize) -> ModelInfo {
        let spec = ModelSpec::Autoencoder {
            architecture,
            latent_dim,
        };
        model(&spec.name(), spec, ModelOrigin::Pretrained)
    }

    #[test]
    fn escapes_round_trip() {
        for text in [
            "two-layer-d20 (trained 1)",
            "a&b=c?#%+",
            "α = 0.5",
            "",
            "frozen,scratch",
        ] {
            assert_eq!(percent_decode(&percent_encode(text)).unwrap(), text);
        }
        assert_eq!(
            percent_encode("two-layer-d20 (trained 1)"),
            "two-layer-d20%20%28trained%201%29"
        );
        assert_eq!(percent_decode("a+b%2Bc").unwrap(), "a b+c");
        assert!(percent_decode("%4").is_err());
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%FF%FE").is_err());
    }

    #[test]
    fn hashes_carry_their_query() {
        let hash = hash_with(
            Route::Interpolate,
            &[
                ("a", "two-layer-d20 (trained 1)".into()),
                ("frames", "10".into()),
                ("empty", String::new()),
            ],
        );
        assert_eq!(
            hash,
            "#/interpolate?a=two-layer-d20%20%28trained%201%29&frames=10"
        );
        assert_eq!(Route::from_hash(&hash), Route::Interpolate);
        let query = LinkQuery::from_hash(&hash);
        assert_eq!(query.get("a"), Some("two-layer-d20 (trained 1)"));
        assert_eq!(query.get("frames"), Some("10"));
        assert_eq!(query.get("empty"), None);
        assert_eq!(hash_with(Route::Draw, &[]), "#/draw");
    }

    #[test]
    fn search_parameters_are_set_and_removed_leaving_the_others() {
        assert_eq!(
            with_search_param("?backend=cpu", "lesson", Some("b-depth")),
            "?backend=cpu&lesson=b-depth"
        );
        assert_eq!(
            with_search_param(
                "?lesson=a&backend=cpu&hide=nav,gallery",
                "lesson",
                Some("c")
            ),
            "?backend=cpu&hide=nav,gallery&lesson=c"
        );
        assert_eq!(with_search_param("?lesson=a", "lesson", None), "");
        assert_eq!(
            with_search_param("", "lesson", Some("a b")),
            "?lesson=a%20b"
        );
    }

    #[test]
    fn refused_values_get_the_default_and_a_notice() {
        let query = LinkQuery::from_hash("#/x?frames=999&alpha=0.25&bogus=1&bad=%zz&frames=3");
        let mut fields = query.fields(&["frames", "alpha", "bad"]);
        let frames = fields.field("frames", 10usize, |t| {
            t.parse::<usize>()
                .ok()
                .filter(|n| (2..=20).contains(n))
                .ok_or_else(|| "not 2 to 20".to_string())
        });
        let alpha = fields.field("alpha", 0.5f32, |t| t.parse().map_err(|_| "no".into()));
        let missing = fields.field("nothing", 7u8, |_| Err("never called".into()));
        assert_eq!((frames, alpha, missing), (10, 0.25, 7));
        let notices = fields.notices.join("\n");
        assert_eq!(fields.notices.len(), 3, "{notices}");
        assert!(notices.contains("'bad=%zz' could not be read"), "{notices}");
        assert!(notices.contains("'bogus' means nothing"), "{notices}");
        assert!(
            notices.contains("frames=\"999\" was refused (not 2 to 20); using 10"),
            "{notices}"
        );
    }

    #[test]
    fn over_long_and_blank_values_are_refused() {
        let long = format!("#/draw?model={}", "x".repeat(MAX_VALUE_LEN + 1));
        let query = LinkQuery::from_hash(&long);
        let mut fields = query.fields(&["model"]);
        assert_eq!(fields.model("model", "two-layer-d20"), "two-layer-d20");
        assert_eq!(fields.notices.len(), 1);
        let query = LinkQuery::from_hash("#/draw?model=%20%20&classifier=a%0Ab");
        let mut fields = query.fields(&["model", "classifier"]);
        assert_eq!(fields.model("model", "d"), "d");
        assert_eq!(fields.model("classifier", "c"), "c");
        assert_eq!(fields.notices.len(), 2);
    }

    #[test]
    fn a_model_from_another_browser_falls_back_to_the_nearest_bundled() {
        let models = vec![
            bundled(Architecture::TwoLayer, 10),
            bundled(Architecture::TwoLayer, 50),
            bundled(Architecture::ThreeLayer, 20),
            model(
                "classifier-d20",
                ModelSpec::Classifier { latent_dim: 20 },
                ModelOrigin::Pretrained,
            ),
            model(
                "two-layer-d20 (trained 1)",
                ModelSpec::Autoencoder {
                    architecture: Architecture::TwoLayer,
                    latent_dim: 20,
                },
                ModelOrigin::Trained,
            ),
        ];
        assert_eq!(
            resolve_model("two-layer-d20 (trained 1)", &models, "x"),
            Ok(())
        );
        // d = 20 is nearer 10 than 50 on a log scale; a trained model is never the fallback.
        let (name, notice) = resolve_model("two-layer-d20 (trained 2)", &models, "x").unwrap_err();
        assert_eq!(name, "two-layer-d10");
        assert!(notice.contains("'two-layer-d20 (trained 2)'"), "{notice}");
        assert!(notice.contains("showing two-layer-d10"), "{notice}");
        assert_eq!(
            resolve_model("two-layer-d40 (uploaded)", &models, "x")
                .unwrap_err()
                .0,
            "two-layer-d50"
        );
        assert_eq!(
            resolve_model("three-layer-d100", &models, "x")
                .unwrap_err()
                .0,
            "three-layer-d20"
        );
        assert_eq!(
            resolve_model("classifier-d5 (trained 1)", &models, "x")
                .unwrap_err()
                .0,
            "classifier-d20"
        );
        assert_eq!(
            resolve_model("my model", &models, "two-layer-d10")
                .unwrap_err()
                .0,
            "two-layer-d10"
        );
        assert_eq!(
            resolve_model("one-layer-d20", &models, "two-layer-d10")
                .unwrap_err()
                .0,
            "two-layer-d10"
        );
    }
}
