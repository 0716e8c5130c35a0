// The module's exports: the ABI every host calls (documented in README "Embedding").
// Plain (pointer, count, …) functions over f32 data in this module's memory, an
// allocator, and the enum values as globals so hosts never hard-code them.

import {
  LAMBDA_CUSTOM, METHOD_FISR, METHOD_ITER, METHOD_SQRT, STATUS_BAD_PARAM,
  STATUS_BAD_SHAPE, STATUS_OK, STATUS_OUT_OF_BOUNDS, isMethod,
} from "./constants";
import { fisrRsqrt, isPolicy, iterRsqrt } from "./scalar";
import { normalizeRow, setInverseNorm } from "./rows";

export {
  PAPER_C, QUAKE_MAGIC,
  METHOD_ITER, METHOD_SQRT, METHOD_FISR,
  LAMBDA_PAPER, LAMBDA_POW2, LAMBDA_NEWTON, LAMBDA_CUSTOM,
  STATUS_OK, STATUS_BAD_SHAPE, STATUS_OUT_OF_BOUNDS, STATUS_BAD_PARAM,
} from "./constants";

/** Version of this export list and its meaning; bumped on any incompatible change. */
export const ABI_VERSION: i32 = 1;

/** Reserves `bytes` bytes (16-byte aligned) in this module's memory; may grow the memory. */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Releases a block returned by `alloc`. */
export function free(ptr: usize): void {
  heap.free(ptr);
}

/** Called by the runtime in place of an imported `abort`, so the module imports nothing. */
export function onAbort(message: usize, fileName: usize, line: u32, column: u32): void {
  unreachable();
}

// @ts-ignore: decorator
@inline function fits(ptr: usize, bytes: u64): bool {
  return <u64>ptr + bytes <= (<u64>memory.size() << 16);
}

function checkCall(x: usize, out: usize, gamma: usize, beta: usize, rows: i32, dim: i32, eps: f32, method: i32, policy: i32, c: f32, steps: i32): i32 {
  if (rows < 0 || dim < 1) return STATUS_BAD_SHAPE;
  if (!isMethod(method) || !isPolicy(policy) || steps < 0 || !(eps >= 0) || eps == Infinity) return STATUS_BAD_PARAM;
  if (method == METHOD_ITER && policy == LAMBDA_CUSTOM && !(c > 0 && c < Infinity)) return STATUS_BAD_PARAM;
  const bytes = <u64>rows * <u64>dim * 4;
  const rowBytes = <u64>dim * 4;
  if (!fits(x, bytes) || !fits(out, bytes)) return STATUS_OUT_OF_BOUNDS;
  if (gamma != 0 && !fits(gamma, rowBytes)) return STATUS_OUT_OF_BOUNDS;
  if (beta != 0 && !fits(beta, rowBytes)) return STATUS_OUT_OF_BOUNDS;
  return STATUS_OK;
}

/**
 * LayerNorm of `rows` rows of `dim` f32 values at `x` into `out` (may equal x):
 * out = γ·(√d·a)·(x − μ) + β with a ≈ 1/√(Σ(x − μ)² + d·eps). gamma/beta 0 mean 1 and 0.
 * method: METHOD_*; policy: LAMBDA_* (iter only); c: λ constant for LAMBDA_CUSTOM;
 * steps: iterations (iter) or Newton steps (fisr); magic: FISR constant.
 * Returns STATUS_OK or a negative STATUS_* without touching memory.
 */
export function layer_norm(x: usize, out: usize, gamma: usize, beta: usize, rows: i32, dim: i32, eps: f32, method: i32, policy: i32, c: f32, steps: i32, magic: u32): i32 {
  const status = checkCall(x, out, gamma, beta, rows, dim, eps, method, policy, c, steps);
  if (status != STATUS_OK) return status;
  setInverseNorm(method, policy, c, steps, magic);
  const d = <f32>dim;
  const invD: f32 = <f32>1 / d; // per-d constant: one division per call, none per row
  const sqrtD = sqrt<f32>(d); // per-d constant
  const epsTerm = d * eps;
  const rowBytes = <usize>dim << 2;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rowBytes;
    normalizeRow(x + o, out + o, dim, gamma, beta, true, invD, sqrtD, epsTerm);
  }
  return STATUS_OK;
}

/**
 * L2 normalisation of `rows` rows of `dim` f32 values: out = a·x with a ≈ 1/√(Σx² + eps).
 * Parameters as for layer_norm.
 */
export function l2_normalize(x: usize, out: usize, rows: i32, dim: i32, eps: f32, method: i32, policy: i32, c: f32, steps: i32, magic: u32): i32 {
  const status = checkCall(x, out, 0, 0, rows, dim, eps, method, policy, c, steps);
  if (status != STATUS_OK) return status;
  setInverseNorm(method, policy, c, steps, magic);
  const rowBytes = <usize>dim << 2;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rowBytes;
    normalizeRow(x + o, out + o, dim, 0, 0, false, 1, 1, eps);
  }
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
export function rsqrt_batch(m: usize, out: usize, n: i32, method: i32, policy: i32, c: f32, steps: i32, magic: u32): i32 {
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
