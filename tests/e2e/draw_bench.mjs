// Benchmark of the drawing view's latency in headless Chromium (prints figures, asserts nothing):
// from a stroke's last point to the reading of the drawing it finished, as the page's own log
// (data-testid="draw-latency") measures it, over many strokes of a seven drawn with the mouse.
//   node tests/e2e/draw_bench.mjs [dist-folder]
//   STROKES=N strokes (default 100); ISOLATED=0 serves the page without cross-origin isolation
//   (the single-threaded engine); THREADS=N asks the threaded engine for N kernel threads
//   (`?threads=N`); WEBGPU=1 also measures Chromium's software WebGPU adapter.
import { chromium } from "playwright-core";
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
  let done = 0;
  while (done < strokes) {
    if (await page.$('[data-testid="draw-clear"]:not([disabled])')) await page.click('[data-testid="draw-clear"]');
    for (const s of SEVEN) {
      await stroke(s);
      done += 1;
      await waitCount(done, 180_000);
    }
  }
  const backend = (await page.textContent('[data-testid="backend"]')).trim();
  const samples = await page.$eval('[data-testid="draw-latency"]', (e) => [e.dataset.median, e.dataset.p95]);
  console.log(`${label}: a stroke's last point → its reading over ${await count()} strokes: median ${samples[0]} ms, 95th percentile ${samples[1]} ms; ${backend}`);
  await browser.close();
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
