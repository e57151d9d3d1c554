// End-to-end checks that the lab works by keyboard alone and by touch (issue 18, part 5).
// Keyboard: on every view, Tab reaches every visible control, each with a visible focus
// outline; then a walkthrough by keys only: a nav link, a training, a digit picked from the
// gallery, α moved, points of the latent map walked and kept in the link. Touch: at phone size
// a finger draws a digit on the pad, which is read, and the page does not scroll.
// Called by run.mjs with its helpers; each wait is for the state it checks.
import { READY as VIEW_READY, ROUTES } from "./accessibility.mjs";

// The views, and what each shows once loaded; here the decorrelation view waits for its latent
// map, which the walkthrough uses.
const READY = { ...VIEW_READY, decorrelation: '[data-testid="latent-map"][data-points]:not([data-points="0"])' };

/** Presses Tab until focus comes round to an element it already reached; returns what it
 *  reached (each marked `data-kb`) and the ones whose focus showed no outline. */
async function tabRound(page, max = 400) {
  await page.evaluate(() => {
    for (const e of document.querySelectorAll("[data-kb]")) e.removeAttribute("data-kb");
    document.activeElement?.blur?.();
  });
  const reached = [];
  const unmarked = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const info = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const again = e.hasAttribute("data-kb");
      e.setAttribute("data-kb", "");
      const s = getComputedStyle(e);
      const name = e.dataset.testid || e.getAttribute("aria-label") || e.textContent.trim().slice(0, 30) || e.tagName;
      return { again, name, outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 };
    });
    if (!info) continue;
    if (info.again) break;
    reached.push(info.name);
    if (!info.outline) unmarked.push(info.name);
  }
  return { reached, unmarked };
}

/** The visible, enabled controls that Tab did not reach (a radio group counts as reached when
 *  one of its radios is). */
function missedControls(page) {
  return page.evaluate(() => {
    const selector = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
    const reachedGroups = new Set([...document.querySelectorAll('input[type="radio"][data-kb]')].map((r) => r.name));
    return [...document.querySelectorAll(selector)]
      .filter((e) => !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden")
      .filter((e) => !e.closest("[inert]"))
      .filter((e) => !(e.type === "radio" && reachedGroups.has(e.name)))
      .filter((e) => !e.hasAttribute("data-kb"))
      .map((e) => e.dataset.testid || e.getAttribute("aria-label") || e.textContent.trim().slice(0, 30) || e.outerHTML.slice(0, 60));
  });
}

/** Tabs until the focused element matches `selector`; whether it got there. */
async function tabTo(page, selector, max = 300) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return true;
  }
  return false;
}

/** A 1 (points in [0, 1] of the pad): a short flick, then a long downstroke. */
export const ONE = [[[0.44, 0.26], [0.52, 0.16]], Array.from({ length: 21 }, (_, i) => [0.52 - 0.04 * i / 20, 0.16 + 0.68 * i / 20])];

const hashParam = (page, key) => page.evaluate((k) => new URLSearchParams(location.hash.split("?")[1] ?? "").get(k), key);

