// End-to-end checks that nothing a person makes is lost when the browser's storage fails
// (issue 17). Called by run.mjs with its helpers; each check waits for the state it checks.
import fs from "node:fs";
import path from "node:path";
import { weightsWithNaN } from "./errors.mjs";
import { startTraining, trainToEnd } from "./training.mjs";

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
  await trainToEnd(page, { epochs: 3, images: 2000 });
  const name = "two-layer-d20 (trained 1)";
  await page.waitForSelector(`${row(name)} [data-testid="not-kept"]`, { timeout: 60_000 });
  const mark = await page.textContent(`${row(name)} [data-testid="not-kept"]`);
  const reason = await page.getAttribute(`${row(name)} [data-testid="not-kept"]`, "title");
  const kept = await page.getAttribute(row(name), "data-kept");
  check(/not kept — download it/.test(mark) && /Quota/i.test(reason) && kept === "false",
    `a model the full storage refused is marked "${mark.trim()}" (${reason})`);
  const notice = await page.textContent("body");
  check(/stays in this tab only: download it \(Save\) or try again \(Keep\)/.test(notice), "the page says the model is not kept and what to do");
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

const sharedRows = (page) => page.$$eval('[data-testid="model-list"] tbody tr', (rows) => rows
  .filter((r) => r.dataset.model.startsWith("shared"))
  .map((r) => ({ name: r.dataset.model, id: r.dataset.modelId, kept: r.dataset.kept })));

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
  await Promise.all([first, second].map((page) => startTraining(page, { epochs: 1, images: 1000 })));
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
  // Each tab's run is kept in the list of earlier runs, whichever wrote last: each tab lists
  // the other's, without a reload.
  const runIds = await Promise.all([first, second].map((page) => page.getAttribute('[data-testid="train-progress"]', "data-run-id")));
  const listsOther = await Promise.all([first, second].map((page, i) => page.waitForFunction(
    (other) => !!document.querySelector(`[data-testid="earlier-runs"] tr[data-run-id="${other}"]`), runIds[1 - i], { timeout: 30_000 },
  ).then(() => true, () => false)));
  const storedIds = await first.evaluate(() => JSON.parse(localStorage.getItem("latent-lab.earlier-runs") ?? '{"runs":[]}').runs.map((r) => r.run_id));
  check(listsOther.every(Boolean) && runIds[0] !== runIds[1] && runIds.every((id) => storedIds.includes(id)),
    `each tab lists the other tab's run among its earlier runs without a reload, and both are stored (${runIds}; stored ${storedIds})`);
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
  // A run far longer than the second tab takes to load: it must still be running when its tab
  // closes (3 epochs had 0.4-2 s left then, and a loaded machine finished them first).
  await startTraining(first, { epochs: 100, images: 6000 });
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

  await trainToEnd(second, { epochs: 1, images: 1000 });
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

/** Writes records into the page's IndexedDB from another connection, as a broken or older
 *  version of the page (or a person in the DevTools) might have left them. `records` maps a
 *  store name to [key, value] pairs; a value's `bytes` given as an array becomes a Uint8Array. */
function storeRecords(page, records) {
  return page.evaluate((records) => new Promise((resolve, reject) => {
    const open = indexedDB.open("latent-lab");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(Object.keys(records), "readwrite");
      for (const [store, pairs] of Object.entries(records)) {
        for (const [key, value] of pairs) {
          const v = Array.isArray(value.bytes) ? { ...value, bytes: new Uint8Array(value.bytes) } : value;
          tx.objectStore(store).put(v, key);
        }
      }
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    };
  }), records);
}

/** The keys of one store of the page's IndexedDB (read by another connection). */
function storedKeys(page, store) {
  return page.evaluate((store) => new Promise((resolve) => {
    const open = indexedDB.open("latent-lab");
    open.onerror = () => resolve([]);
    open.onsuccess = () => {
      const db = open.result;
      const keys = db.transaction(store).objectStore(store).getAllKeys();
      keys.onsuccess = () => { db.close(); resolve(keys.result.map(String).sort()); };
      keys.onerror = () => { db.close(); resolve([]); };
    };
  }), store);
}

/** Records the page cannot read (a malformed record, weights that are not a weight file,
 *  weights with a NaN, a checkpoint with broken JSON): after a reload each is listed among the
 *  problems as kept in this browser (`data-source="stored"`), naming its key; everything else
 *  loads (the bundled models and a good kept model); nothing is deleted, so a later version
 *  could still read them. */
