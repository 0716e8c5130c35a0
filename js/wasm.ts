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

/** A row call's shape: input and output pointers, row count and length, ε (docs/ABI.md). */
type Rows = [x: number, out: number, rows: number, dim: number, eps: number];
/** A row call's shape with γ and β pointers (0 when absent). */
type AffineRows = [x: number, out: number, gamma: number, beta: number, rows: number, dim: number, eps: number];
/** How a ≈ 1/√m is found: the inverse-norm arguments every row and batch call ends with. */
type InverseNorm = [method: number, policy: number, c: number, steps: number, magic: number, variant: number];
/** The BF16/FP16 datapath's arguments: working format, accumulation, raw-bit or f32 I/O. */
type Datapath = [format: number, accumulate: number, io: number];

/** Raw exports of the kernel module: pointers are byte offsets into `memory`. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  layer_norm(...args: [...AffineRows, ...InverseNorm]): number;
  l2_normalize(...args: [...Rows, ...InverseNorm]): number;
  rsqrt_iter(m: number, policy: number, c: number, iterations: number): number;
  rsqrt_fisr(m: number, magic: number, steps: number): number;
  rsqrt_batch(
    ...args: [
      m: number,
      out: number,
      n: number,
      method: number,
      policy: number,
      c: number,
      steps: number,
      magic: number,
    ]
  ): number;
  layer_norm_format(...args: [...AffineRows, ...Datapath, ...InverseNorm]): number;
  l2_normalize_format(...args: [...Rows, ...Datapath, ...InverseNorm]): number;
  rsqrt_format(m: number, format: number, ...inverse: InverseNorm): number;
  rsqrt_batch_format(m: number, out: number, n: number, format: number, ...inverse: InverseNorm): number;
  round_format(x: number, format: number): number;
  round_batch(src: number, dst: number, n: number, format: number, io: number): number;
}

/** The constants the module exports as globals, by name (docs/ABI.md). */
const CONSTANT_NAMES = [
  ...["ABI_VERSION", "HAS_SIMD", "PAPER_C", "QUAKE_MAGIC"],
  ...["METHOD_ITER", "METHOD_SQRT", "METHOD_FISR", "LAMBDA_PAPER", "LAMBDA_POW2", "LAMBDA_NEWTON", "LAMBDA_CUSTOM"],
  ...["STATUS_OK", "STATUS_BAD_SHAPE", "STATUS_OUT_OF_BOUNDS", "STATUS_BAD_PARAM", "STATUS_BAD_FORMAT"],
  ...["FORMAT_FP32", "FORMAT_BF16", "FORMAT_FP16", "ACCUMULATE_FP32", "ACCUMULATE_NATIVE", "IO_F32", "IO_BITS"],
  ...["FISR_QUAKE", "FISR_LOMONT", "FISR_WALCZYK", "FISR_KADLEC"],
  ...["LOMONT_MAGIC", "WALCZYK_MAGIC", "WALCZYK_K1", "WALCZYK_K2", "KADLEC_MAGIC", "KADLEC_K1", "KADLEC_K2"],
  ...["BF16_MAGIC", "BF16_MAGIC_ALT", "FP16_MAGIC", "FP16_MAGIC_ALT"],
] as const;

/** Integer and float constants the module exports as globals. */
export type KernelConstants = { readonly [K in (typeof CONSTANT_NAMES)[number]]: number };

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
