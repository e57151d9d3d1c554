// End-to-end checks that an error stays with what caused it (issue 17): a refused upload while
// a training runs is shown with its source and leaves the training running; a weight file with
// a NaN is refused naming the tensor.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTraining, waitTrainStatus } from "./training.mjs";

/** The bundled two-layer d = 20 weights with element 0 of the first tensor (by name) set to NaN. */
export function weightsWithNaN(root) {
  const bytes = Buffer.from(fs.readFileSync(path.join(root, "public/weights/two-layer-d20.safetensors")));
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString());
  const name = Object.keys(header).filter((k) => k !== "__metadata__").sort()[0];
  const offset = 8 + headerLength + header[name].data_offsets[0];
  bytes.writeFloatLE(NaN, offset);
  return { bytes, name };
}

export async function errorSourceChecks({ browser, origin, root, openPage, waitLoaded, check }) {
  const { context, page } = await openPage(browser, `${origin}/#/train`, origin);
  await waitLoaded(page);
  const status = () => page.$eval('[data-testid="train-progress"]', (p) => p.dataset.status);
  await startTraining(page, { epochs: 5, images: 10000 });
  await waitTrainStatus(page, "running", 30_000);

  const { bytes, name } = weightsWithNaN(root);
  await page.setInputFiles('[data-testid="model-load"]', {
    name: "nan.safetensors", mimeType: "application/octet-stream", buffer: bytes,
  });
  const entry = '[data-testid="error"][data-source="request:load_file:nan.safetensors"]';
  await page.waitForSelector(entry, { timeout: 60_000 });
  const refusal = await page.textContent(entry);
  check(refusal.includes(`'${name}'`) && /NaN/.test(refusal) && /Nothing changed/.test(refusal),
    `a weight file with a NaN is refused naming the tensor: "${refusal.trim()}"`);
  const after = await status();
  const pauseEnabled = await page.$eval('[data-testid="train-pause"]', (b) => !b.disabled);
  check(after === "running" && pauseEnabled,
    `the refused upload leaves the running training alone (status ${after}, Pause ${pauseEnabled ? "enabled" : "disabled"})`);
  check(!/nan/.test(await page.textContent('[data-testid="model-list"]')), "the refused file joins no list");
  await page.click(`${entry} button.dismiss`);
  await page.waitForFunction((sel) => !document.querySelector(sel), entry);
  await page.click('[data-testid="train-cancel"]');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "cancelled",
    null, { timeout: 60_000 });
  check(true, "the training still answers Cancel after the unrelated error");
  await context.close();
}

/** Runs an earlier visit kept that this page cannot read (damaged JSON, a curve that runs
 *  backwards): each is said with its reason, the page starts as it would without them, and
 *  the entries are left as they were until a finished run replaces them. */
export async function keptRunErrorChecks({ browser, origin, openPage, waitLoaded, check }) {
  const { context, page } = await openPage(browser, `${origin}/#/train`, origin);
  await waitLoaded(page);
  const broken = {
    "latent-lab.training": '{"version":1,"cancelled":false,"request":',
    "latent-lab.transfer": '{"version":7}',
    // A list of earlier runs from a later page: said, and never written over.
    "latent-lab.earlier-runs": '{"version":2,"runs":[]}',
  };
  await page.evaluate((entries) => Object.entries(entries).forEach(([k, v]) => localStorage.setItem(k, v)), broken);
  await page.reload();
  await waitLoaded(page);
  const said = await page.$$eval('[data-testid="error"][data-source="page"]', (es) => es.map((e) => e.textContent));
  const status = await page.$eval('[data-testid="train-progress"]', (p) => p.dataset.status);
  const left = await page.evaluate((keys) => keys.map((k) => localStorage.getItem(k)), Object.keys(broken));
  check(said.some((t) => /the kept training: EOF while parsing/.test(t) && /left as it is/.test(t))
    && said.some((t) => /the kept transfer run: missing field/.test(t))
    && said.some((t) => /the kept list of earlier runs is of version 2, this page reads 1/.test(t) && /left as they are/.test(t))
    && status === "idle" && JSON.stringify(left) === JSON.stringify(Object.values(broken)),
  `unreadable kept runs are said and left alone, and the page starts without them (${status}; ${JSON.stringify(said)})`);
  await context.close();
}

/** The WebGPU device is lost mid-training (destroyed through the page's test hook, on
 *  Chromium's software adapter): the page says so, the run's last checkpoint stays, and
 *  "Continue on the CPU" reloads the page on the CPU and resumes the run from that checkpoint
 *  to its end. */