export async function unreadableRecordChecks({ browser, origin, root, openPage, waitLoaded, check }) {
  const { context, page, problems } = await openPage(browser, `${origin}/#/train`, origin);
  await waitLoaded(page);
  const bundledRows = (await page.$$('[data-testid="model-list"] tbody tr')).length;
  const good = fs.readFileSync(path.join(root, "public/weights/two-layer-d5.safetensors"));
  await page.setInputFiles('[data-testid="model-load"]', {
    name: "mine.safetensors", mimeType: "application/octet-stream", buffer: good,
  });
  await page.waitForSelector(`${row("mine")}[data-kept="true"]`, { timeout: 60_000 });
  const { bytes: nanBytes, name: nanTensor } = weightsWithNaN(root);
  await storeRecords(page, {
    models: [
      ["broken-record", { bytes: "not bytes", json: 5 }],
      ["broken-weights", { bytes: [1, 2, 3, 4], json: JSON.stringify({ name: "garbage", origin: "uploaded" }) }],
      ["nan-weights", { bytes: [...nanBytes], json: JSON.stringify({ name: "poisoned", origin: "trained" }) }],
    ],
    checkpoints: [["broken-run", { bytes: [0], json: "{" }]],
  });
  const modelsBefore = await storedKeys(page, "models");
  await page.reload();
  await waitLoaded(page);
  const entries = await page.$$eval('[data-testid="problems"] li', (lis) => lis.map((li) => ({ source: li.dataset.source, text: li.textContent })));
  const stored = entries.filter((e) => e.source === "stored");
  const names = (key) => stored.some((e) => e.text.includes(key));
  check(stored.length === 4 && entries.length === 4
    && ["'broken-record'", "'garbage'", "'poisoned'", "'broken-run'"].every(names) && stored.every((e) => /kept in this browser/.test(e.text)),
  `each unreadable stored record is a problem "kept in this browser", naming it (${JSON.stringify(entries.map((e) => e.text))})`);
  const nan = stored.find((e) => e.text.includes("'poisoned'"))?.text ?? "";
  check(nan.includes(`'${nanTensor}'`) && /NaN/.test(nan), `a stored model with a NaN is refused naming the tensor: "${nan}"`);
  check(stored.some((e) => /interrupted training \(checkpoint 'broken-run'\) could not be read/.test(e.text)), "a checkpoint with broken JSON is a problem, not an offer");
  check(!(await page.$('[data-testid="interrupted"]')), "no interrupted run is offered from the broken checkpoint");
  const rows = await page.$$eval('[data-testid="model-list"] tbody tr', (rs) => rs.map((r) => ({ name: r.dataset.model, kept: r.dataset.kept })));
  check(rows.length === bundledRows + 1 && rows.some((r) => r.name === "mine" && r.kept === "true")
    && !rows.some((r) => /garbage|poisoned/.test(r.name)),
  `the rest loads: the ${bundledRows} bundled models and the good kept one, and no broken one (${rows.length} rows)`);
  check((await storedKeys(page, "models")).join() === modelsBefore.join()
    && (await storedKeys(page, "checkpoints")).includes("broken-run"),
  "nothing is deleted: the unreadable records stay in storage, for a later version to read");
  check(problems.length === 0, `no console errors with unreadable records (${problems.slice(0, 3).join(" | ")})`);
  await context.close();
}

/** What another tab does to shared storage: a model it removes stays in this tab, marked "not
 *  kept" with a Keep button (and Keep stores it again, which the other tab hears); an
 *  interrupted run that another tab holds (its run lock) is refused here for Resume and
 *  Discard, its checkpoint untouched, and offered again once that tab lets it go. */
