// End-to-end accessibility checks (issue 18, part 5): axe-core (npm, pinned in package.json)
// on every view at desktop and phone size reports no serious or critical violation; at
// 390 × 844 no view scrolls the page sideways; a screenshot of every view at both sizes.
// Layout at the widths between (half a laptop's screen, a view beside a lesson): nothing
// scrolls the page sideways or hides under the lesson, and no picture is squeezed.
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
        if (route === "train") {
          const list = await page.evaluate(modelListOnScreen);
          check(list.rows > 0 && list.scroll <= 0 && list.off.length === 0,
            `phone: every model's score and buttons are on screen, the list does not scroll sideways (${list.rows} models, ${list.scroll} px of scroll, off screen: ${JSON.stringify(list.off)})`);
        }
      }
      const squeezed = await page.evaluate(squeezedCanvases);
      check(squeezed.length === 0, `${size}, #/${route}: every picture keeps its shape ${JSON.stringify(squeezed)}`);
      await page.screenshot({ path: path.join(shots, `${size}-${route}.png`), fullPage: true });
    }
    check(problems.length === 0, `no console errors at ${size} size (${JSON.stringify(problems)})`);
    await context.close();
  }
}

/** Canvases shown at another shape than their pixels' (a strip squeezed to fit a narrow
 *  column): "testid pixels → shown" for each, where the two width/height ratios differ by
 *  more than 3 %. Runs in the page. */
function squeezedCanvases() {
  return [...document.querySelectorAll("canvas")].flatMap((c) => {
    const r = c.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || c.width === 0 || c.height === 0) return [];
    const drawn = c.width / c.height, shown = r.width / r.height;
    return Math.abs(shown / drawn - 1) > 0.03
      ? [`${c.dataset.testid ?? c.className} ${c.width}×${c.height} → ${Math.round(r.width)}×${Math.round(r.height)}`] : [];
  });
}

/** The model list at phone width: how many models, how far the list scrolls sideways, and
 *  which of each model's scores and buttons lie past the window's right edge (before the
 *  cards: its score, origin and buttons started off screen). Runs in the page. */
function modelListOnScreen() {
  const table = document.querySelector("[data-testid=model-list]");
  const rows = [...table.querySelectorAll("tbody tr")];
  const off = rows.flatMap((tr) => [...tr.querySelectorAll("td.score, button")]
    .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .map((el) => `${tr.dataset.model}: ${el.dataset.testid ?? el.className}`));
  return { rows: rows.length, scroll: table.scrollWidth - table.clientWidth, off: off.slice(0, 5) };
}

/** What sticks out of the view's column, as a person sees it: elements whose right edge
 *  passes the column's (the lesson's left edge beside a lesson, else the window's), unless
 *  an ancestor inside the column scrolls or clips them (a wide table scrolling in place).
 *  Runs in the page. */
function stickingOut() {
  const main = document.querySelector(".workspace > main");
  const lesson = document.querySelector("[data-testid=lesson-panel]");
  const edge = Math.min(main.getBoundingClientRect().right,
    lesson ? lesson.getBoundingClientRect().left : Infinity, document.documentElement.clientWidth);
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const out = [];
  for (const el of main.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > edge + 1 && !clipped(el)) {
      out.push(`${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ""} to ${Math.round(r.right)} (edge ${Math.round(edge)})`);
    }
  }
  return { out: out.slice(0, 5), count: out.length, page: document.documentElement.scrollWidth - window.innerWidth };
}

/** Every view in a narrow window (800 px; half a laptop's width is about 900) and beside a
 *  lesson at desktop width: the page does not scroll sideways, nothing passes under the lesson,
 *  no picture is squeezed (before: the VAE table's buttons and the report's live strip of six
 *  digits went under the lesson or off the page). */
