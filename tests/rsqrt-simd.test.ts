// The array path of the scalar path (assembly/rsqrt-array.ts): f32x4 lanes in the SIMD build, a
// scalar loop in the scalar build, every element the bits of the one-value path (docs/design.md
// §1, §3, §6, §8). Checked through the raw ABI of both builds (rsqrt_array against rsqrt_format
// and rsqrt_batch_format, rsqrt_chain against repeated rsqrt_format), through rsqrt / fisr on
// arrays (opts.out, zero-copy workspace views, overlapping and chunked copies), and through the
// row kernels, whose grouped rows take their inverse norms as one f32x4 iteration; then the
// microbenchmark that times them (bench/suite-rsqrt.ts, a tiny plan: its checks, not its speed).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import {
  createWorkspace,
  fisr,
  type FisrCallOptions,
  type InverseNormOptions,
  l2Normalize,
  layerNorm,
  type NormalizeOptions,
  reference,
  rsqrt,
} from "iterl2norm";
import { build } from "iterl2norm/kernel";
import { invSqrtChainJs, iterRsqrtChainJs, qRsqrtChainJs } from "../bench/js-baselines.js";
import { runRsqrt } from "../bench/suite-rsqrt.js";
import { rsqrtTable } from "../cli/bench/report.js";
import { setScratchChunkBytes } from "../js/memory.js";
import { bitsOf, firstBitDifference, fromBits, normalRows, rng } from "./helpers.js";

const resolve = createRequire(import.meta.url).resolve;
type Fn = (...a: number[]) => number;
type Exports = Record<string, WebAssembly.Global | Fn> & { memory: WebAssembly.Memory };

function instantiate(path: string): Exports {
  return new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {}).exports as unknown as Exports;
}

const builds = {
  simd: instantiate(resolve("iterl2norm/wasm")),
  scalar: instantiate(resolve("iterl2norm/wasm-scalar")),
};
const k = (e: Exports, name: string): number => (e[name] as WebAssembly.Global).value as number;
const fn = (e: Exports, name: string): Fn => e[name] as Fn;

/**
 * Values of m: every kind of lane the scalar path branches on. Random bit patterns (both signs,
 * every exponent field 0–255 at least once with either sign, so subnormals, ±∞ and quiet and
 * signalling NaNs), the specials and the edges of the directly iterated range [2^−64, 2^64) and
 * of FP16, then a run of values inside that range only (whole blocks of direct lanes), a run where
 * one lane in four is special, and a run of positive subnormals.
 */
function mValues(seed: number): Float32Array {
  const next = rng(seed);
  const m = new Float32Array(6300);
  const u = new Uint32Array(m.buffer);
  const fraction = (): number => Math.floor(next() * 0x800000);
  for (let i = 0; i < 512; i++) u[i] = ((i & 1) << 31) | ((i >> 1) << 23) | fraction(); // sign, field, fraction
  for (let i = 512; i < 2000; i++) u[i] = Math.floor(next() * 2 ** 32) >>> 0;
  const specials = [
    0,
    -0,
    Infinity,
    -Infinity,
    NaN,
    -1,
    1,
    2,
    0.5,
    2 ** -149,
    2 ** -126,
    3.4028234663852886e38,
    2 ** -64,
    2 ** 64,
    2 ** -65,
    2 ** 63 * (2 - 2 ** -23),
    2 ** -64 * (1 - 2 ** -24),
    65504,
    65520,
    2 ** -24,
    6.1e-5,
    1e-30,
  ];
  m.set(specials, 2000);
  for (let i = 2100; i < 5000; i++) m[i] = 2 ** (next() * 127.9 - 64); // [2^−64, 2^63.9)
  for (let i = 5000; i < 6000; i++) m[i] = i % 4 === 1 ? specials[i % specials.length]! : 2 ** (next() * 60 - 30);
  for (let i = 6000; i < 6300; i++) u[i] = 1 + fraction(); // subnormals: the exponent from the top set bit
  return m;
}

const M = mValues(15);

/** A signalling NaN becomes quiet on its way through a JS number, so it is compared in memory only. */
function survivesNumber(v: number, bits: number): boolean {
  return !Number.isNaN(v) || (bits & 0x400000) !== 0;
}

