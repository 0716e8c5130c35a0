// The scalar path: m = Σy² → a ≈ 1/√m (docs/design.md §1 steps 4–7), and the
// comparison methods (FISR, sqrt + divide). Every operation is one rounded f32
// operation; wasm has no fused multiply-add outside relaxed SIMD, so the plain-TS
// reference (js/reference/rsqrt.ts) reproduces these bits with Math.fround.

import {
  E_DIRECT, LAMBDA_CUSTOM, LAMBDA_NEWTON, LAMBDA_PAPER, LAMBDA_POW2,
  METHOD_FISR, METHOD_ITER, PAPER_C, SQRT2_F32,
  FISR_KADLEC, FISR_WALCZYK, FORMAT_FP32, KADLEC_K1, KADLEC_K2, WALCZYK_K1, WALCZYK_K2,
} from "./constants";
import { fromBits, roundTo, toBits } from "./formats";

/** 2^k as an f32, for k in [−126, 127] (built from the exponent field). */
// @ts-ignore: decorator
@inline export function pow2f(k: i32): f32 {
  return reinterpret<f32>(<u32>(k + 127) << 23);
}

/** Unbiased exponent e of a finite m > 0 (m = s·2^e, 1 ≤ s < 2); subnormals are normalised. */
// @ts-ignore: decorator
@inline export function exponentOf(m: f32): i32 {
  const bits = reinterpret<u32>(m);
  const field = <i32>((bits >>> 23) & 0xff);
  if (field != 0) return field - 127;
  return (31 - <i32>clz<u32>(bits & 0x7fffff)) - 149;
}

/**
 * a₀ = 2^(−(e+1)/2) (docs/design.md §1 step 5). For even e+1 a power of two; for odd
 * e+1 the exponent field of 2^(−(e+2)/2) with the constant significand of √2.
 * Needs e in [−E_DIRECT, E_DIRECT − 1].
 */
// @ts-ignore: decorator
@inline export function initialA(e: i32): f32 {
  const k = e + 1;
  if ((k & 1) == 0) return pow2f(-(k >> 1));
  const field = <u32>(127 - ((k + 1) >> 1));
  return reinterpret<f32>((field << 23) | (reinterpret<u32>(SQRT2_F32) & 0x7fffff));
}

/** λ·m for the policy (docs/design.md §1 step 6): λ comes from the exponent alone. */
// @ts-ignore: decorator
@inline export function lambdaTimesM(m: f32, e: i32, policy: i32, c: f32): f32 {
  if (policy == LAMBDA_NEWTON) return 0.5;
  let lambda: f32;
  if (policy == LAMBDA_POW2) lambda = pow2f(-(e + 1));
  else lambda = (policy == LAMBDA_PAPER ? PAPER_C : c) * pow2f(-e);
  return lambda * m;
}

/**
 * IterL2Norm's scalar iteration: a ← a + λ·m·a·(1 − m·a²), n times, from the
 * exponent-based a₀. Operation order (docs/design.md §1 step 7): lm = λ·m once, then per step
 * t = a·a; t = m·t; t = 1 − t; u = lm·a; u = u·t; a = a + u.
 *
 * Special values: m = ±0 → ±Infinity, m = +Infinity → 0, m < 0 or NaN → NaN.
 * For e outside [−64, 63] the iteration runs on m·2^(−2j), j = ⌊e/2⌋, and the result
 * is multiplied by 2^(−j); both scalings are exact, so the bits equal those of the
 * same iteration in f32 with an unbounded exponent.
 */
