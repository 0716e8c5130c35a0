/**
 * The row statistics of assembly/rows.ts emulated in plain TS with f32 rounding
 * (Math.fround at every operation, the kernel's summation order: reference.kernelSum), plus the two
 * fused one-pass forms the kernel does not use, so the precision study can compare
 * the formulas on equal terms. bench/suite-precision.ts checks that the two-pass
 * emulation reproduces the kernel's outputs bit for bit.
 */

import { reference } from "iterl2norm";

const f = Math.fround;

/** What each value contributes: x − c, or (x − c)². */
export type Term = "sum" | "squares";

/** Σ term(x_i) over x[o … o+n) in the kernel's order (reference.kernelSum), every operation in f32. */
export function reduceF32(x: Float32Array, o: number, n: number, c: number, kind: Term): number {
  const term =
    kind === "sum"
      ? (i: number): number => f(x[o + i]! - c)
      : (i: number): number => {
          const y = f(x[o + i]! - c);
          return f(y * y);
        };
  return reference.kernelSum(n, term);
}

/** The centring y = (x − c) − err (docs/design.md §1 step 2; err = 0 for one shift) and m of one row. */
export interface RowStats {
  readonly c: number;
  readonly err: number;
  readonly m: number;
}

/**
 * The kernel's form: δ = Σ(x − x₀)·(1/d), c = x₀ + δ, then q = Σ(x − c)² (two passes) and
 * m = q − P with the centring rule's correction P (reference.centreRow).
 */
export function twoPass(x: Float32Array, o: number, d: number): RowStats {
  const invD = f(1 / d);
  const x0 = x[o]!;
  const delta = f(reduceF32(x, o, d, x0, "sum") * invD);
  const { c, err, q } = reference.centreRow(x0, delta, f(d), f, (about) => reduceF32(x, o, d, about, "squares"));
  return { c, err, m: q };
}

/** One pass about a shift K: S1 = Σ(x − K), S2 = Σ(x − K)², μ = K + S1/d, m = S2 − S1·(S1/d). */
export function onePass(x: Float32Array, o: number, d: number, k: number): RowStats {
  const invD = f(1 / d);
  const s1 = reduceF32(x, o, d, k, "sum");
  const s2 = reduceF32(x, o, d, k, "squares");
  const delta = f(s1 * invD);
  return { c: f(k + delta), err: 0, m: f(s2 - f(s1 * delta)) };
}

/**
 * A shift near μ from a sample: the mean of 8 blocks of 4 values at j·⌊d/8⌋ (d ≥ 32),
 * of the first 4 values (4 ≤ d < 32), or x₀, summed as a balanced tree in f32.
 */
export function sampledShift(x: Float32Array, o: number, d: number): number {
  const block = (start: number): number[] => [0, 1, 2, 3].map((l) => x[o + start + l]!);
  const add = (a: number[], b: number[]): number[] => a.map((v, l) => f(v + b[l]!));
  const lanes = (v: number[]): number => f(f(v[0]! + v[1]!) + f(v[2]! + v[3]!));
  if (d >= 32) {
    const s = d >> 3;
    const b = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => block(j * s));
    const tree = add(add(add(b[0]!, b[1]!), add(b[2]!, b[3]!)), add(add(b[4]!, b[5]!), add(b[6]!, b[7]!)));
    return f(lanes(tree) * 0.03125);
  }
  if (d >= 4) return f(lanes(block(0)) * 0.25);
  return x[o]!;
}

/**
 * LayerNorm of one row with method 'sqrt', γ = 1, β = 0 and ε = 0 from the two-pass
 * statistics, as the kernel computes it: a = 1/√m, s = √d·a, out_i = ((x_i − c) − err)·s.
 * Valid for rows whose m lies in the kernel's direct range [2^−64, ∞).
 */
export function layerNormSqrtF32(x: Float32Array, o: number, d: number, out: Float32Array): void {
  const { c, err, m } = twoPass(x, o, d);
  const s = f(f(Math.sqrt(d)) * f(1 / f(Math.sqrt(m))));
  for (let i = 0; i < d; i++) out[o + i] = f(f(f(x[o + i]! - c) - err) * s);
}
