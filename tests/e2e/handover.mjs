// The move from the CPU engine to the WebGPU engine (issue 19): a WebGPU start begins on the
// CPU engine at once, loads the WebGPU engine beside it, and moves once that has loaded and
// nothing would be lost. Chromium's adapter here is a software one, on which the page loads the
// WebGPU engine at once by default; `?handover=held` asks for the move anyway, held until the
// test releases it (`window.latentLabTest.releaseHandOver()`, with `?test-hooks=1`), so that a
// drawing and a training are made on the CPU engine first. The training holds the move while
// it runs (paused here, so that it cannot end first), and its model, the drawing and the loss
// chart are all there after the move.
//   node tests/e2e/handover.mjs [dist-folder]     (tests/e2e/run.mjs runs it)
import { chromium } from "playwright-core";
import path from "node:path";
import { reconstructionInk } from "./reconstruction.mjs";
import { serve } from "./server.mjs";
import { collectErrors, runAlone } from "./standalone.mjs";
import { lossSeries, startTraining, waitTrainStatus } from "./training.mjs";

const text = (page, testid) => page.evaluate(
  (t) => document.querySelector(`[data-testid="${t}"]`)?.textContent.trim() ?? "", testid);
const waitText = (page, testid, pattern, timeout = 180_000) => page.waitForFunction(
  ([t, p]) => new RegExp(p).test(document.querySelector(`[data-testid="${t}"]`)?.textContent ?? ""),
  [testid, pattern.source], { timeout });

/** Draws one stroke on the pad and waits until the reading of the drawing as it now is shows. */
async function drawAndRead(page, stroke) {
  const pad = await page.$('[data-testid="draw-pad"]');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(stroke[0]));
  await page.mouse.down();
  for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 2 });
  await page.mouse.up();
  await page.waitForFunction(() => {
    const pad = document.querySelector('[data-testid="draw-pad"]');
    const reading = document.querySelector('[data-testid="draw-reading"]');
    return reading?.dataset.pending === "false" && reading.dataset.input === pad.dataset.version;
  }, null, { timeout: 120_000 });
  return page.$eval('[data-testid="draw-pad"]', (p) => ({ strokes: +p.dataset.strokes, version: p.dataset.version }));
}

export async function handOverChecks({ dist, root, chromiumPath, args, check }) {
  const server = await serve(dist, root, { isolated: true });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...args, "--enable-unsafe-webgpu"] });
  try {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    const engines = [];
    // Whether the CPU engine had loaded when the WebGPU engine's worker was made (its download
    // waits, so that the two do not share the network at start).
    let cpuLoadedFirst = null;
    page.on("worker", (w) => {
      const name = path.basename(new URL(w.url()).pathname);
      engines.push(name);
      if (name === "worker_loader.js") {
        page.evaluate(() => !document.querySelector('[data-testid="train-start"]')?.disabled)
          .then((loaded) => { cpuLoadedFirst = loaded; }, () => { cpuLoadedFirst = false; });
      }
    });
    const opened = Date.now();
    await page.goto(`${origin}/?handover=held&test-hooks=1#/train`);
    await page.waitForFunction(() => !document.querySelector('[data-testid="train-start"]')?.disabled,
      null, { timeout: 180_000 });
    await waitText(page, "backend", /CPU ·/);
    const interactive = (Date.now() - opened) / 1000;
    check(engines.includes("worker_cpu_threads_relaxed_loader.js"),
      `hand-over: the page starts on the CPU engine (workers: ${engines.join(", ")})`);
    await waitText(page, "handover", /its move is held/);
    console.log(`     (figures, not checks: the CPU engine ready after ${interactive.toFixed(1)} s, ` +
      `the WebGPU engine listening after ${((Date.now() - opened) / 1000).toFixed(1)} s)`);
    check(engines.includes("worker_loader.js") && /CPU ·/.test(await text(page, "backend")),
      `hand-over: the WebGPU engine loads beside it and waits ("${await text(page, "backend")}")`);
    check(cpuLoadedFirst === true,
      `hand-over: the WebGPU engine's download begins once the CPU engine has loaded (${cpuLoadedFirst})`);

    // Made on the CPU engine: a drawing, and a training (paused, so it is running at the release).
    await page.evaluate(() => { location.hash = "#/draw"; });
    await page.waitForSelector('[data-testid="draw-pad"]');
    const drawn = await drawAndRead(page, Array.from({ length: 21 }, (_, i) => [0.5, 0.15 + 0.7 * i / 20]));
    await page.evaluate(() => { location.hash = "#/train"; });
    await startTraining(page, { epochs: 10, images: 4000 });
    await waitTrainStatus(page, "running");
    await page.click('[data-testid="train-pause"]');
    await waitTrainStatus(page, "paused");
    await page.evaluate(() => window.latentLabTest.releaseHandOver());
    await waitText(page, "handover", /takes over when nothing is lost \(a training runs\)/);
    check(/CPU ·/.test(await text(page, "backend")),
      `hand-over: a running training holds the move ("${await text(page, "handover")}")`);
    await page.click('[data-testid="train-pause"]');
    await waitTrainStatus(page, "finished");
    const series = await lossSeries(page);

    // Then the move: the header names WebGPU, and nothing made on the CPU is lost.
    await waitText(page, "backend", /WebGPU ·/);
    await page.waitForFunction(() => !document.querySelector('[data-testid="handover"]'), null, { timeout: 180_000 });
    check(true, `hand-over: once the training ended, the WebGPU engine took over ("${await text(page, "backend")}")`);
    const after = await lossSeries(page);
    check(after.first === series.first && after.last === series.last && series.last < series.first,
      `hand-over: the training's loss chart stays (${series.first} → ${series.last})`);
    await page.waitForFunction(() => /\(trained 1\)/.test(document.querySelector('[data-testid="model-list"]')?.textContent ?? ""),
      null, { timeout: 60_000 });
    check(true, "hand-over: the model trained on the CPU engine is in the WebGPU engine's list");
    await page.evaluate(() => { location.hash = "#/draw"; });
    await page.waitForSelector('[data-testid="draw-pad"]');
    const kept = await page.$eval('[data-testid="draw-pad"]', (p) => ({ strokes: +p.dataset.strokes, version: p.dataset.version }));
    check(kept.strokes === drawn.strokes && kept.version === drawn.version,
      `hand-over: the drawing is still on the pad (${kept.strokes} stroke(s))`);
    const more = await drawAndRead(page, Array.from({ length: 11 }, (_, i) => [0.35 + 0.3 * i / 10, 0.2]));
    check(more.strokes === drawn.strokes + 1, "hand-over: the WebGPU engine reads the drawing as it goes on");
    // The reconstruction's canvas went to the CPU engine; the view hands a new one to this one.
    const lit = await reconstructionInk(page);
    const painter = await page.$eval('[data-testid="reconstruction"]', (c) => c.dataset.painter);
    check(painter === "engine" && lit > 10,
      `hand-over: the WebGPU engine paints the reconstruction into the canvas handed to it (${painter}, ${lit} lit pixels)`);
    check(errors.length === 0, `hand-over: no page errors${errors.length ? `: ${errors.join(" | ")}` : ""}`);
  } finally {
    await browser.close();
    server.close();
  }
}

await runAlone(import.meta.url, handOverChecks);
