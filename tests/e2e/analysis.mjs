// End-to-end check that the analysis of a large model (latent size 1000: a million
// correlations) reports its progress and never freezes the page (issue 17). Called by run.mjs
// with its helpers; each wait is for the state it checks.

/** Trains a latent-size-1000 autoencoder briefly (the train form offers the exercise's sizes;
 *  1000, the limit, is added to its list as a link of issue 18 would), then analyses it on
 *  #/decorrelation. */
export async function largeAnalysisChecks({ browser, origin, openPage, waitLoaded, check }) {
  const { context, page, problems } = await openPage(browser, `${origin}/#/train`, origin);
  await waitLoaded(page);
  await page.evaluate(() => {
    const option = document.createElement("option");
    option.value = option.textContent = "1000";
    document.querySelector('[data-testid="train-latent"]').append(option);
  });
  await page.selectOption('[data-testid="train-latent"]', "1000");
  await page.fill('[data-testid="train-epochs"]', "1");
  await page.fill('[data-testid="train-images"]', "1000");
  await page.click('[data-testid="train-start"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "finished",
    null, { timeout: 300_000 });
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
