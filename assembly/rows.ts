// Per-row passes over f32 data with f32x4 SIMD, and the row drivers that apply
// docs/design.md §1 (mean, Σy², a from m, output scaling) with its edge rules (§4).
//
// Memory layout of one call (all f32, little endian, rows back to back):
//
//   x     ┌ row 0: dim values ┬ row 1 ┬ … ┬ row rows−1 ┐
//   out   └ same shape (x itself for in place, else disjoint from x)
//   gamma, beta: dim values each, or pointer 0 for "γ = 1" / "β = 0"
//
// Passes per row (LayerNorm; L2 skips the first and uses μ = 0):
//
//   1. S = Σ(x_i − x₀), δ = S·(1/d), c = x₀ + δ  (the shift x₀ makes a constant row exact)
//   2. q = Σ(x_i − c)², m = (q − P) + d·ε, P = d·err² or 0 (centre.ts)
//   3. out_i = (y_i·s)·γ_i + β_i,  s = √d·a (LayerNorm) or a (L2),
//      y_i = x_i − c, then − err on rows that take two shifts
//
// The centring rule (docs/design.md §1 step 2, assembly/centre.ts): c is the mean rounded
// to f32, off by err; on a row of unit spread about 1e7 (f32 spacing 1 there) err would be
// the error of every y_i. Rows where err is large against their spread take a second
// shift in the output pass only; ordinary rows never do, so they cost what they did.
//
// Why two statistics passes and not the fused one-pass m = Σ(x−K)² − (Σ(x−K))²/d.
// The fused form saves one load, one subtraction and one addition per vector
// (13 instead of 15 wasm operations per vector over all passes; under a tenth of
// the time of a call in development measurements at d = 768 and 1024), but
//   - with K = x₀ its error bound grows like (1 + 2r)·γ_k, r = d(μ − x₀)²/m = z₀²
//     (z₀ the z-score of x₀ in its row), so a safe version must fall back to this
//     two-pass form whenever |z₀| is not small: for rows of i.i.d. values about
//     half of all rows at r ≤ 1/2, which costs more than it saves;
//   - with a sampled K ≈ μ the fallback is rare, but the results are no longer
//     bit-identical to the plain-TS reference (js/reference/iter.ts) on rows whose
//     sums are exact (a K with fraction bits makes Σ(x − K)² inexact), which the
//     core tests require (tests/layernorm-reference.test.ts).
// bench/suite-precision.ts measures both fused variants against this form on
// ordinary and adversarial rows (columns "one-pass x₀" and "one-pass sampled").
//
// Summation order of every reduction (S, Σy², Σx²): assembly/sum.ts, the one
// definition shared with the BF16/FP16 kernel and emulated by the plain-TS reference
// (js/reference/sum.ts), so the reference and both builds agree bit for bit
// (docs/design.md §2). Its depth is at most min(d, 512)/16 + ⌈d/512⌉ + 10 additions,
// 38 for d = 1024, where one running sum would have d − 1.
//
// normalizeRows, the row loop for a whole call, takes rows in groups: statistics of
// GROUP rows, then their inverse norms as the four lanes of one f32x4 iteration
// (assembly/rsqrt-array.ts; the scalar build runs four independent scalar iterations,
// which the CPU overlaps), then their output passes. A row's result does not depend
// on the grouping: the same operations run on it in the same order (a lane of the
// f32x4 iteration gives the bits of the scalar path), so normalizeRows and a loop
// over normalizeRow give the same bits.
//
// Relaxed SIMD (f32x4.relaxed_madd) is not used: a fused multiply-add would change
// the rounding of Σy² per platform, and Node 20 (V8 11.3) does not enable relaxed
// SIMD without a flag (bench/env.ts probes it), so the exact path would be the one
// that runs anyway.

import { FORMAT_FP32, M_LOW } from "./constants";
import { customC, magic, method, policy, steps, variant } from "./method";
import { exponentOf, inverseNorm, pow2f } from "./scalar";
import { inverseNormx4 } from "./rsqrt-array";
import { meanError, shiftCost, twoShiftCorrection } from "./centre";
import { CHUNK, reduce, SQUARES, SUM, sumSquaresF32 } from "./sum";

/** Rows whose statistics are taken before their output passes (normalizeRows). */
const GROUP: i32 = 4;

/** Largest d for which rows are grouped: GROUP rows of d f32 stay in a 32 KiB L1 data cache. */
const GROUP_MAX_DIM: i32 = 2048;