/** Inverse-norm arguments (method, policy, c, steps, magic, variant) of one case, by ABI names. */
interface AbiCase {
  readonly name: string;
  readonly format: string;
  readonly args: (e: Exports) => number[];
}

function abiCases(): AbiCase[] {
  const list: AbiCase[] = [];
  for (const format of ["FORMAT_FP32", "FORMAT_BF16", "FORMAT_FP16"]) {
    const iter = (policy: string, c: number, steps: number): void => {
      list.push({
        name: `${format} iter ${policy} c=${c} ${steps} steps`,
        format,
        args: (e) => [k(e, "METHOD_ITER"), k(e, policy), c, steps, 0, k(e, "FISR_QUAKE")],
      });
    };
    for (const steps of [0, 1, 5]) {
      iter("LAMBDA_PAPER", 0, steps);
      iter("LAMBDA_POW2", 0, steps);
      iter("LAMBDA_NEWTON", 0, steps);
    }
    iter("LAMBDA_CUSTOM", 0.25, 7);
    iter("LAMBDA_CUSTOM", 1, 5);
    // c below 2^−63: λ = c·2^(−e) is not exact for every e, so the lanes take the multiplying form
    iter("LAMBDA_CUSTOM", 1e-30, 3);
    list.push({
      name: `${format} sqrt`,
      format,
      args: (e) => [k(e, "METHOD_SQRT"), k(e, "LAMBDA_PAPER"), 0, 0, 0, k(e, "FISR_QUAKE")],
    });
    const fisr = (variant: string, magic: string, steps: number): void => {
      list.push({
        name: `${format} fisr ${variant} ${magic} ${steps} steps`,
        format,
        args: (e) => [k(e, "METHOD_FISR"), k(e, "LAMBDA_PAPER"), 0, steps, k(e, magic) >>> 0, k(e, variant)],
      });
    };
    const magics =
      format === "FORMAT_FP32"
        ? ["QUAKE_MAGIC"]
        : format === "FORMAT_BF16"
          ? ["BF16_MAGIC", "BF16_MAGIC_ALT"]
          : ["FP16_MAGIC", "FP16_MAGIC_ALT"];
    for (const magic of magics) for (const steps of [0, 1, 2, 3]) fisr("FISR_QUAKE", magic, steps);
    if (format === "FORMAT_FP32") {
      for (const steps of [1, 2, 3]) {
        fisr("FISR_LOMONT", "LOMONT_MAGIC", steps);
        fisr("FISR_WALCZYK", "WALCZYK_MAGIC", steps);
        fisr("FISR_KADLEC", "KADLEC_MAGIC", steps);
      }
    }
  }
  return list;
}

const CASES = abiCases();

/** rsqrt_array (or another batch export) on m at its own place in e's memory; returns the result words. */
function arrayCall(e: Exports, name: string, m: Float32Array, c: AbiCase, inPlace = false): Uint32Array {
  const n = m.length;
  const p = fn(e, "alloc")(n * 8 + 16);
  new Float32Array(e.memory.buffer, p, n).set(m);
  const q = inPlace ? p : p + n * 4;
  expect(fn(e, name)(p, q, n, k(e, c.format), ...c.args(e))).toBe(k(e, "STATUS_OK"));
  const out = new Uint32Array(e.memory.buffer, q, n).slice();
  fn(e, "free")(p);
  return out;
}

/** Index of the first word that differs, or −1. */
function firstWordDifference(a: Uint32Array, b: Uint32Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : a.length;
}

