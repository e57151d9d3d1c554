// Benchmark of the drawing view's latency in headless Chromium (prints figures, asserts nothing):
// from a stroke's last point to the reconstruction of the drawing it finished, as the page's own
// log (data-testid="draw-latency") measures it (to the moment the engine painted it into the
// canvas the page handed over; where the page paints it, to the reading reaching the page),
// over many strokes of a seven drawn with the mouse.
//   node tests/e2e/draw_bench.mjs [dist-folder]
//   STROKES=N strokes (default 100); ISOLATED=0 serves the page without cross-origin isolation
//   (the single-threaded engine); THREADS=N asks the threaded engine for N kernel threads
//   (`?threads=N`); WEBGPU=1 also measures Chromium's software WebGPU adapter.
// To see where a slow stroke's time goes (each slows the run; docs/performance.md):
//   TRACE=file traces the measured strokes (Chromium's timeline) and prints what the page's
//   main thread did: its busy time, its frames and their layout, paint and commit, the posted
//   messages it handled (the engine's answers among them), its longest task;
//   MUTATIONS=1 counts the page's DOM changes by kind (a MutationObserver);
//   HIDE=selector hides those elements (`display: none`): what drawing them costs, at most.
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "./server.mjs";

const root = path.resolve(fileURLToPath(import.meta.url), "../../..");
const dist = path.resolve(process.argv[2] ?? path.join(root, "dist"));
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const args = ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];
const strokes = Number(process.env.STROKES ?? 100);
const SEVEN = [[[0.25, 0.2], [0.75, 0.2]], [[0.75, 0.2], [0.45, 0.85]]];

const server = await serve(dist, root, { isolated: process.env.ISOLATED !== "0" });
const origin = `http://127.0.0.1:${server.address().port}`;

async function measure(label, query, extraArgs) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...args, ...extraArgs] });
  const page = await browser.newPage();
  await page.goto(`${origin}/${query}#/draw`);
  const count = () => page.$eval('[data-testid="draw-latency"]', (e) => +e.dataset.count);
  const stroke = async ([from, to]) => {
    // The pad's place, anew for each stroke: the page's layout settles while it loads.
    const box = await (await page.waitForSelector('[data-testid="draw-pad"]')).boundingBox();
    const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
    await page.mouse.move(...at(from));
    await page.mouse.down();
    await page.mouse.move(...at(to), { steps: 2 });
    await page.mouse.up();
  };
  const waitCount = (n, timeout) => page.waitForFunction(
    (k) => +document.querySelector('[data-testid="draw-latency"]').dataset.count >= k, n, { timeout });
  // Warm-up: strokes until one is read (the models loaded, the test set's codes indexed).
  for (let warm = 1; ; warm++) {
    await stroke(SEVEN[0]);
    if (await waitCount(1, 10_000).then(() => true, () => false)) break;
    if (warm === 18) throw new Error("no drawing was read in three minutes");
  }
  // The measured strokes, on a fresh view (its log starts empty).
  await page.evaluate(() => { location.hash = "#/train"; });
  await page.evaluate(() => { location.hash = "#/draw"; });
  if (process.env.HIDE) await page.addStyleTag({ content: `${process.env.HIDE} { display: none !important; }` });
  if (process.env.MUTATIONS === "1") await page.evaluate(countMutations);
  const trace = process.env.TRACE;
  if (trace) await browser.startTracing(page, { path: trace, categories: TRACE_CATEGORIES });
  let done = 0;
  while (done < strokes) {
    if (await page.$('[data-testid="draw-clear"]:not([disabled])')) await page.click('[data-testid="draw-clear"]');
    for (const s of SEVEN) {
      await stroke(s);
      done += 1;
      await waitCount(done, 180_000);
    }
  }
  if (trace) {
    await browser.stopTracing();
    printMainThread(trace);
  }
  if (process.env.MUTATIONS === "1") {
    const counts = await page.evaluate(() => window.__mutations);
    console.log("DOM changes over the measured strokes (count, kind, the element and its parents):");
    for (const [kind, n] of Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 20)) {
      console.log(`${String(n).padStart(7)}  ${kind}`);
    }
  }
  const backend = (await page.textContent('[data-testid="backend"]')).trim();
  const samples = await page.$eval('[data-testid="draw-latency"]', (e) => [e.dataset.median, e.dataset.p95]);
  console.log(`${label}: a stroke's last point → its reconstruction shown, over ${await count()} strokes: median ${samples[0]} ms, 95th percentile ${samples[1]} ms; ${backend}`);
  await browser.close();
}

