// Latent Lab's service worker: after the first visit the lab loads and trains with the network
// off. scripts/trunk-service-worker.sh writes it into the build as sw.js, with the build's
// version (a hash of every file) and file list in place of the two markers below.
//
// Install caches every file of the build in a cache named after its version. A new build's
// worker waits (no skipWaiting) until no tab of the old one is open, and only then deletes the
// old cache: a page is always served files of the build it started with, never a mix.
const VERSION = "__LATENT_LAB_VERSION__";
const FILES = __LATENT_LAB_FILES__;
const CACHE = `latent-lab-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(["./", ...FILES])));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("latent-lab-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      // The page's own settings (?backend=cpu, ?lesson=…) never change a file.
      const hit = await cache.match(request, { ignoreSearch: true });
      if (hit) return hit;
      if (request.mode === "navigate") {
        const page = await cache.match("./");
        if (page) return page;
      }
      return fetch(request);
    }),
  );
});
