#!/usr/bin/env node
// Two builds of the kernel timed against each other in one process, through the raw ABI
// (docs/ABI.md): `layer_norm` (paper preset, γ and β, ε = 1e-5) on the same rows, the two
// builds alternating in 30 rounds, the fastest round of each kept. For the cost of a kernel
// change on the same machine and data, without the JS layer or a second process:
//   git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci && npm run asbuild)
//   node scripts/compare-kernels.js /tmp/base/build/iterl2norm.wasm build/iterl2norm.wasm
// Rows are like the benchmarks' (each row N(μ_r, σ_r²), μ_r ~ N(0, 1), σ_r ∈ [0.5, 2)).
import { readFileSync } from "node:fs";

const paths = process.argv.slice(2);
if (paths.length !== 2) {
  console.error("usage: node scripts/compare-kernels.js BASE.wasm NEW.wasm");
  process.exit(2);
}
const builds = paths.map((p) => new WebAssembly.Instance(new WebAssembly.Module(readFileSync(p)), {}).exports);
const constant = (e, name) => Number(e[name].value);

let state = 12345;
const uniform = () => {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return (state + 0.5) / 2 ** 32;
};
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());

console.log("| d × rows | base µs | new µs | new / base |\n|---|---:|---:|---:|");
for (const [dim, rows] of [
  [64, 1024],
  [768, 64],
  [1024, 64],
  [4096, 64],
]) {
  const x = new Float32Array(dim * rows);
  for (let r = 0; r < rows; r++) {
    const mu = normal();
    const sigma = 0.5 + 1.5 * uniform();
    for (let i = 0; i < dim; i++) x[r * dim + i] = mu + sigma * normal();
  }
  const calls = builds.map((e) => {
    const [px, po, pg, pb] = [x.byteLength, x.byteLength, dim * 4, dim * 4].map((n) => e.alloc(n));
    new Float32Array(e.memory.buffer, px, x.length).set(x);
    new Float32Array(e.memory.buffer, pg, dim).fill(1.1);
    new Float32Array(e.memory.buffer, pb, dim).fill(0.1);
    const policy = constant(e, "LAMBDA_PAPER");
    const args = [px, po, pg, pb, rows, dim, Math.fround(1e-5), constant(e, "METHOD_ITER"), policy, 0, 5, 0, 0];
    return () => e.layer_norm(...args);
  });
  const best = [Infinity, Infinity];
  const reps = Math.max(20, Math.round(2e6 / x.length));
  for (let round = 0; round < 30; round++) {
    for (const b of round % 2 ? [0, 1] : [1, 0]) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) calls[b]();
      best[b] = Math.min(best[b], (performance.now() - t0) / reps);
    }
  }
  const us = best.map((t) => (t * 1e3).toFixed(2));
  console.log(`| ${dim} × ${rows} | ${us[0]} | ${us[1]} | ${(best[1] / best[0]).toFixed(3)} |`);
}