/** max |x_i|; NaN if any value is NaN (f32x4.max and f32.max propagate NaN). */
// @ts-ignore: decorator
@inline export function maxAbs(p: usize, n: i32): f32 {
  let r: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) acc = f32x4.max(acc, f32x4.abs(v128.load(p + (<usize>i << 2))));
    r = max<f32>(max<f32>(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)),
      max<f32>(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
  }
  for (; i < n; i++) r = max<f32>(r, abs<f32>(load<f32>(p + (<usize>i << 2))));
  return r;
}

/** dst_i = src_i · s (s a power of two, so exact unless the result underflows). */
// @ts-ignore: decorator
@inline function scaleInto(src: usize, dst: usize, n: i32, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(s);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, f32x4.mul(v128.load(src + o), vs));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o) * s);
  }
}

// @ts-ignore: decorator
@inline function fill(dst: usize, n: i32, value: f32): void {
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), value);
}

/** One f32x4 of output from the vectors at offset k of each stream: (y·s)·γ + β, y = (x − c) [− err]. */
// @ts-ignore: decorator
@inline function outVec(
  ps: usize, pg: usize, pb: usize, k: usize, vc: v128, vd: v128, vs: v128, two: bool, hasG: bool, hasB: bool,
): v128 {
  let y = f32x4.sub(v128.load(ps + k), vc);
  if (two) y = f32x4.sub(y, vd);
  let v = f32x4.mul(y, vs);
  if (hasG) v = f32x4.mul(v, v128.load(pg + k));
  if (hasB) v = f32x4.add(v, v128.load(pb + k));
  return v;
}

/**
 * out_i = (y_i·s)·γ_i + β_i, y_i = x_i − c, then − err when `two` (the centring rule), with
 * the γ and β steps left out when their pointer is 0. Every vector is loaded before it
 * is stored, so src == dst works.
 * One pointer per stream, advanced once per 32 values, so the loads and stores of
 * the unrolled body address "pointer + constant" (no address arithmetic per vector).
 */
// @ts-ignore: decorator
@inline function outputPass(
  src: usize, dst: usize, n: i32, c: f32, err: f32, two: bool, s: f32, g: usize, b: usize,
  hasG: bool, hasB: bool,
): void {
  let ps = src, pd = dst, pg = g, pb = b;
  if (ASC_FEATURE_SIMD) {
    const vc = f32x4.splat(c);
    const vd = f32x4.splat(err);
    const vs = f32x4.splat(s);
    const end32 = src + (<usize>(n & ~31) << 2);
    while (ps < end32) {
      const v0 = outVec(ps, pg, pb, 0, vc, vd, vs, two, hasG, hasB);
      const v1 = outVec(ps, pg, pb, 16, vc, vd, vs, two, hasG, hasB);
      const v2 = outVec(ps, pg, pb, 32, vc, vd, vs, two, hasG, hasB);
      const v3 = outVec(ps, pg, pb, 48, vc, vd, vs, two, hasG, hasB);
      v128.store(pd, v0);
      v128.store(pd, v1, 16);
      v128.store(pd, v2, 32);
      v128.store(pd, v3, 48);
      const v4 = outVec(ps, pg, pb, 64, vc, vd, vs, two, hasG, hasB);
      const v5 = outVec(ps, pg, pb, 80, vc, vd, vs, two, hasG, hasB);
      const v6 = outVec(ps, pg, pb, 96, vc, vd, vs, two, hasG, hasB);
      const v7 = outVec(ps, pg, pb, 112, vc, vd, vs, two, hasG, hasB);
      v128.store(pd, v4, 64);
      v128.store(pd, v5, 80);
      v128.store(pd, v6, 96);
      v128.store(pd, v7, 112);
      ps += 128;
      pd += 128;
      if (hasG) pg += 128;
      if (hasB) pb += 128;
    }
    const end4 = src + (<usize>(n & ~3) << 2);
    while (ps < end4) {
      v128.store(pd, outVec(ps, pg, pb, 0, vc, vd, vs, two, hasG, hasB));
      ps += 16;
      pd += 16;
      if (hasG) pg += 16;
      if (hasB) pb += 16;
    }
  }
  const end = src + (<usize>n << 2);
  while (ps < end) {
    let y = load<f32>(ps) - c;
    if (two) y = y - err;
    let v = y * s;
    if (hasG) v = v * load<f32>(pg);
    if (hasB) v = v + load<f32>(pb);
    store<f32>(pd, v);
    ps += 4;
    pd += 4;
    if (hasG) pg += 4;
    if (hasB) pb += 4;
  }
}

