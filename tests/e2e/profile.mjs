// Where the page's training spends its time, thread by thread (prints figures, asserts nothing):
// V8's sampling profiler (the trace category `disabled-by-default-v8.cpu_profiler`, which
// profiles every worker, the kernel threads included) over SECS seconds (default 6) of the
// page's training on the CPU engine, served cross-origin isolated. For each thread that ran
// the engine's kernels: time by kind (gemm's microkernels and packing, im2col and col2im,
// rayon's pool looking for work, blocked, the allocator, the rest), in ms per 1,000 images,
// then its TOP functions (default 12) by self time. Then the driving thread (the one that runs
// the training loop) by part of the step: the parts two threads can share, and the serial part
// (in none of them, with no task runner on the stack), itemised by what it serves and by whose
// code (which crate) runs it, with the share and the speed-up it allows (Amdahl's bound). On
// one thread (`THREADS=1`, where the profiler has a core of its own and slows the page by a
// few per cent) that is the fair reading of the serial share; on 2 cores the profiler's
// sampling thread takes a core from the pool (docs/performance.md). Last, with two or more
// engine threads: the time the other thread spent looking for work or blocked, by what
// the driving thread was doing at that moment: where the pool leaves a core idle.
// (Each idle sample goes to the driving thread's latest sample before it, so a part where the
// driving thread was sampled sparsely can show more idle time than its own.)
//   node tests/e2e/profile.mjs [dist-folder]     (scripts/profile-page.sh builds the folder)
//   THREADS=N asks for N kernel threads (`?threads=N`); COPIES=N for N copies of the model
//   (`?copies=N`); TRACE=file keeps the raw trace.
// The profiler samples wall time: a thread blocked in `Atomics.wait` or waiting for a core
// is charged to the function it was in. Functions have names only in a build that keeps the
// wasm name section (scripts/profile-page.sh); elsewhere they read `wasm-function[N]`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "./server.mjs";
import { backendLine, cpuTrainingUrl, launchChromium, openTraining, pastStartUp, readStep, startTraining } from "./training_page.mjs";

const root = path.resolve(fileURLToPath(import.meta.url), "../../..");
const dist = path.resolve(process.argv[2] ?? path.join(root, "dist"));
const seconds = Number(process.env.SECS ?? 6);
const top = Number(process.env.TOP ?? 12);
const tracePath = process.env.TRACE ?? path.join(os.tmpdir(), `latent-lab-profile-${process.pid}.json`);

/// The kind of work a function is, from its name (the Rust symbol, hashes and all).
function kindOf(name) {
  if (/crossbeam_deque|wait_until_cold|ThreadBuilder>::run|wake_any_threads|Sleep>::|crossbeam_epoch|WorkerThread>::steal/.test(name)) {
    return "pool: looking for work";
  }
  if (/Condvar>::wait|futex::Mutex|^\(idle\)$|^\(program\)$/.test(name)) return "blocked or idle";
  if (/^gemm_f32.*microkernel/.test(name)) return "gemm: microkernels";
  if (/^gemm|dyn_stack/.test(name)) return "gemm: packing, set-up";
  if (/conv_im2col::(im2col|channel_rows|Tap)|scatter_add|for_each_line/.test(name)) return "im2col, col2im";
  if (/dlmalloc|__rust_alloc|__rust_dealloc/.test(name)) return "allocator";
  return "other";
}

/// Whether a kind is a thread not working: the pool looking for work, or blocked.
const isIdle = (kind) => kind.startsWith("pool") || kind.startsWith("blocked");
/// The driving thread's part outside every shared part, with no task runner on its stack.
const SERIAL = "outside the pool (serial)";
/// Crates that serve the code calling them (the standard library, the allocator, hash maps,
/// locks, the pool, the bindings): their time counts as their caller's.
const HELPER_CRATES = /^(__rustc|core|alloc|std|smallvec|foldhash|hashbrown|dlmalloc|spin|parking_lot|lock_api|rayon|rayon_core|crossbeam_\w+|wasm_bindgen|js_sys|web_sys|bytemuck|num_traits|half)$/;
/// Adds `value` to `map`'s entry for `key`.
const add = (map, key, value) => map.set(key, (map.get(key) ?? 0) + value);
/// The time of a profile's sample `i`: the gap to the next one.
const sampleTime = (profile, i) => profile.deltas[i + 1] ?? 0;

