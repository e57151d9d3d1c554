// The draw view's reconstruction, painted by the engine into the canvas the view handed over
// (`transferControlToOffscreen`; `data-painter="engine"`): the page has no context of that
// canvas, so it is read through a copy (which reads a canvas the page paints alike), and the
// copy follows the engine's frame a moment after the reading, so this waits.

/** Waits (up to `timeout` ms) until the reconstruction has ink, and returns how many pixels of
 *  its 28×28 frame (inside the strip's one-pixel border) are over 128; 0 if it never had. */
export async function reconstructionInk(page, timeout = 120_000) {
  return page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="reconstruction"]');
    if (!c) return false;
    const copy = document.createElement("canvas");
    copy.width = c.width;
    copy.height = c.height;
    const context = copy.getContext("2d");
    context.drawImage(c, 0, 0);
    const d = context.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let y = 1; y <= 28; y++) for (let x = 1; x <= 28; x++) if (d[4 * (y * c.width + x)] > 128) n++;
    return n > 10 && n;
  }, null, { timeout }).then((h) => h.jsonValue()).catch(() => 0);
}

/** Where the engine cannot paint into the canvas it was handed (`breakDrawingCanvas()`, a test
 *  hook, swaps the engine's canvas for one with no 2d context), the page takes over on a canvas
 *  of its own: the drawing is still read and its reconstruction shown, and the latency note
 *  says it timed the page's update. */
export async function paintingFallbackChecks({ browser, origin, openPage, drawStrokes, waitReadingOfCurrentDrawing, strokes, check }) {
  const { context, page, problems } = await openPage(browser, `${origin}/?backend=cpu&test-hooks=1#/draw`, origin);
  const readingOfCurrentDrawing = () => waitReadingOfCurrentDrawing(page);
  const latencyNote = () => page.textContent('[data-testid="draw-latency"]').then((t) => t.trim());
  await page.waitForSelector('[data-testid="draw-pad"]');
  // First the engine paints (so it holds the page's canvas when the hook breaks it).
  await drawStrokes(page, strokes);
  await readingOfCurrentDrawing();
  const before = await page.$eval('[data-testid="reconstruction"]', (c) => c.dataset.painter);
  check(before === "engine" && (await latencyNote()).startsWith("The reconstruction showed"),
    `painting fallback: the engine paints the reconstruction before its canvas breaks (${before})`);
  await page.evaluate(() => window.latentLabTest.breakDrawingCanvas());
  await page.click('[data-testid="draw-clear"]');
  await page.waitForSelector('[data-testid="draw-empty"]');
  await drawStrokes(page, strokes);
  await readingOfCurrentDrawing();
  const own = await page.waitForSelector('span.contents > [data-testid="reconstruction"]:not([data-painter])',
    { timeout: 30_000 }).then(() => true, () => false);
  const ink = await reconstructionInk(page);
  const guess = await page.$eval('[data-testid="prediction"]', (p) => p.dataset.guess).catch(() => null);
  await page.waitForFunction(() => /^Updated/.test(document.querySelector('[data-testid="draw-latency"]')?.textContent.trim() ?? ""),
    null, { timeout: 30_000 }).catch(() => {});
  const note = await latencyNote();
  check(own && ink > 10 && guess === "1" && note.startsWith("Updated"),
    `painting fallback: after the engine's canvas broke, the page paints the reconstruction on a canvas of its own ` +
    `(own canvas: ${own}, ${ink} lit pixels, read as ${guess}, "${note}")`);
  check(problems.length === 0, `painting fallback: no console errors (${JSON.stringify(problems.slice(0, 3))})`);
  await context.close();
}
