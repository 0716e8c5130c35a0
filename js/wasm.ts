/**
 * Loads the kernel synchronously when this module is imported, and describes its
 * exports (the ABI of docs/ABI.md, nothing more). Two builds share the exports:
 * build/iterl2norm.wasm (SIMD) and build/iterl2norm.scalar.wasm (no SIMD), chosen
 * by `WebAssembly.validate` or forced with ITERL2NORM_WASM=simd|scalar. The module
 * imports nothing; its enum values are read from its exported globals.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { instantiateSync } from "@assemblyscript/loader";

/** Raw exports of the kernel module: pointers are byte offsets into `memory`. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  layer_norm(
    x: number,
    out: number,
    gamma: number,
    beta: number,
    rows: number,
    dim: number,
    eps: number,
    method: number,
    policy: number,
    c: number,
    steps: number,
    magic: number,
    variant: number,
  ): number;
  l2_normalize(
    x: number,
    out: number,
    rows: number,
    dim: number,
    eps: number,
    method: number,
    policy: number,
    c: number,
    steps: number,
    magic: number,
    variant: number,
  ): number;
  rsqrt_iter(m: number, policy: number, c: number, iterations: number): number;
  rsqrt_fisr(m: number, magic: number, steps: number): number;
  rsqrt_batch(
    m: number,
    out: number,
    n: number,
    method: number,
    policy: number,
    c: number,
    steps: number,
    magic: number,
  ): number;
  layer_norm_format(
    x: number,
    out: number,
    gamma: number,
    beta: number,
    rows: number,
    dim: number,
    eps: number,
    format: number,
    accumulate: number,
    io: number,
    method: number,
    policy: number,
    c: number,
    steps: number,
    magic: number,
    variant: number,
  ): number;
  l2_normalize_format(
    x: number,
    out: number,
    rows: number,
    dim: number,
    eps: number,
    format: number,
    accumulate: number,
    io: number,
    method: number,
    policy: number,
    c: number,
    steps: number,
    magic: number,
    variant: number,
  ): number;
  rsqrt_format(
    m: number,
    format: number,
    method: number,
    policy: number,
    c: number,
    steps: number,
    magic: number,
    variant: number,
  ): number;
  rsqrt_batch_format(
    m: number,
    out: number,
    n: number,
    format: number,
    method: number,
    policy: number,
    c: number,
    steps: number,
    magic: number,
    variant: number,
  ): number;
  round_format(x: number, format: number): number;
  round_batch(src: number, dst: number, n: number, format: number, io: number): number;
}

/** Integer and float constants the module exports as globals. */
export interface KernelConstants {
  readonly ABI_VERSION: number;
  readonly HAS_SIMD: number;
  readonly PAPER_C: number;
  readonly QUAKE_MAGIC: number;
  readonly METHOD_ITER: number;
  readonly METHOD_SQRT: number;
  readonly METHOD_FISR: number;
  readonly LAMBDA_PAPER: number;
  readonly LAMBDA_POW2: number;
  readonly LAMBDA_NEWTON: number;
  readonly LAMBDA_CUSTOM: number;
  readonly STATUS_OK: number;
  readonly STATUS_BAD_SHAPE: number;
  readonly STATUS_OUT_OF_BOUNDS: number;
  readonly STATUS_BAD_PARAM: number;
  readonly STATUS_BAD_FORMAT: number;
  readonly FORMAT_FP32: number;
  readonly FORMAT_BF16: number;
  readonly FORMAT_FP16: number;
  readonly ACCUMULATE_FP32: number;
  readonly ACCUMULATE_NATIVE: number;
  readonly IO_F32: number;
  readonly IO_BITS: number;
  readonly FISR_QUAKE: number;
  readonly FISR_LOMONT: number;
  readonly FISR_WALCZYK: number;
  readonly FISR_KADLEC: number;
  readonly LOMONT_MAGIC: number;
  readonly WALCZYK_MAGIC: number;
  readonly WALCZYK_K1: number;
  readonly WALCZYK_K2: number;
  readonly KADLEC_MAGIC: number;
  readonly KADLEC_K1: number;
  readonly KADLEC_K2: number;
  readonly BF16_MAGIC: number;
  readonly BF16_MAGIC_ALT: number;
  readonly FP16_MAGIC: number;
  readonly FP16_MAGIC_ALT: number;
}

