/**
 * Input distributions of the precision study. Every row is drawn from a generator
 * seeded by (seed, d, trial), so a row is the same for every format and algorithm.
 */
import { Rng } from "../../bench/random.js";

/** The distributions by name. */
export type Distribution = "uniform" | "uniform01" | "normal" | "llm";
export const DISTRIBUTIONS: readonly Distribution[] = ["uniform", "uniform01", "normal", "llm"];

/** One line per distribution, for help texts and docs. */
export const DISTRIBUTION_TEXT: Readonly<Record<Distribution, string>> = {
  uniform: "U(−1, 1) i.i.d. (the paper's uniform random vectors)",
  uniform01: "U(0, 1) i.i.d. (non-zero mean: the mean shift matters)",
  normal: "N(0, 1) i.i.d.",
  llm:
    "N(0, 1) rows with k = max(2, ⌊d/1024⌋) fixed outlier channels of magnitude U(10, 60) and fixed sign (the " +
    "systematic outlier features reported for OPT by Dettmers et al., LLM.int8(), 2022)",
};

/** Mixes integers into one 32-bit seed (FNV-1a over their 32-bit words). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    let v = p >>> 0;
    for (let k = 0; k < 4; k++) {
      h = Math.imul(h ^ (v & 0xff), 0x01000193) >>> 0;
      v >>>= 8;
    }
  }
  return h;
}

/**
 * The outlier channels of the 'llm' distribution for width d: fixed per (seed, d), like real
 * models' outlier features.
 */
export function outlierChannels(seed: number, d: number): { index: number; value: number }[] {
  const rng = new Rng(mixSeed(seed, d, 0x6c6c6d));
  const k = Math.max(2, Math.floor(d / 1024));
  const chosen = new Set<number>();
  const out: { index: number; value: number }[] = [];
  while (out.length < Math.min(k, d)) {
    const index = rng.int(d);
    if (chosen.has(index)) continue;
    chosen.add(index);
    out.push({ index, value: (rng.u32() & 1 ? -1 : 1) * rng.between(10, 60) });
  }
  return out;
}

/** One row of length d (as f32) for a trial. */
export function sampleRow(dist: Distribution, seed: number, d: number, trial: number): Float32Array {
  const rng = new Rng(mixSeed(seed, d, trial));
  const x = new Float32Array(d);
  if (dist === "uniform") for (let i = 0; i < d; i++) x[i] = rng.between(-1, 1);
  else if (dist === "uniform01") for (let i = 0; i < d; i++) x[i] = rng.uniform();
  else {
    for (let i = 0; i < d; i++) x[i] = rng.normal();
    if (dist === "llm") for (const o of outlierChannels(seed, d)) x[o.index] = o.value + rng.normal();
  }
  return x;
}
