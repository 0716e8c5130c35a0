// The scalar path (docs/design.md §1 steps 4–7, §3, §6) over arrays of m: four f32x4
// lanes per vector, several vectors in flight, each lane doing exactly the operations
// of assembly/scalar.ts in the same order with the same roundings, so every element
// has the bits of the one-value path. The scalar build runs the scalar path in a loop.
//
// Why the lanes give the scalar bits: f32x4.mul/add/sub/div/sqrt are the IEEE single
// operations of f32.mul/…/sqrt (wasm has no fused multiply-add outside relaxed SIMD,
// which is not used), the exponent logic is integer arithmetic on the same bit fields,
// and where the scalar path branches (special values, the pre-scaling of §1 step 4) the
// lanes compute both sides and keep the scalar path's side with v128.bitselect. A
// branch that is skipped in the scalar path is an exact identity in the lanes (a
// multiplication by 2^0 = 1), so lanes that would not take it are unchanged.
//
// Throughput: IterL2Norm is a chain of 6·n dependent operations per value. A single
// vector waits on that chain (about 20 cycles a step on a current x86-64 core); the
// FP32 array path keeps ITER_BLOCK vectors in flight, stepping each in turn, so the
// multiplier and adder pipelines stay busy (docs/performance.md, the rsqrt run).

import {
  E_DIRECT, FISR_KADLEC, FISR_WALCZYK, FORMAT_BF16, FORMAT_FP32, KADLEC_K1, KADLEC_K2,
  LAMBDA_NEWTON, LAMBDA_PAPER, LAMBDA_POW2, METHOD_FISR, METHOD_ITER, PAPER_C, SQRT2_F32,
  WALCZYK_K1, WALCZYK_K2,
} from "./constants";
import { roundTo, roundTox4 } from "./formats";
import { fisrVariant32, inverseNormF, iterRsqrt, sqrtRsqrt } from "./scalar";

/** Significand field of fl(√2), the significand of a₀ for odd e + 1 (docs/design.md §1 step 5). */
// @ts-ignore: decorator
@inline const SQRT2_FRACTION: i32 = <i32>(reinterpret<u32>(SQRT2_F32) & 0x7fffff);

/**
 * Vectors of the FP32 iteration in flight (4 lanes each); see the header. Each needs a, m and
 * λ·m live, so 8 vectors already spill some to the stack (16 xmm registers); of 4 to 16 vectors,
 * 8 measured fastest, or within the noise of the fastest, for the paper preset (Node 20, x86-64).
 */
// @ts-ignore: decorator
@inline const ITER_BLOCK: i32 = 8;

/** Vectors per block of the other methods (FISR, sqrt + divide: short chains). */
// @ts-ignore: decorator
@inline const SHORT_BLOCK: i32 = 4;

// ── Lane helpers (FP32) ─────────────────────────────────────────────────────

/** 2^k per lane, k in [−126, 127] (pow2f: the exponent field). */
// @ts-ignore: decorator
@inline function pow2x4(k: v128): v128 {
  return i32x4.shl(i32x4.add(k, i32x4.splat(127)), 23);
}

/**
 * exponentOf per lane for m > 0: the exponent field less 127, or for a subnormal the position
 * of its top set bit less 149. That position is the exponent of the significand field
 * converted to f32 (exact: it is below 2^23), so no count-leading-zeros is needed.
 */
// @ts-ignore: decorator
@inline function exponentx4(m: v128): v128 {
  const field = v128.and(i32x4.shr_u(m, 23), i32x4.splat(0xff));
  const sub = i32x4.shr_u(f32x4.convert_i32x4_u(v128.and(m, i32x4.splat(0x7fffff))), 23);
  // sub − 127 is the top bit's position p, and p − 149 the exponent: sub − 276.
  const isSub = i32x4.eq(field, i32x4.splat(0));
  return v128.bitselect(i32x4.sub(sub, i32x4.splat(276)), i32x4.sub(field, i32x4.splat(127)), isSub);
}

/** initialA per lane: field 127 − ⌊(e + 2)/2⌋, and the significand of √2 where e + 1 is odd. */
// @ts-ignore: decorator
@inline function initialAx4(e: v128): v128 {
  const field = i32x4.sub(i32x4.splat(127), i32x4.shr_s(i32x4.add(e, i32x4.splat(2)), 1));
  const odd = i32x4.eq(v128.and(e, i32x4.splat(1)), i32x4.splat(0)); // e + 1 odd
  return v128.or(i32x4.shl(field, 23), v128.and(odd, i32x4.splat(SQRT2_FRACTION)));
}

