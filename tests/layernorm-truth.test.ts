// Accuracy against the float64 ground truth, per element, with the bound derived
// in helpers.layerNormBound from the relative error εa of a (4e-3 paper, 3e-7
// precise) and the f32 rounding of μ, Σy² and the output operations.
import { describe, expect, it } from "vitest";
import { l2Normalize, layerNorm, reference, type NormalizeOptions } from "iterl2norm";
import { U32, aBound, layerNormBound, normalRows, rng, worstExcess } from "./helpers.js";

const CASES: [string, number, number, number][] = [
  // [name, dim, mean, sd]
  ["N(0,1), d = 768", 768, 0, 1],
  ["N(0,1), d = 1027 (not a multiple of 4)", 1027, 0, 1],
  ["N(100, 0.5²): large mean, d = 256", 256, 100, 0.5],
  ["N(0, 1e-3²), d = 12288", 12288, 0, 1e-3],
  ["N(0, 1e4²), d = 5", 5, 0, 1e4],
];

describe("LayerNorm vs float64 truth", () => {
  it.each(CASES)("%s", (_name, dim, mean, sd) => {
    const rows = 4;
    const x = normalRows(dim + Math.round(sd * 1000), rows, dim, mean, sd);
    const gamma = normalRows(11, 1, dim);
    const beta = normalRows(12, 1, dim);
    for (const preset of ["paper", "precise"] as const) {
      for (const eps of [0, 1e-5]) {
        const opts: NormalizeOptions = { dim, gamma, beta, preset, eps };
        const got = layerNorm(x, opts);
        const truth = reference.layerNormExact(x, opts);
        for (let r = 0; r < rows; r++) {
          const bound = layerNormBound(x.subarray(r * dim, (r + 1) * dim), eps, aBound(preset), gamma, beta);
          expect(worstExcess(got, truth, bound, r * dim)).toBeLessThanOrEqual(0);
        }
      }
    }
  });

  it("has a worst relative scale error near the preset's εa, not far below (the method is really the paper's)", () => {
    // With γ = 1, β = 0 the output is √d·a·y; out/truth − 1 is the relative error of a.
    const dim = 64;
    const rows = 2000;
    const x = normalRows(77, rows, dim);
    const got = layerNorm(x, { dim, eps: 0 });
    const truth = reference.layerNormExact(x, { dim, eps: 0 });
    let worst = 0;
    for (let r = 0; r < rows; r++) worst = Math.max(worst, Math.abs(got[r * dim]! / truth[r * dim]! - 1));
    expect(worst).toBeGreaterThan(2e-3);
    expect(worst).toBeLessThanOrEqual(aBound("paper") + (dim + 8) * U32);
  });
});

describe("L2 vs float64 truth", () => {
  it.each([1, 3, 384, 1536])("dim = %i: ‖out‖ = 1 and out ∥ x within εa + (d + 4)·u", (dim) => {
    const next = rng(dim);
    const rows = 16;
    const x = new Float32Array(rows * dim).map(() => next() * 2 - 1);
    for (const preset of ["paper", "precise"] as const) {
      const got = l2Normalize(x, { dim, preset });
      const truth = reference.l2NormalizeExact(x, { dim });
      // out_i = x_i·ã, ã = (1/‖x‖)(1 + δ), |δ| ≤ εa + ½(d + 2)u; one more rounding in the product.
      const tol = aBound(preset) + (0.5 * (dim + 2) + 2) * U32;
      for (let i = 0; i < x.length; i++) {
        expect(Math.abs(got[i]! - truth[i]!)).toBeLessThanOrEqual(tol * Math.abs(truth[i]!) + 2 ** -149);
      }
    }
  });
});

describe("FISR variants inside the row kernel", () => {
  // Each variant's worst relative error of a (docs/precision.md, measured over [1, 4)) bounds the
  // output's relative error, plus f32 roundings: Quake 1.76e-3, Kadlec 6.6e-4, Walczyk 8.8e-4 (1 step).
  it.each([
    ["quake", 1.76e-3],
    ["kadlec", 6.6e-4],
    ["walczyk", 8.8e-4],
  ] as const)("%s, 1 step: output within its constant's error of the truth", (variant, epsA) => {
    const dim = 768;
    const x = normalRows(21, 8, dim);
    const got = layerNorm(x, { dim, method: "fisr", fisr: { variant } });
    const truth = reference.layerNormExact(x, { dim });
    for (let r = 0; r < 8; r++) {
      expect(
        worstExcess(got, truth, layerNormBound(x.subarray(r * dim, (r + 1) * dim), 1e-5, epsA), r * dim),
      ).toBeLessThanOrEqual(0);
    }
  });
});
