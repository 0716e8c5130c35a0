// The relaxed-SIMD build (build/iterl2norm.relaxed.wasm) against the SIMD build through the raw
// ABI: the same exports, no imports, and the same bits on every output word, NaN payloads
// included. Its f32 sums add with f32x4.relaxed_madd(b, 1, a), which is the correctly rounded
// a + b whether or not the engine fuses it (b·1 is exact, docs/design.md §8), so nothing here is
// allowed to differ. The whole kernel suite also runs on this build (vitest.config.ts, project
// "relaxed"); this file compares the two modules side by side on rows chosen to reach every
// branch of the sums and the edge rules, in every method, format and accumulate mode.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { RELAXED_SIMD_PROBE_HEX, validatesHex } from "../bench/probes.js";
import { normalRows, rng } from "./helpers.js";

// Node 20 (V8 11.3) has relaxed SIMD behind this flag; it must be set before the first compile that needs it.
if (!validatesHex(RELAXED_SIMD_PROBE_HEX)) setFlagsFromString("--experimental-wasm-relaxed-simd");

const resolve = createRequire(import.meta.url).resolve;
/** The relaxed build: built by npm run asbuild, not carried by the package (docs/design.md §8). */
const RELAXED_WASM = new URL("../build/iterl2norm.relaxed.wasm", import.meta.url).pathname;
type Exports = Record<string, WebAssembly.Global | ((...a: number[]) => number)> & { memory: WebAssembly.Memory };
function load(path: string): { module: WebAssembly.Module; e: Exports; wat: string } {
  const module = new WebAssembly.Module(readFileSync(path));
  const e = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
  return { module, e, wat: readFileSync(path.replace(/\.wasm$/, ".wat"), "utf8") };
}
const simd = load(resolve("iterl2norm/wasm"));
const relaxed = load(RELAXED_WASM);
const k = (e: Exports, name: string): number => (e[name] as WebAssembly.Global).value as number;
const fn = (e: Exports, name: string) => e[name] as (...a: number[]) => number;

/** Words [data | γ | β] copied into the module, `call(x, g, b)` run in place, the output words read back. */
function run(
  e: Exports,
  x: Float32Array,
  gb: Float32Array | undefined,
  call: (x: number, g: number, b: number) => number,
) {
  const n = x.length;
  const size = (n + (gb?.length ?? 0)) * 4;
  const p = fn(e, "alloc")(size);
  const heap = new Float32Array(e.memory.buffer, p, size / 4);
  heap.set(x);
  if (gb !== undefined) heap.set(gb, n);
  const dim = gb === undefined ? 0 : gb.length / 2;
  const status = call(p, gb === undefined ? 0 : p + n * 4, gb === undefined ? 0 : p + (n + dim) * 4);
  expect(status).toBe(k(e, "STATUS_OK"));
  const out = new Uint32Array(e.memory.buffer, p, n).slice();
  fn(e, "free")(p);
  return out;
}

