// The macro's scalar path (hw/scalar.ts: exponent unit, scalar multiplier and
// adder, one rounded operation per unit use) against the library's scalar path:
// the wasm rsqrt / fisr and reference.rsqrtIter, bit for bit (docs/design.md §1: the
// scalar path is bit-identical in the wasm kernel, the plain-TS reference and the
// hardware model, in every format the model has).
import { describe, expect, it } from "vitest";
import { fisr, reference, rsqrt, type InverseNormOptions } from "iterl2norm";
import { DEFAULT_MACRO, defineMacro, simulateInverseNorm, simulateMacro, type MacroConfig } from "iterl2norm/hw";
import { inverseNormCycles } from "../hw/latency.js";
import { bitsOf, fromBits, normalRows, rng } from "./helpers.js";

/** n positive finite f32 values with uniformly random bit patterns: every exponent, subnormals included. */
function positiveF32(seed: number, n: number): Float32Array {
  const next = rng(seed);
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) m[i] = fromBits(1 + Math.floor(next() * 0x7f7fffff));
  return m;
}

/** Every positive finite BF16 value (bit patterns 0x0001 … 0x7F7F), as f32. */
function allPositiveBF16(): Float32Array {
  const m = new Float32Array(0x7f7f);
  for (let h = 1; h <= 0x7f7f; h++) m[h - 1] = fromBits(h << 16);
  return m;
}

function firstMismatches(m: Float32Array, config: MacroConfig, oracle: (m: Float32Array) => Float32Array): string[] {
  const want = oracle(m);
  const bad: string[] = [];
  for (let i = 0; i < m.length && bad.length < 5; i++) {
    const got = simulateInverseNorm(m[i]!, config).a;
    if (bitsOf(got) !== bitsOf(want[i]!))
      bad.push(`m=${m[i]} (0x${bitsOf(m[i]!).toString(16)}): macro ${got}, library ${want[i]}`);
  }
  return bad;
}

const ITER_CASES: [string, Parameters<typeof defineMacro>[0], InverseNormOptions][] = [
  ["paper preset", { lambda: "paper", iterations: 5 }, { preset: "paper" }],
  ["precise preset (Newton)", { lambda: "newton", iterations: 5 }, { preset: "precise" }],
  ["λ = 2^−(e+1)", { lambda: "pow2", iterations: 5 }, { lambda: "pow2" }],
  ["λ = 0.25·2^−e, 7 steps", { lambda: 0.25, iterations: 7 }, { lambda: 0.25, iterations: 7 }],
  ["0 steps (a₀ alone)", { iterations: 0 }, { iterations: 0 }],
];

describe("FP32 scalar path, 10 000 m over every exponent (subnormals included)", () => {
  const m = positiveF32(4, 10_000);

  it("the sample covers exponent fields 0 (subnormal) to 254", () => {
    const fields = new Set(Array.from(m, (v) => (bitsOf(v) >>> 23) & 0xff));
    expect(fields.has(0)).toBe(true);
    expect(fields.has(254)).toBe(true);
  });

  it.each(ITER_CASES)("IterL2Norm %s: bits of the wasm rsqrt", (_n, hw, opts) => {
    expect(firstMismatches(m, defineMacro(hw), (v) => rsqrt(v, opts))).toEqual([]);
  });

  it("IterL2Norm paper preset: bits of reference.rsqrtIter (plain TS)", () => {
    expect(firstMismatches(m, DEFAULT_MACRO, (v) => Float32Array.from(v, (x) => reference.rsqrtIter(x)))).toEqual([]);
  });

  it.each([0, 1, 2, 3])("FISR, Quake magic, %i Newton steps: bits of the wasm fisr", (steps) => {
    expect(firstMismatches(m, defineMacro({ method: "fisr", fisr: { steps } }), (v) => fisr(v, { steps }))).toEqual([]);
  });

  it("FISR with Lomont's magic 0x5f375a86: bits of the wasm fisr", () => {
    const cfg = defineMacro({ method: "fisr", fisr: { magic: 0x5f375a86, steps: 2 } });
    expect(firstMismatches(m, cfg, (v) => fisr(v, { magic: 0x5f375a86, steps: 2 }))).toEqual([]);
  });

  it("sqrt then divide: bits of rsqrt with method 'sqrt'", () => {
    expect(firstMismatches(m, defineMacro({ method: "sqrt" }), (v) => rsqrt(v, { method: "sqrt" }))).toEqual([]);
  });
});