describe("rsqrt_array: every element the bits of the scalar path, in both builds", () => {
  const mBits = new Uint32Array(M.buffer);

  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const got = arrayCall(builds.simd, "rsqrt_array", M, c);
    // the scalar loop of either build, word for word (NaN payloads included: the same memory)
    expect(firstWordDifference(got, arrayCall(builds.simd, "rsqrt_batch_format", M, c))).toBe(-1);
    expect(firstWordDifference(got, arrayCall(builds.scalar, "rsqrt_array", M, c))).toBe(-1);
    // and the one-value export, element by element (NaN against NaN where a NaN was quieted)
    const e = builds.simd;
    const one = fn(e, "rsqrt_format");
    const bad: string[] = [];
    for (let i = 0; i < M.length && bad.length < 3; i++) {
      if (!survivesNumber(M[i]!, mBits[i]!)) continue;
      const a = one(M[i]!, k(e, c.format), ...c.args(e));
      const same = bitsOf(a) === got[i] || (Number.isNaN(a) && Number.isNaN(fromBits(got[i]!)));
      if (!same)
        bad.push(`m=${M[i]} (0x${mBits[i]!.toString(16)}): ${got[i]!.toString(16)} vs ${bitsOf(a).toString(16)}`);
    }
    expect(bad).toEqual([]);
  });

  it("gives the same words for every length (whole blocks, single vectors, scalar tails) and in place", () => {
    const some = CASES.filter((c) =>
      /iter LAMBDA_(PAPER|NEWTON) c=0 5|sqrt|fisr FISR_(QUAKE|KADLEC) \w+ 2/.test(c.name),
    );
    for (const c of some) {
      const whole = arrayCall(builds.simd, "rsqrt_array", M, c);
      for (const [start, n] of [
        [2100, 1],
        [2101, 3],
        [2100, 4],
        [2103, 31],
        [2100, 32],
        [2107, 33],
        [4900, 200],
        [0, 1237],
      ] as const) {
        const part = arrayCall(builds.simd, "rsqrt_array", M.subarray(start, start + n), c);
        expect(firstWordDifference(part, whole.subarray(start, start + n)), `${c.name} [${start}, +${n})`).toBe(-1);
      }
      for (const e of [builds.simd, builds.scalar]) {
        expect(firstWordDifference(arrayCall(e, "rsqrt_array", M, c, true), whole), `${c.name} in place`).toBe(-1);
      }
    }
  });

  it("checks its arguments as rsqrt_batch_format does, writing nothing", () => {
    for (const e of [builds.simd, builds.scalar]) {
      const f = fn(e, "rsqrt_array");
      const iter = [k(e, "METHOD_ITER"), k(e, "LAMBDA_PAPER"), 0, 5, 0, k(e, "FISR_QUAKE")];
      const fp32 = k(e, "FORMAT_FP32");
      expect(f(0, 0, -1, fp32, ...iter)).toBe(k(e, "STATUS_BAD_SHAPE"));
      expect(f(0, 0, 4, 7, ...iter)).toBe(k(e, "STATUS_BAD_FORMAT"));
      expect(f(0, 0, 4, fp32, 9, ...iter.slice(1))).toBe(k(e, "STATUS_BAD_PARAM"));
      expect(f(0, 0, 4, fp32, k(e, "METHOD_ITER"), 9, 0, 5, 0, 0)).toBe(k(e, "STATUS_BAD_PARAM"));
      expect(f(0, 0, 4, fp32, k(e, "METHOD_ITER"), k(e, "LAMBDA_PAPER"), 0, -1, 0, 0)).toBe(k(e, "STATUS_BAD_PARAM"));
      const lomont = [k(e, "METHOD_FISR"), 0, 0, 1, k(e, "LOMONT_MAGIC"), k(e, "FISR_LOMONT")];
      expect(f(0, 0, 4, k(e, "FORMAT_BF16"), ...lomont)).toBe(k(e, "STATUS_BAD_FORMAT"));
      const end = e.memory.buffer.byteLength;
      expect(f(end - 8, 0, 4, fp32, ...iter)).toBe(k(e, "STATUS_OUT_OF_BOUNDS"));
      expect(f(0, end - 8, 4, fp32, ...iter)).toBe(k(e, "STATUS_OUT_OF_BOUNDS"));
    }
  });
});

