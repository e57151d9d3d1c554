// The training view's earlier runs: the list under the loss chart and the runs it lays over the
// chart. Helpers for run.mjs, which trains the runs they look at.

/** The list's rows: run id, whether it is ticked, and its cells' text. */
export async function earlierRuns(page) {
  return page.$$eval('[data-testid="earlier-runs"] tbody tr', (rows) => rows.map((r) => ({
    id: r.dataset.runId,
    shown: r.dataset.shown === "true",
    ticked: r.querySelector('[data-testid="earlier-run-shown"]').checked,
    cells: Array.from(r.querySelectorAll("td"), (td) => td.textContent.trim()),
  })));
}

/** Waits until the list shows exactly these run ids, in this order. */
export async function waitEarlierRuns(page, ids, timeout = 30_000) {
  await page.waitForFunction((want) => {
    const rows = document.querySelectorAll('[data-testid="earlier-runs"] tbody tr');
    return JSON.stringify(Array.from(rows, (r) => r.dataset.runId)) === JSON.stringify(want);
  }, ids, { timeout });
}

/** What the chart says it lays over itself: "run id:last test loss" each. */
export async function chartEarlier(page) {
  const value = await page.getAttribute('[data-testid="loss-chart"]', "data-earlier");
  return value ? value.split(" ") : [];
}

/** Waits until the chart lays exactly these runs over itself. */
export async function waitChartEarlier(page, ids, timeout = 30_000) {
  await page.waitForFunction((want) => {
    const value = document.querySelector('[data-testid="loss-chart"]')?.dataset.earlier ?? "";
    return JSON.stringify(value ? value.split(" ").map((e) => e.split(":")[0]) : []) === JSON.stringify(want);
  }, ids, { timeout });
}

/** Pixels of the loss chart drawn in `rgb` over the white paper, at least half covered
 *  (antialiased edges included): each channel's share of the way from white to `rgb` agrees
 *  within 0.2. No other line of the chart (blue, orange, grey, pale blue, black) passes. */
export async function chartPixelsOf(page, rgb) {
  return page.$eval('[data-testid="loss-chart"]', (c, rgb) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      const cover = rgb.map((v, k) => (255 - d[i + k]) / (255 - v));
      if (Math.min(...cover) > 0.45 && Math.max(...cover) - Math.min(...cover) < 0.2) n++;
    }
    return n;
  }, rgb);
}

/** The first earlier run's colour (src/ui/earlier_runs.rs, RUN_COLOURS[0]). */
export const FIRST_RUN_COLOUR = [30, 150, 80];

/** The list as the browser stores it (localStorage). */
export async function storedEarlierRuns(page) {
  return page.evaluate(() => {
    const json = localStorage.getItem("latent-lab.earlier-runs");
    return json ? JSON.parse(json).runs.map((r) => ({ id: r.run_id, shown: r.shown })) : null;
  });
}
