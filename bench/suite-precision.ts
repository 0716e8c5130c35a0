/**
 * Precision study of the row statistics (no timing).
 *
 *  1. Error of m against the float64 Σ(x − μ)², relative, in units of u = 2⁻²⁴,
 *     for three f32 forms in the kernel's summation order (bench/stats-f32.ts):
 *     the kernel's two-pass form, and the fused one-pass form about x₀ or about
 *     a sampled shift (what a fused kernel would compute before any fallback).
 *  2. Error of the LayerNorm outputs (max |out − exact|, units of 2⁻²⁴) of the
 *     wasm kernel and of the plain-TS reference, presets 'precise' and method 'sqrt'.
 *
 * ε = 0 so the error of m is not masked by ε; γ = 1 and β = 0 so outputs are the
 * normalised values (mostly within ±4). Each study also checks that the two-pass
 * emulation reproduces the kernel's 'sqrt' outputs bit for bit, so part 1 speaks
 * for the kernel that is actually built.
 */
import { layerNorm, reference } from "iterl2norm";
import { fillRows, normal } from "./data.js";
import type { PrecisionResult } from "./results.js";
import { layerNormSqrtF32, onePass, sampledShift, twoPass } from "./stats-f32.js";

/** Unit roundoff of f32: 2^−24. */
const U = 2 ** -24;

/** A family of rows: `fill(row, seed)` writes one row. */
interface Family {
  readonly name: string;
  readonly fill: (row: Float32Array, seed: number) => void;
}

const FAMILIES: readonly Family[] = [
  { name: "normal rows (μ ~ N(0,1), σ ∈ [0.5, 2))", fill: (row, seed) => fillRows(row, row.length, seed) },
  {
    name: "large mean (10⁴ + N(0,1))",
    fill: (row, seed) => {
      const n = normal(seed);
      for (let i = 0; i < row.length; i++) row[i] = 1e4 + n();
    },
  },
  {
    // Rows about a large common offset: the kernel centres them in two shifts (docs/design.md §1 step 2);
    // with the mean rounded to f32 (spacing 1 at 10⁷) every centred value would carry up to ±0.5.
    name: "large offset (10⁷ + N(0,1))",
    fill: (row, seed) => {
      const n = normal(seed);
      for (let i = 0; i < row.length; i++) row[i] = 1e7 + n();
    },
  },
  {
    name: "tiny spread (1 + 10⁻³·N(0,1))",
    fill: (row, seed) => {
      const n = normal(seed);
      for (let i = 0; i < row.length; i++) row[i] = 1 + 1e-3 * n();
    },
  },
  {
    name: "x₀ in the tail (x₀ = 3, rest N(0,1))",
    fill: (row, seed) => {
      const n = normal(seed);
      for (let i = 0; i < row.length; i++) row[i] = n();
      row[0] = 3;
    },
  },
  {
    name: "outlier at x₀ (x₀ = 10⁴, rest N(0,1))",
    fill: (row, seed) => {
      const n = normal(seed);
      for (let i = 0; i < row.length; i++) row[i] = n();
      row[0] = 1e4;
    },
  },
  {
    name: "outliers at the sampled places (30, rest N(0,1))",
    fill: (row, seed) => {
      const n = normal(seed);
      const d = row.length;
      for (let i = 0; i < d; i++) row[i] = n();
      const stride = d >= 32 ? d >> 3 : d;
      for (let j = 0; j < 8 && j * stride < d; j++)
        for (let l = 0; l < 4 && j * stride + l < d; l++) row[j * stride + l] = 30;
    },
  },
  {
    name: "ramp (x_i = i)",
    fill: (row) => {
      for (let i = 0; i < row.length; i++) row[i] = i;
    },
  },
  {
    name: "two halves (−1 then +1, ± 10⁻²·N(0,1))",
    fill: (row, seed) => {
      const n = normal(seed);
      const h = row.length >> 1;
      for (let i = 0; i < row.length; i++) row[i] = (i < h ? -1 : 1) + 1e-2 * n();
    },
  },
];

/** float64 Σ(x − μ)² of one row (μ the float64 mean). */
function exactM(x: Float32Array, o: number, d: number): number {
  let mu = 0;
  for (let i = 0; i < d; i++) mu += x[o + i]!;
  mu /= d;
  let m = 0;
  for (let i = 0; i < d; i++) m += (x[o + i]! - mu) ** 2;
  return m;
}

function maxError(out: Float32Array, exact: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < out.length; i++) {
    const e = Math.abs(out[i]! - exact[i]!);
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

/** Runs the study for each d with `rows` rows per family; throws if the emulation and the kernel disagree. */
export function runPrecision(
  dims: readonly number[],
  rows: number,
  progress: (line: string) => void,
): PrecisionResult[] {
  const results: PrecisionResult[] = [];
  for (const dim of dims) {
    progress(`precision d=${dim} rows=${rows}`);
    for (const family of FAMILIES) {
      const x = new Float32Array(rows * dim);
      for (let r = 0; r < rows; r++) family.fill(x.subarray(r * dim, (r + 1) * dim), 1000 + r);

      const kernelSqrt = layerNorm(x, { dim, eps: 0, method: "sqrt" });
      const emulated = new Float32Array(x.length);
      for (let o = 0; o < x.length; o += dim) layerNormSqrtF32(x, o, dim, emulated);
      for (let i = 0; i < x.length; i++) {
        if (!Object.is(emulated[i], kernelSqrt[i])) {
          throw new Error(
            `precision study: the f32 emulation of the kernel differs from the kernel (${family.name}, d=${dim}, ` +
              `index ${i}: ${emulated[i]} vs ${kernelSqrt[i]})`,
          );
        }
      }

      const forms: [string, (o: number) => number][] = [
        ["m: two-pass (kernel)", (o) => twoPass(x, o, dim).m],
        ["m: one-pass x₀", (o) => onePass(x, o, dim, x[o]!).m],
        ["m: one-pass sampled", (o) => onePass(x, o, dim, sampledShift(x, o, dim)).m],
      ];
      for (const [impl, m] of forms) {
        let worst = 0;
        for (let o = 0; o < x.length; o += dim) {
          const e = exactM(x, o, dim);
          const rel = Math.abs(m(o) - e) / e;
          if (!(rel <= worst)) worst = rel;
        }
        results.push({ family: family.name, dim, rows, impl, metric: "m", error: worst / U });
      }

      const exact = reference.layerNormExact(x, { dim, eps: 0 });
      const outputs: [string, Float32Array][] = [
        ["out: kernel precise", layerNorm(x, { dim, eps: 0, preset: "precise" })],
        ["out: reference precise", reference.layerNormIter(x, { dim, eps: 0, preset: "precise" })],
        ["out: kernel sqrt", kernelSqrt],
        ["out: reference sqrt", reference.layerNormIter(x, { dim, eps: 0, method: "sqrt" })],
      ];
      for (const [impl, out] of outputs)
        results.push({ family: family.name, dim, rows, impl, metric: "output", error: maxError(out, exact) / U });
    }
  }
  return results;
}