/** lambdaTimesM per lane: λ from the exponent, then λ·m (one rounding, as the scalar path). */
// @ts-ignore: decorator
@inline function lambdaTimesMx4(m: v128, e: v128, policy: i32, c: f32): v128 {
  if (policy == LAMBDA_NEWTON) return f32x4.splat(0.5);
  let lambda: v128;
  if (policy == LAMBDA_POW2) lambda = pow2x4(i32x4.sub(i32x4.splat(-1), e));
  else lambda = f32x4.mul(f32x4.splat(policy == LAMBDA_PAPER ? PAPER_C : c), pow2x4(i32x4.neg(e)));
  return f32x4.mul(lambda, m);
}

/** One update a + λ·m·a·(1 − m·a²) in the order of docs/design.md §1 step 7. */
// @ts-ignore: decorator
@inline function stepx4(a: v128, m: v128, lm: v128): v128 {
  let t = f32x4.mul(a, a);
  t = f32x4.mul(m, t);
  t = f32x4.sub(f32x4.splat(1), t);
  let u = f32x4.mul(lm, a);
  u = f32x4.mul(u, t);
  return f32x4.add(a, u);
}

/**
 * Lanes whose m the scalar path iterates on directly: 2^−64 ≤ m < 2^64 (e in
 * [−E_DIRECT, E_DIRECT − 1]); false for 0, negative values, NaN and ±∞.
 */
// @ts-ignore: decorator
@inline function directx4(m: v128): v128 {
  const lo = f32x4.splat(reinterpret<f32>(<u32>(127 - E_DIRECT) << 23));
  const hi = f32x4.splat(reinterpret<f32>(<u32>(127 + E_DIRECT) << 23));
  return v128.and(f32x4.ge(m, lo), f32x4.lt(m, hi));
}

/**
 * The constant C of λ = C·2^(−e) for the policy: 0.345 (paper), c (custom), or ½ (pow2,
 * whose λ = 2^(−(e+1)) is ½·2^(−e) exactly for e in [−64, 63]). Newton has no λ.
 */
// @ts-ignore: decorator
@inline function lambdaConstant(policy: i32, c: f32): f32 {
  return policy == LAMBDA_PAPER ? PAPER_C : policy == LAMBDA_POW2 ? <f32>0.5 : c;
}

/** The exponent field of m in place (h << 23, h = e + 127; the sign of a direct lane is 0). */
// @ts-ignore: decorator
@inline function fieldx4(m: v128): v128 {
  return v128.and(m, i32x4.splat(0xff << 23));
}

/**
 * initialA for direct lanes from f = h << 23 (fieldx4): the field of a₀ is
 * 127 − ⌊(e + 2)/2⌋ = ⌊(380 − h)/2⌋, and e + 1 is odd where h is. t = (380 − h) << 22 holds
 * that field at bits 23–30 and h's parity at bit 22, below which it is 0. Where the parity
 * bit is set, subtracting 2^22 − 0x3504F3 = 0xAFB0D turns that bit into the significand of
 * √2 (0x3504F3); min_u picks 0xAFB0D or 0 from the parity bit without a shift (shifts share
 * ports with the multiplier).
 */
// @ts-ignore: decorator
@inline function directAx4(f: v128): v128 {
  const t = i32x4.sub(i32x4.splat(380 << 22), i32x4.shr_u(f, 1));
  const odd = v128.and(t, i32x4.splat(1 << 22));
  return i32x4.sub(t, i32x4.min_u(odd, i32x4.splat((1 << 22) - SQRT2_FRACTION)));
}

/** λ·m for direct lanes: ½ (newton), else fl(fl(C·2^(−e))·m), 2^(−e) = (254 − h) << 23, h = bits >>> 23. */
// @ts-ignore: decorator
@inline function directLmx4(m: v128, newton: bool, vc: v128): v128 {
  if (newton) return f32x4.splat(0.5);
  const h = i32x4.shr_u(m, 23);
  return f32x4.mul(f32x4.mul(vc, i32x4.shl(i32x4.sub(i32x4.splat(254), h), 23)), m);
}