export async function keyboardChecks({ browser, origin, openPage, waitLoaded, check }) {
  const { context, page, problems } = await openPage(browser, `${origin}/?backend=cpu#/train`, origin);
  await waitLoaded(page);

  // Every view: Tab reaches every control, and shows where it is.
  for (const route of ROUTES) {
    await page.evaluate((r) => { location.hash = `#/${r}`; }, route);
    await page.waitForSelector(READY[route], { timeout: 120_000 });
    const { reached, unmarked } = await tabRound(page);
    const missed = await missedControls(page);
    check(reached.length > 5 && missed.length === 0,
      `keyboard, #/${route}: Tab reaches all ${reached.length} controls (missed: ${JSON.stringify(missed)})`);
    check(unmarked.length === 0, `keyboard, #/${route}: every focused control shows a focus outline (none on ${JSON.stringify(unmarked)})`);
  }

  // A nav link by Enter.
  await page.evaluate(() => { location.hash = "#/train"; });
  await page.waitForSelector(READY.train);
  check(await tabTo(page, 'nav a[href^="#/interpolate"]'), "Tab reaches the navigation's Interpolate link");
  await page.keyboard.press("Enter");
  await page.waitForSelector(READY.interpolate, { timeout: 120_000 });
  check(page.url().includes("#/interpolate"), "Enter on a navigation link opens its view");

  // The gallery: arrows move a cursor over the digits, Enter picks the one under it as A.
  check(await tabTo(page, '[data-testid="digit-gallery"]'), "Tab reaches the digit gallery");
  for (const key of ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowDown", "ArrowLeft"]) await page.keyboard.press(key);
  const cursor = await page.$eval('[data-testid="digit-gallery"]', (g) => g.dataset.cursor);
  await page.keyboard.press("Enter");
  const picked = await page.waitForFunction((c) => new URLSearchParams(location.hash.split("?")[1]).get("from") === c, cursor, { timeout: 30_000 })
    .then(() => true, () => false);
  check(cursor !== undefined && picked, `arrows and Enter pick a gallery digit as A (test digit ${cursor}; the link's from=${await hashParam(page, "from")})`);
  await page.waitForSelector('[data-testid="interp-strip"][data-pending="false"]', { timeout: 120_000 });

  // α by the arrow keys on its slider.
  check(await tabTo(page, '[data-testid="interp-slider"]'), "Tab reaches the α slider");
  const alphaBefore = await hashParam(page, "alpha");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  const moved = await page.waitForFunction((a) => new URLSearchParams(location.hash.split("?")[1]).get("alpha") !== a, alphaBefore, { timeout: 30_000 })
    .then(() => true, () => false);
  const alphaAfter = await hashParam(page, "alpha");
  check(moved && Math.abs(+alphaAfter - +alphaBefore - 0.02) < 1e-6, `the arrow keys move α (${alphaBefore} → ${alphaAfter})`);

  // The latent map: the arrows walk from point to point, each shown and kept in the link.
  await page.evaluate(() => { location.hash = "#/decorrelation"; });
  await page.waitForSelector(READY.decorrelation, { timeout: 120_000 });
  check(await tabTo(page, '[data-testid="latent-map"]'), "Tab reaches the latent map");
  await page.keyboard.press("ArrowRight");
  const first = await page.waitForFunction(() => document.querySelector('[data-testid="latent-map"]').dataset.picked, null, { timeout: 30_000 })
    .then((h) => h.jsonValue(), () => undefined);
  await page.keyboard.press("ArrowRight");
  const second = await page.waitForFunction((f) => {
    const p = document.querySelector('[data-testid="latent-map"]').dataset.picked;
    return p !== f && p;
  }, first, { timeout: 30_000 }).then((h) => h.jsonValue(), () => undefined);
  await page.waitForSelector('[data-testid="latent-map-pick"][data-pending="false"]', { timeout: 60_000 });
  const caption = await page.textContent('[data-testid="latent-map-picked"]');
  check(first !== undefined && second !== undefined && first !== second && (await hashParam(page, "pick")) === second
    && caption.includes(`Test image ${second} `),
  `the arrow keys walk the latent map (${first} → ${second}), the caption names it, and the link keeps it (pick=${await hashParam(page, "pick")})`);
  const link = page.url();

  // The link with its picked digit, in a fresh browser, shows the same digit; one past the
  // map gets a notice and no pick.
  const fresh = await browser.newContext({ viewport: { width: 1200, height: 900 }, serviceWorkers: "block" });
  const other = await fresh.newPage();
  await other.goto(link);
  await waitLoaded(other);
  const restored = await other.waitForFunction((s) => document.querySelector('[data-testid="latent-map"]')?.dataset.picked === s, second, { timeout: 120_000 })
    .then(() => true, () => false);
  await other.waitForSelector('[data-testid="latent-map-pick"][data-pending="false"]', { timeout: 60_000 });
  check(restored && (await other.textContent('[data-testid="latent-map-picked"]')).includes(`Test image ${second} `),
    "the link's picked digit is picked and shown in a fresh browser");
  await other.goto(`${origin}/?backend=cpu#/decorrelation?pick=99999`);
  await waitLoaded(other);
  const notice = await other.waitForSelector('[data-testid="link-notice"]', { timeout: 60_000 }).then((e) => e.textContent(), () => "");
  check(/pick=/.test(notice) && !(await other.$eval('[data-testid="latent-map"]', (m) => m.dataset.picked).catch(() => null)),
    `a pick past the test digits gets a notice and no pick ("${notice.trim()}")`);
  await fresh.close();

  // The correlation heatmap: the arrows move a cursor over its cells and Enter opens the one
  // under it (coordinate i's histogram, j against i), which is then framed on the matrix.
  const heatmap = '[data-testid="correlation-heatmap"]';
  await page.waitForFunction((s) => +document.querySelector(s)?.dataset.dim > 5, heatmap, { timeout: 120_000 });
  check(await tabTo(page, heatmap), "Tab reaches the correlation heatmap");
  for (const key of ["ArrowDown", ...Array(5).fill("ArrowRight"), "ArrowDown", "ArrowDown"]) await page.keyboard.press(key);
  const heatCursor = await page.$eval(heatmap, (c) => c.dataset.cursor);
  const spoken = await page.textContent('.heatmap-frame + p[aria-live]');
  check(heatCursor === "2,5" && /^Row 2, column 5: r = (-?\d\.\d\d|undefined)/.test(spoken),
    `the arrow keys move the heatmap's cursor, cell by cell (at ${heatCursor}: "${spoken}")`);
  await page.keyboard.press("Enter");
  const opened = await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="heatmap-scatter"]');
    return c?.dataset.i === "2" && c.dataset.j === "5" && +c.dataset.points > 0;
  }, null, { timeout: 60_000 }).then(() => true, () => false);
  const histogramOf = await page.$eval('[data-testid="coordinate-histogram"]', (c) => c.dataset.coordinate);
  check(opened && histogramOf === "2", `Enter opens the cell under the cursor: 5 against 2, and coordinate ${histogramOf}'s histogram`);
  // Where a mark is on the matrix: the cell (row, column) its middle lies in.
  const markCell = (selector) => page.evaluate(([s, h]) => {
    const m = document.querySelector(s)?.getBoundingClientRect();
    const c = document.querySelector(h);
    if (!m) return null;
    const b = c.getBoundingClientRect();
    const d = +c.dataset.dim;
    const at = (v, start, side) => Math.floor((v - start) / side * d);
    return `${at(m.y + m.height / 2, b.y, b.height)},${at(m.x + m.width / 2, b.x, b.width)}`;
  }, [selector, heatmap]);
  check(await markCell(".heatmap-mark.opened") === "2,5" && await markCell(".heatmap-mark.cursor") === null,
    `the opened cell is framed on the matrix (${await markCell(".heatmap-mark.opened")}), the cursor on it`);
  await page.keyboard.press("ArrowRight");
  await page.waitForSelector(".heatmap-mark.cursor");
  check(await markCell(".heatmap-mark.cursor") === "2,6" && await markCell(".heatmap-mark.opened") === "2,5",
    `the cursor moves on (${await markCell(".heatmap-mark.cursor")}) and the opened cell stays framed`);
  // Another model's matrix starts with neither a cursor nor an opened cell.
  const firstModel = await page.$eval('[data-testid="heatmap-model"]', (s) => s.value);
  const otherModel = await page.$eval('[data-testid="heatmap-model"]', (s, first) =>
    [...s.options].map((o) => o.value).find((v) => v !== first && /^two-layer-d(50|100)$/.test(v)), firstModel);
  await page.selectOption('[data-testid="heatmap-model"]', otherModel);
  await page.waitForFunction((s) => +document.querySelector(s)?.dataset.dim >= 50, heatmap, { timeout: 120_000 });
  const afterSwitch = { cursor: await page.$eval(heatmap, (c) => c.dataset.cursor ?? null),
    marks: await page.$$eval(".heatmap-mark", (m) => m.length) };
  check(afterSwitch.cursor === null && afterSwitch.marks === 0,
    `another model (${firstModel} → ${otherModel}) starts its heatmap with no cursor and no opened cell (${JSON.stringify(afterSwitch)})`);

  // A training by keys only: type into the form, Enter on Train.
  await page.evaluate(() => { location.hash = "#/train"; });
  await page.waitForSelector(READY.train);
  for (const [testid, value] of [["train-epochs", "1"], ["train-images", "500"]]) {
    check(await tabTo(page, `[data-testid="${testid}"]`), `Tab reaches ${testid}`);
    await page.keyboard.press("Control+A");
    await page.keyboard.type(value);
  }
  check(await tabTo(page, '[data-testid="train-start"]'), "Tab reaches Train");
  await page.keyboard.press("Enter");
  const finished = await page.waitForFunction(
    () => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "finished", null, { timeout: 300_000 })
    .then(() => true, () => false);
  check(finished, "a training started by the keyboard alone runs to its end");
  check(problems.length === 0, `no console errors in the keyboard walkthrough (${JSON.stringify(problems.slice(0, 3))})`);
  await context.close();
}