export function iterRsqrt(m: f32, policy: i32, c: f32, n: i32): f32 {
  if (!(m > 0)) return m == 0 ? copysign<f32>(Infinity, m) : NaN;
  if (m == Infinity) return 0;
  let e = exponentOf(m);
  let j = 0;
  if (e < -E_DIRECT || e >= E_DIRECT) {
    j = e >> 1;
    const s = pow2f(-j);
    m = m * s * s;
    e -= j << 1;
  }
  let a = initialA(e);
  const lm = lambdaTimesM(m, e, policy, c);
  for (let i = 0; i < n; i++) {
    let t = a * a;
    t = m * t;
    t = <f32>1 - t;
    let u = lm * a;
    u = u * t;
    a = a + u;
  }
  if (j != 0) a = a * pow2f(-j);
  return a;
}

/**
 * Fast inverse square root with a selectable magic constant and k Newton steps,
 * bit-identical to Quake III's Q_rsqrt (q_math.c): i = magic − (i >> 1) on the
 * signed 32-bit pattern, x2 = 0.5f·x, then y = y * (1.5f − (x2 * y * y)) evaluated
 * left to right, every product rounded to f32.
 */
export function fisrRsqrt(x: f32, magic: u32, steps: i32): f32 {
  const x2: f32 = x * <f32>0.5;
  let y = reinterpret<f32>(<i32>magic - (reinterpret<i32>(x) >> 1));
  for (let i = 0; i < steps; i++) y = y * (<f32>1.5 - x2 * y * y);
  return y;
}

/** 1/√m with a correctly rounded f32 square root followed by a correctly rounded division. */
// @ts-ignore: decorator
@inline export function sqrtRsqrt(m: f32): f32 {
  return <f32>1 / sqrt<f32>(m);
}

/** a ≈ 1/√m in f32 by the chosen method: the λ policy and c (iter), or the magic and FISR variant (fisr). */
// @ts-ignore: decorator
@inline export function inverseNorm(m: f32, method: i32, policy: i32, c: f32, n: i32, magic: u32, variant: i32): f32 {
  if (method == METHOD_ITER) return iterRsqrt(m, policy, c, n);
  if (method == METHOD_FISR) return fisrVariant32(m, variant, magic, n);
  return sqrtRsqrt(m);
}

/** True when the λ policy is one the iteration knows. */
// @ts-ignore: decorator
@inline export function isPolicy(policy: i32): bool {
  return policy >= LAMBDA_PAPER && policy <= LAMBDA_CUSTOM;
}

// ── The scalar path in a working format F (docs/design.md §3) ───────────────
// FORMAT_FP32 runs the functions above unchanged. For BF16 and FP16, m is rounded
// to F first and every arithmetic result is rounded to F (assembly/formats.ts).
// The iteration always runs on m' = m·2^(−2j) ∈ [1, 4), j = ⌊e/2⌋, and scales the
// result by 2^(−j): both scalings are exact, so the bits are those of F arithmetic
// with F's precision and an unbounded exponent. This is what keeps FP16 usable:
// its λ = c·2^(−e) alone would overflow for m < 2^−16 and lose bits as a
// subnormal for m ≥ 2^14, while λ·m, a·a and m·a² all stay near 1 after scaling.
// js/reference/rsqrt.ts reproduces these bits.

/**
 * IterL2Norm's scalar iteration in format F, same operation order as iterRsqrt.
 * Special values as iterRsqrt (m is rounded to F first: FP16 m ≥ 65520 is +Inf → 0).
 */
export function iterRsqrtF(m: f32, format: i32, policy: i32, c: f32, n: i32): f32 {
  if (format == FORMAT_FP32) return iterRsqrt(m, policy, c, n);
  m = roundTo(m, format);
  if (!(m > 0)) return m == 0 ? copysign<f32>(Infinity, m) : NaN;
  if (m == Infinity) return 0;
  const e0 = exponentOf(m);
  const j = e0 >> 1;
  const s = pow2f(-j);
  m = m * s * s; // exact: the significand of m times 2^(e0 − 2j), in [1, 4)
  const e = e0 - (j << 1); // 0 or 1
  let a = roundTo(initialA(e), format); // 2^(−1)·round_F(√2) or 2^(−1)
  let lm: f32 = 0.5;
  if (policy != LAMBDA_NEWTON) {
    let lambda: f32;
    if (policy == LAMBDA_POW2) lambda = pow2f(-(e + 1));
    else lambda = roundTo(roundTo(policy == LAMBDA_PAPER ? PAPER_C : c, format) * pow2f(-e), format);
    lm = roundTo(lambda * m, format);
  }
  for (let i = 0; i < n; i++) {
    let t = roundTo(a * a, format);
    t = roundTo(m * t, format);
    t = roundTo(<f32>1 - t, format);
    let u = roundTo(lm * a, format);
    u = roundTo(u * t, format);
    a = roundTo(a + u, format);
  }
  return roundTo(a * pow2f(-j), format);
}

