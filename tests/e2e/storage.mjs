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
export async function twoTabsChecks({ browser, origin, openPage, waitLoaded, check }) {
  const { context, page: first } = await openPage(browser, `${origin}/#/train`, origin);
  const second = await context.newPage();
  await second.goto(`${origin}/#/train`);
  await Promise.all([waitLoaded(first), waitLoaded(second)]);
  for (const page of [first, second]) {
    await page.fill('[data-testid="train-epochs"]', "1");
    await page.fill('[data-testid="train-images"]', "1000");
  }
  await Promise.all([first.click('[data-testid="train-start"]'), second.click('[data-testid="train-start"]')]);
  const name = "two-layer-d20 (trained 1)";
  const ids = [];
  for (const page of [first, second]) {
    await page.waitForSelector(`${row(name)}[data-kept="true"]`, { timeout: 300_000 });
    ids.push(await page.getAttribute(row(name), "data-model-id"));
  }
  check(ids[0] && ids[1] && ids[0] !== ids[1], `two tabs' "trained 1" are kept under different ids (${ids.join(", ")})`);
  await first.reload();
  await waitLoaded(first);
  const rows = () => first.$$eval('[data-testid="model-list"] tbody tr', (r) => r
    .filter((x) => x.dataset.model.startsWith("two-layer-d20 (trained 1)"))
    .map((x) => ({ name: x.dataset.model, id: x.dataset.modelId, kept: x.dataset.kept })));
  await first.waitForFunction(() => document.querySelectorAll('[data-testid="model-list"] tbody tr[data-model^="two-layer-d20 (trained 1)"]').length >= 2,
    null, { timeout: 30_000 }).catch(() => {});
  const kept = await rows();
  check(kept.length === 2 && kept.every((r) => r.kept === "true") && new Set(kept.map((r) => r.id)).size === 2
    && kept.some((r) => r.name === "two-layer-d20 (trained 1) (2)"),
    `after a reload both tabs' models are there, the second renamed (${JSON.stringify(kept)})`);
  await context.close();
}
