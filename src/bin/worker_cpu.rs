//! The engine worker without wgpu: the smaller bundle the page loads when there is no WebGPU.

#[cfg(target_arch = "wasm32")]
fn main() {
    latent_lab::web::worker::run();
}

/// The body of one of the engine's kernel threads (`public/kernel_thread.js` calls it once the
/// module runs there). Only in the `threads` build.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn kernel_thread_run() {
    latent_lab::web::worker::run_kernel_thread();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the engine worker runs in a browser: build it with `trunk build` (see the README)");
    std::process::exit(2);
}
