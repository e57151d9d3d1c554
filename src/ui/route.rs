//! Hash routes: one view per route, `#/train` when the hash names none.

use std::collections::HashMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Route {
    #[default]
    Train,
    Experiments,
    Interpolate,
    Decorrelation,
    Transfer,
    Draw,
    Report,
}

impl Route {
    pub const ALL: [Route; 7] = [
        Route::Train,
        Route::Experiments,
        Route::Interpolate,
        Route::Decorrelation,
        Route::Transfer,
        Route::Draw,
        Route::Report,
    ];

    /// The route of a location hash such as `#/draw`; unknown or empty hashes give `Train`.
    pub fn from_hash(hash: &str) -> Self {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let path = path.split(['?', '/']).next().unwrap_or("");
        Self::ALL
            .into_iter()
            .find(|r| r.slug() == path)
            .unwrap_or_default()
    }

    pub fn slug(self) -> &'static str {
        match self {
            Route::Train => "train",
            Route::Experiments => "experiments",
            Route::Interpolate => "interpolate",
            Route::Decorrelation => "decorrelation",
            Route::Transfer => "transfer",
            Route::Draw => "draw",
            Route::Report => "report",
        }
    }

    pub fn hash(self) -> String {
        format!("#/{}", self.slug())
    }

    /// The label in the navigation bar.
    pub fn title(self) -> &'static str {
        match self {
            Route::Train => "Train",
            Route::Experiments => "Experiments",
            Route::Interpolate => "Interpolate",
            Route::Decorrelation => "Decorrelation",
            Route::Transfer => "Transfer",
            Route::Draw => "Draw",
            Route::Report => "Report",
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// The folder of a page address: `http://h:8080/app/index.html?x#/y` → `http://h:8080/app/`.
pub fn base_url(href: &str) -> String {
    let end = href.find(['?', '#']).unwrap_or(href.len());
    let path = &href[..end];
    match path.rfind('/') {
        Some(slash) if slash > path.find("//").map_or(0, |i| i + 1) => path[..=slash].to_string(),
        _ => format!("{path}/"),
    }
}

/// Where each view was last left: its address with the choices it carries
/// (`ui::view_links`), so that the navigation takes a person back to a view as they left it
/// rather than to its defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewAddresses(HashMap<Route, String>);

impl ViewAddresses {
    /// Records a view's address (`#/interpolate?from=3&to=4…`); says whether it was new.
    pub fn remember(&mut self, hash: &str) -> bool {
        let route = Route::from_hash(hash);
        if self.0.get(&route).is_some_and(|h| h == hash) {
            return false;
        }
        self.0.insert(route, hash.to_string());
        true
    }

    /// The navigation's link to `route`: where it was left, else its bare address.
    pub fn href(&self, route: Route) -> String {
        self.0.get(&route).cloned().unwrap_or_else(|| route.hash())
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn hashes_to_routes() {
        assert_eq!(Route::from_hash(""), Route::Train);
        assert_eq!(Route::from_hash("#/draw"), Route::Draw);
        assert_eq!(Route::from_hash("#draw"), Route::Draw);
        assert_eq!(
            Route::from_hash("#/transfer?scenario=frozen"),
            Route::Transfer
        );
        assert_eq!(Route::from_hash("#/nowhere"), Route::Train);
        for route in Route::ALL {
            assert_eq!(Route::from_hash(&route.hash()), route);
        }
    }

    #[test]
    fn the_navigation_goes_back_to_where_a_view_was_left() {
        let mut addresses = ViewAddresses::default();
        assert_eq!(addresses.href(Route::Interpolate), "#/interpolate");
        assert!(addresses.remember("#/interpolate?from=3&to=4&frames=12"));
        assert!(!addresses.remember("#/interpolate?from=3&to=4&frames=12"));
        assert!(addresses.remember("#/transfer?scenarios=frozen"));
        assert_eq!(
            addresses.href(Route::Interpolate),
            "#/interpolate?from=3&to=4&frames=12"
        );
        assert_eq!(
            addresses.href(Route::Transfer),
            "#/transfer?scenarios=frozen"
        );
        // The newest address of a view replaces the older; other views keep their defaults.
        assert!(addresses.remember("#/interpolate?from=0&to=9"));
        assert_eq!(
            addresses.href(Route::Interpolate),
            "#/interpolate?from=0&to=9"
        );
        assert_eq!(addresses.href(Route::Draw), "#/draw");
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url("http://127.0.0.1:8080/?backend=cpu#/train"),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            base_url("https://x.org/lab/index.html#/draw"),
            "https://x.org/lab/"
        );
        assert_eq!(base_url("http://127.0.0.1:8080"), "http://127.0.0.1:8080/");
    }
}
