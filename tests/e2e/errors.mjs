// End-to-end checks that an error stays with what caused it (issue 17): a refused upload while
// a training runs is shown with its source and leaves the training running; a weight file with
// a NaN is refused naming the tensor.
import fs from "node:fs";
import path from "node:path";

/** The bundled two-layer d = 20 weights with element 0 of the first tensor (by name) set to NaN. */
function weightsWithNaN(root) {
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
  await page.fill('[data-testid="train-epochs"]', "5");
  await page.fill('[data-testid="train-images"]', "10000");
  await page.click('[data-testid="train-start"]');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "running");

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
