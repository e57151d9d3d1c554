// The variational autoencoder in the page (issue 20, part 4): the training form offers it,
// a short training on the CPU engine learns, and the model joins the list under its name.
//   node tests/e2e/vae.mjs [dist-folder]     (tests/e2e/run.mjs runs it too)
import fs from "node:fs";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";
import { collectErrors, runAlone } from "./standalone.mjs";
import { lossSeries, trainToEnd } from "./training.mjs";

export async function vaeChecks({ dist, root, chromiumPath, args, check }) {
  const server = await serve(dist, root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: chromiumPath, args });
  try {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(`${origin}/?backend=cpu#/train`);
    await page.waitForFunction(() => !document.querySelector('[data-testid="train-start"]')?.disabled,
      null, { timeout: 180_000 });
    const label = await page.$eval('[data-testid="train-architecture"] option[value="vae"]',
      (o) => o.textContent).catch(() => null);
    check(label !== null && /variational/.test(label), `the architecture choice offers vae ("${label}")`);
    const betaBefore = await page.$('[data-testid="train-beta"]');
    await page.selectOption('[data-testid="train-architecture"]', "vae");
    // β, the KL weight, is asked for a VAE only, and travels in the address.
    await page.waitForSelector('[data-testid="train-beta"]');
    await page.fill('[data-testid="train-beta"]', "0.5");
    await page.waitForFunction(() => location.hash.includes("arch=vae") && location.hash.endsWith("beta=0.5"));
    check(betaBefore === null, "β is asked for a VAE only, and the address keeps it (beta=0.5)");
    await trainToEnd(page, { epochs: 1, images: 2000 });
    const series = await lossSeries(page);
    check(series.last < series.first, `a VAE's training learns in the page (loss ${series.first} → ${series.last})`);
    const models = await page.textContent('[data-testid="model-list"]');
    check(/vae-d20 \(trained 1\)/.test(models), "the trained VAE joins the model list as vae-d20");
    const kind = await page.$eval('[data-testid="model-list"] tr[data-model="vae-d20 (trained 1)"] td:nth-child(2)',
      (c) => c.textContent).catch(() => null);
    check(kind === "variational autoencoder, d = 20, β = 0.5", `the list says the VAE's β ("${kind}")`);
    // Its weight file says what it is: kind vae, trained with β = 0.5.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click('[data-testid="model-list"] tr[data-model="vae-d20 (trained 1)"] [data-testid="model-save"]'),
    ]);
    const saved = fs.readFileSync(await download.path());
    const header = JSON.parse(saved.subarray(8, 8 + Number(saved.readBigUInt64LE(0))).toString());
    const manifest = JSON.parse(header.__metadata__?.latent_lab ?? "{}");
    check(manifest.model?.architecture === "vae" && manifest.beta === 0.5,
      `the saved VAE's manifest names its kind and β (${JSON.stringify(manifest.model)}, β ${manifest.beta})`);
    // The experiments' VAE table sets this browser's VAEs beside the reproduction's, in the
    // row of their size and β only: the β = 0.5 run stays out of the β = 1 row, a β = 1 run
    // comes in with its test loss (the objective) as the model list gives it.
    await page.fill('[data-testid="train-beta"]', "1");
    await trainToEnd(page, { epochs: 1, images: 500 });
    const listed = await page.waitForSelector('[data-testid="model-list"] tr[data-model="vae-d20 (trained 2)"] td.score',
      { timeout: 60_000 }).then((c) => c.textContent(), () => "");
    await page.evaluate(() => { location.hash = "#/experiments"; });
    const cell = '[data-testid="vae-table"] tr[data-latent="20"] [data-col="browser-test"]';
    await page.waitForFunction((c) => /\d/.test(document.querySelector(c)?.textContent ?? ""), cell, { timeout: 60_000 })
      .catch(() => {});
    const shown = await page.$eval(cell, (c) => ({ text: c.textContent.trim(), title: c.title })).catch(() => ({}));
    const d100 = await page.$eval('[data-testid="vae-table"] tr[data-latent="100"] [data-col="browser-test"]',
      (c) => c.textContent.trim()).catch(() => null);
    check(/^0\.\d{4}$/.test(shown.text ?? "") && listed === `test loss ${shown.text}` && /^vae-d20 \(trained 2\) \(1 run;/.test(shown.title ?? "")
        && d100 === "–",
      `the VAE table's β = 1, d = 20 row shows this browser's β = 1 run only (${JSON.stringify(shown)}, listed "${listed}", d = 100: ${d100})`);
    check(errors.length === 0, `VAE: no page errors${errors.length ? `: ${errors.join(" | ")}` : ""}`);
  } finally {
    await browser.close();
    server.close();
  }
}

await runAlone(import.meta.url, vaeChecks);
