// Rows of small spread about a large offset (docs/design.md §1 steps 1–3): the rounding err
// of the mean c = fl(x₀ + δ) is subtracted as a second shift, y_i = fl(fl(x_i − c) − err), and
// Σy² corrected by d·err², so the centred values carry only roundings of their own size. With
// every y_i centred by c alone, a row of unit spread about 1e7 (f32 spacing 1 there) was off
// by up to ~5e-2.
import { describe, expect, it } from "vitest";
import { layerNorm, reference, roundBF16, roundFP16, type NormalizeOptions } from "iterl2norm";
import { normalRows } from "./helpers.js";

/** Largest |got − truth| − bound_i over all elements (≤ 0: every element within its bound). */
function excess(got: ArrayLike<number>, truth: ArrayLike<number>, bound: (i: number) => number): number {
  let worst = -Infinity;
  for (let i = 0; i < truth.length; i++) worst = Math.max(worst, Math.abs(got[i]! - truth[i]!) - bound(i));
  return worst;
}

const ROWS = 8;

describe("FP32, precise preset: within 1e-6·(1 + |truth|) of float64 for offsets up to 1e7·σ", () => {
  // Offsets 1e3…1e7 with σ = 1, and the same ratio at other scales (σ = 1e-3 and 1e3).
  const cases: [number, number][] = [1e3, 1e4, 1e5, 1e6, 1e7].map((offset) => [offset, 1]);
  cases.push([1e4, 1e-3], [1e10, 1e3]);
  for (const dim of [768, 1024]) {
    it.each(cases)(`d = ${dim}, offset %d, σ = %d: layerNorm and the plain-TS reference`, (offset, sd) => {
      const x = normalRows(dim * 31 + Math.log10(offset) * 7 + Math.log10(sd), ROWS, dim, offset, sd);
      const opts: NormalizeOptions = { dim, preset: "precise" };
      const truth = reference.layerNormExact(x, opts);
      const bound = (i: number): number => 1e-6 * (1 + Math.abs(truth[i]!));
      expect(excess(layerNorm(x, opts), truth, bound)).toBeLessThanOrEqual(0);
      expect(excess(reference.layerNormIter(x, opts), truth, bound)).toBeLessThanOrEqual(0);
    });
  }

  it("a constant row at 1e7 still gives β exactly (x − x₀ = 0, δ = 0)", () => {
    const dim = 768;
    const x = new Float32Array(dim).fill(1e7 + 4);
    const beta = normalRows(5, 1, dim);
    const opts: NormalizeOptions = { dim, preset: "precise", beta };
    expect(Array.from(layerNorm(x, opts))).toEqual(Array.from(beta));
    expect(Array.from(reference.layerNormIter(x, opts))).toEqual(Array.from(beta));
  });
});

describe("BF16/FP16: offsets cost no more than the format's own rounding", () => {
  // Truth: float64 LayerNorm of the F-rounded input (γ = 1, β = 0). With the offset
  // within a factor 2 of every value, w_i − c is exact in F (Sterbenz) and err is exact
  // (TwoSum), so y_i = R((w_i − c) − err) = R(w_i − (w₀ + δ)) is off by its own rounding
  // u·|y_i| and by δ's, u·|δ| (+ the f32 sum's, far below), and δ·√d/√m is the truth of
  // element 0: the shift is felt as u·|truth₀| at most, doubled for margin. The
  // per-element path rounds at most ~8 times (y, m, ~3 in the precise scalar path, √d,
  // √d·a, y·s), each relative u to a quantity ≤ |truth_i|(1 + O(u)): 10·u·|truth_i|, with
  // 2u to spare for m's dropped term −2·err·r (r = S − d·δ, up to d·u·|δ|): relative
  // 2u²·|c|·|δ|/σ², about 1.5u at most here (FP16, offset 500σ). u = 2^-8 (BF16), 2^-11 (FP16).
  // With μ rounded to F, the error would be u·|μ|·√d/√m ≈ u·offset/σ: 32u to 500u here.
  const cases = [
    ["bf16", 2 ** -8, roundBF16, [32, 100]],
    ["fp16", 2 ** -11, roundFP16, [100, 500]],
  ] as const;
  for (const [format, u, R, ratios] of cases) {
    for (const ratio of ratios) {
      it(`${format}, offset ${ratio}·σ, d = 1024, fp32 and native accumulation`, () => {
        const dim = 1024;
        const sd = 3;
        const x = Float32Array.from(normalRows(ratio * 13 + u * 1e4, ROWS, dim, ratio * sd, sd), R);
        const truth = reference.layerNormExact(x, { dim, eps: 0 });
        const bound = (i: number): number => u * (10 * Math.abs(truth[i]!) + 2 * Math.abs(truth[i - (i % dim)]!));
        for (const accumulate of ["fp32", "native"] as const) {
          const opts: NormalizeOptions = { dim, format, accumulate, preset: "precise", eps: 0 };
          expect(excess(layerNorm(x, opts), truth, bound)).toBeLessThanOrEqual(0);
          expect(excess(reference.layerNormIter(x, opts), truth, bound)).toBeLessThanOrEqual(0);
        }
      });
    }
  }
});
