// The FP32 row kernel as the benchmarks see it: its outputs equal the f32
// emulation of bench/stats-f32.ts bit for bit (which pins the summation order
// documented in assembly/rows.ts, including the chunk and remainder boundaries),
// and a row's result never depends on the rows around it (grouping, in place,
// edge rows inside a batch).
import { describe, expect, it } from "vitest";
import { fillAffine, fillRows } from "../bench/data.js";
import { layerNormSqrtF32, onePass, reduceF32, sampledShift, twoPass } from "../bench/stats-f32.js";
import { l2Normalize, layerNorm, type NormalizeOptions } from "iterl2norm";

/**
 * Row lengths around every boundary of the summation order: 4-value vectors, 16-value steps,
 * 32-value steps, 512-value chunks.
 */
// biome-ignore format: a table of row lengths
const DIMS = [
  1, 2, 3, 4, 5, 15, 16, 17, 31, 32, 33, 47, 64, 100, 511, 512, 513, 528, 529, 768, 1024, 1027, 1552, 2048, 2049,
  4096 + 20 + 3,
];

function sameBits(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe("kernel = f32 emulation of its documented summation order", () => {
  it.each(DIMS)("LayerNorm (method sqrt, ε = 0), d = %i", (dim) => {
    const rows = 5;
    const x = fillRows(new Float32Array(rows * dim), dim, 100 + dim);
    const emulated = new Float32Array(x.length);
    for (let o = 0; o < x.length; o += dim) layerNormSqrtF32(x, o, dim, emulated);
    if (dim === 1) emulated.fill(0); // m = 0 with ε = 0: the edge rule gives β = 0
    expect(sameBits(layerNorm(x, { dim, eps: 0, method: "sqrt" }), emulated)).toBe(-1);
  });

  it("reduceF32 sums exactly when the terms are small integers, in any order", () => {
    const x = Float32Array.from({ length: 1027 }, (_, i) => (i * 7) % 13);
    let s = 0;
    for (const v of x) s += v - 2;
    expect(reduceF32(x, 0, x.length, 2, "sum")).toBe(s);
  });

  it("the fused forms agree with the two-pass form on an exact row and differ where the study says", () => {
    const d = 64;
    const x = Float32Array.from({ length: d }, (_, i) => (i % 2 === 0 ? 10 : 12));
    expect(onePass(x, 0, d, x[0]!).m).toBe(twoPass(x, 0, d).m);
    // x₀ = 10⁴ in N(0,1): the one-pass form about x₀ loses most of m's digits, the two-pass form does not.
    const y = fillRows(new Float32Array(d), d, 3);
    y[0] = 1e4;
    let mu = 0;
    for (const v of y) mu += v;
    mu /= d;
    let m = 0;
    for (const v of y) m += (v - mu) ** 2;
    expect(Math.abs(twoPass(y, 0, d).m - m) / m).toBeLessThan(64 * 2 ** -24);
    expect(Math.abs(onePass(y, 0, d, y[0]!).m - m) / m).toBeGreaterThan(Math.abs(twoPass(y, 0, d).m - m) / m);
    expect(Number.isFinite(sampledShift(y, 0, d))).toBe(true);
  });
});

describe("a row's result does not depend on its neighbours", () => {
  const variants: [string, Partial<NormalizeOptions>][] = [
    ["paper", {}],
    ["precise", { preset: "precise" }],
    ["sqrt", { method: "sqrt" }],
    ["fisr", { method: "fisr" }],
    ["pow2, 3 steps", { lambda: "pow2", iterations: 3 }],
  ];

  it.each([3, 64, 768, 2049])("batched = one row at a time, every method, LayerNorm with γ/β and L2, d = %i", (dim) => {
    const rows = 11; // two groups of 4 and a tail of 3
    const x = fillRows(new Float32Array(rows * dim), dim, 7 * dim);
    const gamma = new Float32Array(dim);
    const beta = new Float32Array(dim);
    fillAffine(gamma, beta, dim);
    for (const [, extra] of variants) {
      const all = layerNorm(x, { dim, gamma, beta, ...extra });
      const l2all = l2Normalize(x, { dim, ...extra });
      for (let r = 0; r < rows; r++) {
        const row = x.slice(r * dim, (r + 1) * dim);
        expect(sameBits(all.subarray(r * dim, (r + 1) * dim), layerNorm(row, { dim, gamma, beta, ...extra }))).toBe(-1);
        expect(sameBits(l2all.subarray(r * dim, (r + 1) * dim), l2Normalize(row, { dim, ...extra }))).toBe(-1);
      }
    }
  });

  it("in place gives the same bits as out of place", () => {
    const dim = 96;
    const x = fillRows(new Float32Array(9 * dim), dim, 1);
    const expected = layerNorm(x, { dim });
    const y = x.slice();
    layerNorm(y, { dim, out: y });
    expect(sameBits(y, expected)).toBe(-1);
  });

  it("edge rows inside a batch keep their rules and leave the other rows alone", () => {
    const dim = 40;
    const rows = 8;
    const x = fillRows(new Float32Array(rows * dim), dim, 2);
    const beta = Float32Array.from({ length: dim }, (_, i) => i / dim);
    const gamma = new Float32Array(dim).fill(2);
    x.fill(3e38, 1 * dim, 2 * dim); // constant and huge: sampled sums overflow, the row is rescaled → β
    x.fill(7, 2 * dim, 3 * dim); // constant → β
    x[3 * dim + 17] = NaN; // NaN → NaN row
    x[4 * dim + 5] = -Infinity; // −Inf → NaN row
    for (let i = 0; i < dim; i++) x[5 * dim + i] = (i % 3) * 1e-30; // tiny: rescaled, normalised
    for (let i = 0; i < dim; i++) x[6 * dim + i] = i % 2 === 0 ? 3e38 : -3e38; // Σy² overflows: rescaled
    const out = layerNorm(x, { dim, gamma, beta, eps: 0, preset: "precise" });
    const row = (r: number): Float32Array => out.subarray(r * dim, (r + 1) * dim);
    expect([...row(1)]).toEqual([...beta]);
    expect([...row(2)]).toEqual([...beta]);
    expect(row(3).every(Number.isNaN)).toBe(true);
    expect(row(4).every(Number.isNaN)).toBe(true);
    // The rescaled rows equal the same rows scaled by a power of two first (exact), which take the direct path.
    const tiny = layerNorm(
      x.slice(5 * dim, 6 * dim).map((v) => v * 2 ** 100),
      { dim, gamma, beta, eps: 0, preset: "precise" },
    );
    expect(sameBits(row(5), tiny)).toBe(-1);
    const huge = layerNorm(
      x.slice(6 * dim, 7 * dim).map((v) => v * 2 ** -100),
      { dim, gamma, beta, eps: 0, preset: "precise" },
    );
    expect(sameBits(row(6), huge)).toBe(-1);
    for (const r of [0, 7]) {
      expect(
        sameBits(row(r), layerNorm(x.slice(r * dim, (r + 1) * dim), { dim, gamma, beta, eps: 0, preset: "precise" })),
      ).toBe(-1);
    }
  });
});
