// End-to-end checks that nothing a person makes is lost when the browser's storage fails
// (issue 17). Called by run.mjs with its helpers; each check waits for the state it checks.
import path from "node:path";

const row = (name) => `[data-testid="model-list"] tr[data-model="${name}"]`;

/** Whether the page's IndexedDB holds a checkpoint (read by another connection, so only what
 *  was committed counts). */
export function checkpointStored(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open("latent-lab");
    open.onerror = () => resolve(false);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains("checkpoints")) { db.close(); resolve(false); return; }
      const keys = db.transaction("checkpoints").objectStore("checkpoints").getAllKeys();
      keys.onsuccess = () => { db.close(); resolve(keys.result.length > 0); };
      keys.onerror = () => { db.close(); resolve(false); };
    };
  }));
}

export async function waitFor(what, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await what()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** The browser refuses the page's writes (quota set to a few bytes through the DevTools
 *  protocol, a real QuotaExceededError at commit): the trained model stays in the tab, marked
 *  "not kept", the page says why, and a retry once there is room keeps it for good. */
export async function storageFullChecks({ browser, origin, openPage, waitLoaded, check, shots }) {
  const { context, page, problems } = await openPage(browser, `${origin}/#/train`, origin);
  await waitLoaded(page);
  const usage = await page.waitForFunction(
    () => /^Storage: .+ of .+ used/.test(document.querySelector('[data-testid="storage-usage"]')?.textContent ?? ""),
    null, { timeout: 30_000 });
  check(!!usage, `the model list says how much storage is used: "${(await page.textContent('[data-testid="storage-usage"]')).trim()}"`);

  // Room for about one and a half weight records beyond what the page stores now (Chromium
  // checks a write against the quota when it commits; a record is about the size of the weight
  // file): the first epoch's checkpoint fits, the next write does not, so the storage "fills
  // up" during the run, and the finished model cannot be kept.
  const cdp = await context.newCDPSession(page);
  const record = Number((await fetch(`${origin}/weights/two-layer-d20.safetensors`)).headers.get("content-length"))
    || (await (await fetch(`${origin}/weights/two-layer-d20.safetensors`)).arrayBuffer()).byteLength;
  const used = await page.evaluate(async () => (await navigator.storage.estimate()).usage);
  await cdp.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: Math.round(used + 1.5 * record) });
  await page.fill('[data-testid="train-epochs"]', "3");
  await page.fill('[data-testid="train-images"]', "2000");
  await page.click('[data-testid="train-start"]');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "finished",
    null, { timeout: 300_000 });
  const name = "two-layer-d20 (trained 1)";
  await page.waitForSelector(`${row(name)} [data-testid="not-kept"]`, { timeout: 60_000 });
  const mark = await page.textContent(`${row(name)} [data-testid="not-kept"]`);
  const reason = await page.getAttribute(`${row(name)} [data-testid="not-kept"]`, "title");
  const kept = await page.getAttribute(row(name), "data-kept");
  check(/not kept — download it/.test(mark) && /Quota/i.test(reason) && kept === "false",
    `a model the full storage refused is marked "${mark.trim()}" (${reason})`);
  const notice = await page.textContent("body");
  check(/It is not kept: download it/.test(notice), "the page says the model is not kept and what to do");
  check(!!(await page.$(`${row(name)} [data-testid="model-save"]`)), "the unkept model can still be downloaded (Save)");
  check(await checkpointStored(page), "the run's first checkpoint stays stored while its model is not kept");
  await page.screenshot({ path: path.join(shots, "storage-full.png"), fullPage: true });

  // Room again: Keep stores it, then the checkpoint goes; both survive a reload as they should.
  await cdp.send("Storage.overrideQuotaForOrigin", { origin });
  await page.click(`${row(name)} [data-testid="model-keep"]`);
  await page.waitForSelector(`${row(name)}[data-kept="true"]`, { timeout: 60_000 });
  check(!(await page.$(`${row(name)} [data-testid="not-kept"]`)), "Keep stores it once there is room, and the mark goes");
  check(await waitFor(async () => !(await checkpointStored(page))), "once the model is kept its checkpoint is removed");
  await page.reload();
  await waitLoaded(page);
  await page.waitForSelector(`${row(name)}[data-kept="true"]`, { timeout: 30_000 });
  check(!(await page.$('[data-testid="interrupted"]')), "after a reload the model kept on the second try is there, and no run is offered as interrupted");
  check(problems.length === 0, `no console errors while the storage was full (${problems.slice(0, 3).join(" | ")})`);
  await context.close();
}

/** Two tabs of the page train at the same time; both models are kept under their own ids, and
 *  after a reload both are there (the second "trained 1" with a suffix). Before ids, the
 *  second tab's model replaced the first's in storage. */
/** The keys of the checkpoints the page's IndexedDB holds (read by another connection). */
export function checkpointKeys(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open("latent-lab");
    open.onerror = () => resolve([]);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains("checkpoints")) { db.close(); resolve([]); return; }
      const keys = db.transaction("checkpoints").objectStore("checkpoints").getAllKeys();
      keys.onsuccess = () => { db.close(); resolve(keys.result.map(String)); };
      keys.onerror = () => { db.close(); resolve([]); };
    };
  }));
}

