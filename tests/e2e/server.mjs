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

/** The headers `trunk serve` sends (Trunk.toml's [serve.headers]), by name. */
export function trunkHeaders(root) {
  const toml = fs.readFileSync(path.join(root, "Trunk.toml"), "utf8");
  const section = toml.split(/^\[serve\.headers\]\s*$/m)[1]?.split(/^\[/m)[0] ?? "";
  const headers = {};
  for (const [, name, value] of section.matchAll(/^"([^"]+)"\s*=\s*"([^"]*)"/gm)) headers[name.toLowerCase()] = value;
  return headers;
}

/** The header `name` (lower case) of `headers`, which Trunk.toml must send. */
function required(headers, name) {
  if (!headers[name]) throw new Error(`Trunk.toml sends no ${name}`);
  return headers[name];
}

/** The Content-Security-Policy `trunk serve` sends. */
export function trunkPolicy(root) {
  return required(trunkHeaders(root), "content-security-policy");
}

const isolationHeaders = ["cross-origin-opener-policy", "cross-origin-embedder-policy"];

// A static server for dist/ on 127.0.0.1 (any free port), with the headers trunk serve sends
// (`root`: the folder of Trunk.toml): the policy, and the two that make the page cross-origin
// isolated, which the CPU engine's threads (shared memory) need. `isolated: false` leaves those
// two out, as a host that does not send them (the page then loads the single-threaded engine).
export function serve(dist, root = path.resolve(dist, ".."), { isolated = true } = {}) {
  const headers = trunkHeaders(root);
  for (const name of ["content-security-policy", ...isolationHeaders]) required(headers, name);
  if (!isolated) for (const name of isolationHeaders) delete headers[name];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let file = path.join(dist, decodeURIComponent(url.pathname));
    if (!file.startsWith(dist)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end("not found"); return; }
      // Workers take their policy from their own response, not from the page's meta tag.
      res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream", ...headers });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