describe("rsqrt_chain: m ← a(m), the same bits as the one-value path step by step", () => {
  const starts = Float32Array.of(2, 3e-30, 7.5e25, 0.3);
  for (const c of CASES.filter((x) => !/c=1e-30/.test(x.name))) {
    it(c.name, () => {
      for (const [build, e] of Object.entries(builds)) {
        const one = fn(e, "rsqrt_format");
        const want = Array.from(starts, (v) => {
          for (let i = 0; i < 9; i++) v = one(v, k(e, c.format), ...c.args(e));
          return v;
        });
        for (const lanes of [1, 4]) {
          const p = fn(e, "alloc")(16);
          new Float32Array(e.memory.buffer, p, 4).set(starts);
          expect(fn(e, "rsqrt_chain")(p, lanes, 9, k(e, c.format), ...c.args(e))).toBe(k(e, "STATUS_OK"));
          const got = Array.from(new Float32Array(e.memory.buffer, p, 4));
          fn(e, "free")(p);
          for (let l = 0; l < lanes; l++) {
            const same = Object.is(got[l], want[l]) || (Number.isNaN(got[l]!) && Number.isNaN(want[l]!));
            expect(same, `${build} lanes=${lanes} lane ${l}: ${got[l]} vs ${want[l]}`).toBe(true);
          }
        }
      }
    });
  }

  it("rejects lane counts other than 1 and 4 and negative counts", () => {
    for (const e of Object.values(builds)) {
      const args = [k(e, "FORMAT_FP32"), k(e, "METHOD_ITER"), k(e, "LAMBDA_PAPER"), 0, 5, 0, 0];
      expect(fn(e, "rsqrt_chain")(0, 2, 1, ...args)).toBe(k(e, "STATUS_BAD_SHAPE"));
      expect(fn(e, "rsqrt_chain")(0, 4, -1, ...args)).toBe(k(e, "STATUS_BAD_SHAPE"));
    }
  });
});

afterEach(() => setScratchChunkBytes(undefined));

/** rsqrt / fisr of each value through the number path. */
function oneByOne(m: Float32Array, f: (v: number) => number): Float32Array {
  return Float32Array.from(m, f);
}