/**
 * True when C·2^(−e) is a normal f32 for every e in [−64, 63] (2^−63 ≤ C < 2^64): then the
 * product is exact, and its bits are those of C with −e added to the exponent field.
 */
// @ts-ignore: decorator
@inline function exactLambda(C: f32): bool {
  return C >= reinterpret<f32>(<u32>(127 - 63) << 23) && C < reinterpret<f32>(<u32>(127 + 64) << 23);
}

/**
 * λ·m for direct lanes when exactLambda(C): λ = fl(C·2^(−e)) built from bits, base − f with
 * base = bits(C) + (127 << 23) and f = h << 23 (fieldx4), then one rounded product λ·m as in
 * the scalar path.
 */
// @ts-ignore: decorator
@inline function exactLmx4(m: v128, f: v128, base: v128): v128 {
  return f32x4.mul(i32x4.sub(base, f), m);
}

/**
 * iterRsqrt per lane, every m: special values by masks, the pre-scaling by 2^(−2j) of
 * §1 step 4 for e outside [−64, 63] (j = 0, a factor 1, elsewhere), then the iteration.
 */
function iterAnyx4(m: v128, policy: i32, c: f32, n: i32): v128 {
  let e = exponentx4(m);
  const outside = v128.or(i32x4.lt_s(e, i32x4.splat(-E_DIRECT)), i32x4.gt_s(e, i32x4.splat(E_DIRECT - 1)));
  const j = v128.and(i32x4.shr_s(e, 1), outside);
  const s = pow2x4(i32x4.neg(j));
  const ms = f32x4.mul(f32x4.mul(m, s), s);
  e = i32x4.sub(e, i32x4.shl(j, 1));
  let a = initialAx4(e);
  const lm = lambdaTimesMx4(ms, e, policy, c);
  for (let i = 0; i < n; i++) a = stepx4(a, ms, lm);
  a = f32x4.mul(a, s);
  return specialsx4(m, a);
}

/**
 * The scalar path's special values over the lanes' results a: m > 0 keeps a unless m = +∞
 * (→ 0); otherwise ±0 → ±∞ and negative or NaN → the NaN of the scalar path (0x7FC00000).
 */
// @ts-ignore: decorator
@inline function specialsx4(m: v128, a: v128): v128 {
  const inf = f32x4.splat(Infinity);
  const signedInf = v128.or(inf, v128.and(m, i32x4.splat(0x80000000)));
  const notPositive = v128.bitselect(signedInf, f32x4.splat(NaN), f32x4.eq(m, f32x4.splat(0)));
  const positive = v128.andnot(a, f32x4.eq(m, inf)); // +∞ → +0
  return v128.bitselect(positive, notPositive, f32x4.gt(m, f32x4.splat(0)));
}

/** iterRsqrt per lane: the short form when every lane is direct, else iterAnyx4. */
// @ts-ignore: decorator
@inline function iterx4(m: v128, policy: i32, c: f32, n: i32): v128 {
  if (!i32x4.all_true(directx4(m))) return iterAnyx4(m, policy, c, n);
  let a = directAx4(fieldx4(m));
  const lm = directLmx4(m, policy == LAMBDA_NEWTON, f32x4.splat(lambdaConstant(policy, c)));
  for (let i = 0; i < n; i++) a = stepx4(a, m, lm);
  return a;
}

/** fisrVariant32 per lane: the seed on the signed bits, then the variant's steps. */
// @ts-ignore: decorator
@inline function fisrx4(x: v128, variant: i32, magic: u32, steps: i32): v128 {
  const x2 = f32x4.mul(x, f32x4.splat(0.5));
  let y = fisrSeedx4(x, magic);
  for (let i = 0; i < steps; i++) {
    if (variant == FISR_KADLEC && i == 0) y = kadlecStepx4(y, x);
    else {
      const k: f32 = variant == FISR_WALCZYK ? (i == 0 ? WALCZYK_K1 : i == 1 ? WALCZYK_K2 : <f32>1.5) : <f32>1.5;
      y = fisrStepx4(y, x2, f32x4.splat(k));
    }
  }
  return y;
}

/** sqrtRsqrt per lane: a correctly rounded square root, then a correctly rounded division. */
// @ts-ignore: decorator
@inline function sqrtx4(m: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.sqrt(m));
}

