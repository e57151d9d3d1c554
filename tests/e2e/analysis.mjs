// End-to-end check that the analysis of a large model (latent size 1000: a million
// correlations) reports its progress and never freezes the page (issue 17). Called by run.mjs
// with its helpers; each wait is for the state it checks.
import { trainToEnd } from "./training.mjs";

/** Trains a latent-size-1000 autoencoder briefly (the form offers the exercise's sizes; a
 *  training link can ask for any size up to the limit, 1000), then analyses it on
 *  #/decorrelation. */
export async function largeAnalysisChecks({ browser, origin, openPage, waitLoaded, check }) {
  const { context, page, problems } = await openPage(browser, `${origin}/#/train?d=1000&epochs=1&images=1000`, origin);
  await waitLoaded(page);
  check(await page.$eval('[data-testid="train-latent"]', (s) => s.value) === "1000",
    "a training link for latent size 1000 selects it in the form");
  await trainToEnd(page);
  const row = await page.waitForSelector('[data-testid="model-list"] tbody tr[data-model^="two-layer-d1000"]');
  const name = await row.getAttribute("data-model");

  await page.evaluate(() => { location.hash = "#/decorrelation"; });
  await page.waitForSelector('[data-testid="heatmap-model"]');
  // The sweep's own analyses first, so only this one runs while the page is watched.
  await page.waitForFunction(() => document.querySelectorAll('tr[data-analysed="true"]').length >= 6, null, { timeout: 120_000 });
  await page.evaluate(() => {
    window.__longTasks = [];
    window.__progress = [];
    new MutationObserver(() => {
      const p = document.querySelector('[data-testid="analysis-progress"]');
      if (p) window.__progress.push([Number(p.dataset.done), Number(p.dataset.total)]);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await page.selectOption('[data-testid="heatmap-model"]', name);
  await page.waitForFunction(() => document.querySelector('[data-testid="correlation-heatmap"]')?.dataset.dim === "1000",
    null, { timeout: 300_000 });
  await page.waitForFunction(() => !document.querySelector('[data-testid="analysis-progress"]'));
  const progress = await page.evaluate(() => window.__progress);
  const rising = progress.every(([done], i) => i === 0 || done >= progress[i - 1][0]);
  const total = progress[0]?.[1];
  check(progress.length >= 2 && rising && progress.every(([d, t]) => t === total && d >= 1 && d < t),
    `the analysis of a latent-size-1000 model reports its steps as it goes (${progress.length} reports of ${total} steps)`);
  const longTasks = await page.evaluate(() => window.__longTasks.filter((t) => t.duration > 100).map((t) => Math.round(t.duration)));
  check(longTasks.length === 0, `no main-thread task over 100 ms while a million correlations arrive (${JSON.stringify(longTasks)})`);
  check(problems.length === 0, `no console errors (${JSON.stringify(problems)})`);
  await context.close();
}
