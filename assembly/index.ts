// The module's exports: the ABI every host calls (documented in docs/ABI.md).
// Plain (pointer, count, …) functions over f32 data in this module's memory, an
// allocator, and the enum values as globals so hosts never hard-code them.

import {
  LAMBDA_CUSTOM, METHOD_FISR, METHOD_ITER, STATUS_BAD_PARAM,
  STATUS_BAD_SHAPE, STATUS_OK, STATUS_OUT_OF_BOUNDS, isMethod,
  ACCUMULATE_FP32, ACCUMULATE_NATIVE, FISR_KADLEC, FISR_QUAKE, FORMAT_BF16, FORMAT_FP16, FORMAT_FP32,
  IO_BITS, IO_F32, STATUS_BAD_FORMAT,
} from "./constants";
import { fisrRsqrt, inverseNormF, isPolicy, iterRsqrt } from "./scalar";
import { setInverseNorm } from "./method";
import { normalizeRows } from "./rows";
import { normalizeRowF, setDatapathF } from "./rows-format";
import { isFormat, roundTo, roundTox4, toBits } from "./formats";
import { inverseNormChain, inverseNorms, inverseNormsScalar } from "./rsqrt-array";

export {
  PAPER_C, QUAKE_MAGIC,
  METHOD_ITER, METHOD_SQRT, METHOD_FISR,
  LAMBDA_PAPER, LAMBDA_POW2, LAMBDA_NEWTON, LAMBDA_CUSTOM,
  STATUS_OK, STATUS_BAD_SHAPE, STATUS_OUT_OF_BOUNDS, STATUS_BAD_PARAM,
  FORMAT_FP32, FORMAT_BF16, FORMAT_FP16, ACCUMULATE_FP32, ACCUMULATE_NATIVE, IO_F32, IO_BITS,
  FISR_QUAKE, FISR_LOMONT, FISR_WALCZYK, FISR_KADLEC,
  LOMONT_MAGIC, WALCZYK_MAGIC, WALCZYK_K1, WALCZYK_K2, KADLEC_MAGIC, KADLEC_K1, KADLEC_K2,
  BF16_MAGIC, BF16_MAGIC_ALT, FP16_MAGIC, FP16_MAGIC_ALT, STATUS_BAD_FORMAT,
} from "./constants";

/** Version of this export list and its meaning; bumped on any incompatible change. */
export const ABI_VERSION: i32 = 1;

/** 1 in the SIMD builds (iterl2norm.wasm, iterl2norm.relaxed.wasm), 0 in the scalar build (iterl2norm.scalar.wasm). */
export const HAS_SIMD: i32 = ASC_FEATURE_SIMD ? 1 : 0;

/** 1 in the relaxed-SIMD build (iterl2norm.relaxed.wasm), whose results are the bits of the others. */
export const HAS_RELAXED_SIMD: i32 = ASC_FEATURE_RELAXED_SIMD ? 1 : 0;

/** Reserves `bytes` bytes (16-byte aligned) in this module's memory; may grow the memory. */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Releases a block returned by `alloc`. */
export function free(ptr: usize): void {
  heap.free(ptr);
}

/** Called by the runtime in place of an imported `abort`, so the module imports nothing. */
// biome-ignore lint/correctness/noUnusedVariables: named in asconfig.json ("use": abort=assembly/index/onAbort)
function onAbort(_message: usize, _fileName: usize, _line: u32, _column: u32): void {
  unreachable();
}

// @ts-ignore: decorator
@inline function fits(ptr: usize, bytes: u64): bool {
  return <u64>ptr + bytes <= (<u64>memory.size() << 16);
}

/**
 * LayerNorm of `rows` rows of `dim` f32 values at `x` into `out` (may equal x):
 * out = γ·(√d·a)·(x − μ) + β with a ≈ 1/√(Σ(x − μ)² + d·eps). gamma/beta 0 mean 1 and 0.
 * method: METHOD_*; policy: LAMBDA_* (iter only); c: λ constant for LAMBDA_CUSTOM;
 * steps: iterations (iter) or Newton steps (fisr); magic, variant: FISR constant and step (FISR_*).
 * out must equal x or not overlap it.
 * Returns STATUS_OK or a negative STATUS_* without touching memory.
 */
