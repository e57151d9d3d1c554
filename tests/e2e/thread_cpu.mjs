// Where the cores go while the page trains (prints figures, asserts nothing; not part of the
// test command). Trains the two-layer d = 20 autoencoder on the CPU engine in headless Chromium,
// served cross-origin isolated, and over SECS seconds (default 10) of training reads the CPU
// time of every thread of Chromium and node (`/proc/<pid>/task/<tid>/stat`, in % of one core),
// the machine's split of its time (`/proc/stat`: user, system, idle, steal) and its
// interrupts a second (`/proc/interrupts`: timer, rescheduling, function calls, TLB shootdowns).
// Linux only.
//   node tests/e2e/thread_cpu.mjs [dist-folder]
//   THREADS=N asks the threaded engine for N kernel threads (`?threads=N`; default: all);
//   VIEW=#/report shows another view while measured (the run goes on in the engine).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "./server.mjs";
import { backendLine, cpuTrainingUrl, launchChromium, openTraining, pastStartUp, readStep, startTraining } from "./training_page.mjs";

const root = path.resolve(fileURLToPath(import.meta.url), "../../..");
const dist = path.resolve(process.argv[2] ?? path.join(root, "dist"));
const seconds = Number(process.env.SECS ?? 10);
/// Clock ticks a second in /proc's figures (USER_HZ).
const HZ = 100;

/// Every thread of Chromium's processes and node's: "pid/tid" → { name, ticks }.
function threadTicks() {
  const out = new Map();
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let cmd;
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (!cmd.includes("chromium") && !cmd.includes("node")) continue;
    const kind = cmd.includes("--type=renderer") ? "renderer" : cmd.includes("--type=gpu") ? "gpu"
      : cmd.includes("--type=utility") ? "utility" : cmd.includes("chromium") ? "browser" : "node";
    let tasks;
    try {
      tasks = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
        const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        // utime and stime: fields 14 and 15 of stat, 11 and 12 after the name.
        out.set(`${pid}/${tid}`, { name: `${kind}:${name}`, ticks: Number(fields[11]) + Number(fields[12]) });
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  }
  return out;
}

/// The first line of /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal, ...
const machineTicks = () => fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);

/// The interrupts that touch every core, summed over the cores.
function interrupts() {
  const wanted = { LOC: "timer", RES: "rescheduling", CAL: "function calls", TLB: "TLB shootdowns" };
  const out = {};
  for (const line of fs.readFileSync("/proc/interrupts", "utf8").split("\n")) {
    const fields = line.trim().split(/\s+/);
    const key = fields[0]?.replace(":", "");
    if (!(key in wanted)) continue;
    out[wanted[key]] = fields.slice(1).filter((f) => /^\d+$/.test(f)).reduce((s, f) => s + Number(f), 0);
  }
  return out;
}

const server = await serve(dist, root, { isolated: true });
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await openTraining(page, cpuTrainingUrl(origin), 60);
  await startTraining(page);
  await pastStartUp(page);
  console.log(await backendLine(page));
  const step = async () => (await readStep(page)).step;

  const stepBefore = await step();
  const [threadsBefore, machineBefore, interruptsBefore, t0] = [threadTicks(), machineTicks(), interrupts(), performance.now()];
  if (process.env.VIEW) await page.evaluate((view) => { location.hash = view; }, process.env.VIEW);
  await page.waitForTimeout(seconds * 1000);
  const [threadsAfter, machineAfter, interruptsAfter, t1] = [threadTicks(), machineTicks(), interrupts(), performance.now()];
  if (process.env.VIEW) {
    await page.evaluate(() => { location.hash = "#/train"; });
    await page.waitForSelector('[data-testid="train-progress"]');
  }
  const stepAfter = await step();
  const secs = (t1 - t0) / 1000;

  console.log(`${Math.round(((stepAfter - stepBefore) * 64) / secs)} images/s over ${secs.toFixed(1)} s${process.env.VIEW ? ` (${process.env.VIEW} showing)` : ""}`);
  const machine = machineAfter.map((v, i) => v - machineBefore[i]);
  const all = machine.reduce((s, v) => s + v, 0);
  const share = (i) => ((100 * machine[i]) / all).toFixed(1);
  console.log(`the machine (all cores): user ${share(0)} %, system ${share(2)} %, idle ${share(3)} %, steal ${share(7)} %`);
  console.log(`interrupts a second (all cores): ${Object.keys(interruptsAfter).map((k) => `${k} ${Math.round((interruptsAfter[k] - interruptsBefore[k]) / secs)}`).join(", ")}`);
  const rows = [];
  for (const [id, { name, ticks }] of threadsAfter) {
    const percent = ((ticks - (threadsBefore.get(id)?.ticks ?? 0)) / HZ / secs) * 100;
    if (percent >= 0.3) rows.push([percent, name, id]);
  }
  rows.sort((x, y) => y[0] - x[0]);
  console.log("% of one core, by thread (process kind:thread name, pid/tid):");
  for (const [percent, name, id] of rows) console.log(`  ${percent.toFixed(1).padStart(6)}  ${name}  ${id}`);
  console.log(`  ${rows.reduce((s, [p]) => s + p, 0).toFixed(1).padStart(6)}  all of these`);
} finally {
  await browser.close();
  server.close();
}