// ── Lane helpers (BF16 / FP16, docs/design.md §3) ──────────────────────────
// The emulated formats are for accuracy work, not speed: each rounding is one call
// of roundFx4 instead of both formats' code inlined at every rounding site.

/** roundTox4, called (F = BF16 or FP16). */
function roundFx4(v: v128, format: i32): v128 {
  return roundTox4(v, format);
}

/** fp16Bits per lane (in the low 16 bits of each lane): the exact re-encoding of an FP16 value held in f32. */
// @ts-ignore: decorator
@inline function fp16Bitsx4(x: v128): v128 {
  const sign = v128.and(i32x4.shr_u(x, 16), i32x4.splat(0x8000));
  const abs = v128.and(x, i32x4.splat(0x7fffffff));
  const top = i32x4.shr_u(abs, 13);
  const quiet = v128.and(i32x4.gt_s(abs, i32x4.splat(0x7f800000)), i32x4.splat(0x200));
  const special = v128.or(v128.or(i32x4.splat(0x7c00), v128.and(top, i32x4.splat(0x3ff))), quiet);
  const normal = i32x4.sub(top, i32x4.splat((127 - 15) << 10));
  // a subnormal FP16 value is a multiple of 2^−24 below 2^−14: its count of 2^−24 units (exact)
  const sub = i32x4.trunc_sat_f32x4_u(f32x4.mul(abs, f32x4.splat(16777216)));
  let r = v128.bitselect(normal, sub, i32x4.ge_s(abs, i32x4.splat(0x38800000)));
  r = v128.bitselect(special, r, i32x4.ge_s(abs, i32x4.splat(0x7f800000)));
  return v128.or(r, sign);
}

/** fromFP16Bits per lane (a pattern in the low 16 bits): the exact f32 value. */
// @ts-ignore: decorator
@inline function fromFP16Bitsx4(h: v128): v128 {
  const sign = i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16);
  const e = v128.and(i32x4.shr_u(h, 10), i32x4.splat(0x1f));
  const frac = v128.and(h, i32x4.splat(0x3ff));
  const fracBits = i32x4.shl(frac, 13);
  const special = v128.or(i32x4.splat(0x7f800000), fracBits);
  const normal = v128.or(i32x4.shl(i32x4.add(e, i32x4.splat(127 - 15)), 23), fracBits);
  const sub = f32x4.mul(f32x4.convert_i32x4_u(frac), f32x4.splat(reinterpret<f32>(0x33800000))); // frac·2^−24
  let r = v128.bitselect(sub, normal, i32x4.eq(e, i32x4.splat(0)));
  r = v128.bitselect(special, r, i32x4.eq(e, i32x4.splat(0x1f)));
  return v128.or(r, sign);
}

/** toBits per lane for F = BF16 or FP16 (the pattern in the low 16 bits). */
// @ts-ignore: decorator
@inline function toBitsx4(x: v128, format: i32): v128 {
  return format == FORMAT_BF16 ? i32x4.shr_u(x, 16) : fp16Bitsx4(x);
}

/** fromBits per lane for F = BF16 or FP16. */
// @ts-ignore: decorator
@inline function fromBitsx4(h: v128, format: i32): v128 {
  return format == FORMAT_BF16 ? i32x4.shl(h, 16) : fromFP16Bitsx4(h);
}

/** iterRsqrtF per lane (F = BF16 or FP16): m rounded to F, scaled into [1, 4), every result rounded to F. */
// @ts-ignore: decorator
@inline function iterFx4(m: v128, format: i32, policy: i32, c: f32, n: i32): v128 {
  m = roundFx4(m, format);
  const e0 = exponentx4(m);
  const j = i32x4.shr_s(e0, 1);
  const s = pow2x4(i32x4.neg(j));
  const ms = f32x4.mul(f32x4.mul(m, s), s);
  const e = i32x4.sub(e0, i32x4.shl(j, 1));
  let a = roundFx4(initialAx4(e), format);
  let lm = f32x4.splat(0.5);
  if (policy != LAMBDA_NEWTON) {
    let lambda: v128;
    if (policy == LAMBDA_POW2) lambda = pow2x4(i32x4.sub(i32x4.splat(-1), e));
    else {
      const cf = roundTo(policy == LAMBDA_PAPER ? PAPER_C : c, format);
      lambda = roundFx4(f32x4.mul(f32x4.splat(cf), pow2x4(i32x4.neg(e))), format);
    }
    lm = roundFx4(f32x4.mul(lambda, ms), format);
  }
  for (let i = 0; i < n; i++) {
    let t = roundFx4(f32x4.mul(a, a), format);
    t = roundFx4(f32x4.mul(ms, t), format);
    t = roundFx4(f32x4.sub(f32x4.splat(1), t), format);
    let u = roundFx4(f32x4.mul(lm, a), format);
    u = roundFx4(f32x4.mul(u, t), format);
    a = roundFx4(f32x4.add(a, u), format);
  }
  return specialsx4(m, roundFx4(f32x4.mul(a, s), format));
}

