// The prepared normalisers (createLayerNorm / createL2Normalize, docs/design.md §7):
// options checked once, then x and out on each call. A prepared call runs the kernel
// with the arguments layerNorm / l2Normalize pass for the same options, so the
// expected result is layerNorm's with zero tolerance (bit for bit), over presets,
// methods, λ, ε, formats, accumulation, raw bits, in place, zero-copy views and
// memory growth. Errors: each bad input by name, with layerNorm's messages for options.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createL2Normalize,
  createLayerNorm,
  createWorkspace,
  l2Normalize,
  layerNorm,
  toBF16,
  toFP16,
  type NormalizeOptions,
  type Normalizer,
} from "iterl2norm";
import { kernel } from "iterl2norm/kernel";
import { errorOf, firstBitDifference, normalRows } from "./helpers.js";

type Opts = Record<string, unknown>;

const dim = 24;
const x = normalRows(31, 3, dim, 0.25, 1.5);
const gamma = normalRows(32, 1, dim, 1, 0.25);
const beta = normalRows(33, 1, dim, 0, 0.1);

afterEach(() => {
  vi.restoreAllMocks();
});

function bitsEqual(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  expect(firstBitDifference(got, want), what).toBe(-1);
}

/**
 * ln(input) with out omitted, given, and in place (out === a copy of x) each equal
 * the per-call function on a copy of input with the same options, bit for bit.
 */
function sameAsPerCall(
  ln: Normalizer,
  perCall: (x: never, o: never) => Float32Array | Uint16Array,
  input: Float32Array | Uint16Array,
  opts: Opts,
  what: string,
): void {
  const want = perCall(input.slice() as never, { ...opts } as never);
  bitsEqual(ln(input as Float32Array), want, `${what}, new out`);
  const out = input instanceof Uint16Array ? new Uint16Array(input.length) : new Float32Array(input.length);
  expect(ln(input as Float32Array, out as Float32Array), `${what}: returns out`).toBe(out);
  bitsEqual(out, want, `${what}, given out`);
  const inPlace = input.slice();
  expect(ln(inPlace as Float32Array, inPlace as Float32Array)).toBe(inPlace);
  bitsEqual(inPlace, want, `${what}, in place`);
}

const INVERSE_OPTIONS: Opts[] = [
  {},
  { preset: "paper" },
  { preset: "precise" },
  { iterations: 0 },
  { iterations: 2, lambda: "pow2" },
  { lambda: 0.25 },
  { lambda: "newton", iterations: 7 },
  { method: "sqrt" },
  { method: "fisr" },
  { method: "fisr", fisr: { steps: 2, magic: 0x5f375a86 } },
  { method: "fisr", fisr: { variant: "walczyk" } },
  { method: "fisr", fisr: { variant: "kadlec", steps: 0 } },
];
const EPS_OPTIONS: Opts[] = [{}, { eps: 0 }, { eps: 1e-3 }, { eps: 0.5 }];

