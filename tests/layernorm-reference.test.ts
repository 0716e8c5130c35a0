// The wasm row kernels against the plain-TS reference of the same spec
// (reference.layerNormIter / l2NormalizeIter). Both sum in the one order of
// assembly/sum.ts (the reference through reference.kernelSum), so:
// - on rows whose sums are exact in any order they agree bit for bit;
// - on random rows they agree bit for bit as well, and (checked separately, so the
//   bound holds for any order) both stay within the derived bound of the float64
//   truth (layernorm-truth.test.ts) and within the sum of those bounds of each other;
// - the emulated order itself: its summation depth and error bound.
import { describe, expect, it } from "vitest";
import { l2Normalize, layerNorm, reference, type NormalizeOptions } from "iterl2norm";
import { aBound, exactSumRows, firstBitDifference, layerNormBound, normalRows, worstExcess } from "./helpers.js";

const DIMS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 64, 100, 768, 1027];

describe("bit-identical to the reference when the sums are exact", () => {
  it.each(DIMS)("LayerNorm, both presets, dim = %i", (dim) => {
    const x = exactSumRows(dim, 6, dim);
    const gamma = normalRows(dim + 1, 1, dim);
    const beta = normalRows(dim + 2, 1, dim);
    for (const preset of ["paper", "precise"] as const) {
      const opts: NormalizeOptions = { dim, gamma, beta, preset, eps: 0 };
      expect(firstBitDifference(layerNorm(x, opts), reference.layerNormIter(x, opts))).toBe(-1);
      const withEps = { ...opts, eps: 1e-5 };
      expect(firstBitDifference(layerNorm(x, withEps), reference.layerNormIter(x, withEps))).toBe(-1);
    }
  });

  it.each(DIMS)("L2 on integer rows, dim = %i", (dim) => {
    const x = exactSumRows(dim + 7, 6, dim);
    for (const preset of ["paper", "precise"] as const) {
      const opts = { dim, preset };
      expect(firstBitDifference(l2Normalize(x, opts), reference.l2NormalizeIter(x, opts))).toBe(-1);
    }
  });

  it.each([
    ["sqrt", { method: "sqrt" }],
    ["fisr 1 step", { method: "fisr" }],
    ["fisr 2 steps, Lomont", { method: "fisr", fisr: { magic: 0x5f375a86, steps: 2 } }],
    ["fisr 1 step, Kadlec", { method: "fisr", fisr: { variant: "kadlec" } }],
    ["fisr 2 steps, Walczyk", { method: "fisr", fisr: { variant: "walczyk", steps: 2 } }],
    ["lambda pow2", { lambda: "pow2" }],
    ["lambda c = 0.3, 8 steps", { lambda: 0.3, iterations: 8 }],
  ] as const)("the other methods and policies: %s", (_name, extra) => {
    const dim = 37;
    const x = exactSumRows(99, 5, dim);
    const opts = { dim, ...extra } as NormalizeOptions;
    expect(firstBitDifference(layerNorm(x, opts), reference.layerNormIter(x, opts))).toBe(-1);
  });
});

describe("close to the reference on random rows", () => {
  it.each([3, 64, 767, 4096])("LayerNorm N(3, 2²) rows, dim = %i", (dim) => {
    const rows = 8;
    const x = normalRows(dim * 3, rows, dim, 3, 2);
    const gamma = normalRows(5, 1, dim);
    const beta = normalRows(6, 1, dim);
    for (const preset of ["paper", "precise"] as const) {
      const opts: NormalizeOptions = { dim, gamma, beta, preset };
      const got = layerNorm(x, opts);
      const ref = reference.layerNormIter(x, opts);
      for (let r = 0; r < rows; r++) {
        const row = x.subarray(r * dim, (r + 1) * dim);
        // Each is within `bound` of the truth, so they are within 2·bound of each other.
        const bound = layerNormBound(row, 1e-5, aBound(preset), gamma, beta).map((b) => 2 * b);
        expect(worstExcess(got, ref, bound, r * dim)).toBeLessThanOrEqual(0);
      }
    }
  });
});

