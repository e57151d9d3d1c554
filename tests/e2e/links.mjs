// End-to-end checks that every view is a link (issue 18, part 1): choices go into the address
// without a reload, "Copy link" gives that address, a fresh browser opened on it shows the
// same view, hostile parameters get defaults and a notice, a model that lives in another
// browser falls back to the nearest bundled one, and one training link gives one run. Called
// by run.mjs with its helpers; each wait is for the state it checks.
import { trainToEnd } from "./training.mjs";

const hash = (page) => page.evaluate(() => location.hash);
const value = (page, testid) => page.$eval(`[data-testid="${testid}"]`, (e) => e.value);
const notices = (page) => page.$$eval('[data-testid="link-notice"] li', (ls) => ls.map((l) => l.textContent));

/** Waits until both interpolation strips show `frames` frames of the pair `input` ("i-j"). */
async function waitStrips(page, frames, input) {
  await page.waitForFunction(([n, inp]) => {
    const strips = [...document.querySelectorAll('[data-testid="interp-strip"]')];
    return strips.length === 2 && strips.every((s) => s.dataset.pending === "false" && s.dataset.frames === String(n)
      && (inp === null || s.dataset.input === inp));
  }, [frames, input], { timeout: 120_000 });
  return page.$eval('[data-testid="interp-strip"]', (s) => s.dataset.input);
}

/** Opens a training link, trains it to the end, and returns what the page shows of the run. */
async function trainFromLink({ browser, origin, openPage, waitLoaded }, link) {
  const { context, page, problems } = await openPage(browser, link, origin);
  await waitLoaded(page);
  const form = {};
  for (const f of ["architecture", "latent", "epochs", "batch", "lr", "images", "seed"]) form[f] = await value(page, `train-${f}`);
  await trainToEnd(page);
  const losses = await page.$eval('[data-testid="loss-chart"]', (c) => c.dataset.epochLosses);
  await context.close();
  return { form, losses, problems };
}