export async function narrowColumnChecks({ browser, origin, openPage, waitLoaded, check }) {
  const layouts = [
    { name: "800 px wide", viewport: { width: 800, height: 900 }, query: "" },
    { name: "beside a lesson", viewport: { width: 1200, height: 900 }, query: "&lesson=a-latent-size" },
  ];
  for (const { name, viewport, query } of layouts) {
    const { context, page, problems } = await openPage(browser, `${origin}/?backend=cpu${query}#/train`, origin, { viewport });
    await waitLoaded(page);
    for (const route of ROUTES) {
      await page.evaluate((r) => { location.hash = `#/${r}`; }, route);
      await page.waitForSelector(READY[route], { timeout: 120_000 });
      // The report's live strips come a moment after its parts: wait for the first one's frames.
      if (route === "report") {
        await page.waitForFunction(() => Number(document.querySelector("[data-testid=report-live-a]")?.dataset.frames) > 0,
          null, { timeout: 120_000 });
      }
      const { out, count, page: overflow } = await page.evaluate(stickingOut);
      check(overflow <= 0 && count === 0,
        `${name}, #/${route}: nothing scrolls the page sideways (${overflow} px) or sticks out of the column (${count}: ${JSON.stringify(out)})`);
      const squeezed = await page.evaluate(squeezedCanvases);
      check(squeezed.length === 0, `${name}, #/${route}: every picture keeps its shape ${JSON.stringify(squeezed)}`);
      if (route === "draw") {
        // The pad's buttons wrap under the pad, not widen its column: what the models see and
        // the reconstruction sit beside the pad, one gap away (there was an empty 80 px), on the
        // pad's row (a one-line caption once pushed the reconstruction under the pad at 800 px).
        const row = await page.evaluate(() => {
          const box = (id) => document.querySelector(`[data-testid=${id}]`).closest("figure, .draw-pad-box").getBoundingClientRect();
          const pad = box("draw-pad"), input = box("draw-input"), recon = box("reconstruction");
          const buttons = [...document.querySelectorAll(".draw-pad-box button")].map((b) => b.getBoundingClientRect().right);
          return { gap: Math.round(input.left - pad.right), padWidth: Math.round(pad.width), sameRow: pad.top === input.top && input.top === recon.top,
            buttonsIn: buttons.every((r) => r <= pad.right + 0.5) };
        });
        check(row.gap <= 20 && row.padWidth === 280 && row.sameRow && row.buttonsIn,
          `${name}, #/draw: the pad's column is the pad, its buttons under it, the pictures beside it (${JSON.stringify(row)})`);
      }
      if (route === "experiments") {
        // A table's buttons stay on one line (the VAE table's "Train here" wrapped to two
        // beside a lesson): none is much taller than the shortest.
        const heights = await page.$$eval("table td.actions button", (bs) => bs.map((b) => b.getBoundingClientRect().height));
        const [low, high] = [Math.min(...heights), Math.max(...heights)];
        check(heights.length > 0 && high < 1.3 * low,
          `${name}, #/experiments: the tables' ${heights.length} buttons keep to one line (${low.toFixed(0)}–${high.toFixed(0)} px tall)`);
      }
    }
    check(problems.length === 0, `no console errors ${name} (${JSON.stringify(problems)})`);
    await context.close();
  }

  // Beside a lesson in a laptop's window (1,366 px) the reconstructions still sit beside the
  // loss chart, a little narrower but never below their own size (before: under it up to
  // 1,460 px); in a wide one the lesson stands against the view's column (at 1,920 px a 420 px
  // empty band once parted them); and a long lesson title never widens the panel.
  for (const width of [1366, 1920]) {
    const { context, page, problems } = await openPage(browser, `${origin}/?backend=cpu&lesson=a-latent-size#/train`, origin,
      { viewport: { width, height: 900 } });
    await waitLoaded(page);
    await page.waitForFunction(() => document.querySelector('[data-testid="lesson-panel"]')?.dataset.state === "shown");
    // The grid is laid out once its two rows of 28 px digits have come.
    await page.waitForFunction(() => document.querySelector('[data-testid="recon-grid"]')?.height >= 2 * 28);
    const row = await page.evaluate(() => {
      const box = (s) => document.querySelector(s).getBoundingClientRect();
      const chart = box("figure.chart"), grid = box("figure.digits"), main = box(".workspace > main");
      const panel = document.querySelector('[data-testid="lesson-panel"]'), canvas = document.querySelector('[data-testid="recon-grid"]');
      return { sameRow: chart.top === grid.top, gap: Math.round(grid.left - chart.right), gridRight: Math.round(grid.right),
        columnRight: Math.round(main.right), band: Math.round(panel.getBoundingClientRect().left - main.right),
        shown: Math.round(canvas.getBoundingClientRect().width), own: canvas.width, panelSideways: panel.scrollWidth - panel.clientWidth };
    });
    check(row.sameRow && row.gap > 0 && row.gap <= 20 && row.gridRight <= row.columnRight && row.shown >= row.own
        && Math.abs(row.band) <= 1 && row.panelSideways <= 0,
      `${width} px beside a lesson: the reconstructions sit beside the loss chart, at least their own size, and the lesson stands against the view's column (${JSON.stringify(row)})`);
    check(problems.length === 0, `no console errors at ${width} px beside a lesson (${JSON.stringify(problems)})`);
    await context.close();
  }
}
