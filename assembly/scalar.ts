// The scalar path: m = Σy² → a ≈ 1/√m (DESIGN.md §1 steps 4–7), and the
// comparison methods (FISR, sqrt + divide). Every operation is one rounded f32
// operation; wasm has no fused multiply-add outside relaxed SIMD, so the plain-TS
// reference (js/reference/rsqrt.ts) reproduces these bits with Math.fround.

import {
  E_DIRECT, LAMBDA_CUSTOM, LAMBDA_NEWTON, LAMBDA_PAPER, LAMBDA_POW2,
  METHOD_FISR, METHOD_ITER, PAPER_C, SQRT2_F32,
} from "./constants";

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
 * a₀ = 2^(−(e+1)/2) (DESIGN.md §1 step 5). For even e+1 a power of two; for odd
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

/** λ·m for the policy (DESIGN.md §1 step 6): λ comes from the exponent alone. */
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
 * exponent-based a₀. Operation order (DESIGN.md §1): lm = λ·m once, then per step
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

/** a ≈ 1/√m by the chosen method; `param` is the λ policy (iter) or the magic (fisr). */
// @ts-ignore: decorator
@inline export function inverseNorm(m: f32, method: i32, policy: i32, c: f32, n: i32, magic: u32): f32 {
  if (method == METHOD_ITER) return iterRsqrt(m, policy, c, n);
  if (method == METHOD_FISR) return fisrRsqrt(m, magic, n);
  return sqrtRsqrt(m);
}

/** True when the λ policy is one the iteration knows. */
// @ts-ignore: decorator
@inline export function isPolicy(policy: i32): bool {
  return policy >= LAMBDA_PAPER && policy <= LAMBDA_CUSTOM;
}
