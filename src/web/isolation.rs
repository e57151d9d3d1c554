//! Cross-origin isolation: the browser gives shared memory (and so WebAssembly threads) only to
//! a page whose server sends COOP/COEP headers (Trunk.toml's `[serve.headers]`). The page reads
//! it to choose the CPU engine's build; the engine worker, to say why it runs on one thread.

/// `crossOriginIsolated` of this global (the page's window or a worker's scope).
pub(crate) fn cross_origin_isolated() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
        .map(|v| v.is_truthy())
        .unwrap_or(false)
}

/// Why the CPU engine runs on one thread for lack of shared memory, or `None` if this page has it.
pub(crate) fn why_single_threaded() -> Option<String> {
    (!cross_origin_isolated()).then(|| {
        "one thread: the page is not cross-origin isolated (the server sends no COOP/COEP \
         headers), so the browser gives no shared memory"
            .into()
    })
}