/** The output pass specialised for the presence of γ and β. */
// @ts-ignore: decorator
@inline function outputGB(
  src: usize, dst: usize, n: i32, c: f32, err: f32, two: bool, s: f32, g: usize, b: usize,
): void {
  if (g != 0) {
    if (b != 0) outputPass(src, dst, n, c, err, two, s, g, b, true, true);
    else outputPass(src, dst, n, c, err, two, s, g, b, true, false);
  } else {
    if (b != 0) outputPass(src, dst, n, c, err, two, s, g, b, false, true);
    else outputPass(src, dst, n, c, err, two, s, g, b, false, false);
  }
}

/** The output pass specialised for the centring (one or two shifts) and the presence of γ and β. */
function output(src: usize, dst: usize, n: i32, c: f32, err: f32, two: bool, s: f32, g: usize, b: usize): void {
  if (two) outputGB(src, dst, n, c, err, true, s, g, b);
  else outputGB(src, dst, n, c, err, false, s, g, b);
}

// @ts-ignore: decorator
@inline function aFromM(m: f32): f32 {
  if (m == Infinity) return 0; // the ε term overflowed after rescaling: a → 0, out → β
  return inverseNorm(m, method, policy, customC, steps, magic, variant);
}

// The centring of the last rowStats call (its m is the return value): y = x − statC, then
// − statErr when statTwo (the rule of the header).
let statC: f32 = 0;
let statErr: f32 = 0;
let statTwo: bool = false;

/**
 * Statistics of one row: sets statC, statErr, statTwo (c = 0, one shift, when not
 * centering) and returns m (passes 1 and 2 of the header).
 */
// @ts-ignore: decorator
@inline function rowStats(src: usize, n: i32, center: bool, invD: f32, epsTerm: f32): f32 {
  statErr = 0;
  statTwo = false;
  if (!center) {
    statC = 0;
    return sumSquaresF32(src, n) + epsTerm;
  }
  const x0 = load<f32>(src);
  const delta = reduce(src, n, x0, SUM, FORMAT_FP32, false, CHUNK) * invD;
  const c = x0 + delta;
  const err = meanError(x0, delta, c, FORMAT_FP32);
  const cost = shiftCost(err, <f32>n);
  const q = reduce(src, n, c, SQUARES, FORMAT_FP32, false, CHUNK);
  const p = twoShiftCorrection(cost, q);
  statC = c;
  statTwo = p > 0;
  statErr = statTwo ? err : 0;
  return q - p + epsTerm;
}

/** True when m can go to the scalar path as is (else the row is rescaled or NaN). */
// @ts-ignore: decorator
@inline function usable(m: f32): bool {
  return m >= M_LOW && m < Infinity;
}

/**
 * A row whose m is not in [M_LOW, ∞): NaN or ±Inf in the row gives NaN; an
 * all-zero row gives β; otherwise the row is multiplied by 2^k so that
 * max|x| ∈ [1, 2) (exact), written to dst, and normalised from there with the
 * same statistics functions (so LN(2^j·x) and LN(x) give the same bits).
 */
function rescaledRow(
  src: usize, dst: usize, n: i32, g: usize, b: usize, center: bool, invD: f32, sqrtD: f32,
  epsTerm: f32,
): void {
  const big = maxAbs(src, n);
  if (!(big < Infinity)) {
    fill(dst, n, NaN);
    return;
  }
  let c: f32 = 0;
  let err: f32 = 0;
  let two = false;
  let a: f32 = 0;
  if (big != 0) {
    const k = min<i32>(126, max<i32>(-126, -exponentOf(big)));
    const s = pow2f(k);
    scaleInto(src, dst, n, s);
    src = dst;
    const m = rowStats(src, n, center, invD, epsTerm * s * s);
    c = statC;
    err = statErr;
    two = statTwo;
    a = m > 0 ? aFromM(m) : 0;
  }
  output(src, dst, n, c, err, two, center ? sqrtD * a : a, g, b);
}

/**
 * Normalises one row of n values from src into dst.
 * center: LayerNorm (subtract μ, scale by √d·a) or L2 (no shift, scale by a).
 * epsTerm: d·ε (LayerNorm) or ε (L2), added to Σy².
 *
 * Edge rules (docs/design.md §4): a NaN or ±Inf value makes the row NaN; an all-zero or
 * constant row gives y = 0, a = 0, out = β; a row whose Σy² would overflow or
 * underflow is first multiplied by 2^k so that max|x| ∈ [1, 2) (exact), and its
 * statistics are taken again on the scaled copy (written to dst).
 */
