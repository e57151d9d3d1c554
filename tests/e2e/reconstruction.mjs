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
