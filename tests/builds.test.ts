// The two builds of the module (SIMD and scalar) through the raw ABI: no imports,
// the same exports, HAS_SIMD, and the same bits: both sum in the one order of
// assembly/sum.ts (docs/design.md §2), the SIMD build in f32x4 lanes and the scalar
// build in scalar accumulators, so FP32, BF16 and FP16 rows agree bit for bit.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { reference } from "iterl2norm";
import { aBound, exactSumRows, firstBitDifference, layerNormBound, normalRows, worstExcess } from "./helpers.js";

const resolve = createRequire(import.meta.url).resolve;
const files = { simd: resolve("iterl2norm/wasm"), scalar: resolve("iterl2norm/wasm-scalar") } as const;

type Exports = Record<string, WebAssembly.Global | ((...a: number[]) => number)> & { memory: WebAssembly.Memory };

function instantiate(path: string): { module: WebAssembly.Module; e: Exports } {
  const module = new WebAssembly.Module(readFileSync(path));
  return { module, e: new WebAssembly.Instance(module, {}).exports as unknown as Exports };
}

const simd = instantiate(files.simd);
const scalar = instantiate(files.scalar);
const k = (e: Exports, name: string): number => (e[name] as WebAssembly.Global).value as number;
const fn = (e: Exports, name: string) => e[name] as (...a: number[]) => number;

/** x copied into the module, `call(ptr)` run in place (it must return STATUS_OK), the result copied out. */
function inPlace(e: Exports, x: Float32Array, call: (ptr: number) => number): Float32Array {
  const ptr = fn(e, "alloc")(x.byteLength);
  new Float32Array(e.memory.buffer, ptr, x.length).set(x);
  expect(call(ptr)).toBe(k(e, "STATUS_OK"));
  const out = new Float32Array(e.memory.buffer, ptr, x.length).slice();
  fn(e, "free")(ptr);
  return out;
}

/** The iteration's arguments (method, policy, c, steps, magic, variant) of a preset. */
function iterArgs(e: Exports, preset: "paper" | "precise"): number[] {
  const policy = k(e, preset === "paper" ? "LAMBDA_PAPER" : "LAMBDA_NEWTON");
  return [k(e, "METHOD_ITER"), policy, 0, 5, k(e, "QUAKE_MAGIC"), k(e, "FISR_QUAKE")];
}

/** layer_norm through the ABI: copy in, call, copy out, free. */
function layerNormAbi(
  e: Exports,
  x: Float32Array,
  dim: number,
  preset: "paper" | "precise",
  eps: number,
): Float32Array {
  const rows = x.length / dim;
  return inPlace(e, x, (p) => fn(e, "layer_norm")(p, p, 0, 0, rows, dim, eps, ...iterArgs(e, preset)));
}

/** layer_norm_format through the ABI (f32 in and out), as layerNormAbi. */
function layerNormFormatAbi(e: Exports, x: Float32Array, dim: number, format: string, accumulate: string) {
  const rows = x.length / dim;
  const datapath = [k(e, format), k(e, accumulate), k(e, "IO_F32")];
  return inPlace(e, x, (p) =>
    fn(e, "layer_norm_format")(p, p, 0, 0, rows, dim, 1e-5, ...datapath, ...iterArgs(e, "precise")),
  );
}