/** The console errors a page reports from now on. */
function consoleErrors(page) {
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

const trainedRows = (page) => page.$$eval('[data-testid="model-list"] tbody tr', (rows) => rows
  .filter((r) => / \(trained \d+\)/.test(r.dataset.model))
  .map((r) => ({ name: r.dataset.model, id: r.dataset.modelId, kept: r.dataset.kept })));

/** Two tabs train at once: their runs get different numbers, each model appears in the other
 *  tab's list without a reload (BroadcastChannel), and a reload finds both, names unchanged. */
export async function twoTabsChecks({ browser, origin, openPage, waitLoaded, check }) {
  const { context, page: first, problems } = await openPage(browser, `${origin}/#/train`, origin);
  const second = await context.newPage();
  const secondProblems = consoleErrors(second);
  await second.goto(`${origin}/#/train`);
  await Promise.all([waitLoaded(first), waitLoaded(second)]);
  for (const page of [first, second]) {
    await page.fill('[data-testid="train-epochs"]', "1");
    await page.fill('[data-testid="train-images"]', "1000");
  }
  await Promise.all([first.click('[data-testid="train-start"]'), second.click('[data-testid="train-start"]')]);
  // Each tab lists both models, both kept, under two numbers: one tab's own, one heard of.
  const both = (page) => page.waitForFunction(() => [...document.querySelectorAll('[data-testid="model-list"] tbody tr')]
    .filter((r) => /^two-layer-d20 \(trained [12]\)$/.test(r.dataset.model) && r.dataset.kept === "true").length === 2,
  null, { timeout: 300_000 }).then(() => true, () => false);
  const [firstSees, secondSees] = await Promise.all([both(first), both(second)]);
  const firstRows = await trainedRows(first);
  const secondRows = await trainedRows(second);
  check(firstSees && secondSees, `each tab lists both tabs' models without a reload (${JSON.stringify(firstRows)} / ${JSON.stringify(secondRows)})`);
  const ids = new Set(firstRows.map((r) => r.id));
  check(firstRows.length === 2 && ids.size === 2 && secondRows.every((r) => ids.has(r.id)),
    "two tabs training at once give their runs two numbers (trained 1, trained 2) and two ids, the same in both lists");
  await first.reload();
  await waitLoaded(first);
  await first.waitForFunction(() => document.querySelectorAll('[data-testid="model-list"] tbody tr[data-kept="true"][data-model^="two-layer-d20 (trained"]').length >= 2,
    null, { timeout: 30_000 }).catch(() => {});
  const kept = await trainedRows(first);
  check(kept.length === 2 && kept.every((r) => r.kept === "true" && ids.has(r.id))
    && kept.map((r) => r.name).sort().join() === "two-layer-d20 (trained 1),two-layer-d20 (trained 2)",
    `after a reload both tabs' models are there under their own names (${JSON.stringify(kept)})`);
  check(problems.length === 0 && secondProblems.length === 0, `no console errors in two tabs (${JSON.stringify([...problems, ...secondProblems])})`);
  await context.close();
}

/** A run alive in another tab is never offered as interrupted; when its tab closes, the other
 *  tab offers it without a reload; a new training leaves the offer (and its checkpoint) alone;
 *  the offer survives a reload until the person discards it. */
export async function interruptedRunChecks({ browser, origin, openPage, waitLoaded, check }) {
  const { context, page: first, problems } = await openPage(browser, `${origin}/#/train`, origin);
  await waitLoaded(first);
  await first.fill('[data-testid="train-epochs"]', "3");
  await first.fill('[data-testid="train-images"]', "6000");
  await first.click('[data-testid="train-start"]');
  check(await waitFor(async () => (await checkpointKeys(first)).length === 1), "the first tab's run keeps a checkpoint after its first epoch");
  const [runId] = await checkpointKeys(first);
  const second = await context.newPage();
  const secondProblems = consoleErrors(second);
  await second.goto(`${origin}/#/train`);
  await waitLoaded(second); // the engine tells of interrupted trainings before it is loaded
  check(!(await second.$('[data-testid="interrupted"]')), `a run alive in another tab (${runId}) is not offered as interrupted`);
  await first.close();
  const offered = await second.waitForSelector(`[data-testid="interrupted"][data-run-id="${runId}"]`, { timeout: 60_000 })
    .then(() => true, () => false);
  check(offered, "when the training's tab closes, the other tab offers its run without a reload");

  await second.fill('[data-testid="train-epochs"]', "1");
  await second.fill('[data-testid="train-images"]', "1000");
  await second.click('[data-testid="train-start"]');
  await second.waitForFunction(
    () => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "finished",
    null, { timeout: 300_000 });
  await second.waitForSelector('[data-testid="model-list"] tr[data-kept="true"][data-model^="two-layer-d20 (trained"]', { timeout: 60_000 });
  check(await waitFor(async () => (await checkpointKeys(second)).join() === runId, 30_000)
    && (await second.$$('[data-testid="interrupted"]')).length === 1
    && !!(await second.$(`[data-testid="interrupted"][data-run-id="${runId}"]`)),
  "a new training leaves the interrupted run offered, and its checkpoint stored (the new run's is gone)");
  await second.reload();
  await waitLoaded(second);
  check((await second.$$('[data-testid="interrupted"]')).length === 1
    && !!(await second.$(`[data-testid="interrupted"][data-run-id="${runId}"]`)),
  "after a reload the interrupted run is still offered");
  await second.click(`[data-testid="interrupted"][data-run-id="${runId}"] [data-testid="interrupted-discard"]`);
  await second.waitForFunction(() => !document.querySelector('[data-testid="interrupted"]'), null, { timeout: 30_000 });
  check(await waitFor(async () => (await checkpointKeys(second)).length === 0, 30_000), "Discard removes the offer and its checkpoint");
  check(problems.length === 0 && secondProblems.length === 0, `no console errors (${JSON.stringify([...problems, ...secondProblems])})`);
  await context.close();
}
