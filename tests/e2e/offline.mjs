// End-to-end check that the lab works offline after a first visit (issue 18, part 4): the
// service worker caches the whole build, and with the network off a reload loads the page
// and its engine, trains a few steps and opens #/report with the reproduction's numbers and
// figures. Called by run.mjs with its helpers; each wait is for the state it checks.

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
  check(cache.keys.length === 1 && has(/worker_bg\.wasm$/) && has(/worker_cpu_bg\.wasm$/) && has(/results\.json$/) && has(/\.safetensors$/) && has(/lessons\/.*\.md$/),
    `"works offline" once one versioned cache holds the page, both engines, data, weights, results and lessons (${cache.keys}, ${cache.files.length} files)`);

  await context.setOffline(true);
  await page.reload();
  await waitLoaded(page);
  await page.evaluate(() => { location.hash = "#/train?d=5&epochs=1&images=256&seed=2"; });
  await page.waitForFunction(() => document.querySelector('[data-testid="train-latent"]')?.value === "5");
  await page.click('[data-testid="train-start"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "finished",
    null, { timeout: 300_000 });
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
