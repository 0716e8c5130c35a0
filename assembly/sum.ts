// The summation order of the row reductions (docs/design.md §2): the one definition
// used by the FP32 row kernel (rows.ts: S = Σ(x − x₀), Σ(x − μ)², Σx²) and by the
// BF16/FP16 row kernel (rows-format.ts: the same sums over terms rounded to F).
// js/reference/sum.ts emulates it in plain TS, so the references agree with both
// builds bit for bit on every row, not only on rows whose sums are exact.
//
// The order, for n values v_0 … v_{n−1} with terms t_i = term(v_i):
//
//   1. The first 16·⌊n/16⌋ terms are read in chunks of C terms. Inside a chunk,
//      "vector" j (terms 4j … 4j+3 of the chunk) goes to accumulator j mod 4, lane
//      l = i mod 4: 4 accumulators of 4 lanes, each added to in index order.
//   2. At the end of a chunk its accumulators are combined lane by lane as
//      (A0 + A1) + (A2 + A3) and added to a running 4-lane total T.
//   3. The remaining whole vectors (at most 3) are added to T one by one.
//   4. T's lanes are summed as (T0 + T1) + (T2 + T3).
//   5. The last n mod 4 terms are added to that sum in index order.
//
// Every "+" above is one f32 addition, followed in the native accumulate mode of a
// 16-bit format F by one rounding to F (docs/design.md §3): rounding is a parameter
// of each addition, not of the order.
//
// The chunk length C is the order's one parameter. Sums in f32 (the FP32 kernel and
// the default accumulate mode of BF16/FP16) use C = CHUNK = 512, which bounds the
// summation depth. The native mode uses one chunk over the whole row (C ≥ n): that
// mode exists to show what accumulating in F costs as d grows (docs/precision.md,
// large d), and 512-term chunks would hide most of it. Measured on 50 rows of d = 4096
// uniform values in [3, 8) (precise preset), native accumulation changed the output
// of 1 BF16 row and 19 FP16 rows with 512-term chunks, and of 50 and 49 rows with
// whole-row accumulators (n/16 rounded additions per lane).
//
// The SIMD build holds each accumulator in an f32x4; the scalar build holds the
// same 16 accumulators and 4 totals in scalar locals and performs the same
// additions, so the two builds give the same bits.
//
// The summation depth (additions on the longest path from a term to the result) is
// at most min(n, C)/16 + ⌈n/C⌉ + 10 (for C = 512 exactly 38 at n = 1024 and 60 at
// n = 12288), and the rounding error of each sum is at most γ_depth·Σ|t_i|.

import { FORMAT_FP32 } from "./constants";
import { roundTo, roundTox4 } from "./formats";

/** Terms per chunk of the f32 sums (a multiple of 32, the SIMD loop's step): bounds the summation depth. */
export const CHUNK: i32 = 512;

/** Term kinds. SUM: R(v − c). SQUARES: y = R(v − c), y·y. SQUARES_0: v·v (no shift). */
export const SUM: i32 = 0;
export const SQUARES: i32 = 1;
export const SQUARES_0: i32 = 2;

// R is rounding to the format (FORMAT_FP32: none). In the native mode products and
// sums are rounded to F as well; otherwise they stay f32 (q = y·y is exact in f32
// for a y in F, since F's significand has at most 11 bits).
//
// In the scalar build R is a call where the format is not FP32: inlined into every
// addition of the 16 unrolled accumulators at every call site, the 16-bit roundings
// made that build's BF16/FP16 kernel about 40 KB and its optimisation take minutes.
// The SIMD build inlines R (its unrolled loop holds 4 accumulators: ten seconds to
// build, and the BF16/FP16 sums about 1.3× faster than with a call). For the FP32
// kernel, whose format is the constant FORMAT_FP32, the compiler folds R away.

/** roundTo as one function in the module (the scalar build's R; see above). */
function roundCall(x: f32, format: i32): f32 {
  return roundTo(x, format);
}

/** x rounded to the format (FORMAT_FP32: x itself); centre.ts rounds with it too (see above). */
// @ts-ignore: decorator
@inline export function R1(x: f32, format: i32): f32 {
  if (format == FORMAT_FP32) return x;
  return ASC_FEATURE_SIMD ? roundTo(x, format) : roundCall(x, format);
}

// @ts-ignore: decorator
@inline function R4(v: v128, format: i32): v128 {
  return roundTox4(v, format);
}

// @ts-ignore: decorator
@inline function term1(v: f32, c: f32, kind: i32, format: i32, native: bool): f32 {
  if (kind == SQUARES_0) return native ? R1(v * v, format) : v * v;
  const y = R1(v - c, format);
  if (kind == SUM) return y;
  return native ? R1(y * y, format) : y * y;
}

