// The BF16/FP16 datapaths of the kernel against their plain-TS references
// (js/reference/rsqrt.ts, js/reference/format.ts): the references repeat every
// rounding and the summation order, so the comparison is bit for bit (tolerance 0).
// Accuracy against the float64 truth is checked with bounds from the unit roundoff.
import { describe, expect, it } from "vitest";
import { fromBF16, fromFP16, layerNorm, l2Normalize, reference, rsqrt, toBF16, toFP16 } from "iterl2norm";
import { roundBF16, roundFP16 } from "../js/formats.js";
import type { Accumulate, Format, InverseNormOptions, NormalizeOptions } from "../js/options.js";
import { Rng } from "../bench/random.js";

const FORMATS16 = ["bf16", "fp16"] as const;

/** Index of the first element whose bits differ (NaN equals NaN), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) {
    if (!(Object.is(a[i], b[i]) || (Number.isNaN(a[i]!) && Number.isNaN(b[i]!)))) return i;
  }
  return -1;
}

/** m values over the whole range of each format: random significands at every exponent, plus specials. */
function mValues(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) m[i] = (1 + rng.uniform()) * 2 ** (rng.int(300) - 150);
  m.set([0, -0, Infinity, -1, NaN, 1, 4, 65504, 65519, 65520, 2 ** -24, 2 ** -25, 2 ** -133, 3.3e38], 0);
  return m;
}

describe("scalar path in every format: wasm equals reference.rsqrtIter bit for bit (10^5 values of m)", () => {
  const m = mValues(100_000, 11);
  const cases: [string, InverseNormOptions][] = [
    ["paper", { preset: "paper" }],
    ["precise", { preset: "precise" }],
    ["pow2", { lambda: "pow2", iterations: 7 }],
    ["c = 0.3", { lambda: 0.3, iterations: 3 }],
    ["0 steps", { iterations: 0 }],
    ["sqrt", { method: "sqrt" }],
    ["fisr 1 step", { method: "fisr" }],
    ["fisr 2 steps, alt magic", { method: "fisr", fisr: { steps: 2 } }],
  ];
  for (const format of ["fp32", "bf16", "fp16"] as const) {
    for (const [name, opts] of cases) {
      it(`${format}: ${name}`, () => {
        const o = { ...opts, format };
        const batch = rsqrt(m, o);
        const ref = Float32Array.from(m, (v) => reference.rsqrtIter(v, o));
        expect(firstDifference(batch, ref)).toBe(-1);
        for (let i = 0; i < 2000; i++) expect(Object.is(rsqrt(m[i]!, o), ref[i]) || Number.isNaN(ref[i]!)).toBe(true);
      });
    }
  }

  it("fp32 with format: 'fp32' is the FP32 path unchanged", () => {
    expect(firstDifference(rsqrt(m, { format: "fp32" }), rsqrt(m))).toBe(-1);
    expect(firstDifference(rsqrt(m, { format: "fp32", preset: "precise" }), rsqrt(m, { preset: "precise" }))).toBe(-1);
  });

  it("results are values of the format, and special values follow the FP32 rules after rounding m", () => {
    for (const format of FORMATS16) {
      const R = format === "bf16" ? roundBF16 : roundFP16;
      const a = rsqrt(m, { format });
      for (let i = 0; i < a.length; i++) expect(Object.is(R(a[i]!), a[i]) || Number.isNaN(a[i]!)).toBe(true);
      expect(rsqrt(0, { format })).toBe(Infinity);
      expect(rsqrt(-0, { format })).toBe(-Infinity);
      expect(rsqrt(Infinity, { format })).toBe(0);
      expect(Number.isNaN(rsqrt(-2, { format }))).toBe(true);
    }
    expect(rsqrt(65520, { format: "fp16" })).toBe(0); // rounds to +Inf in FP16
  });

  it("FP16 keeps full precision over its whole range, where λ alone would overflow (m = 2^-24 … 65504)", () => {
    // After exponent normalisation every m behaves like its significand; the precise
    // preset's error is FP16-rounding-limited: a handful of roundings of 2^-11 each.
    for (const v of [2 ** -24, 3 * 2 ** -20, 1e-4, 1, 1000, 65504]) {
      const a = rsqrt(v, { format: "fp16", preset: "precise" });
      expect(Math.abs(a * Math.sqrt(roundFP16(v)) - 1)).toBeLessThan(8 * 2 ** -11);
    }
  });
});