/** fisrRsqrtF per lane (F = BF16 or FP16): the 16-bit seed on the signed pattern, Quake steps rounded to F. */
// @ts-ignore: decorator
@inline function fisrFx4(x: v128, format: i32, magic: u32, steps: i32): v128 {
  x = roundFx4(x, format);
  const h = i32x4.shr_s(i32x4.shl(toBitsx4(x, format), 16), 16); // the pattern as int16_t
  const seed = v128.and(i32x4.sub(i32x4.splat(<i32>magic), i32x4.shr_s(h, 1)), i32x4.splat(0xffff));
  let y = fromBitsx4(seed, format);
  const x2 = roundFx4(f32x4.mul(x, f32x4.splat(0.5)), format);
  for (let i = 0; i < steps; i++) {
    let t = roundFx4(f32x4.mul(x2, y), format);
    t = roundFx4(f32x4.mul(t, y), format);
    t = roundFx4(f32x4.sub(f32x4.splat(1.5), t), format);
    y = roundFx4(f32x4.mul(y, t), format);
  }
  return y;
}

/** sqrtRsqrtF per lane: R(1/R(√R(m))). */
// @ts-ignore: decorator
@inline function sqrtFx4(m: v128, format: i32): v128 {
  const r = roundFx4(f32x4.sqrt(roundFx4(m, format)), format);
  return roundFx4(f32x4.div(f32x4.splat(1), r), format);
}

/**
 * inverseNormF on four lanes: a ≈ 1/√m by the method in format F, each lane the bits of
 * the scalar path. FP32 with the same (method, policy, …) as inverseNorm.
 */
// @ts-ignore: decorator
@inline export function inverseNormx4(
  m: v128, format: i32, method: i32, policy: i32, c: f32, n: i32, magic: u32, variant: i32,
): v128 {
  return inverseNormAnyx4(m, format, method, policy, c, n, magic, variant);
}

/** inverseNormx4, one copy of the code (the rows and the leftover vectors call it). */
function inverseNormAnyx4(
  m: v128, format: i32, method: i32, policy: i32, c: f32, n: i32, magic: u32, variant: i32,
): v128 {
  if (format == FORMAT_FP32) {
    if (method == METHOD_ITER) return iterx4(m, policy, c, n);
    if (method == METHOD_FISR) return fisrx4(m, variant, magic, n);
    return sqrtx4(m);
  }
  if (method == METHOD_ITER) return iterFx4(m, format, policy, c, n);
  if (method == METHOD_FISR) return fisrFx4(m, format, magic, n);
  return sqrtFx4(m, format);
}

// ── Arrays ──────────────────────────────────────────────────────────────────

/**
 * The FP32 iteration over `count` values (a multiple of 4·ITER_BLOCK) from p to q:
 * ITER_BLOCK vectors per block, stepped in turn (the chains overlap). A block with a
 * lane that is not direct (special, or e outside [−64, 63]) goes vector by vector
 * through iterAnyx4. `newton` and C (lambdaConstant) are the policy, resolved once;
 * unless newton, exactLambda(C) must hold.
 */