// @ts-ignore: decorator
@inline function term4(v: v128, vc: v128, kind: i32, format: i32, native: bool): v128 {
  if (kind == SQUARES_0) return native ? R4(f32x4.mul(v, v), format) : f32x4.mul(v, v);
  const y = R4(f32x4.sub(v, vc), format);
  if (kind == SUM) return y;
  return native ? R4(f32x4.mul(y, y), format) : f32x4.mul(y, y);
}

// @ts-ignore: decorator
@inline function add1(a: f32, b: f32, format: i32, native: bool): f32 {
  return native ? R1(a + b, format) : a + b;
}

// Four f32 ones in the module's static data, for the relaxed build's additions (addExact4). Each
// reduction loads them once into a local: as a v128.const operand they were rematerialised at every
// use inside the loop (V8 13.6), which made that build 30% slower (scripts/compare-kernels.js).
const ONES: usize = memory.data<f32>([1, 1, 1, 1], 16);

/** The ones vector of addExact4, read once per reduction (see ONES); unused outside the relaxed build. */
// @ts-ignore: decorator
@inline export function onesOf(): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? v128.load(ONES) : f32x4.splat(1);
}

/**
 * a + b in f32 lanes. In the relaxed build (docs/design.md §8) this is f32x4.relaxed_madd(b, ones, a):
 * b·1 is exact, so fused or not the result is the correctly rounded a + b, the bits of f32x4.add
 * (−0 + −0 included), while the engine may issue it on the multiply-add pipes as well as the adders.
 */
// @ts-ignore: decorator
@inline export function addExact4(a: v128, b: v128, ones: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? f32x4.relaxed_madd(b, ones, a) : f32x4.add(a, b);
}

// @ts-ignore: decorator
@inline function add4(a: v128, b: v128, format: i32, native: bool, ones: v128): v128 {
  return native ? R4(f32x4.add(a, b), format) : addExact4(a, b, ones);
}

/**
 * Σ term(v_i) over the n f32 values at p in the order of the header: kind SUM,
 * SQUARES or SQUARES_0 about c, terms rounded to `format`, and every addition
 * rounded to it as well when `native`; chunks of `chunk` terms (a multiple of 16,
 * or ≥ n for one chunk). The FP32 kernel passes FORMAT_FP32, false and CHUNK,
 * constants that the compiler folds away.
 */
// @ts-ignore: decorator
@inline export function reduce(p: usize, n: i32, c: f32, kind: i32, format: i32, native: bool, chunk: i32): f32 {
  if (ASC_FEATURE_SIMD) return reduceSimd(p, n, c, kind, format, native, chunk);
  return reduceScalar(p, n, c, kind, format, native, chunk);
}

/** The chunk length of an accumulate mode: CHUNK for f32 sums, one chunk over the row for native. */
// @ts-ignore: decorator
@inline export function chunkOf(native: bool, n: i32): i32 {
  return native ? max<i32>(n, CHUNK) : CHUNK;
}

/** Σx_i² in f32 (the FP32 kernel's L2 statistic). */
// @ts-ignore: decorator
@inline export function sumSquaresF32(p: usize, n: i32): f32 {
  return reduce(p, n, 0, SQUARES_0, FORMAT_FP32, false, CHUNK);
}

/** reduce() with f32x4 accumulators. */
// @ts-ignore: decorator
@inline function reduceSimd(p: usize, n: i32, c: f32, kind: i32, format: i32, native: bool, chunk: i32): f32 {
  const vc = f32x4.splat(c);
  const ones = onesOf();
  let t = f32x4.splat(0);
  const end16 = p + (<usize>(n & ~15) << 2);
  let q = p;
  while (q < end16) {
    const stop = min<usize>(end16, q + (<usize>chunk << 2));
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    // 32 values per step (vector j of the chunk into accumulator j mod 4), then at most one step of 16.
    for (; q + 128 <= stop; q += 128) {
      a0 = add4(a0, term4(v128.load(q), vc, kind, format, native), format, native, ones);
      a1 = add4(a1, term4(v128.load(q, 16), vc, kind, format, native), format, native, ones);
      a2 = add4(a2, term4(v128.load(q, 32), vc, kind, format, native), format, native, ones);
      a3 = add4(a3, term4(v128.load(q, 48), vc, kind, format, native), format, native, ones);
      a0 = add4(a0, term4(v128.load(q, 64), vc, kind, format, native), format, native, ones);
      a1 = add4(a1, term4(v128.load(q, 80), vc, kind, format, native), format, native, ones);
      a2 = add4(a2, term4(v128.load(q, 96), vc, kind, format, native), format, native, ones);
      a3 = add4(a3, term4(v128.load(q, 112), vc, kind, format, native), format, native, ones);
    }
    if (q < stop) {
      a0 = add4(a0, term4(v128.load(q), vc, kind, format, native), format, native, ones);
      a1 = add4(a1, term4(v128.load(q, 16), vc, kind, format, native), format, native, ones);
      a2 = add4(a2, term4(v128.load(q, 32), vc, kind, format, native), format, native, ones);
      a3 = add4(a3, term4(v128.load(q, 48), vc, kind, format, native), format, native, ones);
      q += 64;
    }
    const a01 = add4(a0, a1, format, native, ones);
    const a23 = add4(a2, a3, format, native, ones);
    t = add4(t, add4(a01, a23, format, native, ones), format, native, ones);
  }
  const end4 = p + (<usize>(n & ~3) << 2);
  for (; q < end4; q += 16) t = add4(t, term4(v128.load(q), vc, kind, format, native), format, native, ones);
  const l01 = add1(f32x4.extract_lane(t, 0), f32x4.extract_lane(t, 1), format, native);
  const l23 = add1(f32x4.extract_lane(t, 2), f32x4.extract_lane(t, 3), format, native);
  let s = add1(l01, l23, format, native);
  const end = p + (<usize>n << 2);
  for (; q < end; q += 4) s = add1(s, term1(load<f32>(q), c, kind, format, native), format, native);
  return s;
}

