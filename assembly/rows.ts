// Per-row passes over f32 data with f32x4 SIMD, and the row driver that applies
// DESIGN.md §1 (mean shift, Σy², a from m, output scaling) with its edge rules.
//
// Memory layout of one call (all f32, little endian, rows back to back):
//
//   x     ┌ row 0: dim values ┬ row 1 ┬ … ┬ row rows−1 ┐
//   out   └ same shape (may be x itself: in place) ─────┘
//   gamma, beta: dim values each, or pointer 0 for "γ = 1" / "β = 0"
//
// Summation order of the reductions: lanes i ≡ 0..3 (mod 4) of the first 8·⌊n/8⌋
// elements go to two f32x4 accumulators (even and odd blocks of 4), a remaining block
// of 4 goes to the first; the accumulators are added, the lanes are summed as
// (l0 + l1) + (l2 + l3), then the scalar tail is added in index order.

import { M_LOW } from "./constants";
import { exponentOf, inverseNorm, pow2f } from "./scalar";

// @ts-ignore: decorator
@inline function lanesSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Σ(x_i − x₀) for the n values at p. */
// @ts-ignore: decorator
@inline function sumShifted(p: usize, n: i32, x0: f32): f32 {
  const shift = f32x4.splat(x0);
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const q = p + (<usize>i << 2);
    acc0 = f32x4.add(acc0, f32x4.sub(v128.load(q), shift));
    acc1 = f32x4.add(acc1, f32x4.sub(v128.load(q, 16), shift));
  }
  if (i + 4 <= n) {
    acc0 = f32x4.add(acc0, f32x4.sub(v128.load(p + (<usize>i << 2)), shift));
    i += 4;
  }
  let s = lanesSum(f32x4.add(acc0, acc1));
  for (; i < n; i++) s += load<f32>(p + (<usize>i << 2)) - x0;
  return s;
}

/**
 * μ = x₀ + Σ(x_i − x₀)·(1/d). Shifting by the first element keeps the sum small
 * and makes μ exactly x₀ for a constant row, so a constant row has y = 0 exactly.
 */
// @ts-ignore: decorator
@inline function meanOf(p: usize, n: i32, invD: f32): f32 {
  const x0 = load<f32>(p);
  return x0 + sumShifted(p, n, x0) * invD;
}

/** Σ(x_i − μ)² for the n values at p. */
// @ts-ignore: decorator
@inline function sumSquares(p: usize, n: i32, mu: f32): f32 {
  const vmu = f32x4.splat(mu);
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const q = p + (<usize>i << 2);
    const y0 = f32x4.sub(v128.load(q), vmu);
    const y1 = f32x4.sub(v128.load(q, 16), vmu);
    acc0 = f32x4.add(acc0, f32x4.mul(y0, y0));
    acc1 = f32x4.add(acc1, f32x4.mul(y1, y1));
  }
  if (i + 4 <= n) {
    const y0 = f32x4.sub(v128.load(p + (<usize>i << 2)), vmu);
    acc0 = f32x4.add(acc0, f32x4.mul(y0, y0));
    i += 4;
  }
  let s = lanesSum(f32x4.add(acc0, acc1));
  for (; i < n; i++) {
    const y = load<f32>(p + (<usize>i << 2)) - mu;
    s += y * y;
  }
  return s;
}

/** max |x_i|; NaN if any value is NaN (f32x4.max and f32.max propagate NaN). */
// @ts-ignore: decorator
@inline function maxAbs(p: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = f32x4.max(acc, f32x4.abs(v128.load(p + (<usize>i << 2))));
  let r = max<f32>(max<f32>(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)),
    max<f32>(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
  for (; i < n; i++) r = max<f32>(r, abs<f32>(load<f32>(p + (<usize>i << 2))));
  return r;
}

/** dst_i = src_i · s (s a power of two, so exact unless the result underflows). */
// @ts-ignore: decorator
@inline function scaleInto(src: usize, dst: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.mul(v128.load(src + o), vs));
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

/**
 * out_i = ((x_i − μ)·s)·γ_i + β_i, with the γ and β steps left out when their
 * pointer is 0. Reads x_i before writing out_i, so src == dst works.
 */
// @ts-ignore: decorator
@inline function outputPass(src: usize, dst: usize, n: i32, mu: f32, s: f32, g: usize, b: usize, hasG: bool, hasB: bool): void {
  const vmu = f32x4.splat(mu);
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let v = f32x4.mul(f32x4.sub(v128.load(src + o), vmu), vs);
    if (hasG) v = f32x4.mul(v, v128.load(g + o));
    if (hasB) v = f32x4.add(v, v128.load(b + o));
    v128.store(dst + o, v);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let v = (load<f32>(src + o) - mu) * s;
    if (hasG) v = v * load<f32>(g + o);
    if (hasB) v = v + load<f32>(b + o);
    store<f32>(dst + o, v);
  }
}

// Per-call parameters of the scalar path, set once by the exported entry point.
let method: i32 = 0;
let policy: i32 = 0;
let customC: f32 = 0;
let steps: i32 = 0;
let magic: u32 = 0;

/** Sets the method that turns m into a for the following rows. */
export function setInverseNorm(m: i32, p: i32, c: f32, n: i32, k: u32): void {
  method = m;
  policy = p;
  customC = c;
  steps = n;
  magic = k;
}

// @ts-ignore: decorator
@inline function aFromM(m: f32): f32 {
  if (m == Infinity) return 0; // the ε term overflowed after rescaling: a → 0, out → β
  return inverseNorm(m, method, policy, customC, steps, magic);
}

/**
 * Normalises one row of n values from src into dst.
 * center: LayerNorm (subtract μ, scale by √d·a) or L2 (no shift, scale by a).
 * epsTerm: d·ε (LayerNorm) or ε (L2), added to Σy².
 *
 * Edge rules (DESIGN.md §1): a NaN or ±Inf value makes the row NaN; an all-zero or
 * constant row gives y = 0, a = 0, out = β; a row whose Σy² would overflow or
 * underflow is first multiplied by 2^k so that max|x| ∈ [1, 2) (exact), and its
 * statistics are taken again on the scaled copy (written to dst).
 */
export function normalizeRow(src: usize, dst: usize, n: i32, g: usize, b: usize, center: bool, invD: f32, sqrtD: f32, epsTerm: f32): void {
  let mu: f32 = 0;
  if (center) mu = meanOf(src, n, invD);
  let m = sumSquares(src, n, mu) + epsTerm;
  let a: f32;
  if (m >= M_LOW && m < Infinity) {
    a = aFromM(m);
  } else {
    const big = maxAbs(src, n);
    if (!(big < Infinity)) {
      fill(dst, n, NaN);
      return;
    }
    if (big == 0) {
      a = 0;
      mu = 0;
    } else {
      const k = min<i32>(126, max<i32>(-126, -exponentOf(big)));
      const s = pow2f(k);
      scaleInto(src, dst, n, s);
      src = dst;
      if (center) mu = meanOf(src, n, invD);
      m = sumSquares(src, n, mu) + epsTerm * s * s;
      a = m > 0 ? aFromM(m) : 0;
    }
  }
  const scale = center ? sqrtD * a : a;
  if (g != 0) {
    if (b != 0) outputPass(src, dst, n, mu, scale, g, b, true, true);
    else outputPass(src, dst, n, mu, scale, g, b, true, false);
  } else {
    if (b != 0) outputPass(src, dst, n, mu, scale, g, b, false, true);
    else outputPass(src, dst, n, mu, scale, g, b, false, false);
  }
}