// @ts-ignore: decorator
@inline function iterBlocksOf(
  p: usize, q: usize, count: i32, policy: i32, c: f32, n: i32, newton: bool, C: f32,
): void {
  const end = p + (<usize>count << 2);
  const base = i32x4.splat(<i32>reinterpret<u32>(C) + (127 << 23));
  while (p < end) {
    const m0 = v128.load(p);
    const m1 = v128.load(p, 16);
    const m2 = v128.load(p, 32);
    const m3 = v128.load(p, 48);
    const m4 = v128.load(p, 64);
    const m5 = v128.load(p, 80);
    const m6 = v128.load(p, 96);
    const m7 = v128.load(p, 112);
    // All lanes direct ⇔ every bit pattern, as a signed integer, lies in [2^−64, 2^64)'s:
    // negative values are negative integers, and +∞ and NaN lie above.
    const lo = i32x4.min_s(i32x4.min_s(i32x4.min_s(m0, m1), i32x4.min_s(m2, m3)),
      i32x4.min_s(i32x4.min_s(m4, m5), i32x4.min_s(m6, m7)));
    const hi = i32x4.max_s(i32x4.max_s(i32x4.max_s(m0, m1), i32x4.max_s(m2, m3)),
      i32x4.max_s(i32x4.max_s(m4, m5), i32x4.max_s(m6, m7)));
    const direct = v128.and(
      i32x4.gt_s(lo, i32x4.splat(((127 - E_DIRECT) << 23) - 1)),
      i32x4.lt_s(hi, i32x4.splat((127 + E_DIRECT) << 23)),
    );
    if (i32x4.all_true(direct)) {
      const f0 = fieldx4(m0);
      const f1 = fieldx4(m1);
      const f2 = fieldx4(m2);
      const f3 = fieldx4(m3);
      const f4 = fieldx4(m4);
      const f5 = fieldx4(m5);
      const f6 = fieldx4(m6);
      const f7 = fieldx4(m7);
      const l0 = newton ? f32x4.splat(0.5) : exactLmx4(m0, f0, base);
      const l1 = newton ? f32x4.splat(0.5) : exactLmx4(m1, f1, base);
      const l2 = newton ? f32x4.splat(0.5) : exactLmx4(m2, f2, base);
      const l3 = newton ? f32x4.splat(0.5) : exactLmx4(m3, f3, base);
      const l4 = newton ? f32x4.splat(0.5) : exactLmx4(m4, f4, base);
      const l5 = newton ? f32x4.splat(0.5) : exactLmx4(m5, f5, base);
      const l6 = newton ? f32x4.splat(0.5) : exactLmx4(m6, f6, base);
      const l7 = newton ? f32x4.splat(0.5) : exactLmx4(m7, f7, base);
      let a0 = directAx4(f0);
      let a1 = directAx4(f1);
      let a2 = directAx4(f2);
      let a3 = directAx4(f3);
      let a4 = directAx4(f4);
      let a5 = directAx4(f5);
      let a6 = directAx4(f6);
      let a7 = directAx4(f7);
      for (let i = 0; i < n; i++) {
        a0 = stepx4(a0, m0, l0);
        a1 = stepx4(a1, m1, l1);
        a2 = stepx4(a2, m2, l2);
        a3 = stepx4(a3, m3, l3);
        a4 = stepx4(a4, m4, l4);
        a5 = stepx4(a5, m5, l5);
        a6 = stepx4(a6, m6, l6);
        a7 = stepx4(a7, m7, l7);
      }
      v128.store(q, a0);
      v128.store(q, a1, 16);
      v128.store(q, a2, 32);
      v128.store(q, a3, 48);
      v128.store(q, a4, 64);
      v128.store(q, a5, 80);
      v128.store(q, a6, 96);
      v128.store(q, a7, 112);
    } else {
      for (let k: usize = 0; k < 16 * ITER_BLOCK; k += 16) v128.store(q + k, iterAnyx4(v128.load(p + k), policy, c, n));
    }
    p += 16 * ITER_BLOCK;
    q += 16 * ITER_BLOCK;
  }
}

// Two functions, not two branches of one: Binaryen would fold the two inlined bodies of
// one function into one with the policy in a local, tested in every block.

/** iterBlocksOf for Newton (λ·m = ½). */
function iterBlocksNewton(p: usize, q: usize, count: i32, policy: i32, c: f32, n: i32): void {
  iterBlocksOf(p, q, count, policy, c, n, true, 0);
}

/** iterBlocksOf for λ = C·2^(−e) (paper, pow2, custom) with exactLambda(C). */
function iterBlocksScaled(p: usize, q: usize, count: i32, policy: i32, c: f32, n: i32): void {
  iterBlocksOf(p, q, count, policy, c, n, false, lambdaConstant(policy, c));
}

