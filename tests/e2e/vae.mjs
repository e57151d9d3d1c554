// The variational autoencoder in the page (issue 20, part 4): the training form offers it,
// a short training on the CPU engine learns, and the model joins the list under its name.
//   node tests/e2e/vae.mjs [dist-folder]     (tests/e2e/run.mjs runs it too)
import { chromium } from "playwright-core";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { serve } from "./server.mjs";
import { trainToEnd } from "./training.mjs";

export async function vaeChecks({ dist, root, chromiumPath, args, check }) {
  const server = await serve(dist, root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: chromiumPath, args });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(`${origin}/?backend=cpu#/train`);
    await page.waitForFunction(() => !document.querySelector('[data-testid="train-start"]')?.disabled,
      null, { timeout: 180_000 });
    const label = await page.$eval('[data-testid="train-architecture"] option[value="vae"]',
      (o) => o.textContent).catch(() => null);
    check(label !== null && /variational/.test(label), `the architecture choice offers vae ("${label}")`);
    await page.selectOption('[data-testid="train-architecture"]', "vae");
    await trainToEnd(page, { epochs: 1, images: 2000 });
    const series = await page.$eval('[data-testid="loss-chart"]', (c) => ({
      first: Number(c.dataset.first), last: Number(c.dataset.last) }));
    check(series.last < series.first, `a VAE's training learns in the page (loss ${series.first} → ${series.last})`);
    const models = await page.textContent('[data-testid="model-list"]');
    check(/vae-d20 \(trained 1\)/.test(models), "the trained VAE joins the model list as vae-d20");
    check(errors.length === 0, `VAE: no page errors${errors.length ? `: ${errors.join(" | ")}` : ""}`);
  } finally {
    await browser.close();
    server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = path.resolve(fileURLToPath(import.meta.url), "../../..");
  const dist = path.resolve(process.argv[2] ?? path.join(root, "dist"));
  const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  const args = ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"];
  let failures = 0;
  const check = (ok, what) => {
    console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
    if (!ok) failures += 1;
  };
  await vaeChecks({ dist, root, chromiumPath, args, check });
  if (failures > 0) {
    console.log(`${failures} check(s) failed`);
    process.exit(1);
  }
}