/** Index of the first differing word, or −1. */
function firstDifference(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const SPECIALS = [0, -0, Number.NaN, Infinity, -Infinity, 2 ** -149, -(2 ** -140), 3.4e38, -3.4e38, 1e-30, 1e7];

/** Rows that reach the edge rules: ordinary, constant, zero, −0, NaN/Inf, subnormal, huge, and about 1e7. */
function rowsFor(dim: number): Float32Array {
  const kinds = 10;
  const x = new Float32Array(kinds * dim);
  const next = rng(dim * 31 + 7);
  const ordinary = normalRows(dim, 2, dim, 0.5, 2);
  x.set(ordinary, 0); // rows 0, 1
  for (let i = 0; i < dim; i++) {
    x[2 * dim + i] = 3.25; // constant
    x[3 * dim + i] = 0; // zero
    x[4 * dim + i] = -0; // negative zero
    x[5 * dim + i] = (next() - 0.5) * 2 ** -130; // subnormal
    x[6 * dim + i] = (next() - 0.5) * 6e38; // huge: the prescale
    x[7 * dim + i] = 1e7 + Math.round((next() - 0.5) * 8); // large offset: two shifts
    x[8 * dim + i] = (next() - 0.5) * 4;
    x[9 * dim + i] = (next() - 0.5) * 4;
  }
  x[8 * dim + Math.floor(next() * dim)] = SPECIALS[2 + (dim % 3)]!; // NaN, Inf or −Inf
  x[9 * dim + Math.floor(next() * dim)] = SPECIALS[(dim * 7) % SPECIALS.length]!;
  return x;
}

/** Inverse-norm arguments (method, policy, c, steps, magic, variant) covering every method. */
function methods(e: Exports): number[][] {
  return [
    [k(e, "METHOD_ITER"), k(e, "LAMBDA_PAPER"), 0, 5, k(e, "QUAKE_MAGIC"), k(e, "FISR_QUAKE")],
    [k(e, "METHOD_ITER"), k(e, "LAMBDA_NEWTON"), 0, 5, k(e, "QUAKE_MAGIC"), k(e, "FISR_QUAKE")],
    [k(e, "METHOD_FISR"), k(e, "LAMBDA_PAPER"), 0, 2, k(e, "WALCZYK_MAGIC"), k(e, "FISR_WALCZYK")],
    [k(e, "METHOD_SQRT"), k(e, "LAMBDA_PAPER"), 0, 0, 0, k(e, "FISR_QUAKE")],
  ];
}

// d covers: tail only, leftover vectors, partial chunks, chunk boundaries (512, 1024) ± a few, several chunks.
const DIMS = [1, 3, 4, 7, 13, 16, 31, 32, 33, 64, 100, 511, 512, 513, 768, 1024, 1027, 2061, 4096];

describe("the relaxed-SIMD build", () => {
  it("imports nothing, exports the SIMD build's names, and is told apart by HAS_RELAXED_SIMD", () => {
    expect(validatesHex(RELAXED_SIMD_PROBE_HEX)).toBe(true);
    expect(WebAssembly.Module.imports(relaxed.module)).toEqual([]);
    const names = (m: WebAssembly.Module) =>
      WebAssembly.Module.exports(m)
        .map((x) => `${x.name}:${x.kind}`)
        .sort();
    expect(names(relaxed.module)).toEqual(names(simd.module));
    expect([k(relaxed.e, "HAS_SIMD"), k(relaxed.e, "HAS_RELAXED_SIMD")]).toEqual([1, 1]);
    expect([k(simd.e, "HAS_SIMD"), k(simd.e, "HAS_RELAXED_SIMD")]).toEqual([1, 0]);
  });

  it("uses relaxed_madd where the SIMD build has none (so the comparisons below compare different code)", () => {
    expect(relaxed.wat).toMatch(/f32x4\.relaxed_madd/);
    expect(simd.wat).not.toMatch(/relaxed/);
  });

  it("gives the SIMD build's bits, FP32 LayerNorm and L2, every method, with and without γ and β", () => {
    for (const dim of DIMS) {
      const x = rowsFor(dim);
      const rows = x.length / dim;
      const gb = new Float32Array(2 * dim);
      const next = rng(dim);
      for (let i = 0; i < 2 * dim; i++) gb[i] = (next() - 0.5) * 3;
      for (const [i, inv] of methods(simd.e).entries()) {
        const eps = i === 3 ? 0 : 1e-5;
        const ln = (e: Exports, g: Float32Array | undefined) =>
          run(e, x, g, (p, gp, bp) => fn(e, "layer_norm")(p, p, gp, bp, rows, dim, eps, ...inv));
        const l2 = (e: Exports) => run(e, x, undefined, (p) => fn(e, "l2_normalize")(p, p, rows, dim, 0, ...inv));
        expect(firstDifference(ln(relaxed.e, gb), ln(simd.e, gb)), `layer_norm γβ d=${dim} ${i}`).toBe(-1);
        expect(firstDifference(ln(relaxed.e, undefined), ln(simd.e, undefined)), `layer_norm d=${dim} ${i}`).toBe(-1);
        expect(firstDifference(l2(relaxed.e), l2(simd.e)), `l2_normalize d=${dim} ${i}`).toBe(-1);
      }
    }
  });

  it("gives the SIMD build's bits in BF16 and FP16, both accumulate modes", () => {
    for (const dim of DIMS) {
      const x = rowsFor(dim);
      const rows = x.length / dim;
      for (const format of ["FORMAT_BF16", "FORMAT_FP16"]) {
        for (const accumulate of ["ACCUMULATE_FP32", "ACCUMULATE_NATIVE"]) {
          const call = (e: Exports, center: boolean) =>
            run(e, x, undefined, (p) => {
              const datapath = [k(e, format), k(e, accumulate), k(e, "IO_F32")];
              const inv = methods(e)[1]!;
              return center
                ? fn(e, "layer_norm_format")(p, p, 0, 0, rows, dim, 1e-5, ...datapath, ...inv)
                : fn(e, "l2_normalize_format")(p, p, rows, dim, 0, ...datapath, ...inv);
            });
          for (const center of [true, false]) {
            const what = `${center ? "layer_norm" : "l2_normalize"}_format ${format} ${accumulate} d=${dim}`;
            expect(firstDifference(call(relaxed.e, center), call(simd.e, center)), what).toBe(-1);
          }
        }
      }
    }
  });
});
