//! `?hide=`: parts of the page a teacher hides for a lesson (as TensorFlow Playground's
//! `_hide` flags do), named in a comma list: `?hide=nav,train-form&lesson=b-depth`. Each
//! part is an element with that `data-part` attribute; hidden ones get `display: none`.

/// Every part that can be hidden, with what it is (the README lists them from here).
pub const HIDEABLE: [(&str, &str); 16] = [
    ("nav", "the navigation between views"),
    ("copy-link", "the Copy link button"),
    ("backend", "the header's backend line"),
    ("train-form", "the training settings"),
    ("train-controls", "Start, Pause and Cancel"),
    ("model-list", "the model list, with Save, Load and Remove"),
    ("presets", "the exercise's pairs on #/interpolate"),
    ("gallery", "the gallery of test digits on #/interpolate"),
    ("blend", "the pixel blend on #/interpolate"),
    (
        "reproduction",
        "the full-MNIST reproduction's tables and figures beside the live ones",
    ),
    (
        "decorrelation-table",
        "the table of mean |r| per latent size",
    ),
    ("heatmap", "the correlation heatmap and histogram"),
    ("latent-map", "the latent map"),
    ("transfer-form", "the transfer scenarios and settings"),
    ("classifier", "the drawing's classifier reading"),
    ("neighbours", "the drawing's nearest test digits"),
];

/// The parts named in `?hide=`, known ones only, and a notice per unknown name.
pub fn parse_hide(list: &str) -> (Vec<&'static str>, Vec<String>) {
    let mut parts = Vec::new();
    let mut notices = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match HIDEABLE.iter().find(|(part, _)| *part == name) {
            Some((part, _)) if !parts.contains(part) => parts.push(*part),
            Some(_) => {}
            None => notices.push(format!(
                "hide: no part of the page is called '{}' (they are: {})",
                name.chars().take(40).collect::<String>(),
                HIDEABLE.map(|(p, _)| p).join(", ")
            )),
        }
    }
    (parts, notices)
}

/// The style rules that hide `parts`.
pub fn hide_css(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| format!("[data-part=\"{p}\"] {{ display: none !important; }}\n"))
        .collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn known_parts_are_hidden_and_unknown_ones_named() {
        let (parts, notices) = parse_hide("nav, train-form,nav,,</style><script>");
        assert_eq!(parts, vec!["nav", "train-form"]);
        assert_eq!(notices.len(), 1);
        assert!(notices[0].contains("'</style><script>'"), "{notices:?}");
        assert_eq!(
            hide_css(&parts),
            "[data-part=\"nav\"] { display: none !important; }\n\
             [data-part=\"train-form\"] { display: none !important; }\n"
        );
        assert_eq!(parse_hide(""), (vec![], vec![]));
    }
}
