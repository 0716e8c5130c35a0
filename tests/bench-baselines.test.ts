// The JS baselines and data generators of bench/: the tuned JS LayerNorm / L2
// against the float64 truth, the JS IterL2Norm port bit for bit against the
// reference, Q_rsqrt in JS against its published error bound, and the data being
// deterministic. (Correctness only: speed is measured by bench/, never here.)
import { describe, expect, it } from "vitest";
import { fillAffine, fillRows, logUniform, normal, uniform } from "../bench/data.js";
import { invSqrtJs, iterRsqrtJs, l2NormalizeJs, layerNormJs, qRsqrtJs } from "../bench/js-baselines.js";
import { reference } from "iterl2norm";

const U = 2 ** -24;

describe("tuned JS baselines", () => {
  it.each([1, 3, 4, 7, 64, 769])("layerNormJs matches the float64 truth, d = %i", (dim) => {
    const rows = 6;
    const x = fillRows(new Float32Array(rows * dim), dim, dim);
    const gamma = new Float32Array(dim);
    const beta = new Float32Array(dim);
    fillAffine(gamma, beta, dim + 1);
    const out = layerNormJs(x, new Float32Array(x.length), dim, gamma, beta, 1e-5);
    const exact = reference.layerNormExact(x, { dim, gamma, beta, eps: 1e-5 });
    // float64 arithmetic throughout (its error ≲ 2d·2⁻⁵³ relative, far below f32), then one
    // rounding to f32 on store: |out − exact| ≤ u·|exact| + 1e-12.
    for (let i = 0; i < x.length; i++)
      expect(Math.abs(out[i]! - exact[i]!)).toBeLessThanOrEqual(U * Math.abs(exact[i]!) + 1e-12);
  });

  it("layerNormJs works in place and gives β for a constant row", () => {
    const dim = 8;
    const x = new Float32Array(dim).fill(2.5);
    const beta = Float32Array.from({ length: dim }, (_, i) => i / 8);
    layerNormJs(x, x, dim, new Float32Array(dim).fill(3), beta, 1e-5);
    expect([...x]).toEqual([...beta]);
  });

  it.each([1, 5, 64, 1000])("l2NormalizeJs matches the float64 truth, d = %i", (dim) => {
    const x = fillRows(new Float32Array(4 * dim), dim, 3 * dim);
    const out = l2NormalizeJs(x, new Float32Array(x.length), dim, 0);
    const exact = reference.l2NormalizeExact(x, { dim });
    for (let i = 0; i < x.length; i++)
      expect(Math.abs(out[i]! - exact[i]!)).toBeLessThanOrEqual(U * Math.abs(exact[i]!) + 1e-12);
  });

  it("l2NormalizeJs keeps an all-zero row zero", () => {
    expect([...l2NormalizeJs(new Float32Array(4), new Float32Array(4), 4, 0)]).toEqual([0, 0, 0, 0]);
  });
});

describe("scalar baselines", () => {
  const m = logUniform(20000, -64, 64, 5);

  it("iterRsqrtJs equals reference.rsqrtIter (paper preset) bit for bit on m in [2^-64, 2^64)", () => {
    const a = iterRsqrtJs(m, new Float32Array(m.length), 5);
    let mismatches = 0;
    for (let i = 0; i < m.length; i++) if (!Object.is(a[i], reference.rsqrtIter(m[i]!))) mismatches++;
    expect(mismatches).toBe(0);
  });

  it("iterRsqrtJs with other step counts follows the reference too (0, 1, 8 steps)", () => {
    for (const steps of [0, 1, 8]) {
      const a = iterRsqrtJs(m.subarray(0, 2000), new Float32Array(2000), steps);
      for (let i = 0; i < 2000; i++) expect(a[i]).toBe(reference.rsqrtIter(m[i]!, { iterations: steps }));
    }
  });

  it("qRsqrtJs stays within Q_rsqrt's relative error bound (1.752e-3 after one Newton step, Lomont 2003)", () => {
    const a = qRsqrtJs(m, new Float32Array(m.length));
    // Lomont's bound for the exact Newton step is 1.7522e-3; f32 storage adds u.
    for (let i = 0; i < m.length; i++)
      expect(Math.abs(a[i]! * Math.sqrt(m[i]!) - 1)).toBeLessThanOrEqual(1.7523e-3 + U);
  });

  it("invSqrtJs is 1/√m rounded once to f32", () => {
    const a = invSqrtJs(m, new Float32Array(m.length));
    for (let i = 0; i < 1000; i++) expect(a[i]).toBe(Math.fround(1 / Math.sqrt(m[i]!)));
  });
});

describe("benchmark data", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = fillRows(new Float32Array(256), 64, 9);
    const b = fillRows(new Float32Array(256), 64, 9);
    const c = fillRows(new Float32Array(256), 64, 10);
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
  });

  it("uniform() lies in [0, 1) and normal() has mean ≈ 0 and variance ≈ 1 (n = 10⁵: 5σ bands)", () => {
    const u = uniform(1);
    const g = normal(2);
    const n = 100000;
    let s = 0,
      s2 = 0,
      outside = 0;
    for (let i = 0; i < n; i++) {
      const v = u();
      if (!(v >= 0 && v < 1)) outside++;
      const z = g();
      s += z;
      s2 += z * z;
    }
    expect(outside).toBe(0);
    // Standard errors: mean 1/√n ≈ 0.0032, variance √(2/n) ≈ 0.0045.
    expect(Math.abs(s / n)).toBeLessThan(5 * 0.0032);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * 0.0045);
  });

  it("logUniform() covers [2^lo, 2^hi)", () => {
    const v = logUniform(1000, -3, 3, 4);
    for (const x of v) expect(x >= 2 ** -3 && x < 2 ** 3).toBe(true);
  });
});