const TRACE_CATEGORIES = ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline",
  "v8.execute", "input", "cc", "benchmark"];

/// Installed in the page: counts each DOM change by its kind, attribute and element.
function countMutations() {
  const name = (e) => e.tagName.toLowerCase() + (e.dataset?.testid ? `[${e.dataset.testid}]`
    : typeof e.className === "string" && e.className ? `.${e.className.split(" ")[0]}` : "");
  const where = (node) => {
    const parts = [];
    for (let e = node.nodeType === 1 ? node : node.parentElement; e && parts.length < 3; e = e.parentElement) {
      parts.push(name(e));
    }
    return parts.join(" < ");
  };
  const nodes = (list) => [...list].map((n) => (n.nodeType === 1 ? name(n) : n.nodeName)).join(",");
  window.__mutations = {};
  new MutationObserver((records) => {
    for (const m of records) {
      const what = m.type === "attributes" ? `attribute ${m.attributeName}`
        : m.type === "childList" ? `children +[${nodes(m.addedNodes)}] -[${nodes(m.removedNodes)}]` : "text";
      const key = `${what} on ${where(m.target)}`;
      window.__mutations[key] = (window.__mutations[key] ?? 0) + 1;
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
}

/// What the renderer's main thread did in a trace: busy time, frames, handled messages.
function printMainThread(file) {
  const parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const main = events.find((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain");
  if (!main) {
    console.log(`trace ${file}: no renderer main thread in it`);
    return;
  }
  const ms = new Map();
  let first = Infinity, last = -Infinity, longest = 0;
  for (const e of events) {
    if (e.ph !== "X" || e.pid !== main.pid || e.tid !== main.tid) continue;
    const entry = ms.get(e.name) ?? { n: 0, total: 0 };
    entry.n += 1;
    entry.total += (e.dur ?? 0) / 1000;
    ms.set(e.name, entry);
    if (e.name === "ThreadControllerImpl::RunTask") {
      first = Math.min(first, e.ts);
      last = Math.max(last, e.ts + e.dur);
      longest = Math.max(longest, e.dur / 1000);
    }
  }
  const of = (name) => ms.get(name) ?? { n: 0, total: 0 };
  const tasks = of("ThreadControllerImpl::RunTask");
  console.log(`main thread (traced, so slower than untraced): busy ${tasks.total.toFixed(0)} ms of ${((last - first) / 1000).toFixed(0)} ms in ${tasks.n} tasks, the longest ${longest.toFixed(1)} ms`);
  for (const [label, name] of [["frames", "ProxyMain::BeginMainFrame"], ["  layout", "Layout"], ["  paint", "Paint"],
    ["  commit", "Commit"], ["posted messages handled", "HandlePostMessage"], ["input events handled", "WidgetBaseInputHandler::OnHandleInputEvent"]]) {
    const { n, total } = of(name);
    console.log(`  ${label}: ${n}, ${total.toFixed(0)} ms in all, ${n ? (total / n).toFixed(2) : "-"} ms each`);
  }
}

try {
  const threads = process.env.THREADS ? `&threads=${process.env.THREADS}` : "";
  await measure("CPU engine", `?backend=cpu${threads}`, []);
  if (process.env.WEBGPU === "1") {
    await measure("WebGPU (Chromium's software adapter)", "?backend=webgpu", ["--enable-unsafe-webgpu"]);
  }
} finally {
  server.close();
}
