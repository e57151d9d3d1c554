// The CPU engine on WebAssembly threads (issue 19, part 2), in headless Chromium: served
// cross-origin isolated, the header names the engine's threads and a training learns; served
// without isolation, the same build says it runs on one thread and trains as well.
//   node tests/e2e/threads.mjs [dist-folder]
// (Not yet part of `scripts/test.sh`: trunk does not build the threaded engine yet.)
import { chromium } from "playwright-core";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "./server.mjs";

const root = path.resolve(fileURLToPath(import.meta.url), "../../..");
const dist = path.resolve(process.argv[2] ?? path.join(root, "dist"));
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const args = ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures += 1;
}

async function trainOnce(isolated) {
  const server = await serve(dist, root, { isolated });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: chromiumPath, args });
  const label = isolated ? "isolated" : "not isolated";
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(`${origin}/?backend=cpu#/train`);
    await page.waitForFunction(() => !document.querySelector('[data-testid="train-start"]')?.disabled,
      null, { timeout: 180_000 });
    // The backend line is written once the engine has chosen (and started its threads).
    await page.waitForFunction(() => /CPU ·/.test(document.querySelector('[data-testid="backend"]')?.textContent ?? ""),
      null, { timeout: 180_000 });
    const header = (await page.textContent('[data-testid="backend"]')).trim();
    check(await page.evaluate(() => self.crossOriginIsolated) === isolated, `${label}: crossOriginIsolated is ${isolated}`);
    if (isolated) {
      check(/\d+ threads/.test(header), `${label}: the header names the engine's threads: "${header}"`);
    } else {
      check(/one thread: the page is not cross-origin isolated/.test(header),
        `${label}: the header says the engine runs on one thread, and why: "${header}"`);
    }
    await page.fill('[data-testid="train-epochs"]', "1");
    await page.fill('[data-testid="train-images"]', "2000");
    await page.click('[data-testid="train-start"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "finished",
      null, { timeout: 300_000 });
    const progress = (await page.textContent('[data-testid="train-progress"]')).trim();
    const series = await page.$eval('[data-testid="loss-chart"]', (c) => ({
      first: Number(c.dataset.first), last: Number(c.dataset.last) }));
    check(series.last < series.first, `${label}: the loss fell (${series.first} → ${series.last})`);
    console.log(`${label}: ${progress}`);
    check(errors.length === 0, `${label}: no page errors${errors.length ? `: ${errors.join(" | ")}` : ""}`);
  } finally {
    await browser.close();
    server.close();
  }
}

await trainOnce(true);
await trainOnce(false);
if (failures > 0) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