/** Rows of the given distribution, including scale extremes that test the rescaling. */
function rowsOf(kind: string, dim: number, rows: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(dim * rows);
  for (let i = 0; i < x.length; i++) {
    if (kind === "normal") x[i] = 3 + 2 * rng.normal();
    else if (kind === "outliers")
      x[i] = (i % 97 === 5 ? 300 : 1) * rng.normal(); // Σy² overflows FP16
    else if (kind === "tiny")
      x[i] = 1e-4 * rng.normal(); // Σy² below FP16's normal range
    else x[i] = rng.between(-1, 1);
  }
  return x;
}

describe("row kernels: wasm equals the plain-TS reference bit for bit", () => {
  const dims = [1, 3, 4, 7, 8, 13, 64, 100, 768, 1031];
  it("run on the build this vitest project asks for (the scalar and relaxed projects check theirs)", async () => {
    const { build } = await import("iterl2norm/kernel");
    // the relaxed project hands its build in as a module (tests/setup-relaxed.ts)
    const asked = globalThis.ITERL2NORM_WASM_MODULE !== undefined ? "relaxed" : process.env.ITERL2NORM_WASM;
    expect(build).toBe(asked === "scalar" || asked === "relaxed" ? asked : "simd");
  });
  for (const format of FORMATS16) {
    for (const accumulate of ["fp32", "native"] as Accumulate[]) {
      for (const kind of ["uniform", "normal", "outliers", "tiny"]) {
        it(`${format}, accumulate ${accumulate}, ${kind} rows, dims ${dims.join(" ")}`, () => {
          for (const dim of dims) {
            const x = rowsOf(kind, dim, 3, dim * 7 + kind.length);
            const rng = new Rng(dim);
            const gamma = Float32Array.from({ length: dim }, () => rng.between(0.5, 1.5));
            const beta = Float32Array.from({ length: dim }, () => rng.between(-0.1, 0.1));
            for (const preset of ["paper", "precise"] as const) {
              const opts: NormalizeOptions = { dim, format, accumulate, preset, gamma, beta };
              expect(firstDifference(layerNorm(x, opts), reference.layerNormIter(x, opts))).toBe(-1);
              const l2: NormalizeOptions = { dim, format, accumulate, preset };
              expect(firstDifference(l2Normalize(x, l2), reference.l2NormalizeIter(x, l2))).toBe(-1);
            }
            for (const method of ["sqrt", "fisr"] as const) {
              const opts: NormalizeOptions = { dim, format, accumulate, method, eps: 0 };
              expect(firstDifference(layerNorm(x, opts), reference.layerNormIter(x, opts))).toBe(-1);
            }
          }
        });
      }
    }
  }

  it("edge rows: zeros, constants, NaN, ±Inf, an FP16 overflow on input; other rows untouched", () => {
    const dim = 12;
    const x = new Float32Array(dim * 6);
    x.fill(5, dim, 2 * dim); // constant row
    x.set(rowsOf("normal", dim, 1, 1), 2 * dim);
    x[2 * dim + 3] = NaN;
    x.set(rowsOf("normal", dim, 1, 2), 3 * dim);
    x[3 * dim] = -Infinity;
    x.set(rowsOf("normal", dim, 1, 3), 4 * dim);
    x[4 * dim + 1] = 1e6; // finite in f32, +Inf in FP16
    x.set(rowsOf("normal", dim, 1, 4), 5 * dim);
    const beta = Float32Array.from({ length: dim }, (_, i) => i / 8);
    for (const format of FORMATS16) {
      const opts: NormalizeOptions = { dim, format, beta, eps: 0 };
      const y = layerNorm(x, opts);
      expect(firstDifference(y, reference.layerNormIter(x, opts))).toBe(-1);
      expect(Array.from(y.subarray(0, dim))).toEqual(Array.from(beta)); // zero row → β
      expect(Array.from(y.subarray(dim, 2 * dim))).toEqual(Array.from(beta)); // constant row → β
      expect(y.subarray(2 * dim, 3 * dim).every(Number.isNaN)).toBe(true);
      expect(y.subarray(3 * dim, 4 * dim).every(Number.isNaN)).toBe(true);
      expect(y.subarray(4 * dim, 5 * dim).every(Number.isNaN) === (format === "fp16")).toBe(true);
      expect(y.subarray(5 * dim).some(Number.isNaN)).toBe(false);
    }
  });
});