/** At phone size a finger draws a 1 on the pad (touch events, as a phone sends them): the
 *  stroke is taken, the drawing is read, and the page does not scroll under the finger. */
export async function touchChecks({ browser, origin, openPage, waitLoaded, check }) {
  const { context, page, problems } = await openPage(browser, `${origin}/?backend=cpu#/draw`, origin,
    { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await waitLoaded(page);
  const pad = await page.waitForSelector('[data-testid="draw-pad"]');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  check(box.x >= 0 && box.x + box.width <= 390, `the pad fits a phone's width (${Math.round(box.x)}–${Math.round(box.x + box.width)} of 390 px)`);
  const scrollBefore = await page.evaluate(() => window.scrollY);
  const cdp = await context.newCDPSession(page);
  const at = (x, y) => ({ x: box.x + x * box.width, y: box.y + y * box.height });
  for (const stroke of ONE) {
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [at(...stroke[0])] });
    for (const p of stroke.slice(1)) await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [at(...p)] });
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  }
  const strokesTaken = await page.waitForFunction(() => document.querySelector('[data-testid="draw-pad"]').dataset.strokes === "2", null, { timeout: 30_000 })
    .then(() => true, () => false);
  check(strokesTaken, "two touch strokes are two strokes on the pad");
  await page.waitForFunction(() => {
    const pad = document.querySelector('[data-testid="draw-pad"]');
    const reading = document.querySelector('[data-testid="draw-reading"]');
    return reading?.dataset.pending === "false" && reading.dataset.input === pad.dataset.version;
  }, null, { timeout: 120_000 });
  const guess = await page.$eval('[data-testid="prediction"]', (p) => p.dataset.guess).catch(() => null);
  check(guess === "1", `a 1 drawn by touch is read as a ${guess}`);
  check((await page.evaluate(() => window.scrollY)) === scrollBefore, "the page does not scroll while a finger draws on the pad");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the draw view does not scroll sideways on a phone after drawing (${overflow} px)`);
  check(problems.length === 0, `no console errors while drawing by touch (${JSON.stringify(problems.slice(0, 3))})`);
  await context.close();
}

/** The pad takes a mouse stroke's points from `pointerrawupdate` where the browser sends it
 *  (Chromium: before the frame that `pointermove` waits for). Where it does not (Firefox,
 *  Safari), the points come from `pointermove`: here the page cannot listen for raw updates,
 *  and a 1 drawn with the mouse is still two full strokes, read as a 1. */
export async function rawUpdateFallbackChecks({ browser, origin, openPage, waitLoaded, drawStrokes, check }) {
  const { context, page, problems } = await openPage(browser, `${origin}/?backend=cpu#/draw`, origin);
  await page.addInitScript(() => {
    window.__rawListenersRefused = 0;
    const add = EventTarget.prototype.addEventListener;
    EventTarget.prototype.addEventListener = function (type, ...rest) {
      if (type === "pointerrawupdate") {
        window.__rawListenersRefused += 1;
        return;
      }
      return add.call(this, type, ...rest);
    };
  });
  await page.reload();
  await waitLoaded(page);
  await page.waitForSelector('[data-testid="draw-pad"]');
  await drawStrokes(page, ONE);
  check(await page.evaluate(() => window.__rawListenersRefused) > 0,
    "the pad asks for raw pointer updates (refused here, to draw from pointermove)");
  await page.waitForFunction(() => {
    const pad = document.querySelector('[data-testid="draw-pad"]');
    const reading = document.querySelector('[data-testid="draw-reading"]');
    return pad.dataset.strokes === "2" && reading?.dataset.pending === "false" && reading.dataset.input === pad.dataset.version;
  }, null, { timeout: 120_000 });
  // A stroke is its first point and then one point a move: the long stroke has about twenty.
  const version = +(await page.$eval('[data-testid="draw-pad"]', (p) => p.dataset.version));
  check(version >= 12, `without raw updates the strokes still take the mouse's moves (version ${version})`);
  const guess = await page.$eval('[data-testid="prediction"]', (p) => p.dataset.guess).catch(() => null);
  check(guess === "1", `a 1 drawn with the mouse from pointermove alone is read as a ${guess}`);
  check(problems.length === 0, `no console errors while drawing without raw updates (${JSON.stringify(problems.slice(0, 3))})`);
  await context.close();
}