export async function otherTabChecks({ browser, origin, root, openPage, waitLoaded, check }) {
  const { context, page: first } = await openPage(browser, `${origin}/#/train`, origin);
  await waitLoaded(first);
  const second = await context.newPage();
  await second.goto(`${origin}/#/train`);
  await waitLoaded(second);
  await first.setInputFiles('[data-testid="model-load"]', {
    name: "shared.safetensors", mimeType: "application/octet-stream",
    buffer: fs.readFileSync(path.join(root, "public/weights/two-layer-d5.safetensors")),
  });
  await second.waitForSelector(`${row("shared")}[data-kept="true"]`, { timeout: 60_000 });
  await second.click(`${row("shared")} [data-testid="model-remove"]`);
  const marked = await first.waitForSelector(`${row("shared")}[data-kept="false"] [data-testid="not-kept"]`, { timeout: 60_000 })
    .then(() => true, () => false);
  const reason = marked ? await first.getAttribute(`${row("shared")} [data-testid="not-kept"]`, "title") : "";
  check(marked && /another tab removed it/.test(reason) && (await storedKeys(first, "models")).length === 0,
    `a model another tab removed stays in this tab, marked not kept ("${reason}")`);
  await first.click(`${row("shared")} [data-testid="model-keep"]`);
  // Each part is waited for: the two tabs hear of the write by different routes (this tab's
  // engine answers its page; the other hears the broadcast and reads the storage), in no set order.
  const keptHere = await first.waitForSelector(`${row("shared")}[data-kept="true"]`, { timeout: 60_000 }).then(() => true, () => false);
  const stored = await waitFor(async () => (await storedKeys(first, "models")).length === 1, 60_000);
  const back = await second.waitForSelector(`${row("shared")}[data-kept="true"]`, { timeout: 60_000 }).then(() => true, () => false);
  const shown = keptHere && stored && back ? "" : `: kept here ${keptHere}, stored ${stored}, listed again in the other tab ${back}`
    + ` (rows here ${JSON.stringify(await sharedRows(first))}, there ${JSON.stringify(await sharedRows(second))})`;
  check(keptHere && stored && back, `Keep stores it again, and the other tab lists it again without a reload${shown}`);

  // An interrupted run: trained in a third tab that closes after its first epoch's checkpoint.
  const third = await context.newPage();
  await third.goto(`${origin}/#/train`);
  await waitLoaded(third);
  // Far longer than the wait for its checkpoint, so that the run is still going when it closes.
  await startTraining(third, { epochs: 100, images: 3000 });
  check(await waitFor(async () => (await checkpointKeys(third)).length === 1), "the third tab's run keeps a checkpoint after its first epoch");
  const [runId] = await checkpointKeys(third);
  await third.close();
  const offer = `[data-testid="interrupted"][data-run-id="${runId}"]`;
  await first.waitForSelector(offer, { timeout: 60_000 });
  await second.waitForSelector(offer, { timeout: 60_000 });
  // The second tab's page takes the run's lock, as its engine does when a person there resumes
  // it, but without telling the others: the first tab still offers the run.
  await second.evaluate((name) => {
    window.__heldRun = new Promise((held) => {
      navigator.locks.request(name, () => new Promise((release) => { window.__releaseRun = release; held(); }));
    });
    return window.__heldRun;
  }, `latent-lab-run:${runId}`);
  const refused = `[data-testid="error"][data-source="request:interrupted:${runId}"]`;
  for (const choice of ["resume", "discard"]) {
    await first.click(`${offer} [data-testid="interrupted-${choice}"]`);
    const said = await first.waitForSelector(refused, { timeout: 30_000 }).then(() => true, () => false);
    const text = said ? await first.textContent(refused) : "";
    const withdrawn = await first.waitForFunction((sel) => !document.querySelector(sel), offer, { timeout: 30_000 }).then(() => true, () => false);
    check(said && /going on in another tab/.test(text) && withdrawn
      && (await checkpointKeys(first)).join() === runId
      && (await first.$eval('[data-testid="train-progress"]', (p) => p.dataset.status).catch(() => "none")) !== "running",
    `${choice} of a run another tab holds is refused ("${text.trim()}"), the offer withdrawn, its checkpoint kept`);
    await first.click(`${refused} button.dismiss`);
    await second.evaluate(() => window.__releaseRun());
    const again = await first.waitForSelector(offer, { timeout: 30_000 }).then(() => true, () => false);
    check(again, `once the other tab lets the run go, it is offered again (after the refused ${choice})`);
    if (choice === "resume") {
      await second.evaluate((name) => new Promise((held) => {
        navigator.locks.request(name, () => new Promise((release) => { window.__releaseRun = release; held(); }));
      }), `latent-lab-run:${runId}`);
    }
  }
  await first.click(`${offer} [data-testid="interrupted-discard"]`);
  const gone = await second.waitForFunction((sel) => !document.querySelector(sel), offer, { timeout: 30_000 }).then(() => true, () => false);
  check(gone && await waitFor(async () => (await checkpointKeys(first)).length === 0, 30_000),
    "with no other tab holding it, Discard removes the run here, in the other tab's offers, and from storage");
  await context.close();
}