export function layer_norm(
  x: usize, out: usize, gamma: usize, beta: usize, rows: i32, dim: i32, eps: f32, method: i32,
  policy: i32, c: f32, steps: i32, magic: u32, variant: i32,
): i32 {
  const status = checkCall(x, out, gamma, beta, rows, dim, eps,
    false, FORMAT_FP32, ACCUMULATE_FP32, IO_F32, method, policy, c, steps, variant);
  if (status != STATUS_OK) return status;
  setInverseNorm(method, policy, c, steps, magic, variant);
  const d = <f32>dim;
  const invD: f32 = <f32>1 / d; // per-d constant: one division per call, none per row
  const sqrtD = sqrt<f32>(d); // per-d constant
  normalizeRows(x, out, rows, dim, gamma, beta, true, invD, sqrtD, d * eps);
  return STATUS_OK;
}

/**
 * L2 normalisation of `rows` rows of `dim` f32 values: out = a·x with a ≈ 1/√(Σx² + eps).
 * Parameters as for layer_norm.
 */
export function l2_normalize(
  x: usize, out: usize, rows: i32, dim: i32, eps: f32, method: i32, policy: i32, c: f32,
  steps: i32, magic: u32, variant: i32,
): i32 {
  const status = checkCall(x, out, 0, 0, rows, dim, eps,
    false, FORMAT_FP32, ACCUMULATE_FP32, IO_F32, method, policy, c, steps, variant);
  if (status != STATUS_OK) return status;
  setInverseNorm(method, policy, c, steps, magic, variant);
  normalizeRows(x, out, rows, dim, 0, 0, false, 1, 1, eps);
  return STATUS_OK;
}

/** IterL2Norm scalar iteration a ≈ 1/√m (see scalar.ts for special values). */
export function rsqrt_iter(m: f32, policy: i32, c: f32, iterations: i32): f32 {
  return iterRsqrt(m, policy, c, iterations);
}

/** Fast inverse square root with `magic` and `steps` Newton steps (Quake III order). */
export function rsqrt_fisr(m: f32, magic: u32, steps: i32): f32 {
  return fisrRsqrt(m, magic, steps);
}

/** Applies the scalar path to n f32 values at `m`, writing n f32 values at `out`. */
export function rsqrt_batch(
  m: usize, out: usize, n: i32, method: i32, policy: i32, c: f32, steps: i32, magic: u32,
): i32 {
  if (n < 0) return STATUS_BAD_SHAPE;
  if (!isMethod(method) || !isPolicy(policy) || steps < 0) return STATUS_BAD_PARAM;
  const bytes = <u64>n * 4;
  if (!fits(m, bytes) || !fits(out, bytes)) return STATUS_OUT_OF_BOUNDS;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(m + o);
    let a: f32;
    if (method == METHOD_ITER) a = iterRsqrt(v, policy, c, steps);
    else if (method == METHOD_FISR) a = fisrRsqrt(v, magic, steps);
    else a = <f32>1 / sqrt<f32>(v);
    store<f32>(out + o, a);
  }
  return STATUS_OK;
}

// ── Reduced-precision datapaths (docs/design.md §3) ─────────────────────────
// format: FORMAT_*; accumulate: ACCUMULATE_*; io: IO_F32 (f32 in and out, inputs
// rounded to F) or IO_BITS (raw 16-bit patterns of F in and out); variant: FISR_*.
// gamma/beta are f32 (rounded to F by the kernel), or 0. The row kernels take BF16 and
// FP16 only (FP32 is layer_norm / l2_normalize); rsqrt_format takes all three.

/** True when the FISR variant exists in the format (16-bit formats: the Quake step only). */
// @ts-ignore: decorator
@inline function isVariant(format: i32, variant: i32): bool {
  if (format == FORMAT_FP32) return variant >= FISR_QUAKE && variant <= FISR_KADLEC;
  return variant == FISR_QUAKE;
}

/**
 * The checks of the four row entry points, one list: the shape, then (BF16/FP16
 * entry points, `formats`) the format, accumulate mode, I/O and FISR variant, then
 * the method parameters, then the bounds of every operand. The FP32 entry points
 * pass FORMAT_FP32, ACCUMULATE_FP32 and IO_F32; for them a FISR variant the format
 * lacks is a bad parameter (STATUS_BAD_PARAM), for the others a bad format.
 */
