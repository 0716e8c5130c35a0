// The row kernel of the BF16 and FP16 datapaths (docs/design.md §1 and §3): the same
// algorithm and edge rules as rows.ts, with every arithmetic result rounded to the
// working format F. js/reference/format.ts repeats it operation for operation, so
// the two agree bit for bit.
//
// One row, n values:
//
//   load      w_i = F value of x_i (f32 input rounded to F, or 16-bit pattern decoded)
//             into a scratch row of n f32 (so out may be x: in place works)
//   mean      t_i = R(w_i − w_0);  S = Σ t_i;  δ = R(S·(1/d));  c = R(w_0 + δ)     (LayerNorm)
//   Σy²       q_i = R(w_i − c)²;  q = Σ q_i;  err = (w_0 + δ) − c (TwoSum in F);
//             P = d·err² when that exceeds 2^−42·q, else 0 (f32);  m = R((q − P) + ε-term)
//   a         a = inverseNormF(m) (scalar.ts), a = 0 when m is +Inf after rescaling
//   output    out_i = R(R(R(y_i·s)·R(γ_i)) + R(β_i)),  s = R(R(√d)·a) (LayerNorm) or a (L2),
//             y_i = R(w_i − c), then R(y_i − err) when P ≠ 0
//
// R is rounding to F. The centring rule is rows.ts's (docs/design.md §1 step 2, centre.ts):
// the Σy² pass centres by the rounded mean c; rows whose err is large against their spread
// correct m by P and subtract err in the output pass. Accumulation (the
// sums S and Σq): ACCUMULATE_FP32 adds the terms in f32 (q_i = y_i² is exact in f32 for
// F operands), multiplies S by the f32 1/d and adds the f32 ε-term before the one
// rounding to F; ACCUMULATE_NATIVE rounds every q_i, every partial sum, 1/d and the
// ε-term to F. Summation order: the one of the FP32 kernel, assembly/sum.ts
// (docs/design.md §2), with 512-term chunks in the FP32 mode and, in the native mode,
// one chunk over the row and every addition rounded to F (sum.ts says why).
//
// Rescaling (edge rules of rows.ts): when m is not in [M_LOW_F, +Inf) the row is
// multiplied by 2^k so that max|w| ∈ [2^t, 2^(t+1)), each scaled value rounded to F
// (exact unless it falls below F's normal range), and the statistics are taken again.
// BF16 (f32's exponent range): t = 0, M_LOW = 2^−64, as FP32. FP16: t = ⌊(13 − ⌈log₂ d⌉)/2⌋,
// M_LOW = 2^−14; since Σ(w − μ)² ≤ Σw² ≤ d·max², m < d·2^(2t+2) ≤ 2^15 after scaling,
// far from FP16's overflow at 65520, and every y_i² ≤ 2^(2t+4) fits as well.

import {
  ACCUMULATE_NATIVE, FORMAT_BF16, FORMAT_FP16, IO_BITS, M_LOW_BF16, M_LOW_FP16,
} from "./constants";
import { fromBits, roundTo, roundTox4, toBits } from "./formats";
import { customC, magic, method, policy, setInverseNorm, steps, variant } from "./method";
import { maxAbs } from "./rows";
import { meanError, shiftCost, twoShiftCorrection } from "./centre";
import { chunkOf, reduce, SQUARES, SUM } from "./sum";
import { exponentOf, inverseNormF, pow2f } from "./scalar";

// Per-call parameters, set once by the exported entry point.
let format: i32 = FORMAT_BF16;
let native: bool = false;
let ioBits: bool = false;

/** Sets the datapath (format, accumulate mode, I/O layout) and the scalar method for the following rows. */
export function setDatapathF(f: i32, accumulate: i32, io: i32, m: i32, p: i32, c: f32, n: i32, k: u32, v: i32): void {
  format = f;
  native = accumulate == ACCUMULATE_NATIVE;
  ioBits = io == IO_BITS;
  setInverseNorm(m, p, c, n, k, v);
}

// @ts-ignore: decorator
@inline function R(x: f32): f32 {
  return roundTo(x, format);
}

// @ts-ignore: decorator
@inline function R4(v: v128): v128 {
  return roundTox4(v, format);
}

/** w_i = F value of x_i for the n inputs at src. */
function loadRow(src: usize, w: usize, n: i32): void {
  let i = 0;
  if (!ioBits) {
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(w + o, R4(v128.load(src + o)));
      }
    }
    for (; i < n; i++) store<f32>(w + (<usize>i << 2), R(load<f32>(src + (<usize>i << 2))));
  } else if (format == FORMAT_BF16) {
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= n; i += 4) {
        v128.store(w + (<usize>i << 2), i32x4.shl(v128.load16x4_u(src + (<usize>i << 1)), 16));
      }
    }
    for (; i < n; i++) store<f32>(w + (<usize>i << 2), fromBits(<u32>load<u16>(src + (<usize>i << 1)), format));
  } else {
    for (; i < n; i++) store<f32>(w + (<usize>i << 2), fromBits(<u32>load<u16>(src + (<usize>i << 1)), format));
  }
}

/** S = Σ R(w_i − x0) in the accumulate mode (not rounded to F in ACCUMULATE_FP32). */
function sumShifted(w: usize, n: i32, x0: f32): f32 {
  return reduce(w, n, x0, SUM, format, native, chunkOf(native, n));
}

/** Σ q_i, q_i = y_i² with y_i = R(w_i − c) (q_i rounded to F in native mode). */
function sumSquares(w: usize, n: i32, c: f32): f32 {
  return reduce(w, n, c, SQUARES, format, native, chunkOf(native, n));
}

