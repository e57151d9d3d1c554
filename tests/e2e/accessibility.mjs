// End-to-end accessibility checks (issue 18, part 5): axe-core (npm, pinned in package.json)
// on every view at desktop and phone size reports no serious or critical violation; at
// 390 × 844 no view scrolls the page sideways; a screenshot of every view at both sizes.
// Called by run.mjs with its helpers; each wait is for the state it checks.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
export const ROUTES = ["train", "experiments", "interpolate", "decorrelation", "transfer", "draw", "report"];
const SIZES = { desktop: { width: 1200, height: 900 }, phone: { width: 390, height: 844 } };

/** What each view shows once it has loaded, so axe sees the whole view. */
export const READY = {
  train: '[data-testid="model-list"] tbody tr',
  experiments: '[data-testid="sweep-table"] tbody tr',
  interpolate: '[data-testid="interp-strip"][data-pending="false"]',
  decorrelation: '[data-testid="decorrelation-table"] tbody tr',
  transfer: '[data-testid="transfer-full-table"] tbody tr',
  draw: '[data-testid="draw-pad"]',
  report: '[data-testid="report-part"][data-part="E"]',
};

export async function accessibilityChecks({ browser, origin, openPage, waitLoaded, check, shots }) {
  for (const [size, viewport] of Object.entries(SIZES)) {
    // axe is injected as a script: this context alone lifts the page's script policy for it.
    const { context, page, problems } = await openPage(browser, `${origin}/?backend=cpu#/train`, origin,
      { viewport, bypassCSP: true, hasTouch: size === "phone" });
    await waitLoaded(page);
    for (const route of ROUTES) {
      await page.evaluate((r) => { location.hash = `#/${r}`; }, route);
      await page.waitForSelector(READY[route], { timeout: 120_000 });
      if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ["violations"] });
        return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
      });
      check(violations.length === 0, `axe, ${size}, #/${route}: no serious or critical violation ${JSON.stringify(violations)}`);
      if (size === "phone") {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(overflow <= 0, `phone, #/${route}: the page does not scroll sideways (${overflow} px too wide)`);
      }
      await page.screenshot({ path: path.join(shots, `${size}-${route}.png`), fullPage: true });
    }
    check(problems.length === 0, `no console errors at ${size} size (${JSON.stringify(problems)})`);
    await context.close();
  }
}