export async function linkChecks({ browser, origin, openPage, waitLoaded, check }) {
  // A view's choices go into the address, without a reload.
  {
    const { context, page, problems } = await openPage(browser, `${origin}/?backend=cpu#/interpolate`, origin);
    await waitLoaded(page);
    const first = await waitStrips(page, 10, null);
    await page.evaluate(() => { window.__sameDocument = true; });
    const presets = await page.$$('[data-testid="interp-preset"]');
    await presets[1].click();
    await page.waitForFunction((f) => {
      const m = location.hash.match(/from=(\d+)&to=(\d+)/);
      return m && `${m[1]}-${m[2]}` !== f;
    }, first);
    const [, from, to] = (await hash(page)).match(/from=(\d+)&to=(\d+)/);
    const second = `${from}-${to}`;
    await waitStrips(page, 10, second);
    await page.fill('[data-testid="interp-frames"]', "7");
    await page.selectOption('[data-testid="model-a"]', "two-layer-d5");
    await page.$eval('[data-testid="interp-slider"]', (el) => {
      el.value = "0.3";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await waitStrips(page, 7, second);
    await page.waitForFunction(() => location.hash.includes("alpha=0.30") && location.hash.includes("frames=7"));
    const address = await hash(page);
    check(address === `#/interpolate?a=two-layer-d5&b=vae-d20&from=${from}&to=${to}&frames=7&alpha=0.30&past=0`,
      `#/interpolate: the models, the pair, the frames and α are in the address (${address})`);
    check(await page.evaluate(() => window.__sameDocument === true), "the address follows the view without a reload");
    // Another view and back through the navigation: the view as it was left.
    await page.click('nav.views a[href^="#/draw"]');
    await page.waitForSelector('[data-testid="draw-pad"]');
    await page.click('nav.views a[href^="#/interpolate"]');
    await waitStrips(page, 7, second);
    const back = await hash(page);
    const modelsBack = await page.$$eval('[data-testid="interp-strip"]', (s) => s.map((c) => c.dataset.model).join());
    check(back === address && modelsBack === "two-layer-d5,vae-d20" && await value(page, "interp-slider") === "0.3",
      `the navigation goes back to the view as it was left: its pair, frames, models and α (${back})`);
    await page.click('[data-testid="copy-link"]');
    await page.waitForSelector('[data-testid="copied-link"]');
    const copied = await value(page, "copied-link");
    const href = await page.evaluate(() => location.href);
    check(copied === href && copied.includes("backend=cpu"), `"Copy link" gives the page's address with its view (${copied})`);
    check(problems.length === 0, `no console errors while choosing (${JSON.stringify(problems)})`);
    await context.close();

    // The copied link in a fresh browser: the same view.
    const fresh = await openPage(browser, copied, origin);
    await waitLoaded(fresh.page);
    await waitStrips(fresh.page, 7, second);
    const models = await fresh.page.$$eval('[data-testid="interp-strip"]', (s) => s.map((c) => c.dataset.model).join());
    check(models === "two-layer-d5,vae-d20", `the link opens with its models (${models})`);
    check(await value(fresh.page, "interp-slider") === "0.3" && await value(fresh.page, "interp-frames") === "7",
      "the link opens with its α and number of frames");
    check(await hash(fresh.page) === address, "a fresh browser keeps the link's address as it was");
    check((await notices(fresh.page)).length === 0, "a link the page wrote reads back without a notice");
    check(fresh.problems.length === 0, `no console errors on the copied link (${JSON.stringify(fresh.problems)})`);
    await fresh.context.close();
  }

  // Hostile and invalid parameters: the field's default and a visible notice.
  {
    const link = `${origin}/?backend=cpu#/interpolate?frames=999&alpha=NaN&from=3&bogus=%3Cscript%3Ealert(1)%3C/script%3E&a=%zz`;
    const { context, page, problems } = await openPage(browser, link, origin);
    await waitLoaded(page);
    await waitStrips(page, 10, null);
    await page.waitForSelector('[data-testid="link-notice"]');
    const text = (await notices(page)).join("\n");
    check(["frames", "alpha", "bogus", "%zz"].every((w) => text.includes(w)),
      `refused parameters are named in a notice: ${JSON.stringify(await notices(page))}`);
    check(await page.evaluate(() => !document.querySelector("script:not([src])") && !window.__xss),
      "a parameter's text is shown as text, never run");
    const address = await hash(page);
    check(!address.includes("bogus") && address.includes("frames=10") && address.includes("alpha=0.50"),
      `the address is rewritten with the defaults (${address})`);
    const firstPair = await page.$eval('[data-testid="interp-strip"]', (s) => s.dataset.input);
    await page.evaluate(() => { location.hash = "#/interpolate?from=9998&to=9999"; });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="link-notice"] li')].some((l) => l.textContent.includes("9998")));
    check(await waitStrips(page, 10, firstPair) === firstPair && (await hash(page)).includes(`from=${firstPair.replace("-", "&to=")}`),
      "test digits the page does not hold give the exercise's first pair, with a notice");
    await page.evaluate(() => { location.hash = "#/decorrelation?model=two-layer-d5&coord=7"; });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="link-notice"] li')].some((l) => l.textContent.includes("coordinate 7")),
      null, { timeout: 120_000 });
    check(await value(page, "heatmap-coordinate") === "0" && (await hash(page)).endsWith("model=two-layer-d5&coord=0"),
      `a coordinate past the model's code gives coordinate 0, with a notice (${(await notices(page)).join(" | ")})`);
    await page.evaluate(() => { location.hash = "#/train?d=0&lr=fast&seed=7"; });
    await page.waitForFunction(() => document.querySelector('[data-testid="train-seed"]')?.value === "7");
    const text2 = (await notices(page)).join("\n");
    check(await value(page, "train-latent") === "20" && await value(page, "train-lr") === "0.001"
      && text2.includes("d=") && text2.includes("lr=") && !text2.includes("frames"),
      `an edited address opens its view anew: the training form keeps its defaults for d=0 and lr=fast, with notices (${text2})`);
    check(problems.length === 0, `no console errors from hostile parameters (${JSON.stringify(problems)})`);
    await context.close();
  }

  // A model that lives only in another browser.
  {
    const link = `${origin}/?backend=cpu#/draw?model=${encodeURIComponent("two-layer-d40 (trained 9)")}&classifier=none`;
    const { context, page, problems } = await openPage(browser, link, origin);
    await waitLoaded(page);
    await page.waitForFunction(() => document.querySelector('[data-testid="draw-model"]')?.value === "two-layer-d50",
      null, { timeout: 60_000 }).catch(() => {});
    const text = (await notices(page)).join("\n");
    check(await value(page, "draw-model") === "two-layer-d50" && text.includes("two-layer-d40 (trained 9)")
      && text.includes("showing two-layer-d50"),
      `a model from another browser falls back to the nearest bundled one, and says so (${text})`);
    check((await hash(page)).includes("model=two-layer-d50&classifier=none"), "the address names the model shown");
    check(problems.length === 0, `no console errors (${JSON.stringify(problems)})`);
    await context.close();
  }

  // One training link, one run: two fresh browsers give the same losses; another seed others.
  {
    const link = (seed) => `${origin}/?backend=cpu#/train?arch=two-layer&d=5&epochs=2&batch=64&lr=0.001&images=512&seed=${seed}`;
    const helpers = { browser, origin, openPage, waitLoaded };
    const one = await trainFromLink(helpers, link(7));
    const two = await trainFromLink(helpers, link(7));
    const other = await trainFromLink(helpers, link(8));
    check(JSON.stringify(one.form) === JSON.stringify({ architecture: "two-layer", latent: "5", epochs: "2", batch: "64", lr: "0.001", images: "512", seed: "7" }),
      `a training link fills the form (${JSON.stringify(one.form)})`);
    check(one.losses.split(" ").length === 2 && one.losses === two.losses,
      `two runs from one training link give identical losses (${one.losses} | ${two.losses})`);
    check(other.losses !== one.losses, `another seed gives another run (${other.losses})`);
    const problems = [...one.problems, ...two.problems, ...other.problems];
    check(problems.length === 0, `no console errors while training from links (${JSON.stringify(problems)})`);
  }
}

