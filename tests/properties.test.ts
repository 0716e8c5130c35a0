// Property tests (fast-check) against float64: output norm, shift invariance,
// scale invariance. Bounds come from helpers.layerNormBound (see its derivation).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { l2Normalize, layerNorm, reference } from "iterl2norm";
import { U32, aBound, firstBitDifference, layerNormBound, worstExcess } from "./helpers.js";

const PRESETS = ["paper", "precise"] as const;

/** Rows of 2..48 f32 values in ±1e3 that are not all equal (so the truth is well defined). */
const row = fc
  .integer({ min: 2, max: 48 })
  .chain((dim) =>
    fc.float32Array({ minLength: dim, maxLength: dim, min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }),
  )
  .filter((x) => x.some((v) => v !== x[0]) && x.some((v) => Math.abs(v) > 1e-3));

describe("properties vs float64", () => {
  it.each(PRESETS)("L2 output has norm 1 within εa + (d + 4)·u (%s)", (preset) => {
    fc.assert(
      fc.property(row, (x) => {
        const out = l2Normalize(x, { dim: x.length, preset });
        let s = 0;
        for (const v of out) s += v * v;
        // ‖out‖ = ã·‖x‖(1 ± (d+2)u/2) and each out_i carries one more rounding: ‖out‖ − 1 ≤ εa + (d/2 + 3)u.
        expect(Math.abs(Math.sqrt(s) - 1)).toBeLessThanOrEqual(aBound(preset) + (x.length / 2 + 3) * U32);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it.each(PRESETS)("LayerNorm output has mean 0 and mean square 1 within the element bounds (%s)", (preset) => {
    fc.assert(
      fc.property(row, (x) => {
        const dim = x.length;
        const out = layerNorm(x, { dim, preset, eps: 0 });
        const truth = reference.layerNormExact(x, { dim, eps: 0 });
        const bound = layerNormBound(x, 0, aBound(preset));
        expect(worstExcess(out, truth, bound)).toBeLessThanOrEqual(0);
        let mean = 0;
        let sq = 0;
        let slack = 0;
        for (let i = 0; i < dim; i++) {
          mean += out[i]!;
          sq += out[i]! ** 2;
          slack += bound[i]!;
        }
        // The truth has mean 0 and mean square 1 exactly; the output differs by at most bound_i per element.
        expect(Math.abs(mean / dim)).toBeLessThanOrEqual(slack / dim + 1e-12);
        expect(Math.abs(sq / dim - 1)).toBeLessThanOrEqual(
          (2 * Math.sqrt(dim) * Math.sqrt((slack * slack) / dim) + slack * slack) / dim + 2 * aBound(preset),
        );
      }),
      { numRuns: 300, seed: 43 },
    );
  });

  it.each(PRESETS)(
    "shift invariance: LN(x + c) matches the truth of LN(x) up to the rounding of x + c (%s)",
    (preset) => {
      fc.assert(
        fc.property(row, fc.float({ min: -1e4, max: 1e4, noNaN: true }), (x, c) => {
          const dim = x.length;
          const xs = x.map((v) => v + c);
          const out = layerNorm(xs, { dim, preset, eps: 0 });
          const truth = reference.layerNormExact(x, { dim, eps: 0 });
          // Rounding x_i + c moves each y_i by ≤ u·|x_i + c| (+ the same for μ): add √d/√m·2u·max|x + c|.
          let m = 0;
          let mu = 0;
          for (const v of x) mu += v;
          mu /= dim;
          for (const v of x) m += (v - mu) ** 2;
          let big = 0;
          for (const v of xs) big = Math.max(big, Math.abs(v));
          const shiftError = (Math.sqrt(dim) / Math.sqrt(m)) * 2 * U32 * big * (1 + aBound(preset));
          const bound = layerNormBound(xs, 0, aBound(preset)).map((b) => b + shiftError);
          expect(worstExcess(out, truth, bound)).toBeLessThanOrEqual(0);
        }),
        { numRuns: 300, seed: 44 },
      );
    },
  );

  it.each(PRESETS)("scale invariance: LN(2^k·x) has exactly the bits of LN(x) when eps = 0 (%s)", (preset) => {
    fc.assert(
      fc.property(row, fc.integer({ min: -40, max: 40 }), (x, k) => {
        const dim = x.length;
        const scaled = x.map((v) => v * 2 ** k);
        // Exact scaling needs every scaled value, and every square of a difference, to stay normal.
        fc.pre(scaled.every((v, i) => v / 2 ** k === x[i] && (v === 0 || Math.abs(v) >= 2 ** -60)));
        const a = layerNorm(x, { dim, preset, eps: 0 });
        const b = layerNorm(scaled, { dim, preset, eps: 0 });
        expect(firstBitDifference(a, b)).toBe(-1);
      }),
      { numRuns: 300, seed: 45 },
    );
  });

  it.each(PRESETS)("scale invariance for any s > 0: LN(s·x) within bound of the truth of LN(x) (%s)", (preset) => {
    fc.assert(
      fc.property(row, fc.float({ min: Math.fround(1e-3), max: Math.fround(1e3), noNaN: true }), (x, s) => {
        const dim = x.length;
        const xs = x.map((v) => v * s);
        const out = layerNorm(xs, { dim, preset, eps: 0 });
        const truth = reference.layerNormExact(x, { dim, eps: 0 });
        // Rounding s·x_i is a relative u per element: y moves by ≤ u·(|x_i| + max|x|)·s; scale-free after ã.
        let mu = 0;
        for (const v of xs) mu += v;
        mu /= dim;
        let m = 0;
        for (const v of xs) m += (v - mu) ** 2;
        let big = 0;
        for (const v of xs) big = Math.max(big, Math.abs(v));
        const scaleError = (Math.sqrt(dim) / Math.sqrt(m)) * 2 * U32 * big * (1 + aBound(preset));
        const bound = layerNormBound(xs, 0, aBound(preset)).map((b) => b + scaleError);
        expect(worstExcess(out, truth, bound)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 300, seed: 46 },
    );
  });
});