describe("createLayerNorm / createL2Normalize give layerNorm's / l2Normalize's bits", () => {
  it("FP32: every method, preset, λ and ε, with and without γ/β, 0 to 3 rows", () => {
    for (const inv of INVERSE_OPTIONS) {
      for (const e of EPS_OPTIONS) {
        for (const affine of [{}, { gamma }, { beta }, { gamma, beta }]) {
          const opts = { dim, ...inv, ...e, ...affine };
          const ln = createLayerNorm(opts as NormalizeOptions);
          for (const rows of [3, 1, 0]) {
            const what = `${JSON.stringify(opts)}, ${rows} rows`;
            sameAsPerCall(ln, layerNorm as never, x.subarray(0, rows * dim), opts, what);
          }
        }
        const l2opts = { dim, ...inv, ...e };
        const l2 = createL2Normalize(l2opts as NormalizeOptions);
        for (const rows of [3, 1, 0]) {
          sameAsPerCall(l2, l2Normalize as never, x.subarray(0, rows * dim), l2opts, `L2 ${JSON.stringify(l2opts)}`);
        }
      }
    }
  });

  it("BF16 / FP16: f32 values and raw bits, γ/β as f32 or raw bits, both accumulations", () => {
    for (const format of ["bf16", "fp16"] as const) {
      const convert = format === "bf16" ? toBF16 : toFP16;
      const bitsX = convert(x);
      for (const accumulate of ["fp32", "native"] as const) {
        const inverse: Opts[] = [
          {},
          { preset: "precise" },
          { lambda: 0.3, iterations: 3 },
          { method: "sqrt" },
          { method: "fisr" },
          { method: "fisr", fisr: { magic: format === "bf16" ? 0x5f35 : 0x59b7, steps: 2 } },
        ];
        for (const inv of inverse) {
          for (const affine of [{}, { gamma, beta }, { gamma: convert(gamma), beta: convert(beta) }]) {
            const opts = { dim, format, accumulate, eps: 1e-3, ...inv, ...affine };
            const what = `${format} ${accumulate} ${JSON.stringify(inv)} γ ${affine.gamma?.constructor.name}`;
            const ln = createLayerNorm(opts as NormalizeOptions);
            expect(ln.format).toBe(format);
            sameAsPerCall(ln, layerNorm as never, x, opts, `${what}, f32 x`);
            sameAsPerCall(ln, layerNorm as never, bitsX, opts, `${what}, raw x`);
          }
          const l2opts = { dim, format, accumulate, ...inv };
          const l2 = createL2Normalize(l2opts as NormalizeOptions);
          sameAsPerCall(l2, l2Normalize as never, x, l2opts, `L2 ${format} ${accumulate}, f32 x`);
          sameAsPerCall(l2, l2Normalize as never, bitsX, l2opts, `L2 ${format} ${accumulate}, raw x`);
        }
      }
    }
  });

  it("zero-copy on a workspace, in place there, and out overlapping x in wasm memory", () => {
    const ws = createWorkspace(3, dim);
    ws.input.set(x);
    ws.gamma.set(gamma);
    ws.beta.set(beta);
    const opts = { dim, gamma: ws.gamma, beta: ws.beta };
    const want = layerNorm(x, { dim, gamma, beta });
    const ln = createLayerNorm(opts);
    expect(ln(ws.input, ws.output)).toBe(ws.output);
    bitsEqual(ws.output, want, "workspace input → output");
    bitsEqual(ln(ws.input), want, "workspace input → new array");
    ln(ws.input, ws.input);
    bitsEqual(ws.input, want, "workspace in place");
    // out shifted by one row over x: the result goes through scratch and is written back.
    ws.input.set(x);
    const wantShifted = layerNorm(x.slice(0, 2 * dim), { dim, gamma, beta });
    const perCall = createWorkspace(3, dim);
    perCall.input.set(x);
    layerNorm(perCall.input.subarray(0, 2 * dim), { dim, gamma, beta, out: perCall.input.subarray(dim) });
    ln(ws.input.subarray(0, 2 * dim), ws.input.subarray(dim));
    bitsEqual(ws.input.subarray(dim), wantShifted, "out overlapping x");
    bitsEqual(ws.input, perCall.input, "out overlapping x, as layerNorm does it");
    perCall.dispose();
    ws.dispose();
  });

  it("keeps working across memory growth between calls (γ/β kept, fresh views of x and out)", () => {
    const ws = createWorkspace(3, dim);
    ws.input.set(x);
    ws.gamma.set(gamma);
    const ln = createLayerNorm({ dim, gamma: ws.gamma, eps: 1e-3 });
    const want = layerNorm(x, { dim, gamma, eps: 1e-3 });
    bitsEqual(ln(ws.input, ws.output), want, "before growth");
    const old = ws.output;
    kernel.memory.grow(1); // detaches every view on the old buffer, as any growth does
    expect(old.length).toBe(0);
    expect(errorOf(() => ln(ws.input, old))).toEqual(["RangeError", `out.length must be ${3 * dim} (x.length); got 0`]);
    bitsEqual(ln(ws.input, ws.output), want, "after growth, zero-copy");
    bitsEqual(ln(x), want, "after growth, copying");
    ws.dispose();
  });

  it("snapshots γ and β: later writes to the arrays or the options object change nothing", () => {
    const g = gamma.slice();
    const b = beta.slice();
    const opts: Opts = { dim, gamma: g, beta: b };
    const want = layerNorm(x, { dim, gamma, beta });
    const ln = createLayerNorm(opts as unknown as NormalizeOptions);
    g.fill(3);
    b.fill(-1);
    opts.eps = 0.5;
    opts.dim = 8;
    bitsEqual(ln(x), want, "after writes");
    expect(firstBitDifference(layerNorm(x, { dim, gamma: g, beta: b }), want)).not.toBe(-1); // the writes matter
    const bits = toBF16(gamma);
    const lnBits = createLayerNorm({ dim, format: "bf16", gamma: bits });
    const wantBits = layerNorm(x, { dim, format: "bf16", gamma: bits.slice() });
    bits.fill(0);
    bitsEqual(lnBits(x), wantBits, "raw-bit γ after writes");
  });

  // Formerly a test of the per-object cache of layerNorm(x, opts): the third call with the
  // same object skipped validation. The prepared normaliser is now that fast path.
  it("is used: the third call with the same normaliser skips validation (no Object.keys)", () => {
    const ln = createLayerNorm({ dim, gamma, beta });
    ln(x);
    ln(x);
    const keys = vi.spyOn(Object, "keys");
    ln(x);
    const calls = keys.mock.calls.length;
    keys.mockRestore();
    expect(calls).toBe(0);
  });

  it("exposes dim and format, read-only", () => {
    const ln = createLayerNorm({ dim: 16 });
    const l2 = createL2Normalize({ dim: 8, format: "fp16" });
    expect([ln.dim, ln.format, l2.dim, l2.format]).toEqual([16, "fp32", 8, "fp16"]);
    expect(() => {
      (ln as { dim: number }).dim = 4;
    }).toThrow(TypeError);
    expect(ln.dim).toBe(16);
    expect(Object.isFrozen(ln)).toBe(true);
  });
});

