// The CPU engine on WebAssembly threads (issue 19, part 2), in headless Chromium. Served
// cross-origin isolated (as `trunk serve` does), the page loads the threaded engine built with
// relaxed SIMD (Chromium has it): the header names its threads and relaxed SIMD, and a training
// learns. With `?relaxed-simd=off` (as in a browser without relaxed SIMD) it loads the plain
// threaded build, and trains as well; run.mjs asks it for one thread there (`?threads=1`), and
// the header says so. Asked for copies of the model (`?copies=2`: data-parallel training, a
// thread each), the header names them and the copies train together and learn. Served without
// isolation (a host that sends no COOP/COEP), the page loads the single-threaded engine, says
// so and why, and trains as well.
//   node tests/e2e/threads.mjs [dist-folder]     (all four; tests/e2e/run.mjs runs the last three)
import { chromium } from "playwright-core";
import path from "node:path";
import { serve } from "./server.mjs";
import { collectErrors, runAlone } from "./standalone.mjs";
import { lossSeries, trainToEnd } from "./training.mjs";

/** Opens `?backend=cpu#/train` on a server with or without isolation (and relaxed SIMD left to
 *  the browser, or turned off; all the browser's threads, or `threads` of them, or `copies` of
 *  the model), checks which engine loads and what the header says of its threads, trains one
 *  epoch on 2,000 images and checks that it learned. */
export async function threadsChecks({ dist, root, chromiumPath, args, check, isolated, relaxedSimd = true, threads, copies }) {
  const server = await serve(dist, root, { isolated });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: chromiumPath, args });
  const label = (isolated ? "cross-origin isolated" : "not isolated") + (relaxedSimd ? "" : ", relaxed SIMD off")
    + (threads ? `, threads=${threads}` : "") + (copies ? `, copies=${copies}` : "");
  try {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    const engines = [];
    page.on("worker", (w) => engines.push(path.basename(new URL(w.url()).pathname)));
    await page.goto(`${origin}/?backend=cpu${relaxedSimd ? "" : "&relaxed-simd=off"}${threads ? `&threads=${threads}` : ""}${copies ? `&copies=${copies}` : ""}#/train`);
    await page.waitForFunction(() => !document.querySelector('[data-testid="train-start"]')?.disabled,
      null, { timeout: 180_000 });
    // The backend line is written once the engine has chosen (and started its threads).
    await page.waitForFunction(() => /CPU ·/.test(document.querySelector('[data-testid="backend"]')?.textContent ?? ""),
      null, { timeout: 180_000 });
    const header = (await page.textContent('[data-testid="backend"]')).trim();
    const [crossOriginIsolated, cores] = await page.evaluate(() => [self.crossOriginIsolated, navigator.hardwareConcurrency]);
    check(crossOriginIsolated === isolated, `${label}: crossOriginIsolated is ${isolated}`);
    const threaded = engines.some((e) => e.startsWith("worker_cpu_threads"));
    if (isolated) {
      const engine = relaxedSimd ? "worker_cpu_threads_relaxed_loader.js" : "worker_cpu_threads_loader.js";
      check(engines.includes(engine) && engines.filter((e) => e.startsWith("worker_cpu")).length === 1,
        `${label}: the page loads the threaded CPU engine ${engine} alone (workers: ${engines.join(", ")})`);
      // Asked for fewer threads than the browser reports, the header says how many it reports;
      // asked for copies, how many (at most one a thread the browser reports).
      const pool = Math.min(threads ?? cores, cores);
      const replicas = Math.min(copies ?? 1, cores);
      if (copies && replicas >= 2) {
        check(new RegExp(`${replicas} copies of the model, a thread each`).test(header),
          `${label}: the header names the copies of the model (${replicas}): "${header}"`);
      } else {
        const named = pool >= 2 ? new RegExp(`${pool} threads`) : /one thread/;
        const fewer = pool < cores ? new RegExp(`of the ${cores} the browser reports`) : /^(?!.*the browser reports)/;
        check(named.test(header) && fewer.test(header),
          `${label}: the header names the engine's threads (${pool} of ${cores}): "${header}"`);
      }
      const simd = relaxedSimd ? /wasm relaxed SIMD/ : /wasm SIMD/;
      check(simd.test(header) && (relaxedSimd || !/relaxed/.test(header)),
        `${label}: the header says which SIMD the engine was built with: "${header}"`);
    } else {
      check(!threaded && engines.includes("worker_cpu_loader.js"),
        `${label}: the page loads the single-threaded CPU engine (workers: ${engines.join(", ")})`);
      check(/one thread: the page is not cross-origin isolated/.test(header),
        `${label}: the header says the engine runs on one thread, and why: "${header}"`);
    }
    await trainToEnd(page, { epochs: 1, images: 2000 });
    const progress = (await page.textContent('[data-testid="train-progress"]')).trim();
    const series = await lossSeries(page);
    check(series.last < series.first, `${label}: a training learns (loss ${series.first} → ${series.last}; ${progress})`);
    check(errors.length === 0, `${label}: no page errors${errors.length ? `: ${errors.join(" | ")}` : ""}`);
  } finally {
    await browser.close();
    server.close();
  }
}

await runAlone(import.meta.url, async (context) => {
  for (const [isolated, relaxedSimd, threads, copies] of [[true, true], [true, false, 1], [true, true, undefined, 2], [false, true]]) {
    await threadsChecks({ ...context, isolated, relaxedSimd, threads, copies });
  }
});