// The centring of the last centre() call: y = R(w − cenC), then R(y − cenErr) when cenTwo.
let cenC: f32 = 0;
let cenErr: f32 = 0;
let cenTwo: bool = false;

/**
 * The centring rule (top) for the row at w, with m: returns R(fl(q − P) + eps), q = Σ R(w_i − c)²
 * (centre.ts); invD is the f32 1/d (FP32 accumulation) or R(1/d) (native).
 */
function centredM(w: usize, n: i32, invD: f32, eps: f32): f32 {
  const x0 = load<f32>(w);
  const delta = R(sumShifted(w, n, x0) * invD);
  const c = R(x0 + delta);
  const err = meanError(x0, delta, c, format);
  const cost = shiftCost(err, <f32>n);
  const q = sumSquares(w, n, c);
  const p = twoShiftCorrection(cost, q);
  cenC = c;
  cenTwo = p > 0;
  cenErr = cenTwo ? err : 0;
  return R(q - p + eps);
}

/** m of the row at w: centred (LayerNorm) or Σw_i² (L2, c = 0, one shift). */
function rowM(w: usize, n: i32, center: bool, invD: f32, eps: f32): f32 {
  cenC = 0;
  cenErr = 0;
  cenTwo = false;
  if (center) return centredM(w, n, invD, eps);
  return R(reduce(w, n, 0, SQUARES, format, native, chunkOf(native, n)) + eps);
}

/** w_i = R(w_i·s) in place. */
function scaleRow(w: usize, n: i32, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(s);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(w + o, R4(f32x4.mul(v128.load(w + o), vs)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(w + o, R(load<f32>(w + o) * s));
  }
}

/** Stores the F value v as element i of the output (f32 or 16-bit pattern). */
// @ts-ignore: decorator
@inline function put(dst: usize, i: i32, v: f32): void {
  if (ioBits) store<u16>(dst + (<usize>i << 1), <u16>toBits(v, format));
  else store<f32>(dst + (<usize>i << 2), v);
}

/**
 * out_i = R(R(R(y_i·s)·R(γ_i)) + R(β_i)), y_i = R(w_i − c), then R(y_i − err) when two; γ/β
 * steps left out when their pointer is 0.
 */
function outputPass(
  w: usize, dst: usize, n: i32, c: f32, err: f32, two: bool, s: f32, g: usize, b: usize,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && !ioBits) {
    const vc = f32x4.splat(c);
    const vd = f32x4.splat(err);
    const vs = f32x4.splat(s);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      let y = R4(f32x4.sub(v128.load(w + o), vc));
      if (two) y = R4(f32x4.sub(y, vd));
      let v = R4(f32x4.mul(y, vs));
      if (g != 0) v = R4(f32x4.mul(v, R4(v128.load(g + o))));
      if (b != 0) v = R4(f32x4.add(v, R4(v128.load(b + o))));
      v128.store(dst + o, v);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let y = R(load<f32>(w + o) - c);
    if (two) y = R(y - err);
    let v = R(y * s);
    if (g != 0) v = R(v * R(load<f32>(g + o)));
    if (b != 0) v = R(v + R(load<f32>(b + o)));
    put(dst, i, v);
  }
}

// @ts-ignore: decorator
@inline function aFromM(m: f32): f32 {
  if (m == Infinity) return 0; // the ε term overflowed after rescaling: a → 0, out → β
  return inverseNormF(m, format, method, policy, customC, steps, magic, variant);
}

/** Exponent t of the rescaling target max|w| ∈ [2^t, 2^(t+1)) for a row of length n (see top). */
// @ts-ignore: decorator
@inline function targetExponent(n: i32): i32 {
  if (format != FORMAT_FP16) return 0;
  const log2d = 32 - <i32>clz<u32>(<u32>(n - 1)); // ⌈log₂ n⌉
  return (13 - log2d) >> 1;
}

/**
 * Normalises one row of n values from src into dst through the scratch row w (n f32).
 * center: LayerNorm or L2. invD, epsTerm: 1/d and the ε-term in f32; the native mode
 * rounds them to F. sqrtD: √d in f32 (rounded to F here).
 */
export function normalizeRowF(
  src: usize, dst: usize, w: usize, n: i32, g: usize, b: usize, center: bool, invD: f32,
  sqrtD: f32, epsTerm: f32,
): void {
  loadRow(src, w, n);
  const invDm = native ? R(invD) : invD;
  const epsM = native ? R(epsTerm) : epsTerm;
  let m = rowM(w, n, center, invDm, epsM);
  const low = format == FORMAT_FP16 ? M_LOW_FP16 : M_LOW_BF16;
  let a: f32;
  if (m >= low && m < Infinity) {
    a = aFromM(m);
  } else {
    const big = maxAbs(w, n);
    if (!(big < Infinity)) {
      for (let i = 0; i < n; i++) put(dst, i, R(NaN));
      return;
    }
    if (big == 0) {
      a = 0;
      cenC = 0;
      cenErr = 0;
      cenTwo = false;
    } else {
      const k = min<i32>(126, max<i32>(-126, targetExponent(n) - exponentOf(big)));
      const s = pow2f(k);
      scaleRow(w, n, s);
      const epsS = native ? R(R(epsM * s) * s) : epsM * s * s;
      m = rowM(w, n, center, invDm, epsS);
      a = m > 0 ? aFromM(m) : 0;
    }
  }
  const scale = center ? R(R(sqrtD) * a) : a;
  outputPass(w, dst, n, cenC, cenErr, cenTwo, scale, g, b);
}
