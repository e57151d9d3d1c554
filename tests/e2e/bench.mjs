// Benchmark of the page's training speed in headless Chromium (prints figures, asserts nothing).
//   node tests/e2e/bench.mjs [dist-folder]     (scripts/bench-page.sh builds dist/ first)
//   ISOLATED=0 serves the page without cross-origin isolation (the single-threaded engine); SKIP_WEBGPU=1 measures the CPU only;
//   RELAXED_SIMD=off loads the threaded engine's plain build rather than the one with relaxed SIMD;
//   THREADS=N asks the threaded engine for N kernel threads (`?threads=N`; default: all the
//   browser reports), to time one build on 1 and on 2 threads (scripts/bench-page-threads.sh);
//   COPIES=N trains N copies of the model at once instead, a thread each (`?copies=N`);
//   PAGES=N trains the CPU engine in N pages at once, each in a browser of its own, and prints
//   their sum (with THREADS=1 and N = the cores: what the machine gives independent engines);
//   EPOCHS=N trains N epochs (default 5: at more than ~3,000 images/s, use more, or the run
//   ends inside the measured 12 s);
//   GAP_MS=N counts a gap between two progress updates as an epoch's end from N ms (default
//   250; the engine posts every 100 ms, and at about 10,000 images/s most epoch ends add under
//   50 ms to their gap, docs/performance.md);
//   SETTLE_MS=N starts the measured window N ms after the first step (default 2000; V8 goes on
//   compiling the engine's hot functions at its top tier for about 8 s more, docs/performance.md).
// For each backend it trains the two-layer d=20 autoencoder (batch 64) on the bundled subset
// for 5 epochs and reads the page's own progress line twice, 12 s apart, from 2 s after the
// first step: the figure leaves out start-up but includes what training does at each epoch's
// end (scoring the 2,000 test images, the checkpoint), about two of them at this speed.
// Also prints the time spent in gaps between progress updates (the epochs' ends) and the speed
// outside them, and the size of each .wasm in dist/, raw and gzipped.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { serve } from "./server.mjs";
import { backendLine, launchChromium, openTraining, pastStartUp, readStep as read, startTraining } from "./training_page.mjs";

const root = path.resolve(fileURLToPath(import.meta.url), "../../..");
const dist = path.resolve(process.argv[2] ?? path.join(root, "dist"));

const mb = (n) => (n / 1e6).toFixed(2);
for (const file of fs.readdirSync(dist).filter((f) => f.endsWith(".wasm")).sort()) {
  const bytes = fs.readFileSync(path.join(dist, file));
  console.log(`${file}: ${mb(bytes.length)} MB raw, ${mb(zlib.gzipSync(bytes, { level: 9 }).length)} MB gzipped`);
}

// Served with COOP/COEP as trunk serve does (the threaded CPU engine), unless ISOLATED=0.
const server = await serve(dist, root, { isolated: process.env.ISOLATED !== "0" });
const origin = `http://127.0.0.1:${server.address().port}`;

/// Opens the page at `query` in a browser of its own, ready to train.
async function open(query, extraArgs) {
  const browser = await launchChromium(extraArgs);
  const page = await browser.newPage();
  const interactive = await openTraining(page, `${origin}/${query}#/train`, process.env.EPOCHS ?? 5);
  return { browser, page, interactive, backend: await backendLine(page) };
}

/// Trains in `count` pages at once (each in a browser of its own; all started before any is
/// measured) and measures them over one window: their images/s each, and for the first the
/// gaps between progress updates.
async function measure(label, query, extraArgs, count = 1) {
  const runs = [];
  for (let i = 0; i < count; i++) runs.push(await open(query, extraArgs));
  try {
    for (const { page } of runs) await startTraining(page);
    for (const { page } of runs) await pastStartUp(page);
    // Every change of the progress line (posted about every 100 ms while steps run), timed in
    // the page: the gaps between them show where training stood still (an epoch's end).
    await runs[0].page.evaluate(() => {
      const line = document.querySelector('[data-testid="train-progress"]');
      window.__steps = [];
      const record = () => window.__steps.push([performance.now(), Number(line.textContent.match(/step ([\d,]+)\//)?.[1].replaceAll(",", ""))]);
      record();
      new MutationObserver(record).observe(line, { subtree: true, childList: true, characterData: true });
    });
    const a = await Promise.all(runs.map(({ page }) => read(page)));
    await runs[0].page.waitForTimeout(12000);
    const b = await Promise.all(runs.map(({ page }) => read(page)));
    const speeds = a.map((x, i) => ((b[i].step - x.step) * 64) / ((b[i].t - x.t) / 1000));
    const { interactive, backend } = runs[0];
    if (count === 1) {
      console.log(`${label}: ${Math.round(speeds[0])} images/s (steps ${a[0].step} → ${b[0].step}); interactive after ${interactive} ms; ${backend}`);
    } else {
      const each = speeds.map(Math.round).join(" + ");
      console.log(`${label}: ${Math.round(speeds.reduce((x, y) => x + y, 0))} images/s in ${count} pages at once (${each}); interactive after ${interactive} ms; ${backend}`);
    }
    // Time in gaps over GAP_MS between two updates, and the speed outside them.
    const gapMs = Number(process.env.GAP_MS ?? 250);
    const changes = await runs[0].page.evaluate(() => window.__steps);
    let stalled = 0;
    let stalledSteps = 0;
    let gaps = 0;
    for (let i = 1; i < changes.length; i++) {
      if (changes[i][0] - changes[i - 1][0] > gapMs) {
        stalled += changes[i][0] - changes[i - 1][0];
        stalledSteps += changes[i][1] - changes[i - 1][1];
        gaps += 1;
      }
    }
    const span = changes.at(-1)[0] - changes[0][0];
    const steps = changes.at(-1)[1] - changes[0][1];
    const between = ((steps - stalledSteps) * 64) / ((span - stalled) / 1000);
    const whose = count === 1 ? "" : " (the first page)";
    console.log(`  of ${(span / 1000).toFixed(1)} s, ${(stalled / 1000).toFixed(1)} s in ${gaps} gaps over ${gapMs} ms between progress updates (epoch ends)${whose}; ${Math.round(between)} images/s outside them`);
  } finally {
    for (const { browser } of runs) await browser.close();
  }
}

try {
  // RELAXED_SIMD=off: the plain threaded build where the browser would load the relaxed one.
  const relaxedOff = process.env.RELAXED_SIMD === "off" ? "&relaxed-simd=off" : "";
  const threads = process.env.THREADS ? `&threads=${process.env.THREADS}` : "";
  const copies = process.env.COPIES ? `&copies=${process.env.COPIES}` : "";
  await measure("CPU backend (flex)", `?backend=cpu${relaxedOff}${threads}${copies}`, [], Number(process.env.PAGES ?? 1));
  if (!process.env.SKIP_WEBGPU) {
    await measure("WebGPU (Chromium's software adapter)", "?backend=webgpu", ["--enable-unsafe-webgpu"]);
  }
} finally {
  server.close();
}
