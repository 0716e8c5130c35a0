/**
 * Test helpers: row builders, f32 bit tools and the error bounds the tests assert.
 * Every bound is derived in its doc comment. Random numbers come from the one
 * seeded generator (bench/random.ts) and bit casts from js/bits.ts.
 */
import { f32Bits, f32FromBits } from "../js/bits.js";
import { normalRows as seededNormalRows, Rng } from "../bench/random.js";

/** Unit roundoff of f32 (round to nearest): 2^−24. */
export const U32 = 2 ** -24;

/** Worst relative error of a after 5 steps of the paper preset (3.52e-3 measured, docs/design.md §1.1). */
export const PAPER_A_BOUND = 4e-3;

/** Worst relative error of a after 5 Newton steps (`precise`): f32-rounding-limited (docs/design.md §1.1). */
export const PRECISE_A_BOUND = 3e-7;

/**
 * Uniforms in [0, 1) from the project's one seeded generator (bench/random.ts Rng).
 * Tests derive seeds from their parameters (d·17 + σ, …), so a seed is any number,
 * truncated to a 32-bit unsigned integer.
 */
export function rng(seed: number): () => number {
  const r = new Rng(seed >>> 0);
  return () => r.uniform();
}

/** rows × dim values N(mean, sd²), rounded to f32 (bench/random.ts; the seed as for rng). */
export function normalRows(seed: number, rows: number, dim: number, mean = 0, sd = 1): Float32Array {
  return seededNormalRows(seed >>> 0, rows, dim, mean, sd);
}

/**
 * Rows whose every sum is exact in f32, whatever the order: the first element c
 * is the row's mean and the others are c ± k pairs (plus c when needed), all small
 * integers. Then Σ(x − x₀) = 0 exactly, μ = c exactly, y are integers and Σy² is an
 * integer below 2^24, so any two summation orders give the same bits.
 */
export function exactSumRows(seed: number, rows: number, dim: number): Float32Array {
  const next = rng(seed);
  const x = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const c = Math.floor(next() * 200) - 100;
    const vals: number[] = [];
    while (vals.length + 2 <= dim - 1) {
      const k = 1 + Math.floor(next() * 30);
      vals.push(c + k, c - k);
    }
    while (vals.length < dim - 1) vals.push(c);
    for (let i = vals.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [vals[i], vals[j]] = [vals[j]!, vals[i]!];
    }
    x[r * dim] = c;
    for (let i = 0; i < dim - 1; i++) x[r * dim + 1 + i] = vals[i]!;
  }
  return x;
}

/** The f32 bit pattern of x, and the f32 of a bit pattern (js/bits.ts). */
export { f32Bits as bitsOf, f32FromBits as fromBits };

/** Index of the first element where two arrays differ in bits (NaN equals NaN), or −1. */
export function firstBitDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (f32Bits(x) !== f32Bits(y)) return i;
  }
  return -1;
}

/**
 * Per-element bound on |out_i − truth_i| for a LayerNorm row computed in f32 by
 * the kernel's algorithm, with relative error εa of a against 1/√m̃ for the m̃ it saw:
 *
 *   μ̃: the shifted sum of d terms has error ≤ (d+1)·u·Σ|x_i − x₀| (Higham, recursive or
 *       blocked summation), the ·(1/d) and + x₀ add u·|Σ|/d and u·|μ|:
 *       |δμ| ≤ u·|μ| + (d + 3)·u·Σ|x_i − x₀|/d.
 *   m̃: y_i rounded (u), squared (u), summed ((d−1)·u), the ε term added (u), plus
 *       d·δμ² (first order vanishes since Σy = 0): rel_m ≤ (d + 4)·u + d·δμ²/m.
 *   a:  |ã − 1/√m|·√m ≤ εa + ½·rel_m + u (the √d·a product).
 *   out: γ·√d·a·(y_i + δμ) with three rounded operations after it (×, ×, +).
 *
 *   |δout_i| ≤ |γ_i|·√d/√m·(|y_i|·(εa + ½·rel_m + 3u) + |δμ|·(1 + εa)) + u·(|out_i| + |β_i|) + 2^−149
 */
export function layerNormBound(
  row: Float32Array,
  eps: number,
  epsA: number,
  gamma?: Float32Array,
  beta?: Float32Array,
): Float64Array {
  const d = row.length;
  const x0 = row[0]!;
  let mu = 0;
  let spread = 0;
  for (let i = 0; i < d; i++) {
    mu += row[i]!;
    spread += Math.abs(row[i]! - x0);
  }
  mu /= d;
  let ss = 0;
  for (let i = 0; i < d; i++) ss += (row[i]! - mu) ** 2;
  const m = ss + d * eps;
  const dMu = U32 * Math.abs(mu) + ((d + 3) * U32 * spread) / d;
  const relM = (d + 4) * U32 + (m > 0 ? (d * dMu * dMu) / m : 0);
  const k = m > 0 ? Math.sqrt(d) / Math.sqrt(m) : 0;
  const bound = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const g = gamma ? Math.abs(gamma[i]!) : 1;
    const b = beta ? Math.abs(beta[i]!) : 0;
    const y = Math.abs(row[i]! - mu);
    const out = g * k * y + b;
    bound[i] = g * k * (y * (epsA + 0.5 * relM + 3 * U32) + dMu * (1 + epsA)) + U32 * (out + b) + 2 ** -149;
  }
  return bound;
}

/** Largest |a_i − b_i| − bound_i over a row (≤ 0 means every element is within its bound). */
export function worstExcess(a: ArrayLike<number>, b: ArrayLike<number>, bound: ArrayLike<number>, offset = 0): number {
  let worst = -Infinity;
  for (let i = 0; i < bound.length; i++) worst = Math.max(worst, Math.abs(a[offset + i]! - b[offset + i]!) - bound[i]!);
  return worst;
}

/** Relative error bound εa of a for a resolved preset name. */
export function aBound(preset: "paper" | "precise"): number {
  return preset === "paper" ? PAPER_A_BOUND : PRECISE_A_BOUND;
}

/** The error fn() throws, as [class name, message]; ["none", ""] when it returns. */
export function errorOf(fn: () => unknown): [string, string] {
  try {
    fn();
  } catch (e) {
    return [(e as Error).constructor.name, (e as Error).message];
  }
  return ["none", ""];
}