describe("BF16 scalar path, every positive finite BF16 value", () => {
  const all = allPositiveBF16();
  // Every 7th value for the variants keeps the file fast; the paper preset runs on all 32 639.
  const some = all.filter((_, i) => i % 7 === 0);

  it("IterL2Norm paper preset on all 32 639 values: bits of rsqrt(m, { format: 'bf16' })", () => {
    expect(firstMismatches(all, defineMacro({ format: "bf16" }), (v) => rsqrt(v, { format: "bf16" }))).toEqual([]);
  });

  it.each(ITER_CASES.slice(1))("IterL2Norm %s", (_n, hw, opts) => {
    expect(
      firstMismatches(some, defineMacro({ format: "bf16", ...hw }), (v) => rsqrt(v, { ...opts, format: "bf16" })),
    ).toEqual([]);
  });

  it.each([1, 2])("FISR, magic 0x5f37, %i Newton steps", (steps) => {
    expect(
      firstMismatches(some, defineMacro({ format: "bf16", method: "fisr", fisr: { steps } }), (v) =>
        fisr(v, { steps, format: "bf16" }),
      ),
    ).toEqual([]);
  });

  it("sqrt then divide", () => {
    expect(
      firstMismatches(some, defineMacro({ format: "bf16", method: "sqrt" }), (v) =>
        rsqrt(v, { method: "sqrt", format: "bf16" }),
      ),
    ).toEqual([]);
  });
});

describe("the scalar path inside a full macro run", () => {
  it("L2 mode: the scale the output pass uses is rsqrt of the macro's own m, bit for bit", () => {
    for (const format of ["fp32", "bf16"] as const) {
      for (let s = 0; s < 20; s++) {
        const d = 1 + Math.floor(rng(s)() * 1024);
        const r = simulateMacro(normalRows(100 + s, 1, d, 0.5, 3), defineMacro({ format }), { mode: "l2" });
        expect(bitsOf(r.trace.scale)).toBe(bitsOf(rsqrt(r.trace.m, { format })));
      }
    }
  });
});

describe("row rules of the scalar path", () => {
  it("m = 0 and m = +∞ give a = 0 (docs/design.md §4: a zero-variance row gives β), NaN gives NaN", () => {
    for (const method of ["iter", "fisr", "sqrt"] as const) {
      const cfg = defineMacro({ method });
      expect(simulateInverseNorm(0, cfg).a).toBe(0);
      expect(simulateInverseNorm(Infinity, cfg).a).toBe(0);
      expect(simulateInverseNorm(NaN, cfg).a).toBeNaN();
    }
  });
});

describe("cycles of the scalar phase", () => {
  it.each<[string, Parameters<typeof defineMacro>[0], number]>([
    // 2·exponent + n·(3·mul + 2·add) + mul = 2 + 5·(6 + 4) + 2
    ["default IterL2Norm", {}, 54],
    // 2 + 7·(3·3 + 2·1) + 3 with mul 3, add 1
    ["7 steps, mul 3, add 1", { iterations: 7, latency: { mul: 3, add: 1 } }, 2 + 7 * 11 + 3],
    // max(mul, exponent) + k·(3·mul + add) + mul = 2 + 2·8 + 2
    ["FISR 2 steps", { method: "fisr", fisr: { steps: 2 } }, 20],
    // exponent + mul = 1 + 2 (the seed alone)
    ["FISR 0 steps", { method: "fisr", fisr: { steps: 0 } }, 3],
    // sqrt + divide + mul = 27 + 27 + 2
    ["sqrt + divide, FP32", { method: "sqrt" }, 56],
    // 11 + 11 + 2 (BF16: 8 significand bits + 3)
    ["sqrt + divide, BF16", { method: "sqrt", format: "bf16" }, 24],
  ])("%s: the dataflow schedule takes the closed form's cycles", (_n, o, cycles) => {
    const cfg = defineMacro(o);
    expect(simulateInverseNorm(2.5, cfg).cycles).toBe(cycles);
    expect(inverseNormCycles(cfg)).toBe(cycles);
  });
});