describe("prepared normalisers: bad input, by name", () => {
  const x8 = x.subarray(0, 8);
  it("options: the messages of layerNorm / l2Normalize", () => {
    const bad: Opts[] = [
      { dim: 0 },
      { dim: 2.5 },
      { dim: "4" },
      { dim: 2 ** 25 },
      { dim: 4, gamma: new Float32Array(3) },
      { dim: 4, beta: new Float32Array(5) },
      { dim: 4, gamma: [1, 1, 1, 1] },
      { dim: 4, gamma: new Uint16Array(4) },
      { dim: 4, iterations: -1 },
      { dim: 4, iterations: 1.5 },
      { dim: 4, preset: "fast" },
      { dim: 4, lambda: "big" },
      { dim: 4, lambda: 0 },
      { dim: 4, lambda: NaN },
      { dim: 4, method: "exact" },
      { dim: 4, eps: -1e-5 },
      { dim: 4, eps: Infinity },
      { dim: 4, eps: 1e39 },
      { dim: 4, eps: "0" },
      { dim: 4, method: "sqrt", preset: "precise" },
      { dim: 4, fisr: { steps: 2 } },
      { dim: 4, format: "fp8" },
      { dim: 4, accumulate: "fp64" },
      { dim: 4, format: "bf16", method: "fisr", fisr: { variant: "lomont" } },
      { dim: 4, method: "fisr", fisr: { magic: -1 } },
    ];
    for (const o of bad) {
      const got = errorOf(() => createLayerNorm(o as never));
      expect(got[0], JSON.stringify(o)).not.toBe("none");
      expect(got, JSON.stringify(o)).toEqual(errorOf(() => layerNorm(x8, o as never)));
    }
    expect(errorOf(() => createL2Normalize({ dim: 4, gamma } as never))).toEqual([
      "TypeError",
      'opts has an unknown option "gamma"; expected one of preset, iterations, lambda, method, fisr, format, ' +
        "dim, eps, accumulate",
    ]);
    const l2Eps = errorOf(() => createL2Normalize({ dim: 4, eps: -1 }));
    expect(l2Eps).toEqual(errorOf(() => l2Normalize(x8, { dim: 4, eps: -1 })));
    expect(errorOf(() => createLayerNorm({ dim: 4, iteration: 3 } as never))).toEqual([
      "TypeError",
      'opts has an unknown option "iteration"; expected one of preset, iterations, lambda, method, fisr, ' +
        "format, dim, gamma, beta, eps, accumulate",
    ]);
    const missing = errorOf(() => createLayerNorm(undefined as never));
    expect(missing).toEqual(errorOf(() => layerNorm(x8, undefined as never)));
    expect(errorOf(() => createLayerNorm(null as never))).toEqual([
      "TypeError",
      "opts must be an options object; got null",
    ]);
  });

  it("options: out is per call", () => {
    const [kind, message] = errorOf(() => createLayerNorm({ dim: 4, out: new Float32Array(8) } as never));
    expect(kind).toBe("TypeError");
    expect(message).toMatch(/^opts\.out is not an option of a prepared normaliser.*ln\(x, out\); /);
    expect(message).toMatch(/; got opts\.out = Float32Array\(8\)$/);
    expect(errorOf(() => createL2Normalize({ dim: 4, out: undefined } as never))[0]).toBe("TypeError");
  });

  it("x: not a Float32Array, raw bits for an FP32 normaliser, not whole rows", () => {
    const ln = createLayerNorm({ dim: 4 });
    expect(errorOf(() => ln([1, 2, 3, 4] as never))).toEqual([
      "TypeError",
      "x must be a Float32Array holding whole rows; got Array(4)",
    ]);
    expect(errorOf(() => ln(null as never))).toEqual([
      "TypeError",
      "x must be a Float32Array holding whole rows; got null",
    ]);
    expect(errorOf(() => ln(new Float64Array(4) as never))[1]).toMatch(/^x must be .* got Float64Array\(4\)$/);
    expect(errorOf(() => ln(new Uint16Array(4)))).toEqual([
      "TypeError",
      "x is a Uint16Array of raw 16-bit patterns, which needs a normaliser created with " +
        'opts.format "bf16" or "fp16"; this one has format "fp32"',
    ]);
    expect(errorOf(() => ln(x.subarray(0, 6)))).toEqual([
      "RangeError",
      "x.length must be a multiple of dim = 4 (the normaliser's row length); got 6",
    ]);
    const bf = createL2Normalize({ dim: 4, format: "bf16" });
    expect(errorOf(() => bf(new Int16Array(4) as never))).toEqual([
      "TypeError",
      "x must be a Float32Array, or a Uint16Array of raw BF16 bits, holding whole rows; got Int16Array(4)",
    ]);
    expect(errorOf(() => bf(new Uint16Array(5)))[0]).toBe("RangeError");
  });

  it("out: not x's type, or not x's length", () => {
    const ln = createLayerNorm({ dim: 4 });
    expect(errorOf(() => ln(x8, new Float64Array(8) as never))).toEqual([
      "TypeError",
      "out must be a Float32Array (the type of x); got Float64Array(8)",
    ]);
    expect(errorOf(() => ln(x8, null as never))).toEqual([
      "TypeError",
      "out must be a Float32Array (the type of x); got null",
    ]);
    expect(errorOf(() => ln(x8, new Float32Array(4)))).toEqual([
      "RangeError",
      "out.length must be 8 (x.length); got 4",
    ]);
    const fp16 = createLayerNorm({ dim: 4, format: "fp16" });
    expect(errorOf(() => fp16(new Uint16Array(8), new Float32Array(8) as never))).toEqual([
      "TypeError",
      "out must be a Uint16Array (the type of x); got Float32Array(8)",
    ]);
    expect(errorOf(() => fp16(x8, new Uint16Array(8) as never))).toEqual([
      "TypeError",
      "out must be a Float32Array (the type of x); got Uint16Array(8)",
    ]);
    expect(errorOf(() => fp16(new Uint16Array(8), new Uint16Array(9)))).toEqual([
      "RangeError",
      "out.length must be 8 (x.length); got 9",
    ]);
  });

  it("a failed call writes nothing", () => {
    const ln = createLayerNorm({ dim: 4, gamma: new Float32Array(4).fill(2) });
    const out = new Float32Array(4).fill(7);
    const before = Float32Array.from(x8);
    expect(() => ln(x8, out)).toThrow(RangeError);
    expect(Array.from(out)).toEqual(new Array(4).fill(7));
    expect(Array.from(x8)).toEqual(Array.from(before));
  });
});
