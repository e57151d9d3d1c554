// Training from the #/train form, as a person does it, for the end-to-end checks.

/** Waits until the training's status (`data-status` of the progress line) is `status`. */
export async function waitTrainStatus(page, status, timeout = 300_000) {
  await page.waitForFunction(
    (s) => document.querySelector('[data-testid="train-progress"]')?.dataset.status === s,
    status, { timeout });
}

/** Fills in the number of epochs and images where given (else the form keeps what it has,
 *  e.g. from a training link), then clicks Train. */
export async function startTraining(page, { epochs, images } = {}) {
  if (epochs !== undefined) await page.fill('[data-testid="train-epochs"]', String(epochs));
  if (images !== undefined) await page.fill('[data-testid="train-images"]', String(images));
  await page.click('[data-testid="train-start"]');
}

/** Starts a training and waits until it has finished: this run, not the one shown before
 *  (the view keeps the last finished run, across reloads too), told apart by its run id. */
export async function trainToEnd(page, options = {}, timeout = 300_000) {
  const before = await page.getAttribute('[data-testid="train-progress"]', "data-run-id");
  await startTraining(page, options);
  await page.waitForFunction((b) => {
    const p = document.querySelector('[data-testid="train-progress"]');
    return p?.dataset.status === "finished" && (p.dataset.runId ?? null) !== b;
  }, before, { timeout });
}

/** What the training view shows of its run, to compare before and after a reload. */
export async function trainingShown(page) {
  return page.evaluate(() => {
    const progress = document.querySelector('[data-testid="train-progress"]');
    const chart = document.querySelector('[data-testid="loss-chart"]');
    return {
      status: progress.dataset.status, runId: progress.dataset.runId, text: progress.textContent,
      label: chart.getAttribute("aria-label"), points: chart.dataset.points, last: chart.dataset.last,
      epochLosses: chart.dataset.epochLosses,
      step: document.querySelector('[data-testid="recon-grid"]').dataset.step,
    };
  });
}

/** The loss chart's first and last smoothed loss (its `data-first`, `data-last`). */
export async function lossSeries(page) {
  return page.$eval('[data-testid="loss-chart"]', (c) => ({
    first: Number(c.dataset.first), last: Number(c.dataset.last) }));
}
