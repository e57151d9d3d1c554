//! The page's engine worker (burn models, training), built by trunk from `index.html`.

#[cfg(target_arch = "wasm32")]
unsafe extern "C" {
    /// Made by the linker (wasm-ld): runs the module's static constructors, here the
    /// registrations of cubecl's kernel IR (`inventory`).
    fn __wasm_call_ctors();
}

#[cfg(target_arch = "wasm32")]
fn main() {
    // Once, here, at instantiation. A module that never calls its constructors itself is
    // linked as a "command", and wasm-ld then runs them at the top of every exported
    // function: every call from JavaScript into this engine (each callback of a GPU
    // readback, each table slot wasm-bindgen takes) ran all of cubecl's registrations again,
    // most of a drawing's reading on the software adapter (docs/performance.md).
    // SAFETY: nothing has run yet that the constructors could disturb, and this is the only
    // call (with it, the linker adds none of its own).
    unsafe { __wasm_call_ctors() };
    latent_lab::web::worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the engine worker runs in a browser: build it with `trunk build` (see the README)");
    std::process::exit(2);
}
