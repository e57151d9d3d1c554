//! The engine worker without wgpu: the smaller bundle the page loads when there is no WebGPU.

#[cfg(target_arch = "wasm32")]
fn main() {
    latent_lab::web::worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the engine worker runs in a browser: build it with `trunk build` (see the README)");
    std::process::exit(2);
}
