// End-to-end tests of the built page (dist/) in Debian's Chromium, driven by playwright-core.
//   node tests/e2e/run.mjs [dist-folder]   (scripts/test.sh runs it after `trunk build`)
// Screenshots of every view go to target/e2e-screenshots/ for inspection.
import { chromium } from "playwright-core";
import { serve, trunkPolicy } from "./server.mjs";
import {
  checkpointKeys, checkpointStored, interruptedRunChecks, otherTabChecks, storageFullChecks, twoTabsChecks,
  unreadableRecordChecks, waitFor,
} from "./storage.mjs";
import { errorSourceChecks, gpuLossChecks, keptRunErrorChecks, missingSubsetChecks } from "./errors.mjs";
import { largeAnalysisChecks } from "./analysis.mjs";
import { lessonChecks, linkChecks } from "./links.mjs";
import { reportChecks } from "./report.mjs";
import { newBuildChecks, offlineChecks } from "./offline.mjs";
import { accessibilityChecks, narrowColumnChecks } from "./accessibility.mjs";
import { ONE, keyboardChecks, rawUpdateFallbackChecks, touchChecks } from "./keyboard.mjs";
import { threadsChecks } from "./threads.mjs";
import { handOverChecks } from "./handover.mjs";
import { paintingFallbackChecks, reconstructionInk } from "./reconstruction.mjs";
import { transferConfusionChecks } from "./transfer.mjs";
import { vaeChecks } from "./vae.mjs";
import { watchChecks } from "./watch.mjs";
import { startTraining, trainToEnd, trainingShown, waitTrainStatus } from "./training.mjs";
import {
  FIRST_RUN_COLOUR, chartAxisChecks, chartEarlier, chartPixelsOf, earlierRuns, storedEarlierRuns, waitChartEarlier, waitEarlierRuns,
} from "./earlier_runs.mjs";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import os from "node:os";

const root = path.resolve(fileURLToPath(import.meta.url), "../../..");
const dist = path.resolve(process.argv[2] ?? path.join(root, "dist"));
const shots = path.join(root, "target", "e2e-screenshots");
fs.mkdirSync(shots, { recursive: true });
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

const failures = [];
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
}

// The service worker stays off except where a check asks for it (tests/e2e/offline.mjs): a
// cached build would answer requests the other checks expect to reach the server.
// `contextOptions` go to the browser context (a phone's viewport and touch, bypassCSP for axe).
async function openPage(browser, url, origin, { serviceWorkers = "block", ...contextOptions } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, serviceWorkers, ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  const foreign = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(String(e)));
  // The engine workers' deprecation warnings (trunk's loaders once started wasm-bindgen's glue
  // the old way: scripts/trunk-worker-loaders.sh).
  const deprecations = [];
  page.on("worker", (w) => w.on("console", (m) => { if (/deprecated/i.test(m.text())) deprecations.push(`${w.url()}: ${m.text()}`); }));
  // Every request, the worker's included, must stay on the page's origin.
  context.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith("blob:") && !u.startsWith("data:")) foreign.push(u);
  });
  // Long main-thread tasks, recorded from the first script on.
  await page.addInitScript(() => {
    // Anything the Content-Security-Policy refused (workers report theirs as console errors).
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI}`));
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
  });
  const started = Date.now();
  await page.goto(url);
  return { context, page, problems, foreign, started, deprecations };
}

async function waitLoaded(page) {
  await page.waitForSelector('[data-testid="backend"]');
  await page.waitForFunction(
    () => !document.querySelector('[data-testid="train-start"]')?.disabled,
    null, { timeout: 120_000 });
}

async function canvasInk(page, testid) {
  return page.$eval(`[data-testid="${testid}"]`, (c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) ink++;
    return ink;
  });
}

/** Grey levels (red channel) of every canvas with this test id. */
async function canvasPixels(page, selector) {
  return page.$$eval(selector, (cs) => cs.map((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const grey = [];
    for (let i = 0; i < d.length; i += 4) grey.push(d[i]);
    return { width: c.width, height: c.height, grey };
  }));
}

/** The 28×28 frame `k` of a strip drawn with a 1-pixel gap, as grey levels. */
function frame(strip, k) {
  const out = [];
  for (let y = 1; y < 29; y++) for (let x = 0; x < 28; x++) out.push(strip.grey[y * strip.width + 1 + k * 29 + x]);
  return out;
}

const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

async function goTo(page, route) {
  await page.evaluate((r) => { location.hash = r; }, `#/${route}`);
}


/** Draws strokes (points in [0, 1] of the pad) with the mouse, as a person would. */
async function drawStrokes(page, strokes) {
  const pad = await page.$('[data-testid="draw-pad"]');
  await pad.scrollIntoViewIfNeeded(); // after another view the page may be scrolled down
  const box = await pad.boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 2 });
    await page.mouse.up();
  }
}

const ZERO = [Array.from({ length: 41 }, (_, i) => {
  const a = i / 40 * 2 * Math.PI;
  return [0.5 + 0.22 * Math.sin(a), 0.5 - 0.32 * Math.cos(a)];
})];
const SEVEN = [[[0.25, 0.2], [0.75, 0.2]], [[0.75, 0.2], [0.45, 0.85]]];

const drawData = (page, testid, key) => page.$eval(`[data-testid="${testid}"]`, (e, k) => e.dataset[k], key);

// Waiting for states, never for "the first change" or a fixed time: the suite must pass on a
// slower, loaded machine. A live result (a strip, a reading of the drawing, a picked digit)
// carries the version of the request it answers (data-version), the newest request's
// (data-wanted), whether that one is still pending, and the input it was computed from
// (data-input: a drawing's version, a pair and α); see src/ui/live.rs.

/** Waits until every element matching `selector` shows the answer to its newest request,
 *  computed from `input` (its data-input) if one is given. */
async function waitCurrent(page, selector, input = null, timeout = 120_000) {
  await page.waitForFunction(([sel, inp]) => {
    const els = [...document.querySelectorAll(sel)];
    return els.length > 0 && els.every((e) => e.dataset.pending === "false" && e.dataset.version !== ""
      && e.dataset.version === e.dataset.wanted && (inp === null || e.dataset.input === inp));
  }, [selector, input], { timeout });
}

/** Waits until a data attribute of an element has a value (a DOM update after a click). */
async function waitData(page, testid, key, value, timeout = 30_000) {
  await page.waitForFunction(([t, k, v]) => document.querySelector(`[data-testid="${t}"]`)?.dataset[k] === v,
    [testid, key, String(value)], { timeout }).catch(() => {});
  return drawData(page, testid, key);
}

/** Waits until a live result about the drawing (the reading: reconstruction, code,
 *  classifier, neighbours; or the interpolation strip, with all its frames) is computed from
 *  the drawing's current version. */
async function waitForCurrentDrawing(page, testid, frames = null) {
  await page.waitForFunction(([t, n]) => {
    const pad = document.querySelector('[data-testid="draw-pad"]');
    const result = document.querySelector(`[data-testid="${t}"]`);
    return result?.dataset.pending === "false" && result.dataset.input === pad.dataset.version
      && (n === null || +result.dataset.frames === n);
  }, [testid, frames], { timeout: 120_000 });
}
const waitReadingOfCurrentDrawing = (page) => waitForCurrentDrawing(page, "draw-reading");
const waitStripOfCurrentDrawing = (page) => waitForCurrentDrawing(page, "draw-interp-strip", 10);

/** Waits until the stroke just ended has its reading shown (the page's latency log grew). */
async function waitForReading(page, count) {
  await page.waitForFunction((n) => +document.querySelector('[data-testid="draw-latency"]').dataset.count >= n,
    count, { timeout: 120_000 });
}

