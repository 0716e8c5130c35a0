// Fuzzing the validated API (fast-check): random shapes, valid and invalid options,
// formats, raw-bit rows, aliasing (out = x, views of wasm memory that overlap each other
// and γ), compared bit for bit with the plain-TS reference (one summation order in every
// build, docs/design.md §2); invalid input must throw TypeError/RangeError, the same one
// the reference's shared validation throws, and leave the module giving the same bits.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  createLayerNorm,
  createWorkspace,
  l2Normalize,
  layerNorm,
  type NormalizeOptions,
  reference,
  toBF16,
  toFP16,
} from "iterl2norm";
import { kernel } from "iterl2norm/kernel";
import { errorOf, firstBitDifference, normalRows } from "./helpers.js";

const MAX_DIM = 24;
const MAX_ROWS = 4;
const MAX_N = MAX_DIM * MAX_ROWS;
// One block of wasm memory for the in-memory cases: x, out and γ are placed at any float offset in it.
const ws = createWorkspace(4, MAX_N);
afterAll(() => ws.dispose());

const probeX = normalRows(3, 3, 8, 1, 2);
const probeGamma = normalRows(4, 1, 8, 1, 0.2);
const probeWant = reference.layerNormIter(probeX, { dim: 8, gamma: probeGamma, eps: 1e-3 });

/** The module gives the reference's bits on a fixed call (nothing left broken by an earlier one). */
function probe(): boolean {
  return firstBitDifference(layerNorm(probeX, { dim: 8, gamma: probeGamma, eps: 1e-3 }), probeWant) === -1;
}

const value = fc.oneof(
  { weight: 6, arbitrary: fc.float({ min: -1e4, max: 1e4, noNaN: true }) },
  { weight: 1, arbitrary: fc.float() }, // NaN, ±Infinity, subnormals, ±0, extremes
  { weight: 1, arbitrary: fc.constantFrom(0, 1, -1, 3e38, -3e38, 1e-40) },
);

const inverse = fc.oneof(
  fc.constant({}),
  fc.record({ preset: fc.constantFrom("paper", "precise") as fc.Arbitrary<"paper" | "precise"> }),
  fc.record({
    lambda: fc.oneof(fc.constantFrom("paper", "pow2", "newton"), fc.double({ min: 0.05, max: 1, noNaN: true })),
    iterations: fc.integer({ min: 0, max: 12 }),
  }),
  fc.constant({ method: "sqrt" }),
  fc.record({ method: fc.constant("fisr"), fisr: fc.record({ steps: fc.integer({ min: 0, max: 3 }) }) }),
) as fc.Arbitrary<Partial<NormalizeOptions>>;

/** Ways to break a valid call: each must be a TypeError or a RangeError. */
const BREAKERS: readonly ((o: Record<string, unknown>, n: number) => void)[] = [
  (o) => {
    o.dim = 0;
  },
  (o, n) => {
    o.dim = n + 1;
  },
  (o) => {
    o.dim = 2.5;
  },
  (o) => {
    o.lambda = 1e-46;
  },
  (o) => {
    o.lambda = 2;
  },
  (o) => {
    o.lambda = "fast";
  },
  (o) => {
    o.iterations = 101;
  },
  (o) => {
    o.format = "fp8";
  },
  (o) => {
    o.format = "fp32";
    o.accumulate = "native";
  },
  (o) => {
    o.eps = -1;
  },
  (o) => {
    o.eps = 1e39;
  },
  (o) => {
    o.gamma = new Float32Array((o.dim as number) + 1);
  },
  (o) => {
    o.beta = [1, 2, 3];
  },
  (o) => {
    o.out = new Float64Array(4);
  },
  (o) => {
    o.epsilon = 1e-5;
  },
  (o) => {
    o.method = "sqrt";
    o.iterations = 3;
  },
  (o) => {
    o.fisr = { steps: 1 };
  },
];

const call = fc.record({
  dim: fc.integer({ min: 1, max: MAX_DIM }),
  rows: fc.integer({ min: 0, max: MAX_ROWS }),
  values: fc.array(value, { minLength: MAX_N, maxLength: MAX_N }),
  gammaValues: fc.option(fc.array(value, { minLength: MAX_DIM, maxLength: MAX_DIM })),
  beta: fc.boolean(),
  eps: fc.option(fc.constantFrom(0, 1e-5, 1e-3, 1)),
  format: fc.constantFrom("fp32", "bf16", "fp16") as fc.Arbitrary<"fp32" | "bf16" | "fp16">,
  native: fc.boolean(),
  rawBits: fc.boolean(),
  inverse,
  // none: a fresh out; same: out = x; memory: x, out (and γ) views of wasm memory at these float offsets.
  alias: fc.constantFrom("none", "same", "memory"),
  xAt: fc.integer({ min: 0, max: MAX_N }),
  outAt: fc.integer({ min: 0, max: MAX_N }),
  gammaAt: fc.integer({ min: 0, max: 2 * MAX_N }),
  l2: fc.boolean(),
  prepared: fc.boolean(),
  breaker: fc.option(fc.integer({ min: 0, max: BREAKERS.length - 1 }), { freq: 3 }),
});