function checkCall(
  x: usize, out: usize, gamma: usize, beta: usize, rows: i32, dim: i32, eps: f32,
  formats: bool, format: i32, accumulate: i32, io: i32, method: i32, policy: i32, c: f32, steps: i32, variant: i32,
): i32 {
  if (rows < 0 || dim < 1) return STATUS_BAD_SHAPE;
  if (formats) {
    if (format != FORMAT_BF16 && format != FORMAT_FP16) return STATUS_BAD_FORMAT;
    if (accumulate != ACCUMULATE_FP32 && accumulate != ACCUMULATE_NATIVE) return STATUS_BAD_FORMAT;
    if (io != IO_F32 && io != IO_BITS) return STATUS_BAD_FORMAT;
    if (method == METHOD_FISR && !isVariant(format, variant)) return STATUS_BAD_FORMAT;
  }
  if (!isMethod(method) || !isPolicy(policy) || steps < 0 || !(eps >= 0) || eps == Infinity) return STATUS_BAD_PARAM;
  if (method == METHOD_FISR && !isVariant(format, variant)) return STATUS_BAD_PARAM;
  if (method == METHOD_ITER && policy == LAMBDA_CUSTOM && !(c > 0 && c < Infinity)) return STATUS_BAD_PARAM;
  const size: u64 = io == IO_BITS ? 2 : 4;
  const bytes = <u64>rows * <u64>dim * size;
  const rowBytes = <u64>dim * 4;
  if (!fits(x, bytes) || !fits(out, bytes)) return STATUS_OUT_OF_BOUNDS;
  if (gamma != 0 && !fits(gamma, rowBytes)) return STATUS_OUT_OF_BOUNDS;
  if (beta != 0 && !fits(beta, rowBytes)) return STATUS_OUT_OF_BOUNDS;
  return STATUS_OK;
}

function rowsF(
  x: usize, out: usize, gamma: usize, beta: usize, rows: i32, dim: i32, eps: f32, center: bool,
  io: i32,
): void {
  const d = <f32>dim;
  const invD: f32 = <f32>1 / d; // per-d constants, computed once per call in f32
  const sqrtD = sqrt<f32>(d);
  const epsTerm = center ? d * eps : eps;
  const size: usize = io == IO_BITS ? 2 : 4;
  const rowBytes = <usize>dim * size;
  const w = heap.alloc(<usize>dim << 2);
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rowBytes;
    normalizeRowF(x + o, out + o, w, dim, gamma, beta, center, invD, sqrtD, epsTerm);
  }
  heap.free(w);
}

/**
 * LayerNorm in the BF16 or FP16 datapath (rows-format.ts): out = γ·(√d·a)·(x − μ) + β
 * with every result rounded to the format. Other parameters as layer_norm. The kernel
 * reserves one scratch row of dim f32 (may grow the memory).
 */
export function layer_norm_format(
  x: usize, out: usize, gamma: usize, beta: usize, rows: i32, dim: i32, eps: f32, format: i32,
  accumulate: i32, io: i32, method: i32, policy: i32, c: f32, steps: i32, magic: u32, variant: i32,
): i32 {
  const status = checkCall(x, out, gamma, beta, rows, dim, eps,
    true, format, accumulate, io, method, policy, c, steps, variant);
  if (status != STATUS_OK) return status;
  setDatapathF(format, accumulate, io, method, policy, c, steps, magic, variant);
  rowsF(x, out, gamma, beta, rows, dim, eps, true, io);
  return STATUS_OK;
}

/** L2 normalisation in the BF16 or FP16 datapath: out = a·x. Parameters as layer_norm_format. */
export function l2_normalize_format(
  x: usize, out: usize, rows: i32, dim: i32, eps: f32, format: i32, accumulate: i32, io: i32,
  method: i32, policy: i32, c: f32, steps: i32, magic: u32, variant: i32,
): i32 {
  const status = checkCall(
    x, out, 0, 0, rows, dim, eps, true, format, accumulate, io, method, policy, c, steps, variant,
  );
  if (status != STATUS_OK) return status;
  setDatapathF(format, accumulate, io, method, policy, c, steps, magic, variant);
  rowsF(x, out, 0, 0, rows, dim, eps, false, io);
  return STATUS_OK;
}

/** The scalar path a ≈ 1/√m in format F (m rounded to F first); FORMAT_FP32 gives rsqrt_iter / rsqrt_fisr bits. */
export function rsqrt_format(
  m: f32, format: i32, method: i32, policy: i32, c: f32, steps: i32, magic: u32, variant: i32,
): f32 {
  return inverseNormF(m, format, method, policy, c, steps, magic, variant);
}