const server = await serve(dist, root, { isolated: true });
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await openTraining(page, cpuTrainingUrl(origin), 40);
  console.log(await backendLine(page));
  await startTraining(page);
  await pastStartUp(page);
  const step = async () => (await readStep(page)).step;
  await browser.startTracing(page, { path: tracePath, categories: ["disabled-by-default-v8.cpu_profiler"] });
  const a = await step();
  const t0 = performance.now();
  await page.waitForTimeout(seconds * 1000);
  const b = await step();
  const t1 = performance.now();
  await browser.stopTracing();
  const images = (b - a) * 64;
  console.log(`${Math.round(images / ((t1 - t0) / 1000))} images/s while profiled (${images} images in ${((t1 - t0) / 1000).toFixed(1)} s)`);
  report(JSON.parse(fs.readFileSync(tracePath, "utf8")), images);
} finally {
  await browser.close();
  server.close();
  if (!process.env.TRACE) fs.rmSync(tracePath, { force: true });
}

/// Self time by kind and by function for each profiled thread that ran gemm.
function report(trace, images) {
  const events = trace.traceEvents ?? trace;
  const profiles = new Map();
  for (const e of events) {
    if (e.name === "Profile") {
      profiles.set(`${e.pid}:${e.id}`, { tid: e.tid, start: e.args.data.startTime, nodes: new Map(), samples: [], deltas: [] });
    }
  }
  for (const e of events) {
    const profile = e.name === "ProfileChunk" && profiles.get(`${e.pid}:${e.id}`);
    if (!profile) continue;
    const data = e.args.data;
    for (const node of data.cpuProfile?.nodes ?? []) profile.nodes.set(node.id, node);
    profile.samples.push(...(data.cpuProfile?.samples ?? []));
    profile.deltas.push(...(data.timeDeltas ?? []));
  }
  const perThousand = (us) => (us / 1000 / (images / 1000)).toFixed(1);
  const totals = new Map();
  const engine = [];
  for (const profile of profiles.values()) {
    const byName = new Map();
    profile.samples.forEach((id, i) => {
      add(byName, profile.nodes.get(id)?.callFrame.functionName || "(anonymous)", sampleTime(profile, i));
    });
    if (![...byName.keys()].some((name) => kindOf(name) === "gemm: microkernels")) continue;
    engine.push(profile);
    const byKind = new Map();
    for (const [name, us] of byName) {
      add(byKind, kindOf(name), us);
      add(totals, kindOf(name), us);
    }
    const all = [...byName.values()].reduce((s, v) => s + v, 0);
    console.log(`\nthread ${profile.tid}: ${(all / 1e6).toFixed(1)} s sampled; ms per 1,000 images by kind:`);
    for (const [kind, us] of [...byKind].sort((x, y) => y[1] - x[1])) console.log(`  ${perThousand(us).padStart(7)}  ${kind}`);
    console.log(`  its top ${top} functions (self time, ms per 1,000 images):`);
    for (const [name, us] of [...byName].sort((x, y) => y[1] - x[1]).slice(0, top)) {
      console.log(`  ${perThousand(us).padStart(7)}  ${clean(name).slice(0, 110)}`);
    }
  }
  const work = [...totals].filter(([k]) => !isIdle(k)).reduce((s, [, v]) => s + v, 0);
  console.log(`\nall engine threads, ms per 1,000 images: ${[...totals].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${perThousand(v)}`).join("; ")}`);
  console.log(`work (all but the pool's looking and blocked time): ${perThousand(work)} ms per 1,000 images`);
  byDriver(engine, perThousand);
}

function clean(name) {
  return name.replace(/\[[0-9a-f]+\]/g, "");
}