const CONSTANT_NAMES: readonly (keyof KernelConstants)[] = [
  "ABI_VERSION",
  "HAS_SIMD",
  "PAPER_C",
  "QUAKE_MAGIC",
  "METHOD_ITER",
  "METHOD_SQRT",
  "METHOD_FISR",
  "LAMBDA_PAPER",
  "LAMBDA_POW2",
  "LAMBDA_NEWTON",
  "LAMBDA_CUSTOM",
  "STATUS_OK",
  "STATUS_BAD_SHAPE",
  "STATUS_OUT_OF_BOUNDS",
  "STATUS_BAD_PARAM",
  "STATUS_BAD_FORMAT",
  "FORMAT_FP32",
  "FORMAT_BF16",
  "FORMAT_FP16",
  "ACCUMULATE_FP32",
  "ACCUMULATE_NATIVE",
  "IO_F32",
  "IO_BITS",
  "FISR_QUAKE",
  "FISR_LOMONT",
  "FISR_WALCZYK",
  "FISR_KADLEC",
  "LOMONT_MAGIC",
  "WALCZYK_MAGIC",
  "WALCZYK_K1",
  "WALCZYK_K2",
  "KADLEC_MAGIC",
  "KADLEC_K1",
  "KADLEC_K2",
  "BF16_MAGIC",
  "BF16_MAGIC_ALT",
  "FP16_MAGIC",
  "FP16_MAGIC_ALT",
];

/** The two builds. */
export type Build = "simd" | "scalar";

const resolveAsset = createRequire(import.meta.url).resolve;

/** Absolute paths of the builds, through the package's own `exports` (iterl2norm/wasm, iterl2norm/wasm-scalar). */
export const WASM_PATHS: Readonly<Record<Build, string>> = Object.freeze({
  simd: resolveAsset("iterl2norm/wasm"),
  scalar: resolveAsset("iterl2norm/wasm-scalar"),
});

/** The build to load: ITERL2NORM_WASM if set, else SIMD when this engine validates it. */
function chooseBuild(simdBytes: Uint8Array<ArrayBuffer>): Build {
  const forced = process.env.ITERL2NORM_WASM;
  if (forced !== undefined && forced !== "") {
    if (forced !== "simd" && forced !== "scalar")
      throw new RangeError(`ITERL2NORM_WASM must be "simd" or "scalar"; got ${JSON.stringify(forced)}`);
    return forced;
  }
  return WebAssembly.validate(simdBytes) ? "simd" : "scalar";
}

function load(): { kernel: KernelExports; constants: KernelConstants; build: Build } {
  const simdBytes = new Uint8Array(readFileSync(WASM_PATHS.simd));
  const build = chooseBuild(simdBytes);
  const path = WASM_PATHS[build];
  const { instance } = instantiateSync(build === "simd" ? simdBytes : readFileSync(path), {});
  const raw = instance.exports as Record<string, unknown>;
  const constants = {} as Record<keyof KernelConstants, number>;
  for (const name of CONSTANT_NAMES) {
    const g = raw[name];
    if (!(g instanceof WebAssembly.Global))
      throw new Error(`iterl2norm: ${path} lacks the exported global ${name}; rebuild with npm run build`);
    const v = Number(g.value);
    // u32 globals (magic constants) read back as signed i32: reinterpret them unsigned
    constants[name] = name.endsWith("MAGIC") || name.endsWith("MAGIC_ALT") ? v >>> 0 : v;
  }
  return { kernel: raw as unknown as KernelExports, constants, build };
}

const loaded = load();

/** The kernel's exported functions and memory (raw, unwrapped: the hot path calls them directly). */
export const kernel: KernelExports = loaded.kernel;

/** The kernel's exported constants. */
export const constants: KernelConstants = Object.freeze(loaded.constants);

/** Which build was loaded. */
export const build: Build = loaded.build;