/** rsqrt_format over n f32 values at m into n f32 values at out. */
export function rsqrt_batch_format(
  m: usize, out: usize, n: i32, format: i32, method: i32, policy: i32, c: f32, steps: i32,
  magic: u32, variant: i32,
): i32 {
  const status = checkArray(m, out, n, format, method, policy, steps, variant);
  if (status != STATUS_OK) return status;
  inverseNormsScalar(m, out, n, format, method, policy, c, steps, magic, variant);
  return STATUS_OK;
}

/** The checks of the batch and array forms of the scalar path: STATUS_OK or the failing status. */
// @ts-ignore: decorator
@inline function checkArray(
  m: usize, out: usize, n: i32, format: i32, method: i32, policy: i32, steps: i32, variant: i32,
): i32 {
  if (n < 0) return STATUS_BAD_SHAPE;
  if (!isFormat(format) || (method == METHOD_FISR && !isVariant(format, variant))) return STATUS_BAD_FORMAT;
  if (!isMethod(method) || !isPolicy(policy) || steps < 0) return STATUS_BAD_PARAM;
  const bytes = <u64>n * 4;
  if (!fits(m, bytes) || !fits(out, bytes)) return STATUS_OUT_OF_BOUNDS;
  return STATUS_OK;
}

/**
 * rsqrt_batch_format's results (every element the bits of rsqrt_format) by the array path
 * (rsqrt-array.ts): f32x4 lanes with several vectors in flight in the SIMD build, a scalar
 * loop in the scalar build. out must equal m or not overlap it.
 */
export function rsqrt_array(
  m: usize, out: usize, n: i32, format: i32, method: i32, policy: i32, c: f32, steps: i32,
  magic: u32, variant: i32,
): i32 {
  const status = checkArray(m, out, n, format, method, policy, steps, variant);
  if (status != STATUS_OK) return status;
  inverseNorms(m, out, n, format, method, policy, c, steps, magic, variant);
  return STATUS_OK;
}

/**
 * Latency probe: `count` times m ← rsqrt_format(m) on each of the `lanes` (1 or 4) f32 values
 * at x, which receive the final values. lanes = 4 runs one f32x4 vector per step in the SIMD
 * build (four scalar chains in the scalar build); the time per step is the latency of one
 * inverse norm. Checks as rsqrt_array (lanes other than 1 and 4: STATUS_BAD_SHAPE).
 */
export function rsqrt_chain(
  x: usize, lanes: i32, count: i32, format: i32, method: i32, policy: i32, c: f32, steps: i32,
  magic: u32, variant: i32,
): i32 {
  if (lanes != 1 && lanes != 4) return STATUS_BAD_SHAPE;
  const status = checkArray(x, x, count < 0 ? count : lanes, format, method, policy, steps, variant);
  if (status != STATUS_OK) return status;
  inverseNormChain(x, lanes, count, format, method, policy, c, steps, magic, variant);
  return STATUS_OK;
}

/** x rounded to format F (f32 in, the F value as f32 out). */
export function round_format(x: f32, format: i32): f32 {
  return roundTo(x, format);
}

/**
 * Rounds n f32 values at src to format F: into n f32 at dst (io IO_F32, f32x4 lanes)
 * or n 16-bit patterns at dst (io IO_BITS). dst may equal src for IO_F32.
 */
export function round_batch(src: usize, dst: usize, n: i32, format: i32, io: i32): i32 {
  if (n < 0) return STATUS_BAD_SHAPE;
  if (!isFormat(format) || (io != IO_F32 && io != IO_BITS) || (io == IO_BITS && format == FORMAT_FP32)) {
    return STATUS_BAD_FORMAT;
  }
  if (!fits(src, <u64>n * 4) || !fits(dst, <u64>n * (io == IO_BITS ? 2 : 4))) return STATUS_OUT_OF_BOUNDS;
  let i = 0;
  if (io == IO_F32) {
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(dst + o, roundTox4(v128.load(src + o), format));
      }
    }
    for (; i < n; i++) store<f32>(dst + (<usize>i << 2), roundTo(load<f32>(src + (<usize>i << 2)), format));
  } else {
    for (; i < n; i++) {
      store<u16>(dst + (<usize>i << 1), <u16>toBits(roundTo(load<f32>(src + (<usize>i << 2)), format), format));
    }
  }
  return STATUS_OK;
}