export async function gpuLossChecks({ browser, origin, openPage, waitLoaded, check, checkpointKeys, waitFor }) {
  const { context, page, problems } = await openPage(browser, `${origin}/?backend=webgpu&test-hooks=1#/train`, origin);
  await waitLoaded(page);
  const header = await page.textContent('[data-testid="backend"]');
  if (!/WebGPU/.test(header) || /WebGPU not used/.test(header)) {
    check(false, `the device-loss test needs WebGPU: "${header.trim()}"`);
    await context.close();
    return;
  }
  // Few images: Chromium's software adapter (SwiftShader) trains slowly.
  await startTraining(page, { epochs: 3, images: 256 });
  const checkpointed = await waitFor(async () => (await checkpointKeys(page)).length === 1, 300_000);
  check(checkpointed, "a WebGPU run keeps its first epoch's checkpoint");
  const [runId] = await checkpointKeys(page);
  await page.evaluate(() => window.latentLabTest.loseGpuDevice());
  const offered = await page.waitForSelector('[data-testid="continue-on-cpu"]', { timeout: 120_000 }).then(() => true, () => false);
  const errors = await page.$$eval('[data-testid="error"]', (es) => es.map((e) => `${e.dataset.source}: ${e.textContent}`));
  const status = await page.$eval('[data-testid="train-progress"]', (p) => p.dataset.status);
  check(offered && status === "failed" && errors.some((e) => /^training: .*GPU device was lost/.test(e)),
    `a lost GPU device ends the run with its reason and offers the CPU (${status}; ${JSON.stringify(errors)})`);
  check((await checkpointKeys(page)).join() === runId, "the run's last checkpoint is still stored after the loss");
  const before = problems.length;
  await Promise.all([
    page.waitForURL(/backend=cpu/),
    page.click('[data-testid="continue-on-cpu"] >> nth=0'),
  ]);
  check(new URL(page.url()).searchParams.get("resume") === runId, `"Continue on the CPU" names the run to resume (${page.url()})`);
  await waitLoaded(page);
  await page.waitForFunction(() => /CPU/.test(document.querySelector('[data-testid="backend"]')?.textContent ?? ""));
  await page.waitForFunction(() => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "finished",
    null, { timeout: 300_000 });
  const progress = await page.textContent('[data-testid="train-progress"]');
  const epochs = await page.$eval('[data-testid="loss-chart"]', (c) => Number(c.dataset.epochs));
  await page.waitForSelector('[data-testid="model-list"] tr[data-kept="true"][data-model^="two-layer-d20 (trained"]', { timeout: 60_000 });
  check(/Epoch 3\/3/.test(progress) && epochs === 3 && (await waitFor(async () => (await checkpointKeys(page)).length === 0, 30_000)),
    `on the CPU the run resumed from its checkpoint and finished its 3 epochs, its model kept (${epochs} epochs on the chart)`);
  const after = problems.slice(before);
  check(after.length === 0, `no console errors on the CPU after the loss (${JSON.stringify(after)}; before it: ${JSON.stringify(problems.slice(0, before))})`);
  await context.close();
}

/** A build whose training subset is missing (a copy of dist without
 *  `data/train-images-idx3-ubyte.gz`): the start ends all the same, the missing file is listed
 *  among what could not be loaded, the training form says the subset could not be loaded (not
 *  "loading" for ever) and Start says why it starts nothing, and the bundled models are there
 *  to use. */
export async function missingSubsetChecks({ browser, root, openPage, waitLoaded, check, serve }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-lab-no-subset-"));
  const dist = path.join(dir, "dist");
  fs.cpSync(path.join(root, "dist"), dist, { recursive: true });
  fs.rmSync(path.join(dist, "data/train-images-idx3-ubyte.gz"));
  const server = await serve(dist, root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const { context, page } = await openPage(browser, `${origin}/?backend=cpu#/train`, origin);
  try {
    await waitLoaded(page);
    await page.waitForSelector('[data-testid="problems"] li', { state: "attached", timeout: 60_000 });
    const listed = await page.$$eval('[data-testid="problems"] li', (lis) => lis.map((li) => li.textContent));
    const note = await page.$eval('[data-testid="train-images"]', (i) => i.parentElement.querySelector(".note")?.textContent ?? "");
    const models = (await page.$$('[data-testid="model-list"] tbody tr')).length;
    check(listed.some((t) => t.includes("train-images-idx3-ubyte.gz")),
      `a missing training subset is listed among what could not be loaded (${JSON.stringify(listed)})`);
    check(/could not be loaded/.test(note) && !/loading/.test(note),
      `the training form says the subset could not be loaded, not that it is loading ("${note}")`);
    check(models > 0, `the bundled models load all the same (${models} in the model list)`);
    await page.click('[data-testid="train-start"]');
    const refusal = await page.waitForFunction(
      () => [...document.querySelectorAll(".warning")].map((w) => w.textContent).find((t) => /training subset could not be loaded/.test(t)),
      null, { timeout: 30_000 }).then((h) => h.jsonValue()).catch(() => "");
    const status = await page.$eval('[data-testid="train-progress"]', (p) => p.dataset.status);
    check(refusal !== "" && status === "idle",
      `Start says there is nothing to train on and starts nothing (${status}: "${refusal}")`);
  } finally {
    await context.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
