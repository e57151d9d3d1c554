// End-to-end check that the lab works offline after a first visit (issue 18, part 4): the
// service worker caches the whole build, and with the network off a reload loads the page
// and its engine, trains a few steps and opens #/report with the reproduction's numbers and
// figures; a new build replaces the cache without mixing. Called by run.mjs with its helpers;
// each wait is for the state it checks.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { serve } from "./server.mjs";
import { waitFor } from "./storage.mjs";
import { trainToEnd } from "./training.mjs";

export async function offlineChecks({ browser, origin, openPage, waitLoaded, check }) {
  const { context, page, problems, foreign } = await openPage(browser, `${origin}/?backend=cpu#/train`, origin, { serviceWorkers: "allow" });
  await waitLoaded(page);
  await page.waitForSelector('[data-testid="offline-ready"]', { timeout: 120_000 });
  const cache = await page.evaluate(async () => {
    const keys = (await caches.keys()).filter((k) => k.startsWith("latent-lab-"));
    const files = keys.length ? (await (await caches.open(keys[0])).keys()).map((r) => new URL(r.url).pathname) : [];
    return { keys, files };
  });
  const has = (re) => cache.files.some((f) => re.test(f));
  check(cache.keys.length === 1 && has(/worker_bg\.wasm$/) && has(/worker_cpu_bg\.wasm$/)
    && has(/worker_cpu_threads_bg\.wasm$/) && has(/kernel_thread\.js$/) && has(/results\.json$/) && has(/\.safetensors$/) && has(/lessons\/.*\.md$/),
    `"works offline" once one versioned cache holds the page, the three engines (and the kernel threads' script), data, weights, results and lessons (${cache.keys}, ${cache.files.length} files)`);

  await context.setOffline(true);
  await page.reload();
  await waitLoaded(page);
  await page.evaluate(() => { location.hash = "#/train?d=5&epochs=1&images=256&seed=2"; });
  await page.waitForFunction(() => document.querySelector('[data-testid="train-latent"]')?.value === "5");
  await trainToEnd(page);
  const losses = await page.$eval('[data-testid="loss-chart"]', (c) => c.dataset.epochLosses);
  check(/^[0-9.]+\/[0-9.]+$/.test(losses), `offline, a reload loads the lab and it trains (epoch losses ${losses})`);
  await page.evaluate(() => { location.hash = "#/report"; });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="report-part"]').length === 5
    && !document.querySelector('[data-testid="report-measured"]').textContent.includes("not loaded")
    && [...document.querySelectorAll(".report-figure")].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: 60_000 });
  check(true, "offline, #/report shows the reproduction's numbers and figures");
  check(problems.length === 0, `no console errors offline (${JSON.stringify(problems)})`);
  check(foreign.length === 0, `no request leaves the origin (${JSON.stringify(foreign)})`);
  await context.setOffline(false);
  await context.close();
}

/** A new build replaces the cache, never mixing old and new files: a copy of the build is
 *  served and cached; then one of its files changes and the build's own hook rewrites sw.js
 *  (a new version). The open tab finds the new worker, which caches the new build beside the
 *  old one and waits; the tab still gets the old file. Once the tab is closed, a new tab gets
 *  the new build, and the old cache is gone. */
export async function newBuildChecks({ browser, root, waitLoaded, check }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-lab-build-"));
  const dist = path.join(dir, "dist");
  fs.cpSync(path.join(root, "dist"), dist, { recursive: true });
  const server = await serve(dist, root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, serviceWorkers: "allow" });
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/?backend=cpu#/train`);
    await waitLoaded(page);
    await page.waitForSelector('[data-testid="offline-ready"]', { timeout: 120_000 });
    const lesson = "lessons/a-latent-size.md";
    const read = (p) => p.evaluate(async (f) => (await fetch(f)).text(), lesson);
    const cacheKeys = (p) => p.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith("latent-lab-")).sort());
    const [oldKey, ...others] = await cacheKeys(page);
    const oldText = await read(page);

    const marker = "A line that only the new build has.";
    fs.appendFileSync(path.join(dist, lesson), `\n${marker}\n`);
    execFileSync("bash", [path.join(root, "scripts/trunk-service-worker.sh")],
      { cwd: root, env: { ...process.env, TRUNK_STAGING_DIR: dist }, stdio: "ignore" });
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    let keys = [];
    const installed = await waitFor(async () => {
      keys = await cacheKeys(page);
      return keys.length === 2 && await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting?.state === "installed");
    }, 120_000);
    check(others.length === 0 && installed && keys.includes(oldKey),
      `a new build's worker caches it beside the old build's cache and waits (${JSON.stringify(keys)})`);
    const stillOld = await read(page);
    check(stillOld === oldText && !stillOld.includes(marker), "the open tab is still served the build it started with");

    await page.close();
    const fresh = await context.newPage();
    await fresh.goto(`${origin}/?backend=cpu#/train`);
    await waitLoaded(fresh);
    const replaced = await waitFor(async () => {
      keys = await cacheKeys(fresh);
      return keys.length === 1 && keys[0] !== oldKey;
    }, 60_000);
    const newText = await read(fresh);
    check(replaced && newText.includes(marker) && newText.startsWith(oldText.trimEnd()),
      `once the old tab is closed a new tab gets the new build, and only its cache is left (${JSON.stringify(keys)})`);
  } finally {
    await context.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