/**
 * FP32 FISR by variant. FISR_QUAKE / FISR_LOMONT: fisrRsqrt. FISR_WALCZYK: the
 * Quake seed, then y = y·(k − x2·y·y) with k = 1.50087896 for the first step,
 * 1.50000057 for the second and 1.5 after (Walczyk, Moroz & Cieśliński 2021).
 * FISR_KADLEC: y = (0.703952253·y)·(2.38924456 − x·y·y) for the first step (Kadlec's
 * one-step constants; repeating it would converge to 0.984/√x), Quake steps after.
 */
export function fisrVariant32(x: f32, variant: i32, magic: u32, steps: i32): f32 {
  if (variant != FISR_WALCZYK && variant != FISR_KADLEC) return fisrRsqrt(x, magic, steps);
  const x2: f32 = x * <f32>0.5;
  let y = reinterpret<f32>(<i32>magic - (reinterpret<i32>(x) >> 1));
  for (let i = 0; i < steps; i++) {
    if (variant == FISR_KADLEC && i == 0) {
      y = KADLEC_K1 * y * (KADLEC_K2 - x * y * y);
    } else {
      const k: f32 = variant == FISR_WALCZYK ? (i == 0 ? WALCZYK_K1 : i == 1 ? WALCZYK_K2 : <f32>1.5) : <f32>1.5;
      y = y * (k - x2 * y * y);
    }
  }
  return y;
}

/**
 * FISR in format F. FP32: fisrVariant32. BF16/FP16: x rounded to F, the seed
 * i = magic − (h >> 1) on the signed 16-bit pattern h of x (int16_t in C), then
 * `steps` Quake steps y = y·(1.5 − x2·y·y), x2 = 0.5·x, every result rounded to F.
 */
export function fisrRsqrtF(x: f32, format: i32, variant: i32, magic: u32, steps: i32): f32 {
  if (format == FORMAT_FP32) return fisrVariant32(x, variant, magic, steps);
  x = roundTo(x, format);
  const h = <i32>(<i16>toBits(x, format));
  let y = fromBits(<u32>((<i32>magic - (h >> 1)) & 0xffff), format);
  const x2 = roundTo(x * <f32>0.5, format);
  for (let i = 0; i < steps; i++) {
    let t = roundTo(x2 * y, format);
    t = roundTo(t * y, format);
    t = roundTo(<f32>1.5 - t, format);
    y = roundTo(y * t, format);
  }
  return y;
}

/** 1/√m in F: m rounded to F, then a rounded square root and a rounded division. */
// @ts-ignore: decorator
@inline export function sqrtRsqrtF(m: f32, format: i32): f32 {
  return roundTo(<f32>1 / roundTo(sqrt<f32>(roundTo(m, format)), format), format);
}

/** a ≈ 1/√m in format F by the chosen method (FORMAT_FP32: inverseNorm, bit for bit). */
export function inverseNormF(
  m: f32, format: i32, method: i32, policy: i32, c: f32, n: i32, magic: u32, variant: i32,
): f32 {
  if (method == METHOD_ITER) return iterRsqrtF(m, format, policy, c, n);
  if (method == METHOD_FISR) return fisrRsqrtF(m, format, variant, magic, n);
  return sqrtRsqrtF(m, format);
}
