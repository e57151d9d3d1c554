// The training view's earlier runs: the list under the loss chart and the runs it lays over the
// chart. Helpers for run.mjs, which trains the runs they look at.

import fs from "node:fs";

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

/** What the loss chart's x axis counts ("epochs", "images", "steps"), how far it reaches, and
 *  where each earlier run's last test loss stands on it ({ run id: x }). */
export async function chartAxis(page) {
  return page.$eval('[data-testid="loss-chart"]', (c) => ({
    axis: c.dataset.xAxis,
    end: Number(c.dataset.xEnd),
    earlier: Object.fromEntries((c.dataset.earlierX ?? "").split(" ").filter(Boolean).map((e) => {
      const [id, x] = e.split(":");
      return [id, Number(x)];
    })),
    label: c.getAttribute("aria-label"),
  }));
}

/** Chooses the chart's x axis and waits until the chart counts it. */
export async function chooseChartAxis(page, axis) {
  await page.selectOption('[data-testid="loss-x-axis"]', axis);
  await page.waitForFunction((want) => document.querySelector('[data-testid="loss-chart"]')?.dataset.xAxis === want,
    axis, { timeout: 30_000 });
  return chartAxis(page);
}

/** The chart's x axis, on a chart whose run is `current` (epochs, images and batch size as
 *  trained) with the earlier run `earlier` laid over it: each run goes along the axis by its
 *  own images and batch size, worked out here as the trainer counts them (the last batch of
 *  an epoch may be short); the choice is kept in the address, so a reload keeps it. */
export async function chartAxisChecks(page, check, { current, earlier, reload }) {
  const steps = (run) => run.epochs * Math.ceil(run.images / run.batch);
  const byEpochs = await chartAxis(page);
  const byImages = await chooseChartAxis(page, "images");
  const imagesHash = await page.evaluate(() => location.hash);
  check(byEpochs.axis === "epochs" && byEpochs.end === current.epochs
      && byImages.end === current.epochs * current.images
      && byImages.earlier[earlier.id] === earlier.epochs * earlier.images
      && /Drawn against training images seen/.test(byImages.label) && /[?&]x=images(&|$)/.test(imagesHash),
    `the loss chart's x axis counts images seen: this run reaches ${byImages.end} (${current.epochs} × ${current.images}), `
    + `the earlier run ends at ${byImages.earlier[earlier.id]} (${earlier.epochs} × ${earlier.images}); by epochs ${byEpochs.end}; address ${imagesHash}`);
  const bySteps = await chooseChartAxis(page, "steps");
  check(bySteps.end === steps(current) && bySteps.earlier[earlier.id] === steps(earlier),
    `by optimiser steps: this run reaches ${bySteps.end} (worked out here ${steps(current)}), the earlier run ${bySteps.earlier[earlier.id]} (${steps(earlier)})`);
  await reload();
  await page.waitForFunction((id) => (document.querySelector('[data-testid="loss-chart"]')?.dataset.earlierX ?? "").includes(id),
    earlier.id, { timeout: 30_000 });
  const back = await chartAxis(page);
  const menu = await page.$eval('[data-testid="loss-x-axis"]', (s) => s.value);
  check(back.axis === "steps" && menu === "steps" && back.end === bySteps.end && back.earlier[earlier.id] === steps(earlier),
    `after a reload the chart still counts steps (${back.axis}, menu ${menu}, reaching ${back.end})`);
  // The chart's CSV gives every point on all three axes, whichever the chart shows: each
  // epoch's test loss at epochs × ⌈images / batch⌉ steps and epochs × images seen, the losses
  // the chart holds; the smoothed steps go forward one whole step at a time (at least the
  // resumed run's first report and its two epochs' ends: how many more depends on the
  // machine's speed, a report every 100 ms).
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="loss-chart-csv"]')]);
  const csv = fs.readFileSync(await download.path(), "utf8").trim().split("\n").map((line) => line.split(","));
  const perEpoch = steps(current) / current.epochs;
  const tests = csv.filter((r) => r[0] === "test per epoch");
  const shownTests = await page.$eval('[data-testid="loss-chart"]', (c) => c.dataset.epochLosses.split(" ").map((e) => e.split("/")[1]));
  const smoothed = csv.filter((r) => r[0] === "train per step (smoothed)").map((r) => Number(r[2]));
  check(csv[0].join(",") === "series,epoch,step,images,loss" && tests.length === current.epochs
      && tests.every((r, i) => Number(r[1]) === i + 1 && Number(r[2]) === (i + 1) * perEpoch && Number(r[3]) === (i + 1) * current.images && r[4] === shownTests[i])
      && smoothed.length >= 3 && smoothed.every((n, i) => Number.isInteger(n) && (i === 0 || n > smoothed[i - 1])) && smoothed.at(-1) <= steps(current),
    `the chart's CSV gives each point's epoch, step and images seen (test rows ${JSON.stringify(tests.map((r) => r.slice(1, 4).join("/")))}; `
    + `${smoothed.length} smoothed steps, ${smoothed[0]} to ${smoothed.at(-1)})`);
  const again = await chooseChartAxis(page, "epochs");
  const epochsHash = await page.evaluate(() => location.hash);
  check(again.end === current.epochs && again.earlier[earlier.id] === earlier.epochs && !/[?&]x=/.test(epochsHash),
    `back to epochs: the chart reaches ${again.end}, the earlier run ${again.earlier[earlier.id]}, and the address names no axis (${epochsHash})`);
}