/**
 * reduce() in scalar code: accumulator j, lane l of the SIMD form is the local
 * a{j}{l}, total lane l is t{l}; each step of 16 values adds value 4j + l to a{j}{l}.
 */
// @ts-ignore: decorator
@inline function reduceScalar(p: usize, n: i32, c: f32, kind: i32, format: i32, native: bool, chunk: i32): f32 {
  let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
  const end16 = p + (<usize>(n & ~15) << 2);
  let q = p;
  while (q < end16) {
    const stop = min<usize>(end16, q + (<usize>chunk << 2));
    let a00: f32 = 0, a01: f32 = 0, a02: f32 = 0, a03: f32 = 0;
    let a10: f32 = 0, a11: f32 = 0, a12: f32 = 0, a13: f32 = 0;
    let a20: f32 = 0, a21: f32 = 0, a22: f32 = 0, a23: f32 = 0;
    let a30: f32 = 0, a31: f32 = 0, a32: f32 = 0, a33: f32 = 0;
    for (; q < stop; q += 64) {
      a00 = add1(a00, term1(load<f32>(q), c, kind, format, native), format, native);
      a01 = add1(a01, term1(load<f32>(q, 4), c, kind, format, native), format, native);
      a02 = add1(a02, term1(load<f32>(q, 8), c, kind, format, native), format, native);
      a03 = add1(a03, term1(load<f32>(q, 12), c, kind, format, native), format, native);
      a10 = add1(a10, term1(load<f32>(q, 16), c, kind, format, native), format, native);
      a11 = add1(a11, term1(load<f32>(q, 20), c, kind, format, native), format, native);
      a12 = add1(a12, term1(load<f32>(q, 24), c, kind, format, native), format, native);
      a13 = add1(a13, term1(load<f32>(q, 28), c, kind, format, native), format, native);
      a20 = add1(a20, term1(load<f32>(q, 32), c, kind, format, native), format, native);
      a21 = add1(a21, term1(load<f32>(q, 36), c, kind, format, native), format, native);
      a22 = add1(a22, term1(load<f32>(q, 40), c, kind, format, native), format, native);
      a23 = add1(a23, term1(load<f32>(q, 44), c, kind, format, native), format, native);
      a30 = add1(a30, term1(load<f32>(q, 48), c, kind, format, native), format, native);
      a31 = add1(a31, term1(load<f32>(q, 52), c, kind, format, native), format, native);
      a32 = add1(a32, term1(load<f32>(q, 56), c, kind, format, native), format, native);
      a33 = add1(a33, term1(load<f32>(q, 60), c, kind, format, native), format, native);
    }
    t0 = add1(t0, add1(add1(a00, a10, format, native), add1(a20, a30, format, native), format, native), format, native);
    t1 = add1(t1, add1(add1(a01, a11, format, native), add1(a21, a31, format, native), format, native), format, native);
    t2 = add1(t2, add1(add1(a02, a12, format, native), add1(a22, a32, format, native), format, native), format, native);
    t3 = add1(t3, add1(add1(a03, a13, format, native), add1(a23, a33, format, native), format, native), format, native);
  }
  const end4 = p + (<usize>(n & ~3) << 2);
  for (; q < end4; q += 16) {
    t0 = add1(t0, term1(load<f32>(q), c, kind, format, native), format, native);
    t1 = add1(t1, term1(load<f32>(q, 4), c, kind, format, native), format, native);
    t2 = add1(t2, term1(load<f32>(q, 8), c, kind, format, native), format, native);
    t3 = add1(t3, term1(load<f32>(q, 12), c, kind, format, native), format, native);
  }
  let s = add1(add1(t0, t1, format, native), add1(t2, t3, format, native), format, native);
  const end = p + (<usize>n << 2);
  for (; q < end; q += 4) s = add1(s, term1(load<f32>(q), c, kind, format, native), format, native);
  return s;
}