/** One FISR step y·(k − x2·y·y) per lane, in Q_rsqrt's order. */
// @ts-ignore: decorator
@inline function fisrStepx4(y: v128, x2: v128, k: v128): v128 {
  return f32x4.mul(y, f32x4.sub(k, f32x4.mul(f32x4.mul(x2, y), y)));
}

/** Kadlec's first step (0.703952253·y)·(2.38924456 − x·y·y) per lane. */
// @ts-ignore: decorator
@inline function kadlecStepx4(y: v128, x: v128): v128 {
  const t = f32x4.mul(f32x4.mul(x, y), y);
  return f32x4.mul(f32x4.mul(f32x4.splat(KADLEC_K1), y), f32x4.sub(f32x4.splat(KADLEC_K2), t));
}

/** The seed magic − (i >> 1) per lane. */
// @ts-ignore: decorator
@inline function fisrSeedx4(x: v128, magic: u32): v128 {
  return i32x4.sub(i32x4.splat(<i32>magic), i32x4.shr_s(x, 1));
}

/**
 * FP32 FISR over `count` values (a multiple of 4·SHORT_BLOCK) from p to q: SHORT_BLOCK
 * vectors per block, each step applied to all of them in turn (fisrVariant32's steps),
 * all loaded before any is stored (so q may equal p).
 */
function fisrBlocks(p: usize, q: usize, count: i32, variant: i32, magic: u32, steps: i32): void {
  const end = p + (<usize>count << 2);
  const half = f32x4.splat(0.5);
  while (p < end) {
    const x0 = v128.load(p);
    const x1 = v128.load(p, 16);
    const x2 = v128.load(p, 32);
    const x3 = v128.load(p, 48);
    const h0 = f32x4.mul(x0, half);
    const h1 = f32x4.mul(x1, half);
    const h2 = f32x4.mul(x2, half);
    const h3 = f32x4.mul(x3, half);
    let y0 = fisrSeedx4(x0, magic);
    let y1 = fisrSeedx4(x1, magic);
    let y2 = fisrSeedx4(x2, magic);
    let y3 = fisrSeedx4(x3, magic);
    for (let i = 0; i < steps; i++) {
      if (variant == FISR_KADLEC && i == 0) {
        y0 = kadlecStepx4(y0, x0);
        y1 = kadlecStepx4(y1, x1);
        y2 = kadlecStepx4(y2, x2);
        y3 = kadlecStepx4(y3, x3);
      } else {
        const k = f32x4.splat(
          variant == FISR_WALCZYK ? (i == 0 ? WALCZYK_K1 : i == 1 ? WALCZYK_K2 : <f32>1.5) : <f32>1.5,
        );
        y0 = fisrStepx4(y0, h0, k);
        y1 = fisrStepx4(y1, h1, k);
        y2 = fisrStepx4(y2, h2, k);
        y3 = fisrStepx4(y3, h3, k);
      }
    }
    v128.store(q, y0);
    v128.store(q, y1, 16);
    v128.store(q, y2, 32);
    v128.store(q, y3, 48);
    p += 16 * SHORT_BLOCK;
    q += 16 * SHORT_BLOCK;
  }
}

/** sqrt + divide over `count` values (a multiple of 4·SHORT_BLOCK) from p to q, loads before stores. */
function sqrtBlocks(p: usize, q: usize, count: i32): void {
  const end = p + (<usize>count << 2);
  while (p < end) {
    const a0 = sqrtx4(v128.load(p));
    const a1 = sqrtx4(v128.load(p, 16));
    const a2 = sqrtx4(v128.load(p, 32));
    const a3 = sqrtx4(v128.load(p, 48));
    v128.store(q, a0);
    v128.store(q, a1, 16);
    v128.store(q, a2, 32);
    v128.store(q, a3, 48);
    p += 16 * SHORT_BLOCK;
    q += 16 * SHORT_BLOCK;
  }
}

/**
 * The scalar path on `count` values from p to q, one value at a time, with the method
 * and format resolved once outside the loop. Each value is loaded before its result is
 * stored, so q may equal p.
 */