/** #/draw: a drawn 1 and 0 are recognised; undo and clear; returns the stroke-to-reconstruction latency. */
async function drawChecks(page, label, strokesToTime) {
  await goTo(page, "draw");
  await page.waitForSelector('[data-testid="draw-pad"]');
  if (await page.$('[data-testid="draw-clear"]:not([disabled])')) await page.click('[data-testid="draw-clear"]');
  const empty = await page.waitForSelector('[data-testid="draw-empty"]', { timeout: 30_000 }).catch(() => null);
  check(!!empty, `${label}: an empty pad is a state, not an error`);
  let samples = 0;
  for (const [digit, shape] of [[1, ONE], [0, ZERO]]) {
    await drawStrokes(page, shape);
    samples += 1; // the log times the last stroke of each drawing
    await waitForReading(page, samples);
    await waitReadingOfCurrentDrawing(page);
    const guess = await drawData(page, "prediction", "guess");
    const input = (await canvasPixels(page, '[data-testid="draw-input"]'))[0];
    const lit = (c) => frame(c, 0).filter((v) => v > 128).length;
    const reconLit = await reconstructionInk(page);
    const neighbours = (await drawData(page, "neighbours", "labels")).split(",");
    check(lit(input) > 20 && reconLit > 10, `${label}: a drawn ${digit} gives a non-blank input (${lit(input)} lit pixels) and reconstruction (${reconLit})`);
    if (digit === 1) {
      const painter = await drawData(page, "reconstruction", "painter");
      const note = (await page.textContent('[data-testid="draw-latency"]')).trim();
      check(painter === "engine" && note.startsWith("The reconstruction showed"),
        `${label}: the engine paints the reconstruction into the canvas the page handed it, and the latency note times that (${painter}: "${note}")`);
    }
    check(guess === String(digit), `${label}: the classifier's top guess for a drawn ${digit} is ${guess}`);
    check(neighbours.length === 5 && neighbours.filter((n) => n === String(digit)).length >= 3,
      `${label}: the five nearest test digits are mostly ${digit}s (${neighbours})`);
    const bars = +(await drawData(page, "latent-bars", "bars"));
    check(bars === 20, `${label}: the code's 20 coordinates are shown as bars (${bars}, ${await drawData(page, "latent-bars", "dead")} dead)`);
    if (digit === 1) {
      await page.click('[data-testid="draw-clear"]');
      await page.waitForSelector('[data-testid="draw-empty"]');
    }
  }
  // Another view and back: the drawing (the 0) is kept, and its reconstruction shows in the
  // view's new canvas (handed to the engine anew, whichever of it and the view's request for a
  // reading reaches the engine first).
  await goTo(page, "train");
  await page.waitForSelector('[data-testid="train-start"]');
  await goTo(page, "draw");
  await page.waitForSelector('[data-testid="draw-pad"]');
  const inkBack = await reconstructionInk(page);
  const strokesBack = await drawData(page, "draw-pad", "strokes");
  check(inkBack > 10 && strokesBack === "1",
    `${label}: after another view, the drawing is kept (${strokesBack} stroke) and its reconstruction shown again (${inkBack} lit pixels)`);
  // Undo removes the last stroke only; the keyboard does it too; Clear empties the pad.
  await drawStrokes(page, [[[0.1, 0.1], [0.2, 0.9]]]);
  check(+(await waitData(page, "draw-pad", "strokes", 2)) === 2, `${label}: a second stroke is added`);
  await page.click('[data-testid="draw-undo"]');
  check(+(await waitData(page, "draw-pad", "strokes", 1)) === 1, `${label}: Undo removes the last stroke`);
  await drawStrokes(page, [[[0.1, 0.1], [0.2, 0.9]]]);
  await waitData(page, "draw-pad", "strokes", 2);
  await page.focus('[data-testid="draw-pad"]');
  await page.keyboard.press("Control+z");
  check(+(await waitData(page, "draw-pad", "strokes", 1)) === 1, `${label}: Ctrl+Z on the pad undoes too`);
  // Interpolate from the drawing (a 0) to a test digit.
  await page.click('[data-testid="digit-gallery"]', { position: { x: 5, y: 5 } });
  await waitStripOfCurrentDrawing(page);
  check(await canvasInk(page, "draw-interp-strip") > 100, `${label}: a strip from the drawing to a test digit is decoded`);
  // Keep this drawing (a 0), draw a 1: the strip now goes from the 1 to the kept 0.
  const stripSignature = () => page.$eval('[data-testid="draw-interp-strip"]', (c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i]) >>> 0;
    return h;
  });
  await page.click('[data-testid="draw-keep"]');
  await waitStripOfCurrentDrawing(page); // the kept 0 to itself
  const before = await stripSignature();
  await page.click('[data-testid="draw-clear"]');
  await page.waitForSelector('[data-testid="draw-empty"]');
  await drawStrokes(page, ONE);
  await waitStripOfCurrentDrawing(page);
  const kept = (await canvasPixels(page, '[data-testid="draw-interp-strip"]'))[0];
  check(maxDiff(frame(kept, 0), frame(kept, 9)) > 100 && (await stripSignature()) !== before,
    `${label}: a strip from a drawn 1 to a kept drawing of a 0 is decoded`);
  // Another view and back: the kept drawing and the strip's target are still there.
  await goTo(page, "train");
  await page.waitForSelector('[data-testid="train-start"]');
  await goTo(page, "draw");
  await page.waitForSelector('[data-testid="draw-pad"]');
  await waitStripOfCurrentDrawing(page);
  const keptBack = (await canvasPixels(page, '[data-testid="draw-interp-strip"]'))[0];
  const sameStrip = keptBack.width === kept.width && maxDiff(keptBack.grey, kept.grey) <= 2;
  check(sameStrip, `${label}: after another view, the strip from the drawn 1 to the kept 0 is shown again`);
  await page.keyboard.press("Delete");
  await page.focus('[data-testid="draw-pad"]');
  await page.keyboard.press("Delete");
  const cleared = +(await waitData(page, "draw-pad", "strokes", 0)) === 0
    && !!(await page.waitForSelector('[data-testid="draw-empty"]', { timeout: 30_000 }).catch(() => null));
  check(cleared, `${label}: Delete on the pad clears it`);
  await page.click('[data-testid="draw-clear"]').catch(() => {});

  // Latency: from each stroke's last point to the reading of that drawing, on a fresh view.
  await goTo(page, "train");
  await goTo(page, "draw");
  await page.waitForSelector('[data-testid="draw-pad"]');
  let timed = 0;
  while (timed < strokesToTime) {
    if (await page.$('[data-testid="draw-clear"]:not([disabled])')) await page.click('[data-testid="draw-clear"]');
    for (const stroke of SEVEN) {
      await drawStrokes(page, [stroke]);
      timed += 1;
      await waitForReading(page, timed);
    }
  }
  const median = +(await drawData(page, "draw-latency", "median"));
  const p95 = +(await drawData(page, "draw-latency", "p95"));
  console.log(`${label}: a stroke's last point → its reconstruction shown, over ${timed} strokes: median ${median.toFixed(1)} ms, 95th percentile ${p95.toFixed(1)} ms`);
  check(median > 0 && p95 >= median, `${label}: the page measures its latency (median ${median} ms, p95 ${p95} ms)`);
  await page.screenshot({ path: path.join(shots, `draw-${label}.png`), fullPage: true });
}

/** The native command's analysis of the bundled weights on the bundled test subset. */
function nativeAnalysis(names) {
  const target = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), ".cache/latent-lab/target");
  const bin = process.env.LATENT_LAB_BIN ?? path.join(target, "release", "latent-lab");
  const files = names.map((n) => path.join(root, "public/weights", `${n}.safetensors`));
  const out = execFileSync(bin, ["analyse", "--data", path.join(root, "public/data"), ...files], { encoding: "utf8" });
  return JSON.parse(out);
}

const server = await serve(dist, root);
const origin = `http://127.0.0.1:${server.address().port}`;
const baseArgs = ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];