/// A driving-thread stack (innermost first) as the part of the step it is in: the f32
/// convolutions' and batch norm's image tasks, the element-wise runs, the 2-D products, Adam's
/// update, or "outside the pool" when none of them and no task runner is on the stack (serial
/// code: autodiff, posting, the ops too small to split). With one thread the same parts run
/// their tasks inline, so the split reads the same: what two threads could share, and what
/// they cannot. (A part's own set-up counts as the part, and an element-wise pass whose task
/// runner was inlined into its caller counts as serial.)
function regionOf(stack) {
  // Adam's arithmetic (its own self time): split across the pool for parameters of 8,192
  // values or more (src/training/fused_adam.rs), which hold nearly all of the model's values.
  if (/FusedAdam>::update$/.test(stack[0] ?? "")) return "Adam's update (split from 8,192 values)";
  const named = [
    [/conv_im2col::conv2d_f32/, "conv2d: forward, transposed convs' input gradients"],
    [/conv_im2col::conv_transpose2d_f32/, "conv_transpose2d: forward, convs' input gradients"],
    [/conv_im2col::weight_grad_split/, "conv weight gradients (image tasks)"],
    [/batch_norm::/, "batch norm (image tasks)"],
    [/matmul::matmul_gemm/, "2-D products (flex's matmul)"],
    [/tasks::(for_each_run|collect_runs|for_each_chunk)/, "element-wise runs"],
  ];
  for (const frame of stack) {
    for (const [re, label] of named) if (re.test(frame)) return label;
  }
  return stack.some((f) => /burn_flex::ops::tasks::|rayon/.test(f)) ? "other pool work" : SERIAL;
}

/// A serial stack (innermost first) as what it serves, by the first of these its frames show:
/// the work at an epoch's end (scoring the test digits, the map, the checkpoint), the batch's
/// tensor, the reconstructions, the optimizer, the backward pass, the forward pass (each with
/// autodiff's bookkeeping and the ops too small to split), or else the worker's own loop.
function serialGroupOf(stack) {
  const groups = [
    [/evaluate|EpochRecording|take_epoch_loss|indexed_db/, "an epoch's end: scoring, the map, the checkpoint"],
    [/images_to_tensor/, "the batch's tensor"],
    [/reconstructions/, "reconstructions for the page"],
    [/FusedAdam|burn_optim/, "the optimizer (Adam, burn's parameter mapping)"],
    [/>::backward|AutodiffServer/, "the backward pass: autodiff's graph, small ops"],
    [/forward|burn_autodiff|burn_nn|loss/, "the forward pass: autodiff's graph, small ops"],
  ];
  for (const [re, label] of groups) if (stack.some((f) => re.test(f))) return label;
  return /one_step|web::worker|postMessage/.test(stack.join(" ")) ? "the worker: posting, the event loop's turn" : "other (idle, garbage collector)";
}

/// Whose code a stack (innermost first) runs: the crate of its innermost frame whose first Rust
/// path is not a helper's (for `<A as B>::f`, A's crate), or "(no Rust frame)". So a hash map
/// insert made by autodiff counts as autodiff's, and an allocation made by flex as flex's.
function crateOf(stack) {
  for (const frame of stack) {
    const crate = frame.match(/^<*&?(?:mut )?([a-z_][a-z0-9_]*)::/)?.[1];
    if (crate && !HELPER_CRATES.test(crate)) return crate;
  }
  return "(no Rust frame)";
}

