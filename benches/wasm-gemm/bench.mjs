// Times the products of the two-layer d = 20 autoencoder's training step (flex's im2col and
// col2im forms, one task of 8 images; the linear layers at batch 64) in each build given, and
// prints GFLOP/s per shape. node --experimental-wasm-relaxed-simd bench.mjs a.wasm [b.wasm ...]
import fs from "node:fs";
const shapes = [
  ["conv1 forward", 18, 25, 1152], ["conv2 forward", 36, 162, 200],
  ["conv2 transposed (col2im)", 162, 36, 200], ["conv1 transposed (col2im)", 25, 18, 1152],
  ["conv2 weight gradient", 36, 200, 162], ["linear 900→20", 64, 900, 20],
];
for (const file of process.argv.slice(2)) {
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(file), {});
  const figures = shapes.map(([name, m, k, n]) => {
    instance.exports.run(m, k, n, 10);
    const iters = Math.max(10, Math.round(1e9 / (2 * m * k * n)));
    const t = performance.now();
    instance.exports.run(m, k, n, iters);
    return `${name} ${(2 * m * k * n * iters / ((performance.now() - t) / 1000) / 1e9).toFixed(2)}`;
  });
  console.log(`${file}: ${figures.join(" | ")} GFLOP/s`);
}
