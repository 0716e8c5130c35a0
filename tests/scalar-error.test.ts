// Accuracy of a ≈ 1/√m against float64, for each preset and λ policy, and for FISR.
// By exact power-of-two scaling (a(4m) = a(m)/2 bit for bit) the error depends only
// on the significand of m and the parity of its exponent, so a dense sweep of
// m ∈ [1, 4) finds the worst case; a random sample over all exponents confirms it.
import { describe, expect, it } from "vitest";
import { fisr, rsqrt, type InverseNormOptions } from "iterl2norm";
import { PAPER_A_BOUND, PRECISE_A_BOUND, fromBits, rng } from "./helpers.js";

/** Every 64th f32 in [1, 4): 262 144 values. */
const dense = (() => {
  const lo = 0x3f800000;
  const hi = 0x40800000;
  const m = new Float32Array((hi - lo) / 64);
  for (let i = 0; i < m.length; i++) m[i] = fromBits(lo + 64 * i);
  return m;
})();

/** 1e5 random positive normal floats with exponents in [−120, 120]. */
const wide = (() => {
  const next = rng(3);
  const m = new Float32Array(100_000);
  for (let i = 0; i < m.length; i++)
    m[i] = fromBits(((7 + Math.floor(next() * 241)) << 23) | Math.floor(next() * 2 ** 23));
  return m;
})();

function worstRelative(m: Float32Array, a: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < m.length; i++) worst = Math.max(worst, Math.abs(a[i]! * Math.sqrt(m[i]!) - 1));
  return worst;
}

describe("relative error of a after the default 5 steps", () => {
  it.each<[string, InverseNormOptions, number, number]>([
    // [name, options, lower, upper]: the lower bound checks that the method really is the one named.
    ["paper preset (λ = 0.345·2^−e): ≈3.5e-3", { preset: "paper" }, 3e-3, PAPER_A_BOUND],
    ["precise preset (Newton, λ·m = 1/2): f32-limited", { preset: "precise" }, 0, PRECISE_A_BOUND],
    ["λ = 2^−(e+1) (pow2): ≈1.5e-2", { lambda: "pow2" }, 1e-2, 2e-2],
  ])("%s", (_name, opts, lower, upper) => {
    const worstDense = worstRelative(dense, rsqrt(dense, opts));
    const worstWide = worstRelative(wide, rsqrt(wide, opts));
    expect(worstDense).toBeLessThanOrEqual(upper);
    expect(worstDense).toBeGreaterThanOrEqual(lower);
    expect(worstWide).toBeLessThanOrEqual(worstDense * (1 + 1e-6) + 1e-7);
  });

  it("converges monotonically in the number of steps for the paper preset", () => {
    let previous = Infinity;
    for (let n = 0; n <= 5; n++) {
      const worst = worstRelative(dense, rsqrt(dense, { iterations: n }));
      expect(worst).toBeLessThan(previous);
      previous = worst;
    }
  });
});

describe("FISR relative error (Quake III 0x5f3759df)", () => {
  // Published worst cases: 1.75e-3 after one Newton step, 4.6e-6 after two (Lomont 2003).
  it("1 step: ≤ 1.76e-3", () => {
    const worst = worstRelative(dense, fisr(dense, { steps: 1 }));
    expect(worst).toBeLessThanOrEqual(1.76e-3);
    expect(worst).toBeGreaterThan(1.7e-3);
  });
  it("2 steps: ≤ 4.8e-6", () => {
    const worst = worstRelative(dense, fisr(dense, { steps: 2 }));
    expect(worst).toBeLessThanOrEqual(4.8e-6);
    expect(worst).toBeGreaterThan(4e-6);
  });
});
