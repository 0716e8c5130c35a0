#!/usr/bin/env node
// Timings of the thread pool (iterl2norm/pool) on the built library (dist/): the zero-copy LayerNorm
// of a large batch on 1 thread and on every thread of the same build, and the break-even, the rows at
// d = 768 and 1024 from which splitting a call over the pool's threads beats the calling thread alone
// (js/pool/pool.ts MIN_ELEMENTS_PER_THREAD, docs/design.md §7.1). The cases are timed in many short
// rounds, interleaved, and reported by their 5th percentile and median: on a host shared with other
// work, a round where another process held a core is slow, and the low percentile is the time with
// the cores free, while the median shows what a busy host gives.
// Usage: node scripts/pool-timing.js [--rounds N] [--threads N]   (after npx tsc -p tsconfig.build.json)
import { parseArgs } from "node:util";
import { createPool } from "../dist/js/pool/index.js";
import { setMinElementsPerThread } from "../dist/js/pool/pool.js";

const { values } = parseArgs({ options: { rounds: { type: "string" }, threads: { type: "string" } } });
const rounds = Number(values.rounds ?? 60);
const one = await createPool({ threads: 1 });
const all = await createPool(values.threads === undefined ? {} : { threads: Number(values.threads) });

/** Seeded values in [-2, 4): the timing does not depend on them, the same data go to every case. */
function fill(a, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 6 - 2;
  }
  return a;
}

/** A zero-copy LayerNorm call on a pool workspace of rows × dim (γ, β in the workspace). */
function zeroCopy(pool, rows, dim) {
  const ws = pool.createWorkspace(rows, dim);
  fill(ws.input, 1);
  fill(ws.gamma, 2);
  fill(ws.beta, 3);
  const opts = { dim, gamma: ws.gamma, beta: ws.beta, out: ws.output };
  return () => pool.layerNorm(ws.input, opts);
}

const quantile = (a, p) => [...a].sort((u, v) => u - v)[Math.floor(p * (a.length - 1))];

/**
 * µs a call of each case, by round: a round times each case in turn for at least `ms` (after two
 * calls not timed), with the fewest elements a thread takes set to the case's `split`.
 */
async function time(cases, ms) {
  const samples = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let c = 0; c < cases.length; c++) {
      const { run, split } = cases[c];
      setMinElementsPerThread(split);
      await run();
      await run();
      let calls = 0;
      const t0 = performance.now();
      let elapsed = 0;
      do {
        await run();
        calls++;
        elapsed = performance.now() - t0;
      } while (elapsed < ms);
      samples[c].push((elapsed * 1000) / calls);
    }
  }
  setMinElementsPerThread(undefined);
  return samples.map((s) => ({ p5: quantile(s, 0.05), p50: quantile(s, 0.5) }));
}

const fmt = (t) => `${t.p5.toFixed(1)} µs (median ${t.p50.toFixed(1)})`;

console.log(`pool of ${all.threads} threads; ${rounds} rounds; p5, and the median in brackets`);
{
  const [a, b] = await time([{ run: zeroCopy(one, 4096, 1024) }, { run: zeroCopy(all, 4096, 1024) }], 5);
  console.log(`4096 × 1024 zero-copy: 1 thread ${fmt(a)}, ${all.threads} threads ${fmt(b)}`);
  console.log(`  speed-up ${(a.p5 / b.p5).toFixed(2)}× (p5), ${(a.p50 / b.p50).toFixed(2)}× (median)`);
}
for (const dim of [768, 1024]) {
  const rowCounts = [16, 32, 48, 64, 96, 128, 256];
  // split 1: every call split over the pool's threads; infinite: every call on the calling thread
  const cases = rowCounts.flatMap((rows) => [
    { run: zeroCopy(all, rows, dim), split: Number.POSITIVE_INFINITY },
    { run: zeroCopy(all, rows, dim), split: 1 },
  ]);
  const t = await time(cases, 1.5);
  rowCounts.forEach((rows, i) => {
    const [a, b] = [t[2 * i], t[2 * i + 1]];
    const ratio = (a.p5 / b.p5).toFixed(2);
    console.log(`d = ${dim}, ${rows} rows: calling thread ${fmt(a)}, split ${fmt(b)}, ${ratio}× (p5)`);
  });
}
await Promise.all([one.close(), all.close()]);
