// Times the products of the two-layer d = 20 autoencoder's training step (flex's im2col and
// col2im forms, one task of 8 images; the linear layers at batch 64), each in the layout flex
// gives it, by gemm and by flex's tiled kernels, in each build given, and prints GFLOP/s per
// shape. node --experimental-wasm-relaxed-simd bench.mjs a.wasm [b.wasm ...]
import fs from "node:fs";
// [name, layout (see src/lib.rs), m, k, n]
const shapes = [
  ["conv1 forward", 0, 18, 25, 1152], ["conv2 forward", 0, 36, 162, 200],
  ["conv2 transposed (col2im)", 1, 162, 36, 200], ["conv1 transposed (col2im)", 1, 25, 18, 1152],
  ["conv2 weight gradient", 2, 36, 200, 162], ["conv1 weight gradient", 2, 18, 1152, 25],
  ["linear 900→20", 0, 64, 900, 20],
];
const kernels = ["gemm", "tiled"];
for (const file of process.argv.slice(2)) {
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(file), {});
  console.log(file);
  for (const [name, layout, m, k, n] of shapes) {
    const expected = instance.exports.run(0, layout, m, k, n, 1);
    const figures = kernels.map((kernel, id) => {
      const sum = instance.exports.run(id, layout, m, k, n, 10);
      if (Number.isNaN(sum)) return `${kernel} (gemm's layout)`;
      if (Math.abs(sum - expected) > 1e-4 * Math.abs(expected)) return `${kernel} WRONG SUM`;
      const iters = Math.max(10, Math.round(1e9 / (2 * m * k * n)));
      const t = performance.now();
      instance.exports.run(id, layout, m, k, n, iters);
      return `${kernel} ${(2 * m * k * n * iters / ((performance.now() - t) / 1000) / 1e9).toFixed(2)}`;
    });
    console.log(`  ${name}: ${figures.join(" | ")} GFLOP/s`);
  }
}