try {
  // 1. No WebGPU (Chromium's default here): the CPU backend, with the reason shown.
  {
    const browser = await chromium.launch({ executablePath: chromiumPath, args: baseArgs });
    const { context, page, problems, foreign, started, deprecations } = await openPage(browser, `${origin}/#/train`, origin);
    await waitLoaded(page);
    const interactiveMs = Date.now() - started;
    console.log(`page interactive (data and weights loaded) after ${interactiveMs} ms`);
    const header = await page.textContent('[data-testid="backend"]');
    check(/CPU/.test(header) && /WebGPU not used/.test(header), `header names the CPU backend and why: "${header.trim()}"`);
    // Served cross-origin isolated (as trunk serve does), the CPU engine runs on every core.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    check((cores >= 2 ? new RegExp(`${cores} threads`) : /one thread/).test(header),
      `the CPU engine names its threads (${cores} cores)`);
    check(/wasm relaxed SIMD/.test(header), `the CPU engine is the build with relaxed SIMD (Chromium has it)`);
    await page.screenshot({ path: path.join(shots, "train-cpu-loaded.png"), fullPage: true });

    // A one-epoch training on 2,000 images.
    await page.evaluate(() => { window.__longTasks = []; });
    await trainToEnd(page, { epochs: 1, images: 2000 });
    const progress = await page.textContent('[data-testid="train-progress"]');
    console.log(`progress at the end: ${progress.trim()}`);
    // An ended run says how long it took, and no time left.
    check(/Epoch 1\/1/.test(progress) && /images\/s/.test(progress) && /elapsed · finished/.test(progress)
      && !/left/.test(progress), "the finished run's progress shows epoch, step, speed and time taken, no time left");
    // No code's line: the mean of the bundled training digits, scored on the bundled test
    // digits, worked out here from the IDX files (header 16 bytes) against the engine's figure.
    const idxImages = (name) => zlib.gunzipSync(fs.readFileSync(path.join(root, "public/data", name))).subarray(16);
    const [trainPixels, testPixels] = [idxImages("train-images-idx3-ubyte.gz"), idxImages("t10k-images-idx3-ubyte.gz")];
    const meanDigit = new Float64Array(784);
    trainPixels.forEach((p, i) => { meanDigit[i % 784] += p / 255; });
    meanDigit.forEach((_, i) => { meanDigit[i] /= trainPixels.length / 784; });
    let squared = 0;
    testPixels.forEach((p, i) => { squared += (p / 255 - meanDigit[i % 784]) ** 2; });
    const noCodeHere = squared / testPixels.length;
    const chartNoCode = await page.$eval('[data-testid="loss-chart"]', (c) => ({ value: +c.dataset.noCode, label: c.getAttribute("aria-label") }));
    check(Math.abs(chartNoCode.value - noCodeHere) < 1e-5
        && chartNoCode.label.includes(`no code: the mean digit (test): ${chartNoCode.value.toFixed(4)}`),
      `the loss chart draws no code's loss, the mean training digit's on the test digits (${chartNoCode.value}; worked out here ${noCodeHere.toFixed(6)})`);
    // The mean digit itself, under the reconstructions: its canvas (one frame inside a
    // one-pixel gap, paper white, ink dark) against the mean worked out here, within rounding.
    const shown = await page.$eval('[data-testid="no-code-digit"]', (c) => {
      const d = c.getContext("2d").getImageData(1, 1, 28, 28).data;
      return { ink: Array.from({ length: 784 }, (_, i) => 255 - d[4 * i]),
        caption: c.closest("figure").querySelector("figcaption").textContent };
    });
    const off = shown.ink.reduce((worst, v, i) => Math.max(worst, Math.abs(v - meanDigit[i] * 255)), 0);
    const inkMass = shown.ink.reduce((sum, v) => sum + v, 0);
    check(off <= 0.501 && inkMass > 784 * 10 && shown.caption.includes(`it scores ${chartNoCode.value.toFixed(4)}`),
      `the mean training digit is drawn beside the reconstructions, pixel for pixel the mean worked out here (off by ${off.toFixed(3)} at most), with no code's loss`);
    const speed = Number((progress.match(/([\d,]+) images\/s/) ?? ["", "0"])[1].replaceAll(",", ""));
    console.log(`training speed in the page (CPU backend, batch 64): ${speed} images/s`);
    const series = await page.$eval('[data-testid="loss-chart"]', (c) => ({
      points: Number(c.dataset.points), first: Number(c.dataset.first), last: Number(c.dataset.last) }));
    check(series.points >= 3 && series.last < series.first,
      `the chart's smoothed loss falls (${series.points} points, ${series.first} → ${series.last})`);
    check(await canvasInk(page, "loss-chart") > 1000, "the loss chart is drawn");
    check(await canvasInk(page, "recon-grid") > 200, "sample digits and reconstructions are drawn");
    // In a 1,200 px window the reconstructions sit beside the chart, on its row and inside the
    // column, so a person sees the digits sharpen as the loss falls (a one-line caption once
    // widened the grid's figure to 528 px, and the pictures always went under the chart).
    const beside = await page.evaluate(() => {
      const box = (s) => document.querySelector(s).getBoundingClientRect();
      const chart = box("figure.chart"), grid = box("figure.digits"), main = document.querySelector(".workspace > main");
      const right = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
      return { chartTop: chart.top, gridTop: grid.top, gap: Math.round(grid.left - chart.right),
        gridRight: Math.round(grid.right), columnRight: Math.round(right), gridWidth: Math.round(grid.width),
        canvasWidth: Math.round(box('[data-testid="recon-grid"]').width) };
    });
    check(beside.gridTop === beside.chartTop && beside.gap > 0 && beside.gap <= 20 && beside.gridRight <= beside.columnRight
        && beside.gridWidth - beside.canvasWidth <= 20,
      `at 1,200 px the reconstructions sit beside the loss chart, inside the column, as wide as their digits (${JSON.stringify(beside)})`);
    const longTasks = await page.evaluate(() => window.__longTasks.filter((t) => t.duration > 100));
    check(longTasks.length === 0, `no main-thread task over 100 ms while training (${JSON.stringify(longTasks)})`);
    const models = await page.textContent('[data-testid="model-list"]');
    check(/trained 1/.test(models), "the trained model joins the model list");
    // A plain autoencoder trained here whose test loss is above no code's is marked, and only
    // such a model (one epoch of 2,000 images ends near 0.11, above 0.064).
    const marks = await page.$$eval('[data-testid="model-list"] tbody tr', (rows) => rows.map((r) => ({
      name: r.dataset.model, loss: +(r.querySelector("td.score").textContent.match(/test loss ([\d.]+)/)?.[1] ?? NaN),
      trainedPlain: /trained here/.test(r.textContent) && /autoencoder, d = \d+$/.test(r.children[1].textContent.trim()),
      marked: r.querySelector('[data-testid="above-no-code"]') !== null,
      // The mark sits on a line of its own under the score, so the column keeps its width.
      under: (() => {
        const mark = r.querySelector('[data-testid="above-no-code"]');
        return !mark || mark.getBoundingClientRect().top - r.querySelector("td.score").getBoundingClientRect().top > 12;
      })() })));
    const wrongMarks = marks.filter((m) => m.marked !== (m.trainedPlain && m.loss > chartNoCode.value) || !m.under);
    check(wrongMarks.length === 0 && marks.find((m) => m.name === "two-layer-d20 (trained 1)")?.marked,
      `a model trained here that scores above no code is marked, and no other (${JSON.stringify(marks.filter((m) => m.marked))}; wrong: ${JSON.stringify(wrongMarks)})`);

    // The run on the chart is not an earlier run: the list under the chart is empty, and says
    // what it will hold.
    const run1 = await trainingShown(page);
    const [run1Train, run1Test] = run1.epochLosses.split("/").map(Number);
    const noEarlier = await page.textContent('[data-testid="earlier-runs"]');
    const colourBefore = await chartPixelsOf(page, FIRST_RUN_COLOUR);
    check((await earlierRuns(page)).length === 0 && /None yet/.test(noEarlier) && (await chartEarlier(page)).length === 0,
      `the run on the chart is not listed as an earlier run ("${noEarlier.trim().slice(0, 60)}…")`);

    // Pause, resume and cancel on a longer run (3 epochs of the whole subset).
    await startTraining(page, { epochs: 3, images: 10000 });
    await waitTrainStatus(page, "running", 30_000);
    const t0 = Date.now();
    await page.click('[data-testid="train-pause"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "paused");
    const pauseMs = Date.now() - t0;
    check(pauseMs < 2000, `pause takes effect while training (${pauseMs} ms)`);
    const stepAtPause = await page.textContent('[data-testid="train-progress"]');
    await page.waitForTimeout(1000);
    check(stepAtPause === await page.textContent('[data-testid="train-progress"]'), "nothing moves while paused");
    check(/ left · paused$/.test(stepAtPause.trim()), `a paused run still says its time left ("${stepAtPause.trim()}")`);
    await page.click('[data-testid="train-pause"]'); // resume
    await page.waitForFunction(
      () => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "running");
    // Running again means the steps move on from where they paused.
    await page.waitForFunction((paused) => document.querySelector('[data-testid="train-progress"]').textContent !== paused,
      stepAtPause, { timeout: 60_000 });
    await page.click('[data-testid="train-cancel"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "cancelled",
      null, { timeout: 60_000 });
    check(/trained 2/.test(await page.textContent('[data-testid="model-list"]')),
      "a cancelled run's model joins the model list too");
    // The run before it is now an earlier run: listed with its settings and last losses,
    // and laid over the chart in its own colour.
    await waitEarlierRuns(page, [run1.runId]);
    const [earlier1] = await earlierRuns(page);
    const overlaid = await chartEarlier(page);
    const colourOn = await chartPixelsOf(page, FIRST_RUN_COLOUR);
    check(earlier1.shown && earlier1.ticked && overlaid.length === 1 && overlaid[0].split(":")[0] === run1.runId
        && Math.fround(Number(overlaid[0].split(":")[1])) === Math.fround(run1Test)
        && earlier1.cells[1] === "two-layer, d = 20, lr 0.001, batch 64, 2,000 images, seed 42"
        && earlier1.cells[2] === "1 of 1 epoch" && earlier1.cells[3] === run1Train.toFixed(4) && earlier1.cells[4] === run1Test.toFixed(4)
        && earlier1.cells[5] === "two-layer-d20 (trained 1)" && colourOn > colourBefore + 100,
      `the run before is listed under the chart and laid over it in its colour (${JSON.stringify(earlier1.cells)}; `
      + `chart: ${overlaid}; ${colourOn} pixels of its colour, ${colourBefore} before)`);
    // Unticked, it leaves the chart (and stays off across the reload below).
    await page.click(`[data-testid="earlier-runs"] tr[data-run-id="${run1.runId}"] [data-testid="earlier-run-shown"]`);
    await waitChartEarlier(page, []);
    const colourOff = await chartPixelsOf(page, FIRST_RUN_COLOUR);
    check(colourOff <= colourBefore + 5 && !(await earlierRuns(page))[0].shown,
      `an unticked earlier run leaves the chart (${colourOff} pixels of its colour)`);
    // Trained models are kept in the browser (IndexedDB).
    const row = (name) => `[data-testid="model-list"] tr[data-model="${name}"]`;
    await page.waitForSelector(`${row("two-layer-d20 (trained 1)")}[data-kept="true"]`, { timeout: 30_000 });
    check(true, "a trained model is kept in the browser's storage");

    // Save: the weights file downloads, in the bundled weights' format (safetensors).
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click(`${row("two-layer-d20 (trained 1)")} [data-testid="model-save"]`),
    ]);
    const saved = fs.readFileSync(await download.path());
    const headerLength = Number(saved.readBigUInt64LE(0));
    const fileHeader = JSON.parse(saved.subarray(8, 8 + headerLength).toString());
    check(download.suggestedFilename() === "two-layer-d20-trained-1.safetensors"
      && fileHeader.__metadata__?.latent_lab !== undefined,
      `Save downloads ${download.suggestedFilename()} (${saved.length} bytes) with its manifest`);

    // Load: a truncated file is refused with a message and changes nothing; the saved one loads.
    const rowsBefore = await page.$$eval('[data-testid="model-list"] tbody tr', (r) => r.length);
    await page.setInputFiles('[data-testid="model-load"]', {
      name: "broken.safetensors", mimeType: "application/octet-stream", buffer: saved.subarray(0, saved.length - 100),
    });
    await page.waitForSelector('[data-testid="error"]', { timeout: 30_000 });
    const refusal = await page.textContent('[data-testid="error"]');
    const refusalSource = await page.getAttribute('[data-testid="error"]', "data-source");
    const rowsAfter = await page.$$eval('[data-testid="model-list"] tbody tr', (r) => r.length);
    check(/broken\.safetensors' was not loaded/.test(refusal) && rowsAfter === rowsBefore
      && refusalSource === "request:load_file:broken.safetensors",
      `a truncated file is refused and nothing changes: "${refusal.trim()}" (source ${refusalSource})`);
    await page.click('[data-testid="error"] button.dismiss');
    await page.setInputFiles('[data-testid="model-load"]', {
      name: "my upload.safetensors", mimeType: "application/octet-stream", buffer: saved,
    });
    await page.waitForSelector(`${row("my upload")}[data-kept="true"]`, { timeout: 30_000 });
    check(/loaded from a file/.test(await page.textContent(row("my upload"))), "the saved file loads back as a model");

    // Reload: what was trained and loaded is still there, and so is the last run as it ended
    // (the cancelled one): its progress line, loss curve, and the grid of digits above their
    // reconstructions, pixel for pixel.
    const gridPixels = async () => JSON.stringify(await canvasPixels(page, '[data-testid="recon-grid"]'));
    const runBefore = await trainingShown(page);
    const gridBefore = await gridPixels();
    await page.reload();
    await waitLoaded(page);
    const afterReload = await page.textContent('[data-testid="model-list"]');
    check(/trained 1/.test(afterReload) && /trained 2/.test(afterReload) && /my upload/.test(afterReload),
      "after a reload the trained and loaded models are still there");
    const runAfter = await trainingShown(page);
    const gridBack = await waitFor(async () => (await gridPixels()) === gridBefore, 30_000);
    check(runBefore.status === "cancelled" && Number(runBefore.points) > 0
      && runAfter.text.endsWith("· cancelled: two-layer-d20 (trained 2)")
      && JSON.stringify(runAfter) === JSON.stringify(runBefore) && gridBack,
      `after a reload the last run is shown as it ended, naming its model ("${runAfter.text}"), ${runAfter.points} loss points, `
      + `reconstructions of step ${runAfter.step}${gridBack ? "" : " (but the digit grid differs)"}`
      + `${JSON.stringify(runAfter) === JSON.stringify(runBefore) ? "" : ` (before: ${JSON.stringify(runBefore)}; after: ${JSON.stringify(runAfter)})`}`);
    await waitEarlierRuns(page, [run1.runId]);
    const [earlierBack] = await earlierRuns(page);
    check(!earlierBack.shown && !earlierBack.ticked && (await chartEarlier(page)).length === 0,
      "after a reload the earlier run is still listed, and still off the chart");
    await page.click(`[data-testid="earlier-runs"] tr[data-run-id="${run1.runId}"] [data-testid="earlier-run-shown"]`);
    await waitChartEarlier(page, [run1.runId]);
    await page.click(`${row("my upload")} [data-testid="model-remove"]`);
    await page.waitForFunction((sel) => !document.querySelector(sel), row("my upload"));

    // A training interrupted by a reload resumes from its last completed epoch.
    await startTraining(page, { epochs: 3, images: 6000 });
    await page.waitForFunction(
      () => /Epoch 2\/3/.test(document.querySelector('[data-testid="train-progress"]')?.textContent ?? ""),
      null, { timeout: 120_000 });
    // The checkpoint of epoch 1 is written just after the epoch ends: wait until it is
    // committed to the page's IndexedDB (a transaction of another connection sees it).
    await waitFor(() => checkpointStored(page));
    await page.reload();
    await waitLoaded(page);
    await page.waitForSelector('[data-testid="interrupted"]', { timeout: 30_000 });
    const offer = await page.textContent('[data-testid="interrupted"]');
    check(/interrupted after epoch 1 of 3/.test(offer), `an interrupted training is offered: "${offer.trim()}"`);
    check(!/my upload/.test(await page.textContent('[data-testid="model-list"]')), "a removed model stays removed after a reload");
    await page.click('[data-testid="interrupted-resume"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "finished",
      null, { timeout: 300_000 });
    const resumed = await page.textContent('[data-testid="train-progress"]');
    const chart = await page.$eval('[data-testid="loss-chart"]', (c) => Number(c.dataset.epochs));
    check(/Epoch 3\/3/.test(resumed) && chart === 3 && /trained 3/.test(await page.textContent('[data-testid="model-list"]')),
      `the resumed run finishes all 3 epochs (${chart} epoch points on the chart) and joins the list`);
    const resumedShown = await trainingShown(page);
    await page.reload();
    await waitLoaded(page); // the engine tells of an interrupted training before it is loaded
    check(!(await page.$('[data-testid="interrupted"]')), "a finished run leaves no interrupted training behind");
    const resumedBack = await trainingShown(page);
    check(JSON.stringify(resumedBack) === JSON.stringify(resumedShown) && resumedBack.status === "finished",
      `after a reload the newest run replaces the kept one: the resumed run, ${resumedBack.status}, with `
      + `${resumedBack.epochLosses.split(" ").length} epochs' losses (${resumedBack.epochLosses})`);
    // Both runs before it are listed, newest first, and on the chart; the table downloads.
    const run2Id = runBefore.runId;
    await waitEarlierRuns(page, [run2Id, run1.runId]);
    await waitChartEarlier(page, [run2Id, run1.runId]);
    const [earlierCsvDownload] = await Promise.all([
      page.waitForEvent("download"), page.click('[data-testid="earlier-runs-csv"]'),
    ]);
    const earlierCsv = fs.readFileSync(await earlierCsvDownload.path(), "utf8").trim().split("\n");
    check(earlierCsv.length === 3 && earlierCsv[1].startsWith(`${run2Id},two-layer,20,,0.001,64,10000,42,3,`) && /,true,[\d.]*,[\d.]*,two-layer-d20 \(trained 2\)$/.test(earlierCsv[1])
        && earlierCsv[2].startsWith(`${run1.runId},two-layer,20,,0.001,64,2000,42,1,1,false,`) && earlierCsv[2].endsWith(`,two-layer-d20 (trained 1)`)
        && Math.fround(Number(earlierCsv[2].split(",")[12])) === Math.fround(run1Test),
      `the earlier runs download as a table, newest first (${JSON.stringify(earlierCsv)})`);
    // Forgotten, a run leaves the list and the browser's storage; its model stays.
    await page.click(`[data-testid="earlier-runs"] tr[data-run-id="${run2Id}"] [data-testid="earlier-run-forget"]`);
    await waitEarlierRuns(page, [run1.runId]);
    const storedRuns = await storedEarlierRuns(page);
    check(JSON.stringify(storedRuns?.map((r) => r.id)) === JSON.stringify([resumedBack.runId, run1.runId])
        && (await chartEarlier(page)).length === 1 && /trained 2/.test(await page.textContent('[data-testid="model-list"]')),
      `a forgotten run leaves the list and the stored list, and its model stays (stored: ${JSON.stringify(storedRuns)})`);
    // The chart's x axis: the resumed run (3 epochs of 6,000 images) beside the first (1 of
    // 2,000), both at batch 64, by images seen and by steps.
    await chartAxisChecks(page, check, {
      current: { epochs: 3, images: 6000, batch: 64 },
      earlier: { id: run1.runId, epochs: 1, images: 2000, batch: 64 },
      reload: async () => { await page.reload(); await waitLoaded(page); },
    });

    // #/experiments: the sweep table beside the reproduction, the depth chart, its conclusions.
    await goTo(page, "experiments");
    await page.waitForSelector('[data-testid="sweep-table"] tr[data-latent="100"]');
    await page.waitForFunction(() => /\d/.test(document.querySelector('tr[data-latent="100"] [data-col="full-test"]')?.textContent ?? ""));
    const sweep = await page.$$eval('[data-testid="sweep-table"] tbody tr', (rows) => rows.map((r) => ({
      d: +r.dataset.latent,
      full: r.querySelector('[data-col="full-test"]').textContent,
      browser: r.querySelector('[data-col="browser-test"]').textContent,
    })));
    check(sweep.length === 6 && sweep.every((r) => /^0\.\d{4}$/.test(r.full)),
      `the sweep table has six latent sizes with the full-MNIST test losses (${JSON.stringify(sweep.map((r) => r.full))})`);
    check(/^0\.\d{4}$/.test(sweep.find((r) => r.d === 20)?.browser ?? ""), "the browser's own d=20 training appears in the sweep table");
    // Beside the sweep, a linear code of each size (PCA, from results.json) and no code at all:
    // the table's column, the chart's two lines, and the sentence that reads them.
    const baselines = JSON.parse(fs.readFileSync(path.join(root, "results/results.json"), "utf8")).linear_baselines;
    const pcaCells = await page.$$eval('[data-testid="sweep-table"] tbody tr [data-col="pca-test"]', (c) => c.map((x) => x.textContent));
    const expectedPca = [1, 5, 10, 20, 50, 100].map((d) => baselines.entries.find((e) => e.latent_dim === d).test_loss.toFixed(4));
    const sweepChart = await page.$eval('[data-testid="sweep-chart"]', (c) => c.getAttribute("aria-label"));
    const noCode = baselines.entries.find((e) => e.latent_dim === 0).test_loss;
    const flat = sweepChart.match(/no code: the mean training digit \(full MNIST test\): 2 points, from ([\d.]+) at 1 to ([\d.]+) at 100/);
    const reading = await page.textContent('[data-testid="sweep-linear-reading"]');
    // The sizes where the report's own test loss (the table's fourth column) is above PCA's.
    const reportAbove = await page.$$eval('[data-testid="sweep-table"] tbody tr', (rows) => rows
      .filter((r) => +r.children[3].textContent > +r.querySelector('[data-col="pca-test"]').textContent)
      .map((r) => r.dataset.latent).join(", "));
    check(pcaCells.join() === expectedPca.join()
        && /a linear code of the same size \(PCA, full MNIST test\): 6 points/.test(sweepChart)
        && flat && Math.abs(+flat[1] - noCode) < 1e-3 && flat[2] === flat[1]
        && /beats the best linear code of its size at 6 of 6 sizes/.test(reading)
        && reportAbove !== "" && reading.includes(`above the linear code's at ${reportAbove.split(", ").length} of 6 sizes (d = ${reportAbove})`),
      `the sweep stands beside a linear code of each size (PCA ${pcaCells.join(", ")}) and no code (${flat?.[1]}): "${reading}"`);
    const depthPoints = await page.$eval('[data-testid="depth-chart"]', (c) => +c.dataset.points);
    check(depthPoints === 60 && await canvasInk(page, "depth-chart") > 2000,
      `the depth chart draws train and test curves of three models over 10 epochs (${depthPoints} points)`);
    // The depth table: each depth's full-MNIST test loss, and this browser's runs of it (the
    // two-layer d=20 runs are the sweep's d=20 runs); its Train here opens that depth's form.
    const depthRows = await page.$$eval('[data-testid="depth-table"] tbody tr', (rows) => rows.map((r) => ({
      layers: +r.dataset.layers, full: r.querySelector('[data-col="full-test"]').textContent,
      browser: r.querySelector('[data-col="browser-test"]').textContent })));
    const reproduced = JSON.parse(fs.readFileSync(path.join(root, "results/results.json"), "utf8"));
    const expectedDepth = [1, 2, 3].map((l) => reproduced.depth.find((e) => e.layers === l)?.test_loss.toFixed(4));
    check(depthRows.map((r) => r.layers).join() === "1,2,3" && depthRows.map((r) => r.full).join() === expectedDepth.join()
        && depthRows[1].browser === sweep.find((r) => r.d === 20)?.browser && depthRows[0].browser === "–",
      `the depth table sets each depth's full-MNIST test loss beside this browser's runs (${JSON.stringify(depthRows)})`);
    const claims = await page.$$eval('[data-testid="depth-claims"] li', (l) => l.map((x) => x.textContent));
    check(claims.length === 3 && claims.every((c) => /^(Holds|Does not hold)/.test(c)), `the report's three depth conclusions are checked (${claims.length})`);
    await page.waitForFunction(() => /over 3 seeds[\s\S]*over 3 seeds/.test(document.querySelector('[data-testid="depth-seeds"]')?.textContent ?? ""));
    check(/ranges (overlap|do not overlap)/.test(await page.textContent('[data-testid="depth-seeds"]')),
      "the depth comparison shows the committed seed study and what it says");
    // Part 5: the VAE beside the plain model of each size, as the reproduction measured them.
    const vae = await page.$$eval('[data-testid="vae-table"] tbody tr', (rows) => rows.map((r) => ({
      d: +r.dataset.latent, vae: r.querySelector('[data-col="vae-mse"]').textContent,
      plain: r.querySelector('[data-col="plain-mse"]').textContent, path: r.querySelector('[data-col="vae-path"]').textContent })));
    const expectedVae = reproduced.variational.map((v) => v.test_mse.toFixed(4));
    check(vae.length === 2 && vae.map((r) => r.d).join() === "20,100" && vae.map((r) => r.vae).join() === expectedVae.join()
        && vae[0].plain === sweep.find((r) => r.d === 20).full && vae.every((r) => /^\d\.\d\d$/.test(r.path)),
      `the VAE stands beside the plain model of each size (${JSON.stringify(vae)})`);
    // Each measure's heading spans its pair of columns, VAE then plain, and nothing else.
    const headings = await page.evaluate(() => {
      const table = document.querySelector('[data-testid="vae-table"]');
      const span = (e) => { const b = e.getBoundingClientRect(); return [b.left, b.right]; };
      const row = table.querySelector('tbody tr[data-latent="20"]');
      const under = (h) => [...row.children].filter((td) => {
        const [l, r] = span(td); const [hl, hr] = span(h);
        return l >= hl - 1 && r <= hr + 1;
      }).map((td) => td.dataset.col ?? "");
      return [...table.querySelectorAll("thead th.pair")].map((h) => `${h.textContent}: ${under(h).join(" ")}`);
    });
    check(headings.join("; ") === "test MSE: vae-mse plain-mse; mean |r|, defined pairs: vae-r plain-r; "
        + "dead coordinates: vae-dead plain-dead; paths from the data: vae-path plain-path",
      `each heading of the VAE table stands over its VAE and plain columns (${headings.join("; ")})`);
    const csvDownload = page.waitForEvent("download");
    await page.click('[data-testid="sweep-table-csv"]');
    const csv = fs.readFileSync(await (await csvDownload).path(), "utf8").trim().split("\n");
    check(csv.length === 7 && csv[0].startsWith("latent_dim,params"), `the sweep table saves as CSV (${csv.length} lines)`);
    await page.click('tr[data-layers="3"] [data-testid="depth-train"]');
    await page.waitForFunction(() => /#\/train\?arch=three-layer&d=20&/.test(location.hash), null, { timeout: 30_000 })
      .catch(() => {});
    check(await page.$eval('[data-testid="train-architecture"]', (s) => s.value).catch(() => null) === "three-layer",
      `the depth table's 'Train here' opens the training view with three layers at d = 20 (${page.url()})`);
    await goTo(page, "experiments");
    await page.waitForSelector('[data-testid="sweep-table"] tr[data-latent="5"] [data-testid="sweep-train"]');
    await page.click('tr[data-latent="5"] [data-testid="sweep-train"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-latent"]')?.value === "5",
      null, { timeout: 30_000 }).catch(() => {});
    check(await page.$eval('[data-testid="train-latent"]', (s) => s.value) === "5" && /#\/train/.test(page.url()),
      "'Train here' opens the training view with that latent size");

    // #/interpolate: the preset pair decoded by both models, the pixel blend, the α slider.
    await goTo(page, "interpolate");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="interp-strip"]').length === 2);
    await waitCurrent(page, '[data-testid="interp-strip"]');
    await waitCurrent(page, '[data-testid="alpha-a"]');
    check(await page.$$eval('[data-testid="interp-strip"]', (s) => s.every((c) => c.dataset.frames === "10")),
      "both strips have 10 frames");
    const stripModels = await page.$$eval('[data-testid="interp-strip"]', (s) => s.map((c) => c.dataset.model));
    check(stripModels.join() === "two-layer-d20,vae-d20",
      `a plain autoencoder and a VAE, both latent 20, side by side by default (${stripModels})`);
    const [stripA, stripB] = await canvasPixels(page, '[data-testid="interp-strip"]');
    const [blend] = await canvasPixels(page, '[data-testid="blend-strip"]');
    const inked = (f) => f.filter((v) => v < 200).length;
    check(inked(frame(stripA, 0)) > 30 && inked(frame(stripB, 9)) > 30, "both latent strips are drawn");
    check(maxDiff(frame(stripA, 0), frame(blend, 0)) > 40,
      "the latent strip's first frame is the model's reconstruction, not the input image");
    check(maxDiff(frame(stripA, 0), frame(stripB, 0)) > 0, "the two models reconstruct differently");
    const pairInput = await drawData(page, "alpha-a", "input");
    await page.$eval('[data-testid="interp-slider"]', (el) => {
      el.value = "0";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    // The frame decoded for α = 0 (the same pair), not the one for the previous α.
    await waitCurrent(page, '[data-testid="alpha-a"]', pairInput.replace(/@.*/, "@0.00"));
    const [alphaA] = await canvasPixels(page, '[data-testid="alpha-a"]');
    // The strip decodes A's code as the test subset's encoding gave it (in batches), the slider
    // encodes A alone: the same up to float rounding.
    check(maxDiff(frame(alphaA, 0), frame(stripA, 0)) <= 2, "at α = 0 the slider's frame is the strip's first frame");
    const presets = await page.$$('[data-testid="interp-preset"]');
    check(presets.length === 4, `the exercise's four pairs are offered (${presets.length})`);
    const firstPair = await drawData(page, "interp-strip", "input");
    await presets[2].click();
    await page.waitForFunction((before) => {
      const c = document.querySelector('[data-testid="interp-strip"]');
      return c.dataset.input !== before && c.dataset.input !== "";
    }, firstPair, { timeout: 30_000 });
    const secondPair = await drawData(page, "interp-strip", "input");
    await waitCurrent(page, '[data-testid="interp-strip"]', secondPair);
    const [redrawn] = await canvasPixels(page, '[data-testid="interp-strip"]');
    const redrawnDiff = redrawn.grey.reduce((sum, v, i) => sum + Math.abs(v - stripA.grey[i]), 0);
    const redrawnInk = redrawn.grey.filter((v) => v < 200).length;
    check(secondPair !== firstPair && redrawn.grey.length === stripA.grey.length && redrawnDiff > 1000 && redrawnInk > 100,
      `another preset pair redraws the strip (pair ${firstPair} → ${secondPair})`);

    // Issue 20, part 3: what each frame is, under each strip. The ends lie on real digits'
    // codes (distance 0) and are read as their digits; past the ends the frames are marked.
    const diagnosticsOf = () => page.$$eval('[data-testid="interp-diagnostics"]', (blocks) => blocks.map((b) => ({
      model: b.dataset.model, frames: +b.dataset.frames, alphas: b.dataset.alphas.split(",").map(Number),
      distances: b.dataset.distances.split(",").map(Number), guesses: b.dataset.guesses.split(","),
    })));
    const waitDiagnostics = (frames) => page.waitForFunction(([n]) => {
      const blocks = [...document.querySelectorAll('[data-testid="interp-diagnostics"]')];
      const strips = [...document.querySelectorAll('[data-testid="interp-strip"]')];
      return blocks.length === 2 && blocks.every((b) => +b.dataset.frames === n && !b.dataset.guesses.split(",").includes(""))
        && strips.every((c) => +c.dataset.frames === n && c.dataset.pending === "false");
    }, [frames], { timeout: 120_000 });
    await waitDiagnostics(10);
    const pairDigits = await page.$eval('[data-testid="interp-preset"]:nth-of-type(3)', (b) => b.textContent.split(" → "));
    const inside = await diagnosticsOf();
    check(inside.every((d) => d.distances[0] === 0 && d.distances[9] === 0 && Math.max(...d.distances) > 0.1),
      `the ends of each path are real digits (distance 0), the frames between lie off them (${inside.map((d) => d.distances.map((x) => x.toFixed(2)).join(" ")).join(" | ")})`);
    check(inside.every((d) => d.guesses[0] === pairDigits[0] && d.guesses[9] === pairDigits[1]),
      `the classifier reads each path's ends as ${pairDigits.join(" and ")} (${inside.map((d) => d.guesses.join("")).join(", ")})`);
    // The numbers that say what differs: each path's distance from the data between A and B.
    const comparison = await page.textContent('[data-testid="interp-comparison"]');
    const comparedMeans = [...comparison.matchAll(/lies ([0-9.]+) from the data on average/g)].map((m) => +m[1]);
    const innerMeans = inside.map((d) => d.distances.slice(1, 9).reduce((a, b) => a + b, 0) / 8);
    check(comparedMeans.length === 2 && comparedMeans.every((m, i) => Math.abs(m - innerMeans[i]) < 0.006)
        && /two-layer-d20: .*vae-d20: .*'s path stays nearer the data than .*'s\./.test(comparison),
      `a sentence compares the two paths' distances from the data (${comparison})`);
    const charts = await page.$$eval('[data-testid="interp-distance-chart"]', (c) => c.map((x) => ({ points: +x.dataset.points, series: +x.dataset.series, described: x.getAttribute("aria-label") })));
    check(charts.length === 1 && charts[0].points === 10 + 10 + 2 && charts[0].series === 3
        && /two-layer-d20/.test(charts[0].described) && /vae-d20/.test(charts[0].described),
      `one chart plots both paths' frames, a line for each model, beside the unit line (${JSON.stringify(charts)})`);
    await page.check('[data-testid="interp-extend"]');
    await waitDiagnostics(20);
    const past = await diagnosticsOf();
    const marked = await page.$$eval('[data-testid="interp-strip"]', (s) => s.map((c) => c.dataset.marked));
    const sliderMin = await page.$eval('[data-testid="interp-slider"]', (el) => el.min);
    check(past.every((d) => Math.abs(d.alphas[0] + 0.556) < 1e-3 && Math.abs(d.alphas[19] - 1.556) < 1e-3
        && d.distances[5] === 0 && d.distances[14] === 0 && d.distances[0] > 0 && d.distances[19] > 0)
        && marked.every((m) => m === "10") && sliderMin === "-0.5" && /past=1/.test(page.url()),
      `past the ends: α from −0.56 to 1.56, 10 frames marked as extrapolation, farther from the data (${past.map((d) => `${d.distances[0].toFixed(2)}…${d.distances[19].toFixed(2)}`).join(", ")})`);
    await page.uncheck('[data-testid="interp-extend"]');

    // #/decorrelation: every latent size analysed here, matching the native command.
    await goTo(page, "decorrelation");
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="decorrelation-table"] tbody tr')];
      return rows.length === 6 && rows.every((r) => r.dataset.analysed === "true");
    }, null, { timeout: 120_000 });
    const browserRows = await page.$$eval('[data-testid="decorrelation-table"] tbody tr', (rows) => rows.map((r) => ({
      d: +r.dataset.latent,
      zero: r.querySelector('[data-col="browser-zero"]').textContent,
      defined: r.querySelector('[data-col="browser-defined"]').textContent,
      dead: r.querySelector('[data-col="browser-dead"]').textContent,
    })));
    const deadSeries = await page.$eval('[data-testid="decorrelation-chart"]', (c) => +c.dataset.points);
    check(deadSeries >= 16 && await canvasInk(page, "decorrelation-chart") > 2000,
      `the decorrelation chart has a point for every latent size (${deadSeries} points in all)`);
    const native = nativeAnalysis([1, 5, 10, 20, 50, 100].map((d) => `two-layer-d${d}`));
    const fmt = (v) => (v === null ? "–" : v.toFixed(3));
    const disagree = native.filter((n) => {
      const b = browserRows.find((r) => r.d === n.latent_dim);
      return !b || b.zero !== fmt(n.mean_abs_pearson) || b.defined !== fmt(n.mean_abs_pearson_defined) || +b.dead !== n.dead_units;
    });
    check(native.length === 6 && disagree.length === 0,
      `the browser's decorrelation figures equal the native command's on the same weights and data (${JSON.stringify(disagree)})`);
    const summary = await page.textContent('[data-testid="decorrelation-summary"]');
    check(/mean \|r\| goes from/.test(summary), `a summary reads the numbers: "${summary.slice(0, 120)}…"`);
    await page.waitForFunction(() => +document.querySelector('[data-testid="correlation-heatmap"]').dataset.dim === 20);
    check(await canvasInk(page, "correlation-heatmap") > 100, "the correlation heatmap of the chosen model is drawn");
    const heat = await page.$('[data-testid="correlation-heatmap"]');
    const box = await heat.boundingBox();
    await heat.click({ position: { x: box.width / 2, y: box.height * 0.55 } });
    const coordinate = +(await waitData(page, "coordinate-histogram", "coordinate", 11));
    check(coordinate === 11 && await canvasInk(page, "coordinate-histogram") > 100,
      `a click on the heatmap's row 11 shows that coordinate's histogram (coordinate ${coordinate})`);
    // Issue 20, part 2: a cell (i, j) opens the scatter of coordinate j against i.
    await heat.click({ position: { x: box.width * 0.275, y: box.height * 0.125 } });
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="heatmap-scatter"]');
      return c?.dataset.i === "2" && c?.dataset.j === "5" && +c.dataset.points === 2000;
    }, null, { timeout: 60_000 });
    check(await canvasInk(page, "heatmap-scatter") > 300,
      "a click on heatmap cell (2, 5) plots coordinate 5 against coordinate 2 over the 2,000 test digits");
    // At 1,200 px the answers lie beside the matrix, not below it.
    const tops = await page.evaluate(() => ["correlation-heatmap", "coordinate-histogram", "heatmap-scatter"]
      .map((t) => Math.round(document.querySelector(`[data-testid="${t}"]`).closest("figure").getBoundingClientRect().top)));
    check(Math.max(...tops) - Math.min(...tops) <= 1,
      `at 1,200 px the heatmap, the histogram and the scatter share a row (figure tops ${tops.join(", ")} px)`);

    // The pretrained model's map through its ten epochs, recorded by `latent-lab reproduce` on
    // the first 1,000 test digits and bundled: it opens on the last epoch, with a scrubber.
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="latent-map"]');
      return c?.dataset.epoch === "10" && c.dataset.points === "1000";
    }, null, { timeout: 60_000 });
    const lastEpochMap = await page.$eval('[data-testid="latent-map"]', (c) => c.toDataURL());
    const scrubberMax = await page.$eval('[data-testid="latent-epoch"]', (el) => el.max);
    await page.$eval('[data-testid="latent-epoch"]', (el) => {
      el.value = "0";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="latent-map"]').dataset.epoch === "0");
    const startMap = await page.$eval('[data-testid="latent-map"]', (c) => c.toDataURL());
    const caption = await page.textContent('[data-part="latent-map"] figcaption');
    check(scrubberMax === "10" && startMap !== lastEpochMap && /after epoch 0 of its training on full MNIST/.test(caption),
      `the pretrained model's bundled epochs scrub from 10 back to 0 (${caption.slice(0, 110)}…)`);
    await page.$eval('[data-testid="latent-epoch"]', (el) => {
      el.value = "10";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="latent-map"]').dataset.epoch === "10");
    const mapPoints = await page.$eval('[data-testid="latent-map"]', (c) => +c.dataset.points);
    check(mapPoints === 1000 && await canvasInk(page, "latent-map") > 1000, `the latent map shows the recorded test images (${mapPoints})`);
    // Beside it, the VAE of the same size by default, with the numbers that differ.
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="latent-map-compare"]');
      const rows = [...document.querySelectorAll('[data-testid="latent-compare-numbers"] tbody tr')];
      return c?.dataset.model === "vae-d20" && +c.dataset.points === 2000 && rows.length === 2 && rows.every((r) => r.dataset.meanR !== "—");
    }, null, { timeout: 120_000 });
    const compareRows = await page.$$eval('[data-testid="latent-compare-numbers"] tbody tr', (rows) => rows.map((r) => ({
      model: r.dataset.model, r: r.dataset.meanR, dead: r.dataset.dead })));
    const plainRow = browserRows.find((r) => r.d === 20);
    check(compareRows[0].model === "two-layer-d20" && compareRows[1].model === "vae-d20"
        && compareRows[0].r === plainRow.defined && +compareRows[0].dead === +plainRow.dead
        && await canvasInk(page, "latent-map-compare") > 500,
      `the VAE's map is drawn beside the plain model's, with both models' numbers (${JSON.stringify(compareRows)})`);
    const compareCaption = await page.textContent('[data-testid="latent-map-compare-caption"]');
    check(/^2000 test images of vae-d20, on the first two principal components of their codes \(\d+% and \d+% of the variance\)\.$/.test(compareCaption),
      `the second map says what it shows, as the first does ("${compareCaption.trim()}")`);
    const map = await page.$('[data-testid="latent-map"]');
    const mapBox = await map.boundingBox();
    // In the same row, to its right (a 1200 px wide window; a phone wraps it below).
    const compareBox = await (await page.$('[data-testid="latent-map-compare"]')).boundingBox();
    check(compareBox.x >= mapBox.x + mapBox.width && compareBox.y < mapBox.y + mapBox.height
        && compareBox.y + compareBox.height > mapBox.y,
      `the second map sits beside the first, in its row (map at x ${Math.round(mapBox.x)}, y ${Math.round(mapBox.y)}; second at x ${Math.round(compareBox.x)}, y ${Math.round(compareBox.y)})`);
    // Click around the middle until a click lands on a point (it then asks for that digit's
    // decode: data-wanted moves), and wait for that decode.
    const pickSel = '[data-testid="latent-map-pick"]';
    let picked = false;
    for (let i = 0; i < 25 && !picked; i++) {
      const wantedBefore = await page.$eval(pickSel, (c) => c.dataset.wanted ?? "");
      await map.click({ position: { x: mapBox.width * (0.3 + 0.1 * (i % 5)), y: mapBox.height * (0.3 + 0.1 * Math.floor(i / 5)) } });
      const asked = await page.waitForFunction(([sel, w]) => (document.querySelector(sel).dataset.wanted ?? "") !== w,
        [pickSel, wantedBefore], { timeout: 3000 }).then(() => true, () => false);
      if (asked) {
        await waitCurrent(page, pickSel);
        picked = (await page.$eval(pickSel, (c) => c.dataset.frames)) === "2";
      }
    }
    check(picked && await canvasInk(page, "latent-map-pick") > 50, "a click on the latent map shows that digit and its reconstruction");
    // A drag on the map brushes a rectangle: the digits in it, and their codes' mean decoded.
    // The map's box as it is now (the clicks above may have scrolled the page).
    await map.scrollIntoViewIfNeeded();
    const brushBox = await map.boundingBox();
    const at = (fx, fy) => [brushBox.x + brushBox.width * fx, brushBox.y + brushBox.height * fy];
    await page.mouse.move(...at(0.35, 0.35));
    await page.mouse.down();
    await page.mouse.move(...at(0.5, 0.5), { steps: 4 });
    await page.mouse.move(...at(0.65, 0.65), { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(() => {
      const b = document.querySelector('[data-testid="latent-brush"]');
      return b?.dataset.count !== undefined && b.dataset.count === b.dataset.selected;
    }, null, { timeout: 60_000 });
    const brush = await page.$eval('[data-testid="latent-brush"]', (b) => ({
      count: +b.dataset.count, shown: +b.dataset.shown,
      frames: +b.querySelector('[data-testid="latent-brush-grid"]').dataset.frames }));
    check(brush.count > 0 && brush.shown === Math.min(brush.count, 100) && brush.frames === brush.shown
        && await canvasInk(page, "latent-brush-grid") > 500 && await canvasInk(page, "latent-brush-mean") > 50,
      `a rectangle dragged on the latent map shows its ${brush.count} digits (${brush.shown} drawn) and their mean code decoded`);

    // #/transfer: a frozen-encoder run on 1,000 labels really learns, in the browser.
    await goTo(page, "transfer");
    await page.waitForSelector('[data-testid="transfer-start"]:not([disabled])');
    const saveButtons = '[data-testid="transfer-table-csv"], [data-testid="transfer-accuracy-chart-png"], [data-testid="transfer-accuracy-chart-csv"]';
    const disabledSaves = () => page.$$eval(saveButtons, (b) => b.map((x) => x.disabled));
    const savesBefore = await disabledSaves();
    check(savesBefore.length === 3 && savesBefore.every((d) => d),
      `before any transfer run, its table and chart offer nothing to save (disabled: ${savesBefore})`);
    await page.uncheck('[data-testid="transfer-finetune"]');
    await page.uncheck('[data-testid="transfer-scratch"]');
    await page.selectOption('[data-testid="transfer-labels"]', "1000");
    await page.fill('[data-testid="transfer-epochs"]', "20");
    const transferStarted = Date.now();
    await page.click('[data-testid="transfer-start"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="transfer-progress"]')?.dataset.status === "finished",
      null, { timeout: 300_000 });
    const transferSeconds = (Date.now() - transferStarted) / 1000;
    const transferRows = await page.$$eval('[data-testid="transfer-table"] tbody tr', (rows) => rows.map((r) => ({
      scenario: r.dataset.scenario, accuracy: +r.dataset.accuracy })));
    console.log(`frozen transfer, 1,000 labels, 20 epochs: ${transferSeconds.toFixed(1)} s in the page`);
    check(transferRows.length === 1 && transferRows[0].scenario === "frozen" && transferRows[0].accuracy > 0.7,
      `a frozen-encoder transfer run on 1,000 labels learns (test accuracy ${(transferRows[0]?.accuracy * 100).toFixed(1)}%)`);
    // 20 scorings, and chance's line (2 points) at 10 %, across the run.
    const accChart = await page.$eval('[data-testid="transfer-accuracy-chart"]', (c) => ({
      points: +c.dataset.points, label: c.getAttribute("aria-label") }));
    check(accChart.points === 22 && /chance: a guess among ten digits \(10 %\): 2 points, from 10 at 1 to 10 at 20/.test(accChart.label)
      && await canvasInk(page, "transfer-loss-chart") > 1000,
      `the transfer curves are drawn, the accuracy beside chance (${accChart.points} points; ${accChart.label})`);
    // The loss chart's reference: a uniform guess (ln 10, where the report's classifiers stayed),
    // across the epochs run, beside the frozen scenario's test and training lines.
    const lossChart = await page.$eval('[data-testid="transfer-loss-chart"]', (c) => ({
      series: +c.dataset.series, label: c.getAttribute("aria-label") }));
    const uniform = lossChart.label.match(/a uniform guess over ten digits \(ln 10 = 2\.30\): 2 points, from ([\d.]+) at 1 to ([\d.]+) at 20/);
    check(lossChart.series === 3 && uniform && Math.abs(+uniform[1] - Math.LN10) < 0.01 && uniform[2] === uniform[1],
      `the transfer loss chart draws a uniform guess's loss (ln 10) across the run (${lossChart.series} lines; ${lossChart.label})`);
    const savesAfter = await disabledSaves();
    check(savesAfter.every((d) => !d), `after the run, its table and chart can be saved (disabled: ${savesAfter})`);
    const confusion = await page.$$eval('[data-testid="confusion-matrix"] tbody td', (cells) => cells.map((c) => +c.textContent));
    check(confusion.length === 100 && confusion.reduce((a, b) => a + b, 0) === 2000,
      "the confusion matrix counts every test image once");
    // Issue 20, part 2: a cell opens to its test digits; each digit's accuracy is beside.
    const cells = await page.$$eval('[data-testid="confusion-cell"]', (c) => c.map((x) => ({ t: +x.dataset.true, g: +x.dataset.guess, n: +x.textContent })));
    const openCell = async (cell, how) => {
      const sel = `[data-testid="confusion-cell"][data-true="${cell.t}"][data-guess="${cell.g}"]`;
      if (how === "key") {
        await page.focus(sel);
        await page.keyboard.press("Enter");
      } else {
        await page.click(sel);
      }
      await page.waitForSelector(`[data-testid="drill-down"][data-true="${cell.t}"][data-guess="${cell.g}"]`, { timeout: 60_000 });
      return page.$eval('[data-testid="drill-down"]', (d) => ({
        count: +d.dataset.count, shown: +d.dataset.shown,
        digits: d.querySelectorAll('[data-testid="drill-down-digit"]').length,
        percents: [...d.querySelectorAll("figcaption")].map((f) => parseFloat(f.textContent)),
      }));
    };
    const mistake = cells.filter((c) => c.t !== c.g).sort((a, b) => b.n - a.n)[0];
    const wrong = await openCell(mistake, "click");
    check(mistake.n > 0 && wrong.count === mistake.n && wrong.digits === Math.min(mistake.n, 60) && wrong.shown === wrong.digits
        && wrong.percents.every((p, i) => p >= 10 && (i === 0 || p <= wrong.percents[i - 1]))
        && await canvasInk(page, "drill-down-digit") > 30,
      `a click on cell (${mistake.t}, ${mistake.g}) shows its ${mistake.n} test digits, surest first (${wrong.percents.slice(0, 5).join("%, ")}%…)`);
    const right = cells.find((c) => c.t === 1 && c.g === 1);
    const read = await openCell(right, "key");
    check(read.count === right.n && read.digits === Math.min(right.n, 60),
      `Enter on cell (1, 1) shows the 1s read right (${read.count}, ${read.digits} shown)`);
    const perClass = await page.$$eval('[data-testid="per-class-accuracy"] tbody tr', (rows) => rows.map((r) => +r.dataset.accuracy));
    const expected = [...Array(10).keys()].map((d) => {
      const row = cells.filter((c) => c.t === d);
      return row.find((c) => c.g === d).n / row.reduce((a, c) => a + c.n, 0);
    });
    check(perClass.length === 10 && perClass.every((a, d) => Math.abs(a - expected[d]) < 1e-6),
      `per-class accuracy beside the matrix is each row's diagonal share (${perClass.map((a) => (a * 100).toFixed(0)).join(" ")})`);
    const fullRows = await page.$$eval('[data-testid="transfer-full-table"] tbody tr', (r) => r.map((x) => x.textContent));
    check(fullRows.length === 3 && fullRows.every((r) => /1,000/.test(r)),
      `the full-MNIST transfer rows for 1,000 labels are shown beside (${fullRows.length})`);
    const fullCsvDownload = page.waitForEvent("download");
    await page.click('[data-testid="transfer-full-table-csv"]');
    const fullCsv = fs.readFileSync(await (await fullCsvDownload).path(), "utf8").trim().split("\n");
    check(fullCsv.length === 4 && fullCsv[1].startsWith("frozen,1000,"), `the full-MNIST transfer table saves as CSV (${fullCsv.length} lines)`);

    await drawChecks(page, "CPU", 40);

    for (const route of ["experiments", "interpolate", "decorrelation", "transfer", "draw", "report", "train"]) {
      await page.goto(`${origin}/#/${route}`);
      await page.waitForSelector('[data-testid="backend"]');
      await page.screenshot({ path: path.join(shots, `${route}.png`), fullPage: true });
    }
    check(problems.length === 0, `no console errors (${JSON.stringify(problems)})`);
    check(deprecations.length === 0, `no engine worker warns of a deprecated call (${JSON.stringify(deprecations)})`);
    check(foreign.length === 0, `no request leaves the origin (${JSON.stringify(foreign)})`);
    const violations = await page.evaluate(() => window.__cspViolations);
    const meta = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
    const inline = await page.$$eval("script", (s) => s.filter((x) => !x.src).length);
    check(violations.length === 0 && meta === trunkPolicy(root) && inline === 0 && /script-src 'self' 'wasm-unsafe-eval';/.test(meta),
      `the page runs under its Content-Security-Policy (same in index.html and Trunk.toml, no inline script) with no violation (${JSON.stringify(violations)})`);
    await context.close();
    await browser.close();
  }

  // Storage that fails: a full quota never loses a trained model (issue 17).
  {
    const browser = await chromium.launch({ executablePath: chromiumPath, args: baseArgs });
    await storageFullChecks({ browser, origin, openPage, waitLoaded, check, shots });
    await errorSourceChecks({ browser, origin, root, openPage, waitLoaded, check });
    await keptRunErrorChecks({ browser, origin, openPage, waitLoaded, check });
    await missingSubsetChecks({ browser, root, openPage, waitLoaded, check, serve });
    await twoTabsChecks({ browser, origin, openPage, waitLoaded, check });
    await interruptedRunChecks({ browser, origin, openPage, waitLoaded, check });
    await unreadableRecordChecks({ browser, origin, root, openPage, waitLoaded, check });
    await otherTabChecks({ browser, origin, root, openPage, waitLoaded, check });
    await largeAnalysisChecks({ browser, origin, openPage, waitLoaded, check });
    await linkChecks({ browser, origin, openPage, waitLoaded, check });
    await lessonChecks({ browser, origin, openPage, waitLoaded, check });
    await reportChecks({ browser, origin, openPage, waitLoaded, check });
    await offlineChecks({ browser, origin, openPage, waitLoaded, check });
    await newBuildChecks({ browser, root, waitLoaded, check });
    await accessibilityChecks({ browser, origin, openPage, waitLoaded, check, shots });
    await narrowColumnChecks({ browser, origin, openPage, waitLoaded, check });
    await keyboardChecks({ browser, origin, openPage, waitLoaded, check });
    await touchChecks({ browser, origin, openPage, waitLoaded, check });
    await rawUpdateFallbackChecks({ browser, origin, openPage, waitLoaded, drawStrokes, check });
    await paintingFallbackChecks({ browser, origin, openPage, drawStrokes, waitReadingOfCurrentDrawing, strokes: ONE, check });
    await transferConfusionChecks({ browser, origin, openPage, waitLoaded, check });
    await browser.close();
  }

  // 2. WebGPU available (Chromium's software adapter): the header says WebGPU and warns.
  {
    const browser = await chromium.launch({ executablePath: chromiumPath, args: [...baseArgs, "--enable-unsafe-webgpu"] });
    const { context, page, problems, foreign, deprecations } = await openPage(browser, `${origin}/`, origin);
    await waitLoaded(page);
    const header = await page.textContent('[data-testid="backend"]');
    check(/WebGPU/.test(header) && !/WebGPU not used/.test(header), `header names WebGPU: "${header.trim()}"`);
    check(/software WebGPU adapter/.test(header), "a software adapter is flagged, with the CPU offered");
    await page.screenshot({ path: path.join(shots, "train-webgpu.png"), fullPage: true });
    await drawChecks(page, "software WebGPU", 20);
    // ?backend=cpu overrides the choice.
    await page.goto(`${origin}/?backend=cpu#/train`);
    await page.waitForFunction(() => /CPU/.test(document.querySelector('[data-testid="backend"]')?.textContent ?? ""));
    check(true, "?backend=cpu picks the CPU even with WebGPU available");
    check(problems.length === 0, `no console errors with WebGPU (${JSON.stringify(problems)})`);
    check(deprecations.length === 0, `no engine worker warns of a deprecated call with WebGPU (${JSON.stringify(deprecations)})`);
    check(foreign.length === 0, "no request leaves the origin with WebGPU");
    await context.close();
    await gpuLossChecks({ browser, origin, openPage, waitLoaded, check, checkpointKeys, waitFor });
    await browser.close();
  }

  // 2b. A WebGPU start that begins on the CPU engine and moves once the WebGPU engine has
  // loaded, losing neither a drawing nor a training made meanwhile.
  await handOverChecks({ dist, root, chromiumPath, args: baseArgs, check });

  // 3. A browser without relaxed SIMD (`?relaxed-simd=off` stands in): the plain threaded build,
  // asked for one thread (`?threads=1`).
  // A host that sends no COOP/COEP headers: the single-threaded engine, said in the header.
  // Each trains and learns.
  await threadsChecks({ dist, root, chromiumPath, args: baseArgs, check, isolated: true, relaxedSimd: false, threads: 1 });
  // Two copies of the model, a thread each (`?copies=2`, data-parallel): they train together.
  await threadsChecks({ dist, root, chromiumPath, args: baseArgs, check, isolated: true, copies: 2 });
  await threadsChecks({ dist, root, chromiumPath, args: baseArgs, check, isolated: false });

  // 4. The variational autoencoder: offered by the form, trained, listed (issue 20).
  await vaeChecks({ dist, root, chromiumPath, args: baseArgs, check });
  await watchChecks({ dist, root, chromiumPath, args: baseArgs, check });
} catch (e) {
  failures.push(String(e?.stack ?? e));
  console.log(`FAIL ${e?.stack ?? e}`);
} finally {
  server.close();
}

if (failures.length > 0) {
  console.log(`\n${failures.length} end-to-end check(s) failed`);
  process.exit(1);
}
console.log("\nall end-to-end checks passed");