describe("rsqrt / fisr on a Float32Array: the number path's bits, into opts.out or a new array", () => {
  const m = M.subarray(2000); // no signalling NaNs: the number path sees the same values
  const options: [string, InverseNormOptions][] = [
    ["paper", {}],
    ["precise", { preset: "precise" }],
    ["pow2, 3 steps", { lambda: "pow2", iterations: 3 }],
    ["c = 0.4", { lambda: 0.4 }],
    ["sqrt", { method: "sqrt" }],
    ["fisr walczyk, 2 steps", { method: "fisr", fisr: { variant: "walczyk", steps: 2 } }],
    ["bf16", { format: "bf16" }],
    ["fp16 precise", { format: "fp16", preset: "precise" }],
    ["fp16 fisr, 2 steps", { format: "fp16", method: "fisr", fisr: { steps: 2 } }],
    ["bf16 sqrt", { format: "bf16", method: "sqrt" }],
  ];

  it.each(options)("rsqrt %s", (_name, opts) => {
    const want = oneByOne(m, (v) => rsqrt(v, opts));
    expect(firstBitDifference(rsqrt(m, opts), want)).toBe(-1);
    const out = new Float32Array(m.length);
    expect(rsqrt(m, { ...opts, out })).toBe(out);
    expect(firstBitDifference(out, want)).toBe(-1);
  });

  const fisrOptions: [string, FisrCallOptions][] = [
    ["quake", {}],
    ["lomont, 2 steps", { variant: "lomont", steps: 2 }],
    ["kadlec", { variant: "kadlec" }],
    ["bf16, 2 steps", { format: "bf16", steps: 2 }],
    ["fp16, magic 0x59b7", { format: "fp16", magic: 0x59b7 }],
  ];

  it.each(fisrOptions)("fisr %s", (_name, opts) => {
    const want = oneByOne(m, (v) => fisr(v, opts));
    expect(firstBitDifference(fisr(m, opts), want)).toBe(-1);
    const out = new Float32Array(m.length);
    expect(fisr(m, { ...opts, out })).toBe(out);
    expect(firstBitDifference(out, want)).toBe(-1);
  });

  it("zero-copy: views of wasm memory (a Workspace) as m and out, and in place", () => {
    const want = rsqrt(m, { preset: "precise" });
    const wantF = fisr(m, { steps: 2 });
    const ws = createWorkspace(1, m.length);
    try {
      ws.input.set(m);
      expect(firstBitDifference(rsqrt(ws.input, { preset: "precise", out: ws.output }), want)).toBe(-1);
      expect(firstBitDifference(ws.output, want)).toBe(-1);
      expect(firstBitDifference(fisr(ws.input, { steps: 2, out: ws.output }), wantF)).toBe(-1);
      expect(firstBitDifference(rsqrt(ws.input, { preset: "precise" }), want)).toBe(-1); // out: a new array
      const plain = new Float32Array(m.length);
      rsqrt(ws.input, { preset: "precise", out: plain });
      expect(firstBitDifference(plain, want)).toBe(-1);
      const fresh = Float32Array.from(m);
      rsqrt(fresh, { preset: "precise", out: ws.output }); // m copied in, out written directly
      expect(firstBitDifference(ws.output, want)).toBe(-1);
      rsqrt(ws.input, { preset: "precise", out: ws.input }); // in place
      expect(firstBitDifference(ws.input, want)).toBe(-1);
    } finally {
      ws.dispose();
    }
  });

  it("out overlapping m (shifted either way), in wasm memory and outside it, in chunks", () => {
    const n = 1000;
    const src = m.subarray(0, n);
    const want = rsqrt(src);
    for (const chunk of [undefined, 64 * 4]) {
      setScratchChunkBytes(chunk);
      for (const shift of [-5, -1, 1, 4, 37]) {
        const plain = new Float32Array(n + 80);
        const ws = createWorkspace(1, n + 80);
        try {
          for (const whole of [plain, ws.input]) {
            const x = whole.subarray(40, 40 + n);
            x.set(src);
            const out = whole.subarray(40 + shift, 40 + shift + n);
            rsqrt(x, { out });
            expect(firstBitDifference(out, want), `shift ${shift}, chunk ${chunk}`).toBe(-1);
          }
        } finally {
          ws.dispose();
        }
      }
    }
  });

  it("arrays longer than the chunk bound give the bits of one call", () => {
    const want = rsqrt(m, { lambda: "pow2" });
    setScratchChunkBytes(100 * 4);
    expect(firstBitDifference(rsqrt(m, { lambda: "pow2" }), want)).toBe(-1);
    const out = new Float32Array(m.length);
    fisr(m, { out });
    setScratchChunkBytes(undefined);
    expect(firstBitDifference(out, fisr(m))).toBe(-1);
  });

  it("rejects a bad opts.out with the error naming it", () => {
    const two = Float32Array.of(2, 3);
    expect(() => rsqrt(two, { out: new Float32Array(3) })).toThrow(RangeError);
    expect(() => rsqrt(two, { out: new Float32Array(3) })).toThrow(/opts\.out\.length must be 2 \(m\.length\); got 3/);
    expect(() => rsqrt(two, { out: new Float64Array(2) as never })).toThrow(/opts\.out must be a Float32Array/);
    expect(() => fisr(two, { out: [0, 0] as never })).toThrow(TypeError);
    expect(() => rsqrt(2, { out: new Float32Array(1) } as never)).toThrow(/opts\.out applies to a Float32Array m only/);
    expect(() => fisr(2, { out: new Float32Array(1) })).toThrow(TypeError);
    expect(rsqrt(new Float32Array(0), { out: new Float32Array(0) })).toHaveLength(0);
  });
});