describe("raw-bits I/O, in place, and validation", () => {
  const dim = 257;
  const x = rowsOf("normal", dim, 4, 5);

  for (const format of FORMATS16) {
    const to = format === "bf16" ? toBF16 : toFP16;
    const from = format === "bf16" ? fromBF16 : fromFP16;
    it(`${format}: Uint16Array in gives the same values as Float32Array in, as bits`, () => {
      const gamma = Float32Array.from({ length: dim }, (_, i) => 1 + i / dim);
      const viaF32 = layerNorm(x, { dim, format, gamma });
      const bits = to(x);
      const viaBits = layerNorm(bits, { dim, format, gamma: to(gamma) });
      expect(viaBits).toBeInstanceOf(Uint16Array);
      expect(firstDifference(from(viaBits), viaF32)).toBe(-1);
      expect(firstDifference(viaBits, reference.layerNormIter(bits, { dim, format, gamma: to(gamma) }))).toBe(-1);
      expect(firstDifference(from(l2Normalize(bits, { dim, format })), l2Normalize(x, { dim, format }))).toBe(-1);
    });

    it(`${format}: out = x works in place and input is otherwise not modified`, () => {
      const copy = x.slice();
      const want = layerNorm(x, { dim, format });
      expect(x).toEqual(copy);
      expect(layerNorm(copy, { dim, format, out: copy })).toBe(copy);
      expect(firstDifference(copy, want)).toBe(-1);
    });
  }

  it("rejects bad combinations by name", () => {
    expect(() => layerNorm(new Uint16Array(4), { dim: 4 })).toThrow(/opts.format "bf16" or "fp16"/);
    expect(() => layerNorm(x, { dim, format: "fp8" as Format })).toThrow(RangeError);
    expect(() => layerNorm(x, { dim, format: "bf16", accumulate: "fp64" as Accumulate })).toThrow(/opts.accumulate/);
    expect(() => layerNorm(x, { dim, format: "bf16", method: "fisr", fisr: { variant: "kadlec" } })).toThrow(
      /opts.fisr.variant/,
    );
    expect(() => layerNorm(x, { dim, format: "fp16", method: "fisr", fisr: { magic: 0x5f3759df } })).toThrow(
      /opts.fisr.magic/,
    );
    expect(() => layerNorm(new Uint16Array(dim), { dim, format: "bf16", out: new Float32Array(dim) })).toThrow(
      /opts.out/,
    );
    expect(() => rsqrt(2, { format: "int8" as Format })).toThrow(/opts.format/);
  });
});

describe("accuracy against the float64 truth of the rounded input", () => {
  // Truth: float64 LayerNorm of the F-rounded input, so only the datapath's error is
  // measured. Bound: the output passes through at most 8 roundings of relative size u
  // (y = x − μ, m's rounding, ~3 in the precise scalar path, √d·a, the product), each
  // applied to a quantity ≤ max|out|, plus the mean's rounding felt through y; so
  // |out − truth| ≤ 10·u·max|truth| with u = 2^-8 (BF16) or 2^-11 (FP16).
  for (const format of FORMATS16) {
    it(`${format}: precise preset within 10·u·max|truth|, fp32 and native accumulation (d = 1024)`, () => {
      const R = format === "bf16" ? roundBF16 : roundFP16;
      const u = format === "bf16" ? 2 ** -8 : 2 ** -11;
      const dim = 1024;
      const x = Float32Array.from(rowsOf("normal", dim, 8, 9), R);
      const truth = reference.layerNormExact(x, { dim, eps: 0 });
      let peak = 0;
      for (const v of truth) peak = Math.max(peak, Math.abs(v));
      for (const accumulate of ["fp32", "native"] as const) {
        const y = layerNorm(x, { dim, format, accumulate, preset: "precise", eps: 0 });
        let worst = 0;
        for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i]! - truth[i]!));
        expect(worst).toBeLessThan(10 * u * peak);
      }
    });
  }
});