export function inverseNormsScalar(
  p: usize, q: usize, count: i32, format: i32, method: i32, policy: i32, c: f32, n: i32, magic: u32, variant: i32,
): void {
  const end = p + (<usize>count << 2);
  if (format != FORMAT_FP32) {
    for (; p < end; p += 4, q += 4) {
      store<f32>(q, inverseNormF(load<f32>(p), format, method, policy, c, n, magic, variant));
    }
  } else if (method == METHOD_ITER) {
    for (; p < end; p += 4, q += 4) store<f32>(q, iterRsqrt(load<f32>(p), policy, c, n));
  } else if (method == METHOD_FISR) {
    for (; p < end; p += 4, q += 4) store<f32>(q, fisrVariant32(load<f32>(p), variant, magic, n));
  } else {
    for (; p < end; p += 4, q += 4) store<f32>(q, sqrtRsqrt(load<f32>(p)));
  }
}

/**
 * a ≈ 1/√m for `count` f32 values from p into q (q equal to p, or not overlapping it):
 * whole blocks of vectors in the SIMD build, the rest (and everything in the scalar build)
 * by inverseNormsScalar. Every element gets the bits of inverseNormF.
 */
export function inverseNorms(
  p: usize, q: usize, count: i32, format: i32, method: i32, policy: i32, c: f32, n: i32, magic: u32, variant: i32,
): void {
  let done = 0;
  if (ASC_FEATURE_SIMD) {
    if (format == FORMAT_FP32 && method == METHOD_ITER) {
      done = count & ~(4 * ITER_BLOCK - 1);
      if (policy == LAMBDA_NEWTON) iterBlocksNewton(p, q, done, policy, c, n);
      else if (exactLambda(lambdaConstant(policy, c))) iterBlocksScaled(p, q, done, policy, c, n);
      else done = 0; // a custom c outside [2^−63, 2^64) (raw ABI only): vector by vector below
    } else if (format == FORMAT_FP32) {
      done = count & ~(4 * SHORT_BLOCK - 1);
      if (method == METHOD_FISR) fisrBlocks(p, q, done, variant, magic, n);
      else sqrtBlocks(p, q, done);
    }
    // whole vectors left over (BF16 and FP16: every vector), one at a time
    const vectors = count & ~3;
    for (; done < vectors; done += 4) {
      const o = <usize>done << 2;
      v128.store(q + o, inverseNormx4(v128.load(p + o), format, method, policy, c, n, magic, variant));
    }
  }
  const o = <usize>done << 2;
  inverseNormsScalar(p + o, q + o, count - done, format, method, policy, c, n, magic, variant);
}

/** The scalar path on one value, `steps` times over: v ← a(v), the method and format resolved once. */
// @ts-ignore: decorator
@inline function chain1(
  v: f32, steps: i32, format: i32, method: i32, policy: i32, c: f32, n: i32, magic: u32, variant: i32,
): f32 {
  if (format != FORMAT_FP32) {
    for (let i = 0; i < steps; i++) v = inverseNormF(v, format, method, policy, c, n, magic, variant);
  } else if (method == METHOD_ITER) {
    for (let i = 0; i < steps; i++) v = iterRsqrt(v, policy, c, n);
  } else if (method == METHOD_FISR) {
    for (let i = 0; i < steps; i++) v = fisrVariant32(v, variant, magic, n);
  } else {
    for (let i = 0; i < steps; i++) v = sqrtRsqrt(v);
  }
  return v;
}

/**
 * A dependent chain for latency measurements: `steps` times m ← a(m), from the `lanes`
 * f32 values at x (1: the scalar path; 4: four lanes, one f32x4 vector per step in the SIMD
 * build, four scalar chains one after another in the scalar build), which are overwritten
 * with the final values. Each step needs the previous result, so the time per step is the
 * latency of one a ≈ 1/√m; m → a(m) converges to the method's fixed point near m = 1.
 */
export function inverseNormChain(
  x: usize, lanes: i32, steps: i32, format: i32, method: i32, policy: i32, c: f32, n: i32, magic: u32,
  variant: i32,
): void {
  if (ASC_FEATURE_SIMD && lanes == 4) {
    // One call per step (inverseNormAnyx4 is not inlined): its dispatch is predicted and off
    // the chain, which measured no slower than the same steps inlined here.
    let v = v128.load(x);
    for (let i = 0; i < steps; i++) v = inverseNormx4(v, format, method, policy, c, n, magic, variant);
    v128.store(x, v);
    return;
  }
  for (let l = 0; l < lanes; l++) {
    const o = x + (<usize>l << 2);
    store<f32>(o, chain1(load<f32>(o), steps, format, method, policy, c, n, magic, variant));
  }
}