export function normalizeRow(
  src: usize, dst: usize, n: i32, g: usize, b: usize, center: bool, invD: f32, sqrtD: f32,
  epsTerm: f32,
): void {
  const m = rowStats(src, n, center, invD, epsTerm);
  if (!usable(m)) {
    rescaledRow(src, dst, n, g, b, center, invD, sqrtD, epsTerm);
    return;
  }
  const a = aFromM(m);
  output(src, dst, n, statC, statErr, statTwo, center ? sqrtD * a : a, g, b);
}

/**
 * Normalises `rows` rows of n values from x into out (out == x or disjoint):
 * the same results as normalizeRow on each row, with rows taken GROUP at a time
 * (statistics, then inverse norms, then outputs) while n ≤ GROUP_MAX_DIM.
 */
export function normalizeRows(
  x: usize, out: usize, rows: i32, n: i32, g: usize, b: usize, center: bool, invD: f32, sqrtD: f32,
  epsTerm: f32,
): void {
  const rowBytes = <usize>n << 2;
  let r = 0;
  if (n <= GROUP_MAX_DIM) {
    for (; r + GROUP <= rows; r += GROUP) {
      const o0 = <usize>r * rowBytes;
      const o1 = o0 + rowBytes;
      const o2 = o1 + rowBytes;
      const o3 = o2 + rowBytes;
      const m0 = rowStats(x + o0, n, center, invD, epsTerm);
      const c0 = statC;
      const d0 = statErr;
      const w0 = statTwo;
      const m1 = rowStats(x + o1, n, center, invD, epsTerm);
      const c1 = statC;
      const d1 = statErr;
      const w1 = statTwo;
      const m2 = rowStats(x + o2, n, center, invD, epsTerm);
      const c2 = statC;
      const d2 = statErr;
      const w2 = statTwo;
      const m3 = rowStats(x + o3, n, center, invD, epsTerm);
      const c3 = statC;
      const d3 = statErr;
      const w3 = statTwo;
      const ok0 = usable(m0);
      const ok1 = usable(m1);
      const ok2 = usable(m2);
      const ok3 = usable(m3);
      // The four inverse norms: one f32x4 iteration (each lane the bits of aFromM, as
      // m < ∞ here), or four independent scalar iterations the CPU overlaps.
      let a0: f32 = 0;
      let a1: f32 = 0;
      let a2: f32 = 0;
      let a3: f32 = 0;
      if (ASC_FEATURE_SIMD) {
        const mv = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(m0), 1, m1), 2, m2), 3, m3);
        const av = inverseNormx4(mv, FORMAT_FP32, method, policy, customC, steps, magic, variant);
        if (ok0) a0 = f32x4.extract_lane(av, 0);
        if (ok1) a1 = f32x4.extract_lane(av, 1);
        if (ok2) a2 = f32x4.extract_lane(av, 2);
        if (ok3) a3 = f32x4.extract_lane(av, 3);
      } else {
        if (ok0) a0 = aFromM(m0);
        if (ok1) a1 = aFromM(m1);
        if (ok2) a2 = aFromM(m2);
        if (ok3) a3 = aFromM(m3);
      }
      if (ok0) output(x + o0, out + o0, n, c0, d0, w0, center ? sqrtD * a0 : a0, g, b);
      else rescaledRow(x + o0, out + o0, n, g, b, center, invD, sqrtD, epsTerm);
      if (ok1) output(x + o1, out + o1, n, c1, d1, w1, center ? sqrtD * a1 : a1, g, b);
      else rescaledRow(x + o1, out + o1, n, g, b, center, invD, sqrtD, epsTerm);
      if (ok2) output(x + o2, out + o2, n, c2, d2, w2, center ? sqrtD * a2 : a2, g, b);
      else rescaledRow(x + o2, out + o2, n, g, b, center, invD, sqrtD, epsTerm);
      if (ok3) output(x + o3, out + o3, n, c3, d3, w3, center ? sqrtD * a3 : a3, g, b);
      else rescaledRow(x + o3, out + o3, n, g, b, center, invD, sqrtD, epsTerm);
    }
  }
  for (; r < rows; r++) {
    const o = <usize>r * rowBytes;
    normalizeRow(x + o, out + o, n, g, b, center, invD, sqrtD, epsTerm);
  }
}
