/**
 * Loads the kernel synchronously when this module is imported, and describes its
 * exports (the ABI of docs/ABI.md, nothing more). The package carries two builds, which
 * give the same bits: build/iterl2norm.wasm (SIMD) and build/iterl2norm.scalar.wasm (no
 * SIMD), chosen by `WebAssembly.validate` or forced (globalThis.ITERL2NORM_WASM, else the
 * environment variable ITERL2NORM_WASM where reading it needs no permission). A host may
 * also hand in a compiled module of the same ABI (globalThis.ITERL2NORM_WASM_MODULE), such
 * as the relaxed-SIMD build, which the repository builds but the package does not carry
 * (docs/design.md §8). The compiled module
 * comes from #kernel-source (package.json "imports"): embedded bytes by default, .wasm
 * modules in workerd (docs/design.md §8). Nothing here imports a built-in, so bundlers
 * and hosts without Node's modules load it as it is. The module imports nothing; its
 * enum values are read from its exported globals.
 */
import { source } from "#kernel-source";
import { describe, rangeError } from "./validate.js";

/** The kernel ABI this package calls (docs/ABI.md). */
const ABI_VERSION = 1;

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
  rsqrt_array(m: number, out: number, n: number, format: number, ...inverse: InverseNorm): number;
  rsqrt_chain(x: number, lanes: number, count: number, format: number, ...inverse: InverseNorm): number;
  round_format(x: number, format: number): number;
  round_batch(src: number, dst: number, n: number, format: number, io: number): number;
}

/** The constants the module exports as globals, by name (docs/ABI.md). */
const CONSTANT_NAMES = [
  ...["ABI_VERSION", "HAS_SIMD", "HAS_RELAXED_SIMD", "PAPER_C", "QUAKE_MAGIC"],
  ...["METHOD_ITER", "METHOD_SQRT", "METHOD_FISR", "LAMBDA_PAPER", "LAMBDA_POW2", "LAMBDA_NEWTON", "LAMBDA_CUSTOM"],
  ...["STATUS_OK", "STATUS_BAD_SHAPE", "STATUS_OUT_OF_BOUNDS", "STATUS_BAD_PARAM", "STATUS_BAD_FORMAT"],
  ...["FORMAT_FP32", "FORMAT_BF16", "FORMAT_FP16", "ACCUMULATE_FP32", "ACCUMULATE_NATIVE", "IO_F32", "IO_BITS"],
  ...["FISR_QUAKE", "FISR_LOMONT", "FISR_WALCZYK", "FISR_KADLEC"],
  ...["LOMONT_MAGIC", "WALCZYK_MAGIC", "WALCZYK_K1", "WALCZYK_K2", "KADLEC_MAGIC", "KADLEC_K1", "KADLEC_K2"],
  ...["BF16_MAGIC", "BF16_MAGIC_ALT", "FP16_MAGIC", "FP16_MAGIC_ALT"],
] as const;

/** Integer and float constants the module exports as globals. */
export type KernelConstants = { readonly [K in (typeof CONSTANT_NAMES)[number]]: number };

/**
 * A build of the kernel: "simd" and "scalar", which the package carries, or "relaxed" (SIMD
 * with relaxed SIMD, docs/design.md §8), loaded only from a module handed in. Their results
 * are the same bits; they differ only in the instructions an engine accepts.
 */
export type Build = "simd" | "scalar" | "relaxed";

/** The builds the package carries, which ITERL2NORM_WASM names. */
export type CarriedBuild = "simd" | "scalar";

declare global {
  /**
   * Forces a build of the kernel: "simd" or "scalar". Read once, when the package is first
   * imported, so it must be set before that (in a module evaluated earlier, or before a
   * dynamic import); it takes precedence over the environment variable ITERL2NORM_WASM
   * (docs/design.md §8).
   */
  var ITERL2NORM_WASM: CarriedBuild | undefined;
  /**
   * A compiled module of the kernel's ABI to load instead of the package's builds (for
   * example the relaxed-SIMD build, `npm run asbuild` in the repository), read once when the
   * package is first imported; it takes precedence over ITERL2NORM_WASM (docs/design.md §8).
   */
  var ITERL2NORM_WASM_MODULE: WebAssembly.Module | undefined;
}

