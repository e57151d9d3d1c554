//! The page's front end (leptos), built by trunk from `index.html`.

#[cfg(target_arch = "wasm32")]
fn main() {
    latent_lab::web::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the page runs in a browser: build it with `trunk build` (see the README)");
    std::process::exit(2);
}
