// Training you can watch (issue 20, part 1): the Step button takes one optimiser step and
// pauses, with the loss chart and the reconstructions showing that step; slow motion takes a
// few steps a second and shows every one; pause and full speed work from either.
//   node tests/e2e/watch.mjs [dist-folder]     (tests/e2e/run.mjs runs it too)
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";
import { collectErrors, runAlone } from "./standalone.mjs";
import { waitTrainStatus } from "./training.mjs";

export async function watchChecks({ dist, root, chromiumPath, args, check }) {
  const server = await serve(dist, root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: chromiumPath, args });
  try {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(`${origin}/?backend=cpu#/train`);
    await page.waitForFunction(() => !document.querySelector('[data-testid="train-step"]')?.disabled,
      null, { timeout: 180_000 });
    await page.fill('[data-testid="train-epochs"]', "1");
    await page.fill('[data-testid="train-images"]', "2000");
    const shown = () => page.evaluate(() => ({
      status: document.querySelector('[data-testid="train-progress"]').dataset.status,
      step: +document.querySelector('[data-testid="train-progress"] progress').value,
      reconstructed: +document.querySelector('[data-testid="recon-grid"]').dataset.step,
      points: +document.querySelector('[data-testid="loss-chart"]').dataset.points,
    }));
    /** Waits until the run is paused with the reconstructions of step `n` shown; if it never
     *  is, the error says where the page stood instead (the form's warning, the engine's errors). */
    const pausedAt = (n) => page.waitForFunction((want) => {
      const status = document.querySelector('[data-testid="train-progress"]').dataset.status;
      return status === "paused" && +document.querySelector('[data-testid="recon-grid"]').dataset.step === want
        && +document.querySelector('[data-testid="train-progress"] progress').value === want;
    }, n, { timeout: 120_000 }).catch(async (e) => {
      const where = await page.evaluate(() => {
        const text = (sel) => Array.from(document.querySelectorAll(sel), (x) => x.textContent.replace(/\s+/g, " ").trim()).join(" | ");
        return {
          progress: text('[data-testid="train-progress"]'), warnings: text(".warning"),
          errors: text('[data-testid="error"]'), notice: text('[data-testid="notice"]'),
          status: document.querySelector('[data-testid="train-progress"]')?.dataset.status,
          reconstructed: document.querySelector('[data-testid="recon-grid"]')?.dataset.step,
        };
      }).catch((why) => `unreadable: ${why}`);
      throw new Error(`not paused at step ${n}: ${JSON.stringify(where)}; page errors: ${JSON.stringify(errors)}; ${e.message}`);
    });

    // With no run going on, Step starts one and stops after its first step.
    await page.click('[data-testid="train-step"]');
    await pausedAt(1);
    const first = await shown();
    check(first.step === 1 && first.reconstructed === 1 && first.points === 1,
      `Step starts a run and pauses after one step, shown in full (step ${first.step}, reconstructions of step ${first.reconstructed}, ${first.points} chart point)`);
    await page.click('[data-testid="train-step"]');
    await pausedAt(2);
    await page.click('[data-testid="train-step"]');
    await pausedAt(3);
    const third = await shown();
    check(third.points === 3, `each Step adds one step to the chart and the reconstructions (${third.points} points at step ${third.step})`);

    // Slow motion: every step shown, one after the other.
    await page.selectOption('[data-testid="train-slow"]', "10");
    await page.evaluate(() => {
      window.__stepsShown = [];
      const grid = document.querySelector('[data-testid="recon-grid"]');
      new MutationObserver(() => window.__stepsShown.push(+grid.dataset.step))
        .observe(grid, { attributes: true, attributeFilter: ["data-step"] });
    });
    await page.click('[data-testid="train-pause"]'); // Resume, in slow motion
    // Seven steps (4 to 10): step 10 is watched, so the run records the map there too.
    await page.waitForFunction(() => window.__stepsShown.length >= 7, null, { timeout: 120_000 });
    await page.click('[data-testid="train-pause"]');
    await waitTrainStatus(page, "paused", 60_000);
    const seen = await page.evaluate(() => window.__stepsShown);
    const consecutive = seen.every((s, i) => s === 4 + i);
    check(consecutive && seen.length >= 7, `slow motion shows every step in turn (${seen.join(", ")}) and pauses`);

    // Full speed again: the run goes to its end.
    await page.selectOption('[data-testid="train-slow"]', "");
    await page.click('[data-testid="train-pause"]');
    await waitTrainStatus(page, "finished", 300_000);
    const last = await shown();
    check(last.step === 32 && /two-layer-d20 \(trained 1\)/.test(await page.textContent('[data-testid="model-list"]')),
      `at full speed the watched run finishes (step ${last.step} of 32) and its model joins the list`);
    // The latent map through the epochs: the run recorded 1,000 test digits' codes before its
    // first step, at step 10 (watched in slow motion: every 10 steps) and after its epoch (step
    // 32); the scrubber moves between them on still axes.
    await page.evaluate((m) => { location.hash = `#/decorrelation?model=${encodeURIComponent(m)}`; }, "two-layer-d20 (trained 1)");
    await page.waitForFunction(() => {
      const map = document.querySelector('[data-testid="latent-map"]');
      const scrubber = document.querySelector('[data-testid="latent-epoch"]');
      return scrubber?.max === "2" && map?.dataset.epoch === "1" && map.dataset.step === "32" && map.dataset.points === "1000";
    }, null, { timeout: 120_000 });
    await page.$eval('[data-testid="latent-epoch"]', (el) => {
      el.value = "1";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="latent-map"]').dataset.step === "10");
    const between = await page.evaluate(() => ({
      epoch: document.querySelector('[data-testid="latent-map"]').dataset.epoch,
      label: document.querySelector('[data-part="latent-epochs"] label').textContent,
    }));
    check(between.epoch === "0" && /step 10 \(0 epochs done\)/.test(between.label),
      `watched in slow motion, the run also recorded the map between epochs (${between.label.replace(/\s+/g, " ")})`);
    await page.$eval('[data-testid="latent-epoch"]', (el) => {
      el.value = "2";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="latent-map"]').dataset.step === "32");
    const mapPixels = () => page.$eval('[data-testid="latent-map"]', (c) =>
      Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data));
    const trained = await mapPixels();
    await page.$eval('[data-testid="latent-epoch"]', (el) => {
      el.value = "0";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="latent-map"]').dataset.epoch === "0");
    const untrained = await mapPixels();
    const moved = trained.reduce((n, v, i) => n + (v !== untrained[i] ? 1 : 0), 0);
    const axes = await page.textContent('[data-part="latent-epochs"]');
    check(moved > 1000 && /Axes kept still: each map/.test(axes),
      `the latent map scrubs from epoch 1 back to before training (${moved} pixel values change): ${axes.replace(/\s+/g, " ").slice(0, 160)}…`);
    await page.click('[data-testid="latent-epoch-play"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="latent-map"]').dataset.epoch === "1", null, { timeout: 30_000 });
    check(true, "Play animates the map through the recorded epochs to the last");
    // The model was kept in the browser with its recording: after a reload it comes back with it.
    await page.evaluate(() => { location.hash = "#/train"; });
    await page.waitForFunction(() => document.querySelector('[data-testid="model-list"] tr[data-model="two-layer-d20 (trained 1)"]')?.dataset.kept === "true",
      null, { timeout: 60_000 });
    await page.reload();
    await page.evaluate((m) => { location.hash = `#/decorrelation?model=${encodeURIComponent(m)}`; }, "two-layer-d20 (trained 1)");
    await page.waitForFunction(() => {
      const map = document.querySelector('[data-testid="latent-map"]');
      const scrubber = document.querySelector('[data-testid="latent-epoch"]');
      return scrubber?.max === "2" && map?.dataset.epoch === "1" && map.dataset.points === "1000";
    }, null, { timeout: 180_000 });
    const reloaded = await mapPixels();
    const differs = reloaded.reduce((n, v, i) => n + (v !== trained[i] ? 1 : 0), 0);
    check(differs === 0, `after a reload the kept model's latent map through the epochs is back, the same map (${differs} pixel values differ)`);
    check(errors.length === 0, `watching: no page errors${errors.length ? `: ${errors.join(" | ")}` : ""}`);
  } finally {
    await browser.close();
    server.close();
  }
}

await runAlone(import.meta.url, watchChecks);
