// The edge rules of docs/design.md §4, one named test each, for the wasm kernel and the
// plain-TS reference alike.
import { describe, expect, it } from "vitest";
import { l2Normalize, layerNorm, reference } from "iterl2norm";
import { PRECISE_A_BOUND, U32, layerNormBound, normalRows, worstExcess } from "./helpers.js";

const gamma4 = new Float32Array([2, -1, 0.5, 3]);
const beta4 = new Float32Array([0.25, -7, 1, 0]);
const impls = [
  ["wasm", layerNorm, l2Normalize],
  ["reference", reference.layerNormIter, reference.l2NormalizeIter],
] as const;

/** LayerNorm rows of the precise preset within the derived bound of the float64 truth (helpers.layerNormBound). */
function nearLayerNorm(got: Float32Array, x: Float32Array, dim: number, eps: number): void {
  const want = reference.layerNormExact(x, { dim, eps });
  for (let r = 0; r < x.length / dim; r++) {
    const bound = layerNormBound(x.subarray(r * dim, (r + 1) * dim), eps, PRECISE_A_BOUND);
    expect(worstExcess(got, want, bound, r * dim)).toBeLessThanOrEqual(0);
  }
}

/** L2 results of the precise preset: relative error εa + (d + 8)·u per element (no cancellation in x·a). */
function near(got: ArrayLike<number>, want: ArrayLike<number>, dim: number): void {
  for (let i = 0; i < want.length; i++) {
    const tol = (PRECISE_A_BOUND + (dim + 8) * U32) * Math.abs(want[i]!) + 2 ** -149;
    expect(Math.abs(got[i]! - want[i]!), `index ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol);
  }
}

describe.each(impls)("edge rules (%s)", (_name, ln, l2) => {
  it("all-zero row with eps = 0 gives β (LayerNorm) and zeros (L2), never NaN", () => {
    const x = new Float32Array(4);
    expect(Array.from(ln(x, { dim: 4, gamma: gamma4, beta: beta4, eps: 0 }))).toEqual(Array.from(beta4));
    expect(Array.from(l2(x, { dim: 4 })).map(Math.abs)).toEqual([0, 0, 0, 0]);
  });

  it("constant row with eps = 0 gives exactly β, for awkward constants and lengths", () => {
    for (const c of [0.1, -3.3e-7, 1e30, 7]) {
      for (const dim of [3, 4, 7, 1000]) {
        const x = new Float32Array(dim).fill(c);
        const beta = normalRows(dim, 1, dim);
        expect(Array.from(ln(x, { dim, beta, eps: 0 }))).toEqual(Array.from(beta));
      }
    }
  });

  it("a NaN or ±Inf value makes its row NaN and leaves the other rows untouched", () => {
    const dim = 5;
    const x = normalRows(3, 4, dim);
    const clean = ln(x, { dim });
    const bad = Float32Array.from(x);
    bad[dim + 2] = NaN;
    bad[2 * dim + 4] = Infinity;
    bad[3 * dim] = -Infinity;
    const out = ln(bad, { dim });
    expect(Array.from(out.subarray(0, dim))).toEqual(Array.from(clean.subarray(0, dim)));
    for (let i = dim; i < 4 * dim; i++) expect(out[i]).toBeNaN();
    const outL2 = l2(bad, { dim });
    expect(outL2.subarray(0, dim).every(Number.isFinite)).toBe(true);
    for (let i = dim; i < 4 * dim; i++) expect(outL2[i]).toBeNaN();
  });

  it("rows with |x| up to 3.4e38 normalise correctly (Σy² would overflow f32)", () => {
    const x = new Float32Array([3.4e38, -3.4e38, 1e38, -2e38, 3.4028234e38, 0, -1e30, 5e37]);
    nearLayerNorm(ln(x, { dim: 8, preset: "precise", eps: 0 }), x, 8, 0);
    near(l2(x, { dim: 8, preset: "precise" }), reference.l2NormalizeExact(x, { dim: 8 }), 8);
  });

  it("rows of subnormal values normalise correctly (Σy² would underflow to 0)", () => {
    const x = new Float32Array([1e-45, -3e-45, 7e-42, 1e-40, -2e-39, 5e-44, 0, 1.1e-38]);
    // The inputs are exact and scaled by an exact power of two, so only the usual f32 roundings remain.
    nearLayerNorm(ln(x, { dim: 8, preset: "precise", eps: 0 }), x, 8, 0);
    near(l2(x, { dim: 8, preset: "precise" }), reference.l2NormalizeExact(x, { dim: 8 }), 8);
  });

  it("tiny rows with a tiny eps keep the eps term (it is rescaled with the row)", () => {
    const x = new Float32Array([1e-30, -1e-30, 3e-30, 0]);
    // var ≈ 2e-60 and ε = 2^−147 ≈ 5.6e-45 (exact in f32): d·ε dominates, and d·ε·s² after the
    // rescaling by s = 2^99 is still finite, so out ≈ y/√ε; the bound holds with the same εa.
    const eps = 2 ** -147;
    nearLayerNorm(ln(x, { dim: 4, preset: "precise", eps }), x, 4, eps);
  });

  it("dim = 1: LayerNorm gives β (the row is constant), L2 gives sign(x) within a's error", () => {
    const x = new Float32Array([3, -2, 0, 1e-40]);
    const beta = new Float32Array([0.5]);
    expect(Array.from(ln(x, { dim: 1, beta, eps: 0 }))).toEqual([0.5, 0.5, 0.5, 0.5]);
    const unit = l2(x, { dim: 1, preset: "precise" });
    near([unit[0]!, unit[1]!, unit[3]!], [1, -1, 1], 1);
    expect(Math.abs(unit[2]!)).toBe(0);
  });

  it("dim not a multiple of 4 uses the scalar tail correctly", () => {
    for (const dim of [5, 6, 7, 9, 10, 11, 13]) {
      const x = normalRows(dim, 3, dim, 1, 2);
      nearLayerNorm(ln(x, { dim, preset: "precise" }), x, dim, 1e-5);
    }
  });

  it("subarray views with a nonzero byteOffset read and write only their window", () => {
    const dim = 6;
    const backing = normalRows(9, 5, dim);
    const x = backing.subarray(dim + 1, 3 * dim + 1); // 2 rows, offset 7 floats
    const copy = Float32Array.from(x);
    const outBacking = new Float32Array(5 * dim).fill(42);
    const out = outBacking.subarray(3, 3 + 2 * dim);
    ln(x, { dim, out });
    expect(Array.from(out)).toEqual(Array.from(ln(copy, { dim })));
    expect(Array.from(outBacking.subarray(0, 3))).toEqual([42, 42, 42]);
    expect(Array.from(outBacking.subarray(3 + 2 * dim))).toEqual(new Array(5 * dim - 3 - 2 * dim).fill(42));
    expect(Array.from(x)).toEqual(Array.from(copy));
  });

  it("out === x works in place and gives the same bits as a separate output", () => {
    const dim = 13;
    const x = normalRows(10, 4, dim, -2, 3);
    const separate = ln(x, { dim, gamma: normalRows(1, 1, dim) });
    const same = ln(x, { dim, gamma: normalRows(1, 1, dim), out: x });
    expect(same).toBe(x);
    expect(Array.from(x)).toEqual(Array.from(separate));
  });

  it("does not modify the input when out is another array", () => {
    const dim = 8;
    const x = normalRows(12, 3, dim);
    const before = Float32Array.from(x);
    ln(x, { dim });
    l2(x, { dim });
    expect(Array.from(x)).toEqual(Array.from(before));
  });
});