describe("grouped rows: the four inverse norms as one f32x4 iteration, the bits of row-by-row calls", () => {
  const dim = 12;
  /** Rows of every kind a group can mix: ordinary, huge (m ≥ 2^64), tiny (rescaled), zero, constant, NaN, ∞. */
  function mixedRows(): Float32Array {
    const x = normalRows(77, 23, dim, 0.25, 3);
    const scale = (row: number, s: number): void => {
      for (let i = row * dim; i < (row + 1) * dim; i++) x[i] = x[i]! * s;
    };
    scale(1, 2 ** 40);
    scale(2, 2 ** -50);
    x.subarray(5 * dim, 6 * dim).fill(0);
    x.subarray(6 * dim, 7 * dim).fill(3.5);
    x[9 * dim + 3] = NaN;
    x[10 * dim + 7] = Infinity;
    scale(13, 2 ** 60);
    scale(14, 2 ** -70);
    return x;
  }
  const x = mixedRows();
  const rows = x.length / dim;
  const variants: [string, Omit<NormalizeOptions, "dim">][] = [
    ["paper", {}],
    ["precise", { preset: "precise" }],
    ["pow2", { lambda: "pow2" }],
    ["c = 0.3, 6 steps", { lambda: 0.3, iterations: 6 }],
    ["sqrt", { method: "sqrt" }],
    ["fisr quake", { method: "fisr" }],
    ["fisr walczyk, 2 steps", { method: "fisr", fisr: { variant: "walczyk", steps: 2 } }],
    ["fisr kadlec, 3 steps", { method: "fisr", fisr: { variant: "kadlec", steps: 3 } }],
  ];

  it.each(variants)("layerNorm and l2Normalize, %s", (_name, opts) => {
    for (const [f, eps] of [
      [layerNorm, 1e-5],
      [l2Normalize, 0],
    ] as const) {
      const all = f(x, { dim, eps, ...opts });
      const byRow = new Float32Array(x.length);
      for (let r = 0; r < rows; r++) byRow.set(f(x.subarray(r * dim, (r + 1) * dim), { dim, eps, ...opts }), r * dim);
      expect(firstBitDifference(all, byRow), `${f.name}`).toBe(-1);
    }
  });
});

describe("the rsqrt microbenchmark (bench/suite-rsqrt.ts) and its table", () => {
  it("checks and times every method, scalar and (SIMD build) f32x4, throughput and latency", async () => {
    const plan = { timeMs: 1, warmupMs: 1, minSamples: 1, rounds: 1, count: 1000, chainSteps: 16, clockGHz: 3 };
    const results = await runRsqrt(plan, () => {});
    const simd = build === "simd";
    const methods = [...new Set(results.filter((r) => r.form !== "api").map((r) => r.method))];
    expect(methods).toHaveLength(14); // 2 IterL2Norm, 8 FISR, sqrt + divide, 3 JS
    for (const method of methods) {
      const of = results.filter((r) => r.method === method && r.form !== "api");
      const js = method.startsWith("JS");
      expect(of.map((r) => `${r.form} ${r.measure}`).sort(), method).toEqual(
        js
          ? ["js latency", "js throughput"]
          : simd
            ? ["f32x4 latency", "f32x4 throughput", "scalar latency", "scalar throughput"]
            : ["scalar latency", "scalar throughput"],
      );
    }
    for (const r of results) {
      expect(r.suite).toBe(r.measure === "throughput" ? "rsqrt" : "rsqrt-latency");
      expect(r.rows).toBe(r.measure === "throughput" ? 1000 : 16);
      expect(r.nsPerRow).toBeGreaterThan(0);
      expect(r.cycles).toBeCloseTo(r.nsPerRow * 3, 9);
      expect(r.maxRelError).toBeGreaterThan(0);
      expect(r.maxRelError).toBeLessThan(4e-3);
    }
    expect(results.filter((r) => r.form === "api").map((r) => r.api)).toEqual([
      "native",
      ...["copy", "copy", "copy", "copy", "copy"],
      ...["zero-copy", "zero-copy"],
    ]);
    const table = rsqrtTable(results);
    for (const method of methods) expect(table).toContain(`| ${method}`);
    expect(table).toContain("cycles at 3.00 GHz");
    expect(table).toContain("rsqrt(ws.input, { out: ws.output })");
    expect(table.split("—").length - 1).toBe(simd ? 6 : 6 + 2 * 11); // no f32x4 cells: JS rows (and the scalar build)
  });

  it("JS chains compute m ← a(m) step by step", () => {
    let a = 2;
    let q = 2;
    let it = Math.fround(2);
    const alias = new Float32Array(1);
    const bits = new Uint32Array(alias.buffer);
    for (let i = 0; i < 7; i++) {
      a = 1 / Math.sqrt(a);
      alias[0] = q;
      bits[0] = 0x5f3759df - (bits[0]! >>> 1);
      const y = alias[0]!;
      q = y * (1.5 - 0.5 * q * y * y);
      it = reference.rsqrtIter(it);
    }
    expect(invSqrtChainJs(2, 7)).toBe(a);
    expect(qRsqrtChainJs(2, 7)).toBe(q);
    expect(iterRsqrtChainJs(2, 7, 5)).toBe(it);
  });
});
