//! Hash routes: one view per route, `#/train` when the hash names none.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