describe("SIMD and scalar builds", () => {
  it("import nothing and export the same names; HAS_SIMD tells them apart", () => {
    expect(WebAssembly.Module.imports(simd.module)).toEqual([]);
    expect(WebAssembly.Module.imports(scalar.module)).toEqual([]);
    const names = (m: WebAssembly.Module) =>
      WebAssembly.Module.exports(m)
        .map((x) => `${x.name}:${x.kind}`)
        .sort();
    expect(names(scalar.module)).toEqual(names(simd.module));
    expect(k(simd.e, "HAS_SIMD")).toBe(1);
    expect(k(scalar.e, "HAS_SIMD")).toBe(0);
  });

  it("the scalar build contains no SIMD instruction (it validates without the SIMD feature's types)", () => {
    const wat = readFileSync(files.scalar.replace(/\.wasm$/, ".wat"), "utf8");
    expect(wat).not.toMatch(/v128|f32x4|i32x4/);
  });

  it("give the same bits on rows whose sums are exact", () => {
    for (const dim of [1, 3, 8, 37, 768, 1027]) {
      const x = exactSumRows(dim, 5, dim);
      for (const preset of ["paper", "precise"] as const) {
        expect(
          firstBitDifference(layerNormAbi(scalar.e, x, dim, preset, 0), layerNormAbi(simd.e, x, dim, preset, 0)),
        ).toBe(-1);
      }
    }
  });

  it("agree on random rows within the summation-order bound (each within the bound of the truth)", () => {
    for (const dim of [5, 64, 767, 4096]) {
      const rows = 6;
      const x = normalRows(dim, rows, dim, 2, 3);
      for (const preset of ["paper", "precise"] as const) {
        const a = layerNormAbi(scalar.e, x, dim, preset, 1e-5);
        const b = layerNormAbi(simd.e, x, dim, preset, 1e-5);
        for (let r = 0; r < rows; r++) {
          const bound = layerNormBound(x.subarray(r * dim, (r + 1) * dim), 1e-5, aBound(preset)).map((v) => 2 * v);
          expect(worstExcess(a, b, bound, r * dim)).toBeLessThanOrEqual(0);
        }
      }
    }
  });

  it("the scalar build sums in the kernel's order: it equals the plain-TS reference bit for bit", () => {
    for (const dim of [3, 64, 1027]) {
      const x = normalRows(dim + 9, 4, dim, 1, 2);
      for (const preset of ["paper", "precise"] as const) {
        expect(
          firstBitDifference(layerNormAbi(scalar.e, x, dim, preset, 1e-5), reference.layerNormIter(x, { dim, preset })),
        ).toBe(-1);
      }
    }
  });

  it("give the same bits on random rows, FP32 and BF16/FP16 in both accumulate modes (every summation branch)", () => {
    // d covers: tail only, leftover vectors only, one partial chunk, chunk boundaries 512 and 1024 ± a
    // few, and several chunks with every remainder mod 16.
    for (const dim of [3, 13, 16, 100, 511, 512, 529, 1027, 2061]) {
      const x = normalRows(dim * 3 + 1, 3, dim, 1.5, 2);
      for (const preset of ["paper", "precise"] as const) {
        const a = layerNormAbi(scalar.e, x, dim, preset, 1e-5);
        expect(firstBitDifference(a, layerNormAbi(simd.e, x, dim, preset, 1e-5)), `${preset} d=${dim}`).toBe(-1);
      }
      for (const format of ["FORMAT_BF16", "FORMAT_FP16"]) {
        for (const accumulate of ["ACCUMULATE_FP32", "ACCUMULATE_NATIVE"]) {
          const a = layerNormFormatAbi(scalar.e, x, dim, format, accumulate);
          const b = layerNormFormatAbi(simd.e, x, dim, format, accumulate);
          expect(firstBitDifference(a, b), `${format} ${accumulate} d=${dim}`).toBe(-1);
        }
      }
    }
  });

  it("have bit-identical scalar paths", () => {
    for (let i = 0; i < 2000; i++) {
      const m = Math.fround(2 ** (i / 20 - 50) * (1 + (i % 7) / 7));
      for (const policy of ["LAMBDA_PAPER", "LAMBDA_NEWTON"]) {
        const a = fn(simd.e, "rsqrt_iter")(m, k(simd.e, policy), 0, 5);
        const b = fn(scalar.e, "rsqrt_iter")(m, k(scalar.e, policy), 0, 5);
        expect(Object.is(a, b)).toBe(true);
      }
    }
  });

  it("have bit-identical scalar paths in every format and method (FISR variants, sqrt, λ policies)", () => {
    // The scalar path (assembly/scalar.ts) has no SIMD branch, so the two builds compile the same
    // source; this checks the compiled results agree, which is why fisr.test.ts runs on one build.
    const cases: [string, string, string, number, number, string][] = [
      // format, method, policy, steps, magic, variant
      ["FORMAT_FP32", "METHOD_FISR", "LAMBDA_PAPER", 1, k(simd.e, "QUAKE_MAGIC"), "FISR_QUAKE"],
      ["FORMAT_FP32", "METHOD_FISR", "LAMBDA_PAPER", 2, k(simd.e, "LOMONT_MAGIC"), "FISR_LOMONT"],
      ["FORMAT_FP32", "METHOD_FISR", "LAMBDA_PAPER", 2, k(simd.e, "WALCZYK_MAGIC"), "FISR_WALCZYK"],
      ["FORMAT_FP32", "METHOD_FISR", "LAMBDA_PAPER", 1, k(simd.e, "KADLEC_MAGIC"), "FISR_KADLEC"],
      ["FORMAT_FP32", "METHOD_SQRT", "LAMBDA_PAPER", 0, 0, "FISR_QUAKE"],
      ["FORMAT_BF16", "METHOD_FISR", "LAMBDA_PAPER", 2, k(simd.e, "BF16_MAGIC"), "FISR_QUAKE"],
      ["FORMAT_FP16", "METHOD_FISR", "LAMBDA_PAPER", 2, k(simd.e, "FP16_MAGIC"), "FISR_QUAKE"],
      ["FORMAT_BF16", "METHOD_ITER", "LAMBDA_PAPER", 5, 0, "FISR_QUAKE"],
      ["FORMAT_FP16", "METHOD_ITER", "LAMBDA_NEWTON", 5, 0, "FISR_QUAKE"],
      ["FORMAT_FP16", "METHOD_ITER", "LAMBDA_POW2", 7, 0, "FISR_QUAKE"],
      ["FORMAT_BF16", "METHOD_SQRT", "LAMBDA_PAPER", 0, 0, "FISR_QUAKE"],
    ];
    for (const [format, method, policy, steps, magic, variant] of cases) {
      const call = (e: Exports, m: number): number =>
        fn(e, "rsqrt_format")(m, k(e, format), k(e, method), k(e, policy), 0, steps, magic, k(e, variant));
      for (let i = 0; i < 4000; i++) {
        const m = Math.fround(2 ** (i / 20 - 100) * (1 + (i % 13) / 13));
        expect(Object.is(call(simd.e, m), call(scalar.e, m)), `${format} ${method} ${variant} m=${m}`).toBe(true);
      }
    }
    for (let i = 0; i < 4000; i++) {
      const m = Math.fround(2 ** (i / 20 - 100) * (1 + (i % 13) / 13));
      const magic = k(simd.e, "QUAKE_MAGIC");
      expect(Object.is(fn(simd.e, "rsqrt_fisr")(m, magic, 1), fn(scalar.e, "rsqrt_fisr")(m, magic, 1))).toBe(true);
    }
  });

  it("reject bad sizes with a status instead of trapping", () => {
    for (const e of [simd.e, scalar.e]) {
      const args = (rows: number, dim: number, x: number) => [
        x,
        x,
        0,
        0,
        rows,
        dim,
        0,
        k(e, "METHOD_ITER"),
        k(e, "LAMBDA_PAPER"),
        0,
        5,
        0,
        0,
      ];
      expect(fn(e, "layer_norm")(...args(-1, 4, 0))).toBe(k(e, "STATUS_BAD_SHAPE"));
      expect(fn(e, "layer_norm")(...args(1, 0, 0))).toBe(k(e, "STATUS_BAD_SHAPE"));
      expect(fn(e, "layer_norm")(...args(1 << 20, 1 << 10, 0))).toBe(k(e, "STATUS_OUT_OF_BOUNDS"));
      expect(fn(e, "layer_norm")(...args(1, 4, e.memory.buffer.byteLength - 8))).toBe(k(e, "STATUS_OUT_OF_BOUNDS"));
    }
  });
});
