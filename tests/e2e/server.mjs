// A static server for the built page (dist/) on 127.0.0.1, any free port.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const types = {
  ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".json": "application/json", ".gz": "application/gzip",
  ".safetensors": "application/octet-stream", ".png": "image/png",
  ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json", ".md": "text/markdown; charset=utf-8",
};

/** The Content-Security-Policy `trunk serve` sends (Trunk.toml's [serve.headers]). */
export function trunkPolicy(root) {
  const toml = fs.readFileSync(path.join(root, "Trunk.toml"), "utf8");
  const found = toml.match(/^"Content-Security-Policy"\s*=\s*"([^"]*)"/m);
  if (!found) throw new Error("Trunk.toml sends no Content-Security-Policy");
  return found[1];
}

// A static server for dist/ on 127.0.0.1 (any free port), with the policy trunk serve sends
// (`root`: the folder of Trunk.toml). `isolated`: also the two headers that make the page
// cross-origin isolated, which WebAssembly threads (shared memory) need.
export function serve(dist, root = path.resolve(dist, ".."), { isolated = false } = {}) {
  const policy = trunkPolicy(root);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let file = path.join(dist, decodeURIComponent(url.pathname));
    if (!file.startsWith(dist)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end("not found"); return; }
      res.writeHead(200, {
        "content-type": types[path.extname(file)] ?? "application/octet-stream",
        // Workers take their policy from their own response, not from the page's meta tag.
        "content-security-policy": policy,
        ...(isolated ? {
          "cross-origin-opener-policy": "same-origin",
          "cross-origin-embedder-policy": "require-corp",
        } : {}),
      });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

