// What the benchmark scripts share (bench.mjs, profile.mjs, thread_cpu.mjs): a headless
// Chromium as they run it, and the page's training opened, started and read.
import { chromium } from "playwright-core";

const PROGRESS = '[data-testid="train-progress"]';

/// Headless Chromium (`CHROMIUM` names another binary), with `extraArgs` on the command line.
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", ...extraArgs],
  });
}

/// The training view on the CPU engine at `origin`, with `THREADS=N` from the environment as
/// `?threads=N` (that many kernel threads; default: all the browser reports) and `COPIES=N` as
/// `?copies=N` (N copies of the model at once, a thread each).
export function cpuTrainingUrl(origin) {
  const threads = process.env.THREADS ? `&threads=${process.env.THREADS}` : "";
  const copies = process.env.COPIES ? `&copies=${process.env.COPIES}` : "";
  return `${origin}/?backend=cpu${threads}${copies}#/train`;
}

/// Opens the training view at `url` and sets `epochs`; resolves once it can start, with the
/// milliseconds that took.
export async function openTraining(page, url, epochs) {
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => !document.querySelector('[data-testid="train-start"]')?.disabled,
    null, { timeout: 180_000 });
  const interactive = Date.now() - t0;
  await page.fill('[data-testid="train-epochs"]', String(epochs));
  return interactive;
}

/// Starts the run opened by `openTraining`.
export function startTraining(page) {
  return page.click('[data-testid="train-start"]');
}

/// Waits for the run's first step, then 2 s more (`SETTLE_MS` from the environment sets how
/// long), so that what follows leaves out start-up.
export async function pastStartUp(page) {
  await page.waitForFunction((p) => /step [1-9]/.test(document.querySelector(p)?.textContent ?? ""),
    PROGRESS, { timeout: 600_000 });
  await page.waitForTimeout(Number(process.env.SETTLE_MS ?? 2000));
}

/// The run's step counter as the progress line shows it, and when it was read.
export async function readStep(page) {
  const text = await page.textContent(PROGRESS);
  const step = Number(text.match(/step ([\d,]+)\//)?.[1].replaceAll(",", "") ?? NaN);
  return { step, t: performance.now() };
}

/// The header's line about the engine.
export async function backendLine(page) {
  return (await page.textContent('[data-testid="backend"]')).trim();
}