describe("fuzz: layerNorm / l2Normalize against the reference", () => {
  it("valid calls give the reference's bits under any aliasing; invalid ones throw and change nothing", () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(call, (c) => {
        const { dim, rows, format } = c;
        const n = dim * rows;
        const bits16 = format !== "fp32" && c.rawBits && c.alias !== "memory";
        const mem = kernel.memory.buffer;
        const base = ws.input.byteOffset;
        let x: Float32Array | Uint16Array;
        if (c.alias === "memory") {
          x = new Float32Array(mem, base + 4 * c.xAt, n);
          x.set(c.values.slice(0, n));
        } else {
          const f = Float32Array.from(c.values.slice(0, n));
          x = bits16 ? (format === "bf16" ? toBF16(f) : toFP16(f)) : f;
        }
        let gamma: Float32Array | undefined;
        if (c.gammaValues !== null && !c.l2) {
          gamma = c.alias === "memory" ? new Float32Array(mem, base + 4 * c.gammaAt, dim) : new Float32Array(dim);
          gamma.set(c.gammaValues.slice(0, dim));
        }
        // The inputs as they are now (γ written after x may overlap it): the reference runs on copies.
        const xCopy = x.slice();
        const gammaCopy = gamma?.slice();
        const beta = c.beta && !c.l2 ? Float32Array.from({ length: dim }, (_, i) => (i % 5) - 2) : undefined;
        const opts: Record<string, unknown> = { dim, ...c.inverse };
        if (format !== "fp32") opts.format = format;
        if (format !== "fp32" && c.native) opts.accumulate = "native";
        if (c.eps !== null) opts.eps = c.eps;
        const refOpts: Record<string, unknown> = { ...opts };
        if (gamma) {
          opts.gamma = gamma;
          refOpts.gamma = gammaCopy;
        }
        if (beta) {
          opts.beta = beta;
          refOpts.beta = beta;
        }
        let out: Float32Array | Uint16Array | undefined;
        if (c.alias === "same") out = x;
        else if (c.alias === "memory") out = new Float32Array(mem, base + 4 * c.outAt, n);
        if (c.breaker !== null) {
          BREAKERS[c.breaker]!(opts, n);
          BREAKERS[c.breaker]!(refOpts, n);
        }
        const refNorm = (c.l2 ? reference.l2NormalizeIter : reference.layerNormIter) as (
          x: Float32Array | Uint16Array,
          o: NormalizeOptions,
        ) => Float32Array | Uint16Array;
        const run = (): Float32Array | Uint16Array => {
          if (c.prepared && !c.l2 && opts.out === undefined) {
            return (createLayerNorm(opts as never) as (a: unknown, b?: unknown) => Float32Array)(x, out);
          }
          const o = out === undefined || opts.out !== undefined ? opts : { ...opts, out };
          return (c.l2 ? l2Normalize : layerNorm)(x as Float32Array, o as never);
        };
        // A breaker that happens to leave the call valid (dim = n + 1 with no rows, fisr settings
        // with method 'fisr') is a valid call: the reference's shared validation decides.
        const refError = errorOf(() => refNorm(xCopy, refOpts as never));
        if (refError[0] !== "none") {
          const got = errorOf(run);
          invalid++;
          expect(["TypeError", "RangeError"]).toContain(got[0]);
          // The prepared normaliser words x's and out's errors itself; otherwise the same error.
          if (!(c.prepared && !c.l2)) expect(got).toEqual(refError);
          return probe();
        }
        const expected = refNorm(xCopy, refOpts as never);
        let result = run();
        valid++;
        // Memory may have grown during the call (detaching the views): read the result afresh.
        if (c.alias === "memory") result = new Float32Array(kernel.memory.buffer, base + 4 * c.outAt, n);
        return firstBitDifference(result, expected) === -1 && result.length === n && probe();
      }),
      { numRuns: 4000, seed: 20241204 },
    );
    expect(valid).toBeGreaterThan(1000);
    expect(invalid).toBeGreaterThan(800);
  });
});
