// A kernel thread of the CPU engine (src/web/worker/kernel_threads.rs): the engine's own wasm
// module on the engine's shared memory, running one thread of its rayon pool. Classic worker:
// the engine's wasm-bindgen glue is a no-modules script.
self.onmessage = async (event) => {
  const [glue, module, memory] = event.data;
  importScripts(glue);
  await wasm_bindgen({ module_or_path: module, memory });
  // The engine waits for every thread to be up before it builds the pool; the thread then
  // blocks in the module until the pool hands it a rayon thread, and runs it.
  self.postMessage("started");
  wasm_bindgen.kernel_thread_run();
};