/** Lessons (issue 18, part 2): `?lesson=` opens a built-in lesson beside the view, its links
 *  drive the view, `?hide=` hides named parts, and a teacher's own file loads from the page. */
export async function lessonChecks({ browser, origin, openPage, waitLoaded, check }) {
  const link = `${origin}/?backend=cpu&lesson=c-interpolation&hide=nav,gallery,bogus-part#/interpolate`;
  const { context, page, problems } = await openPage(browser, link, origin);
  await waitLoaded(page);
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson-panel"]')?.dataset.state === "shown");
  const title = await page.textContent('[data-testid="lesson-panel"] h2');
  check(title === "C · Walking between two digits", `?lesson= opens the built-in lesson beside the view (${title})`);
  const visible = (sel) => page.$eval(sel, (e) => e.offsetParent !== null || getComputedStyle(e).display !== "none" && e.getClientRects().length > 0);
  check(!(await visible('[data-part="nav"]')) && !(await visible('[data-part="gallery"]')) && await visible('[data-part="presets"]'),
    "?hide=nav,gallery hides the navigation and the gallery, and nothing else");
  check((await notices(page)).some((n) => n.includes("'bogus-part'")), "an unknown part in ?hide= is named in a notice");
  await waitStrips(page, 10, null);

  // A step link drives the view: the pair 5 → 8.
  await page.click('[data-testid="lesson-link"]:text("5 → 8")');
  const pair = await waitStrips(page, 10, "8-61");
  check(pair === "8-61" && (await hash(page)).includes("from=8&to=61"), `a lesson's link sets the view's pair (${await hash(page)})`);
  await page.click('[data-testid="lesson-link"]:text("α to the middle")');
  await page.waitForFunction(() => location.hash.includes("from=18&to=8") && location.hash.includes("alpha=0.50"));
  check(await value(page, "interp-slider") === "0.5", "a lesson's link moves α");
  check(await page.evaluate(() => new URL(location.href).searchParams.get("lesson")) === "c-interpolation",
    "the lesson stays in the address while its links drive the view");

  // The next lesson, in place.
  await page.click('.lesson-next');
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson-panel"]')?.dataset.lesson === "d-decorrelation"
    && document.querySelector('[data-testid="lesson-panel"]')?.dataset.state === "shown");
  check(await page.evaluate(() => new URL(location.href).searchParams.get("lesson")) === "d-decorrelation",
    "the next lesson opens in the panel and in the address");

  // A teacher's own lesson, loaded from the page; its link starts a run.
  const mine = "# My lesson\n\nA <script>window.__xss = 1</script> is only text.\n\n## Go\n- [Train d = 5](#/train?d=5&epochs=1&images=256&seed=3&start=1)\n";
  await page.setInputFiles('[data-testid="lesson-load"]', { name: "mine.md", mimeType: "text/markdown", buffer: Buffer.from(mine) });
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson-panel"] h2')?.textContent === "My lesson");
  check(await page.evaluate(() => window.__xss === undefined && document.querySelector('[data-testid="lesson-panel"]').textContent.includes("<script>")),
    "a teacher's lesson file is shown, its markup as text");
  await page.click('[data-testid="lesson-link"]:text("Train d = 5")');
  await page.waitForFunction(() => ["running", "finished"].includes(document.querySelector('[data-testid="train-progress"]')?.dataset.status),
    null, { timeout: 60_000 });
  check(await value(page, "train-latent") === "5" && !(await hash(page)).includes("start"),
    "a lesson's training link fills the form and starts the run (and the address keeps no start)");
  await page.waitForFunction(() => document.querySelector('[data-testid="train-progress"]')?.dataset.status === "finished",
    null, { timeout: 300_000 });
  await page.setInputFiles('[data-testid="lesson-load"]', { name: "bad.md", mimeType: "text/markdown", buffer: Buffer.from([0x23, 0x20, 0xff, 0xfe]) });
  await page.waitForSelector('[data-testid="lesson-error"]');
  check((await page.textContent('[data-testid="lesson-error"]')).includes("UTF-8"), "a lesson file that is not text is refused with a reason");
  check(problems.length === 0, `no console errors with lessons (${JSON.stringify(problems)})`);
  await context.close();

  const bad = await openPage(browser, `${origin}/?backend=cpu&lesson=..%2Fsecret#/train`, origin);
  await waitLoaded(bad.page);
  check((await notices(bad.page)).some((n) => n.startsWith("lesson:")) && await bad.page.$eval('[data-testid="lesson-panel"]', (p) => p.dataset.state) === "none",
    "a lesson name that is not a file name gets a notice and no fetch");
  await bad.context.close();
}
