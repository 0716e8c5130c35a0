// The scalar path is bit-identical between the wasm kernel and the plain-TS
// reference, in every format (docs/design.md §1).
import { describe, expect, it } from "vitest";
import { fisr, reference, rsqrt, type InverseNormOptions } from "iterl2norm";
import { bitsOf, fromBits, rng } from "./helpers.js";

/** n positive finite f32 values with uniformly random bit patterns: every exponent, subnormals included. */
function positiveFloats(seed: number, n: number): Float32Array {
  const next = rng(seed);
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) m[i] = fromBits(1 + Math.floor(next() * 0x7f7fffff));
  return m;
}

function mismatches(m: Float32Array, opts: InverseNormOptions): number[] {
  const got = rsqrt(m, opts);
  const bad: number[] = [];
  for (let i = 0; i < m.length && bad.length < 5; i++) {
    if (bitsOf(got[i]!) !== bitsOf(reference.rsqrtIter(m[i]!, opts))) bad.push(m[i]!);
  }
  return bad;
}

describe("scalar path: wasm rsqrt vs reference.rsqrtIter", () => {
  const m = positiveFloats(1, 100_000);

  it("covers the whole exponent range, subnormals included", () => {
    let sub = 0;
    let minE = 255;
    let maxE = 0;
    for (const v of m) {
      const e = (bitsOf(v) >>> 23) & 0xff;
      if (e === 0) sub++;
      minE = Math.min(minE, e);
      maxE = Math.max(maxE, e);
    }
    expect(sub).toBeGreaterThan(0);
    expect(minE).toBe(0);
    expect(maxE).toBe(254);
  });

  it.each<[string, InverseNormOptions]>([
    ["paper preset", { preset: "paper" }],
    ["precise preset", { preset: "precise" }],
    ["lambda pow2", { lambda: "pow2" }],
    ["lambda c = 0.25, 7 steps", { lambda: 0.25, iterations: 7 }],
    ["0 steps (a0 only)", { iterations: 0 }],
    ["precise, 1 step", { preset: "precise", iterations: 1 }],
  ])("is bit-identical for 1e5 values: %s", (_name, opts) => {
    expect(mismatches(m, opts)).toEqual([]);
  });

  it("gives the same bits through the number and the Float32Array entry points", () => {
    const some = m.subarray(0, 2000);
    const batch = rsqrt(some, { preset: "paper" });
    for (let i = 0; i < some.length; i++) expect(bitsOf(rsqrt(some[i]!))).toBe(bitsOf(batch[i]!));
  });

  it("handles special values: ±0 → ±Infinity, Infinity → 0, negative and NaN → NaN", () => {
    const specials = [0, -0, Infinity, -1, -Infinity, NaN];
    const want = [Infinity, -Infinity, 0, NaN, NaN, NaN];
    specials.forEach((v, i) => {
      expect(rsqrt(v)).toBe(want[i]);
      expect(reference.rsqrtIter(v)).toBe(want[i]);
    });
  });

  it("runs the extreme exponents exactly: the smallest subnormal and the largest float", () => {
    // 1/√(2^−149) = 2^74.5 and 1/√(3.4028235e38) ≈ 5.42e−20; the precise preset is f32-accurate there.
    expect(rsqrt(2 ** -149, { preset: "precise" }) / 2 ** 74.5).toBeCloseTo(1, 6);
    expect(rsqrt(3.4028234663852886e38, { preset: "precise" }) * Math.sqrt(3.4028234663852886e38)).toBeCloseTo(1, 6);
  });

  it("starts from a0 with 0.7071 ≤ a0·√m < 1 for every m (docs/design.md §1 step 5)", () => {
    const a0 = rsqrt(m, { iterations: 0 });
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < m.length; i++) {
      const r = a0[i]! * Math.sqrt(m[i]!);
      lo = Math.min(lo, r);
      hi = Math.max(hi, r);
    }
    expect(lo).toBeGreaterThanOrEqual(Math.SQRT1_2 * (1 - 2 ** -23));
    expect(hi).toBeLessThan(1);
  });
});

describe("FISR: wasm fisr vs reference.fisr (Quake III Q_rsqrt order)", () => {
  // Every bit pattern except NaNs: JS engines need not keep a NaN's payload when it passes
  // through a number, and with 0 steps the seed of a NaN input depends on that payload.
  const next = rng(2);
  const all = new Float32Array(100_000);
  for (let i = 0; i < all.length; i++) {
    let b: number;
    do b = Math.floor(next() * 2 ** 32);
    while ((b & 0x7fffffff) > 0x7f800000);
    all[i] = fromBits(b);
  }

  it.each([
    [0x5f3759df, 1],
    [0x5f3759df, 2],
    [0x5f375a86, 1],
    [0x5f3759df, 0],
  ])(
    "is bit-identical for 1e5 arbitrary non-NaN bit patterns (negatives, ±0, ±Inf, subnormals): magic %s, %i steps",
    (magic, steps) => {
      const got = fisr(all, { magic, steps });
      let bad = 0;
      for (let i = 0; i < all.length; i++) {
        const want = reference.fisr(all[i]!, { magic, steps });
        if (!(Number.isNaN(want) && Number.isNaN(got[i]!)) && bitsOf(want) !== bitsOf(got[i]!)) bad++;
      }
      expect(bad).toBe(0);
    },
  );

  it("matches a hand evaluation of Q_rsqrt(4): seed 0x5f3759df − (0x40800000 >> 1) = 0x3ef759df", () => {
    // y0 = bits 0x3ef759df = 0.48311; x2 = 2; y1 = y0·(1.5 − (2·y0)·y0) rounded step by step in f32.
    const f = Math.fround;
    const y0 = fromBits(0x3ef759df);
    const y1 = f(y0 * f(1.5 - f(f(2 * y0) * y0)));
    expect(fisr(4, { steps: 0 })).toBe(y0);
    expect(fisr(4)).toBe(y1);
    expect(y0).toBeCloseTo(0.48311, 5);
    expect(Math.abs(y1 / 0.5 - 1)).toBeLessThan(1.76e-3);
  });
});