/// The driving thread (the one whose stacks hold the training loop's `one_step`) by part of
/// the step, and its serial part by what it serves; then, for every sample in which another
/// engine thread looked for work or was blocked, what the driving thread was in.
function byDriver(engine, perThousand) {
  const driver = engine.find((p) => [...p.nodes.values()].some((n) => /one_step/.test(n.callFrame.functionName)));
  if (!driver) return;
  const stackOf = (p, id) => {
    const frames = [];
    for (let n = p.nodes.get(id); n; n = n.parent ? p.nodes.get(n.parent) : null) frames.push(clean(n.callFrame.functionName));
    return frames;
  };
  const timesOf = (p) => { let t = p.start; return p.deltas.map((d) => (t += d)); };
  const driverTimes = timesOf(driver);
  // Each stack's part of the step (and, when serial, what it serves and its innermost frame),
  // worked out once per profile node (samples repeat nodes).
  const partById = new Map();
  const partAt = (id) => {
    if (!partById.has(id)) {
      const stack = stackOf(driver, id);
      const region = regionOf(stack);
      const serial = region === SERIAL;
      const group = serial ? serialGroupOf(stack) : null;
      const crate = serial ? crateOf(stack) : null;
      partById.set(id, { region, group, crate, self: stack[0] ?? "(none)" });
    }
    return partById.get(id);
  };
  const driverParts = driver.samples.map(partAt);
  const driverRegions = driverParts.map((part) => part.region);
  const driverTime = new Map();
  driverRegions.forEach((region, i) => add(driverTime, region, sampleTime(driver, i)));
  console.log(`\nthe driving thread (${driver.tid}), ms per 1,000 images, by part of the step:`);
  for (const [region, us] of [...driverTime].sort((x, y) => y[1] - x[1])) {
    console.log(`  ${perThousand(us).padStart(7)}  ${region}`);
  }
  const all = [...driverTime.values()].reduce((s, v) => s + v, 0);
  const serial = driverTime.get(SERIAL) ?? 0;
  console.log(`  serial share: ${((100 * serial) / all).toFixed(1)} % (at most ${(1 / (serial / all + (1 - serial / all) / 2)).toFixed(2)}x on 2 threads if every split cost nothing)`);
  // The serial part by what it serves, each with its largest innermost frames, and by whose
  // code runs it (`crateOf`).
  const serialGroups = new Map();
  const serialSelf = new Map();
  const serialCrates = new Map();
  driverParts.forEach(({ region, group, crate, self }, i) => {
    if (region !== SERIAL) return;
    add(serialGroups, group, sampleTime(driver, i));
    add(serialCrates, crate, sampleTime(driver, i));
    if (!serialSelf.has(group)) serialSelf.set(group, new Map());
    add(serialSelf.get(group), self, sampleTime(driver, i));
  });
  console.log("\nthe driving thread's serial part, ms per 1,000 images, by what it serves (and its top functions by self time):");
  for (const [group, us] of [...serialGroups].sort((x, y) => y[1] - x[1])) {
    console.log(`  ${perThousand(us).padStart(7)}  ${group}`);
    for (const [name, v] of [...serialSelf.get(group)].sort((x, y) => y[1] - x[1]).slice(0, 3)) {
      console.log(`  ${perThousand(v).padStart(13)}  ${name.slice(0, 100)}`);
    }
  }
  console.log("\nthe driving thread's serial part, ms per 1,000 images, by whose code runs it:");
  for (const [crate, us] of [...serialCrates].sort((x, y) => y[1] - x[1])) {
    console.log(`  ${perThousand(us).padStart(7)}  ${crate}`);
  }
  for (const other of engine.filter((p) => p !== driver)) {
    const idle = new Map();
    const times = timesOf(other);
    let j = 0;
    other.samples.forEach((id, i) => {
      if (!isIdle(kindOf(other.nodes.get(id)?.callFrame.functionName ?? ""))) return;
      while (j + 1 < driverTimes.length && driverTimes[j + 1] <= times[i]) j++;
      add(idle, driverRegions[j], sampleTime(other, i));
    });
    console.log(`\nthread ${other.tid} looking for work or blocked, by what thread ${driver.tid} (driving) was in, ms per 1,000 images:`);
    console.log(`  ${"idle".padStart(7)} ${"driver".padStart(7)}  part of the step`);
    for (const [region, us] of [...driverTime].sort((x, y) => y[1] - x[1])) {
      console.log(`  ${perThousand(idle.get(region) ?? 0).padStart(7)} ${perThousand(us).padStart(7)}  ${region}`);
    }
  }
}