describe("bit-identical to the reference on random rows (the one summation order)", () => {
  // d covers the tail alone, leftover vectors alone, partial chunks, the chunk boundary
  // 512 ± 1, and several chunks with remainders mod 16 of 0, 3 and 13.
  it.each([3, 7, 29, 100, 511, 512, 513, 1024, 1027, 2061])("LayerNorm and L2, N(3, 2²) rows, dim = %i", (dim) => {
    const x = normalRows(dim * 5 + 1, 4, dim, 3, 2);
    const gamma = normalRows(dim + 3, 1, dim, 1, 0.3);
    for (const preset of ["paper", "precise"] as const) {
      const opts: NormalizeOptions = { dim, gamma, preset };
      expect(firstBitDifference(layerNorm(x, opts), reference.layerNormIter(x, opts))).toBe(-1);
      const l2 = { dim, preset };
      expect(firstBitDifference(l2Normalize(x, l2), reference.l2NormalizeIter(x, l2))).toBe(-1);
    }
  });
});

describe("the emulated summation order (reference.kernelSum)", () => {
  /**
   * The longest path from a term to the result, measured by running the order on path
   * lengths instead of values: a value v > 0 stands for "terms reach here in at most
   * v − 1 additions", 0 for "no term yet" (the starting accumulators).
   */
  const measuredDepth = (n: number, chunk?: number): number => {
    const add = (a: number, b: number): number => (a === 0 && b === 0 ? 0 : Math.max(a, b) + 1);
    return Math.max(0, reference.kernelSum(n, () => 1, add, chunk) - 1);
  };

  it("summationDepth is the measured depth: every n up to 1100, chunk boundaries, and one whole-row chunk", () => {
    for (let n = 0; n <= 1100; n++) expect(reference.summationDepth(n), `n=${n}`).toBe(measuredDepth(n));
    for (const n of [1535, 1536, 1537, 4096, 12288]) expect(reference.summationDepth(n)).toBe(measuredDepth(n));
    for (const n of [5, 100, 1027, 4096]) {
      const chunk = reference.chunkOf(true, n);
      expect(reference.summationDepth(n, chunk)).toBe(measuredDepth(n, chunk));
    }
    // The figures assembly/sum.ts states for the f32 chunk of 512.
    expect(reference.summationDepth(1024)).toBe(38);
    expect(reference.summationDepth(12288)).toBe(60);
  });

  it("every term is added exactly once (terms 1 … n, summed exactly in float64, give n(n+1)/2)", () => {
    for (const n of [0, 1, 5, 16, 31, 100, 515, 1100]) {
      expect(
        reference.kernelSum(
          n,
          (i) => i + 1,
          (a, b) => a + b,
        ),
      ).toBe((n * (n + 1)) / 2);
      expect(
        reference.kernelSum(
          n,
          (i) => i + 1,
          (a, b) => a + b,
          reference.chunkOf(true, n),
        ),
      ).toBe((n * (n + 1)) / 2);
    }
  });

  it("the f32 sum of random terms is within γ_depth·Σ|t_i| of the exact sum", () => {
    const u = 2 ** -24;
    for (const n of [17, 700, 3000]) {
      const t = normalRows(n, 1, n, 0.5, 3);
      let exact = 0;
      let abs = 0;
      for (const v of t) {
        exact += v;
        abs += Math.abs(v);
      }
      const depth = reference.summationDepth(n);
      const gamma = (depth * u) / (1 - depth * u);
      expect(Math.abs(reference.kernelSum(n, (i) => t[i]!) - exact)).toBeLessThanOrEqual(gamma * abs);
    }
  });

  it("rejects a bad length or chunk by name", () => {
    expect(() => reference.kernelSum(-1, () => 0)).toThrow(/n must be a non-negative integer; got -1/);
    const badChunk = /chunk must be a positive multiple of 16 or at least n = 100; got 24/;
    expect(() => reference.kernelSum(100, () => 0, reference.addF32, 24)).toThrow(badChunk);
    expect(() => reference.summationDepth(2.5)).toThrow(RangeError);
  });
});