const EXPECTED = '"simd" or "scalar"';

/** A forced build, checked: undefined when not set. */
function forced(name: string, value: unknown): CarriedBuild | undefined {
  if (value === undefined) return undefined;
  if (value === "simd" || value === "scalar") return value;
  throw rangeError(name, value, EXPECTED);
}

/** The module handed in by globalThis.ITERL2NORM_WASM_MODULE, checked: undefined when not set. */
function handedIn(): WebAssembly.Module | undefined {
  const m: unknown = globalThis.ITERL2NORM_WASM_MODULE;
  if (m === undefined) return undefined;
  if (!(m instanceof WebAssembly.Module)) {
    throw new TypeError(`globalThis.ITERL2NORM_WASM_MODULE must be a WebAssembly.Module; got ${describe(m)}`);
  }
  const imports = WebAssembly.Module.imports(m);
  if (imports.length > 0) {
    throw new RangeError(
      "globalThis.ITERL2NORM_WASM_MODULE must import nothing, as the kernel's builds do (docs/ABI.md); " +
        `it imports ${imports.map((i) => `${i.module}.${i.name}`).join(", ")}`,
    );
  }
  return m;
}

/**
 * ITERL2NORM_WASM from the environment where reading it needs no permission: Node and Bun.
 * Deno asks for --allow-env (or throws NotCapable) on any read of process.env, so there it is
 * never read (globalThis.ITERL2NORM_WASM works everywhere). Browsers have no process.
 */
function environmentSetting(): string | undefined {
  const host = globalThis as { Deno?: unknown; process?: { env?: Record<string, string | undefined> } };
  if (host.Deno !== undefined) return undefined;
  const value = host.process?.env?.ITERL2NORM_WASM;
  return value === "" ? undefined : value;
}

/** The build to load: globalThis.ITERL2NORM_WASM, else ITERL2NORM_WASM, else SIMD when this engine validates it. */
function chooseBuild(): CarriedBuild {
  return (
    forced("globalThis.ITERL2NORM_WASM", globalThis.ITERL2NORM_WASM) ??
    forced("the environment variable ITERL2NORM_WASM", environmentSetting()) ??
    (source.validates("simd") ? "simd" : "scalar")
  );
}

function load(): { kernel: KernelExports; constants: KernelConstants; build: Build } {
  const module = handedIn();
  const carried = module === undefined ? chooseBuild() : undefined;
  const origin = carried === undefined ? "globalThis.ITERL2NORM_WASM_MODULE" : source.origin(carried);
  const instance = new WebAssembly.Instance(module ?? source.module(carried!), {});
  const raw = instance.exports as Record<string, unknown>;
  const constants = {} as Record<keyof KernelConstants, number>;
  for (const name of CONSTANT_NAMES) {
    const g = raw[name];
    if (!(g instanceof WebAssembly.Global)) {
      throw new Error(`iterl2norm: ${origin} lacks the exported global ${name}; rebuild with npm run build`);
    }
    const v = Number(g.value);
    // u32 globals (magic constants) read back as signed i32: reinterpret them unsigned
    constants[name] = name.endsWith("MAGIC") || name.endsWith("MAGIC_ALT") ? v >>> 0 : v;
  }
  if (constants.ABI_VERSION !== ABI_VERSION) {
    throw new Error(
      `iterl2norm: ${origin} has ABI_VERSION ${constants.ABI_VERSION}; this package needs ${ABI_VERSION}`,
    );
  }
  // a module handed in tells its build by its flags
  const build =
    carried ?? (constants.HAS_RELAXED_SIMD === 1 ? "relaxed" : constants.HAS_SIMD === 1 ? "simd" : "scalar");
  return { kernel: raw as unknown as KernelExports, constants, build };
}

const loaded = load();

/** The kernel's exported functions and memory (raw, unwrapped: the hot path calls them directly). */
export const kernel: KernelExports = loaded.kernel;

/** The kernel's exported constants. */
export const constants: KernelConstants = Object.freeze(loaded.constants);

/** Which build was loaded. */
export const build: Build = loaded.build;
