// The transfer table's Confusion buttons: run two scenarios, and each row's button shows that
// scenario's confusion matrix, says which row is shown (aria-pressed), brings the matrix (below
// the full-MNIST table, out of sight of the buttons) into view, and keeps the choice in the
// address. Called by run.mjs with its helpers; each wait is for the state it checks.

const matrix = '[data-testid="confusion-matrix"]';

export async function transferConfusionChecks({ browser, origin, openPage, waitLoaded, check }) {
  // A short window, so the matrix starts below the fold.
  const { context, page, problems } = await openPage(browser, `${origin}/?backend=cpu#/transfer`, origin,
    { viewport: { width: 1200, height: 700 } });
  await waitLoaded(page);
  await page.waitForSelector('[data-testid="transfer-start"]:not([disabled])');
  await page.uncheck('[data-testid="transfer-finetune"]');
  await page.selectOption('[data-testid="transfer-labels"]', "100");
  await page.fill('[data-testid="transfer-epochs"]', "2");
  await page.click('[data-testid="transfer-start"]');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="transfer-progress"]')?.dataset.status === "finished"
      && document.querySelectorAll('[data-testid="transfer-table"] tbody tr[data-scenario]').length === 2,
  null, { timeout: 300_000 });
  const pressed = () => page.$$eval('[data-testid="transfer-table"] tbody tr[data-scenario]',
    (rows) => Object.fromEntries(rows.map((r) => [r.dataset.scenario,
      r.querySelector('[data-testid="transfer-confusion"]')?.getAttribute("aria-pressed")])));
  // The two charts share a row at 1,200 px, each shown at its own size (not stretched), so the
  // loss and the accuracy of an epoch read side by side.
  const charts = await page.$$eval('[data-testid="transfer-loss-chart"], [data-testid="transfer-accuracy-chart"]',
    (cs) => cs.map((c) => {
      const r = c.getBoundingClientRect();
      return { top: Math.round(r.top), width: Math.round(r.width), own: c.width };
    }));
  check(charts.length === 2 && charts[0].top === charts[1].top && charts.every((c) => c.width === c.own),
    `the transfer view's loss and accuracy charts share a row, each at its own width (${JSON.stringify(charts)})`);
  const before = await pressed();
  const shownBefore = await page.$eval(matrix, (t) => t.dataset.scenario);
  check(shownBefore === "scratch" && before.scratch === "true" && before.frozen === "false",
    `after a run, the last scenario's matrix is shown and its row's button says so (${shownBefore}, pressed ${JSON.stringify(before)})`);

  await page.evaluate(() => window.scrollTo(0, 0));
  const hidden = await page.$eval(matrix, (t) => t.getBoundingClientRect().top > window.innerHeight);
  await page.click('[data-testid="transfer-table"] tr[data-scenario="frozen"] [data-testid="transfer-confusion"]');
  await page.waitForFunction((sel) => {
    const t = document.querySelector(sel);
    const r = t?.getBoundingClientRect();
    return t?.dataset.scenario === "frozen" && r.top < window.innerHeight && r.bottom > 0;
  }, matrix, { timeout: 30_000 });
  const after = await pressed();
  const address = await page.evaluate(() => location.hash);
  check(hidden && after.frozen === "true" && after.scratch === "false" && /show=frozen/.test(address),
    `Confusion on the frozen row shows its matrix, scrolled into view from below the fold (${hidden}), and marks the row (pressed ${JSON.stringify(after)}, address ${address})`);
  check(problems.length === 0, `no console errors around the transfer table's buttons (${JSON.stringify(problems)})`);

  // A reload brings the run back as it ended: its rows, its curves, its confusion matrices.
  const shown = () => page.evaluate(() => ({
    rows: [...document.querySelectorAll('[data-testid="transfer-table"] tbody tr[data-scenario]')]
      .map((r) => `${r.dataset.scenario} ${r.dataset.accuracy}`),
    points: document.querySelector('[data-testid="transfer-accuracy-chart"]')?.dataset.points,
    status: document.querySelector('[data-testid="transfer-progress"]')?.dataset.status,
  }));
  const ended = await shown();
  await page.reload();
  await waitLoaded(page);
  await page.waitForFunction(() =>
    document.querySelectorAll('[data-testid="transfer-table"] tbody tr[data-scenario]').length === 2, null, { timeout: 60_000 });
  const back = await shown();
  await page.click('[data-testid="transfer-table"] tr[data-scenario="scratch"] [data-testid="transfer-confusion"]');
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.scenario === "scratch", matrix, { timeout: 30_000 });
  const cells = await page.$$eval('[data-testid="confusion-cell"]', (c) => c.reduce((n, td) => n + +td.textContent, 0));
  check(JSON.stringify(back) === JSON.stringify(ended) && ended.points === "6" && cells > 0,
    `a reload brings the finished run back as it ended: rows, curves, status (${JSON.stringify(back)}; before ${JSON.stringify(ended)}), and a row's confusion matrix (${cells} test digits)`);
  check(problems.length === 0, `no console errors after the reload (${JSON.stringify(problems)})`);

  // Another run (the frozen encoder alone, one epoch): the first run's two rows stay in the
  // table, under the new run's, as earlier results; across a reload too; Forget takes them off.
  const earlierRows = () => page.$$eval('[data-testid="transfer-table"] tbody tr[data-earlier-scenario]',
    (rows) => rows.map((r) => `${r.dataset.earlierScenario} ${r.dataset.accuracy}`));
  await page.uncheck('[data-testid="transfer-scratch"]');
  await page.fill('[data-testid="transfer-epochs"]', "1");
  await page.click('[data-testid="transfer-start"]');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="transfer-progress"]')?.dataset.status === "finished"
      && document.querySelectorAll('[data-testid="transfer-table"] tbody tr[data-scenario]').length === 1,
  null, { timeout: 300_000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="transfer-table"] tbody tr[data-earlier-scenario]').length === 2,
    null, { timeout: 30_000 }).catch(() => {});
  const kept = await earlierRows();
  check(JSON.stringify(kept) === JSON.stringify(ended.rows),
    `after another run, the first run's rows stay in the table as earlier results (${JSON.stringify(kept)}; the run had ${JSON.stringify(ended.rows)})`);
  await page.reload();
  await waitLoaded(page);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="transfer-table"] tbody tr[data-earlier-scenario]').length === 2
    && document.querySelectorAll('[data-testid="transfer-table"] tbody tr[data-scenario]').length === 1, null, { timeout: 60_000 }).catch(() => {});
  const keptBack = await earlierRows();
  check(JSON.stringify(keptBack) === JSON.stringify(kept), `after a reload the earlier results are still there (${JSON.stringify(keptBack)})`);
  await page.click('[data-testid="transfer-forget-earlier"]');
  await page.waitForFunction(() => !document.querySelector('[data-testid="transfer-table"] tbody tr[data-earlier-scenario]'), null, { timeout: 30_000 });
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("latent-lab.earlier-transfers")).rows.map((r) => r.scenario));
  check(JSON.stringify(stored) === JSON.stringify(["frozen"])
      && (await page.$$('[data-testid="transfer-table"] tbody tr[data-scenario]')).length === 1,
    `Forget earlier runs takes their rows off the table and out of storage, and leaves this run's (stored: ${JSON.stringify(stored)})`);
  check(problems.length === 0, `no console errors around earlier transfer results (${JSON.stringify(problems)})`);
  await context.close();
}
