// What an end-to-end file needs to run on its own as well as from run.mjs: the browser's
// errors collected, and a main that builds the checks' context and exits with their outcome.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The page's uncaught errors and console errors, collected from now on. */
export function collectErrors(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  return errors;
}

/** When the module at `moduleUrl` is the program node runs (`node tests/e2e/x.mjs [dist]`),
 *  calls `run` with { dist, root, chromiumPath, args, check } and exits 1 if a check failed. */
export async function runAlone(moduleUrl, run) {
  if (moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const root = path.resolve(fileURLToPath(moduleUrl), "../../..");
  const dist = path.resolve(process.argv[2] ?? path.join(root, "dist"));
  const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  const args = ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"];
  let failures = 0;
  const check = (ok, what) => {
    console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
    if (!ok) failures += 1;
  };
  await run({ dist, root, chromiumPath, args, check });
  if (failures > 0) {
    console.log(`${failures} check(s) failed`);
    process.exit(1);
  }
}
