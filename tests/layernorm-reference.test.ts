// The wasm row kernels against the plain-TS reference of the same spec
// (reference.layerNormIter / l2NormalizeIter). The two differ only in the order
// of their f32 reductions (wasm: f32x4 lanes; reference: index order), so:
// - on rows whose sums are exact in any order they agree bit for bit;
// - on random rows both stay within the derived bound of the float64 truth
//   (layernorm-truth.test.ts) and within the sum of those bounds of each other.
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
