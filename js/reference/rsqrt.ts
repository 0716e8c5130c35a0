/**
 * Plain-TS scalar path, bit-identical to assembly/scalar.ts: every operation is
 * rounded to f32 with Math.fround (f64 then f32 rounding of +, −, ×, ÷, √ equals the
 * correctly rounded f32 result, since 53 ≥ 2·24 + 2), and nothing is fused.
 */
import { E_DIRECT, KADLEC_K1, KADLEC_K2, PAPER_C, SQRT2_F32, WALCZYK_K1, WALCZYK_K2 } from "../constants.js";
import { bf16BitsFromF32Bits, bf16Value, fp16BitsFromF32Bits, fp16Value, roundBF16, roundFP16 } from "../formats.js";
import type { FisrVariant, Format, LambdaPolicy } from "../options.js";
import { f32Bits, f32FromBits } from "../bits.js";

const f = Math.fround;
/** 2^k for k in [−126, 127]; exact in f32. */
export function pow2(k: number): number {
  return 2 ** k;
}

/** Unbiased exponent e of a finite f32 m > 0 (m = s·2^e, 1 ≤ s < 2); subnormals normalised. */
export function exponentOf(m: number): number {
  const b = f32Bits(m);
  const field = (b >>> 23) & 0xff;
  if (field !== 0) return field - 127;
  return 31 - Math.clz32(b & 0x7fffff) - 149;
}

/** a₀ = 2^(−(e+1)/2) for e in [−64, 63]: a power of two, or 2^(−(e+2)/2)·√2 (docs/design.md §1 step 5). */
export function initialA(e: number): number {
  const k = e + 1;
  if ((k & 1) === 0) return pow2(-(k >> 1));
  return f(pow2(-((k + 1) >> 1)) * SQRT2_F32);
}

/** λ·m for a policy; λ from the exponent alone (docs/design.md §1 step 6). c is used by 'custom'. */
export function lambdaTimesM(m: number, e: number, policy: LambdaPolicy, c: number): number {
  if (policy === "newton") return 0.5;
  const lambda = policy === "pow2" ? pow2(-(e + 1)) : f((policy === "paper" ? PAPER_C : c) * pow2(-e));
  return f(lambda * m);
}

/**
 * IterL2Norm's scalar iteration on an f32 m, n steps (docs/design.md §1 steps 4–7).
 * Special values: ±0 → ±Infinity, +Infinity → 0, negative or NaN → NaN.
 */
export function iterRsqrtBits(m: number, policy: LambdaPolicy, c: number, n: number): number {
  m = f(m);
  if (!(m > 0)) return m === 0 ? (Object.is(m, -0) ? -Infinity : Infinity) : NaN;
  if (m === Infinity) return 0;
  let e = exponentOf(m);
  let j = 0;
  if (e < -E_DIRECT || e >= E_DIRECT) {
    j = e >> 1;
    const s = pow2(-j);
    m = f(f(m * s) * s);
    e -= 2 * j;
  }
  let a = initialA(e);
  const lm = lambdaTimesM(m, e, policy, c);
  a = iterate(a, m, lm, n, f);
  if (j !== 0) a = f(a * pow2(-j));
  return a;
}

/**
 * n steps of a ← a + λ·m·a·(1 − m·a²) from a, each operation rounded by R, in the order
 * of docs/design.md §1 step 7: t = a·a; t = m·t; t = 1 − t; u = lm·a; u = u·t; a = a + u.
 */
function iterate(a: number, m: number, lm: number, n: number, R: (x: number) => number): number {
  for (let i = 0; i < n; i++) {
    let t = R(a * a);
    t = R(m * t);
    t = R(1 - t);
    let u = R(lm * a);
    u = R(u * t);
    a = R(a + u);
  }
  return a;
}

/**
 * Fast inverse square root, bit-identical to Quake III's Q_rsqrt with `magic` and
 * `steps` Newton steps: i = magic − (i >> 1) on the signed 32-bit pattern,
 * x2 = 0.5f·x, y = y * (1.5f − (x2 * y * y)) left to right in f32.
 */
export function fisrBits(x: number, magic: number, steps: number): number {
  x = f(x);
  const x2 = f(x * 0.5);
  let y = f32FromBits(((magic | 0) - ((f32Bits(x) | 0) >> 1)) | 0);
  for (let i = 0; i < steps; i++) y = f(y * f(1.5 - f(f(x2 * y) * y)));
  return y;
}

// ── The scalar path in a working format F (assembly/scalar.ts, docs/design.md §3) ──

/** The rounding of format F (identity on f32 values for 'fp32'). */
export function rounder(format: Format): (x: number) => number {
  return format === "bf16" ? roundBF16 : format === "fp16" ? roundFP16 : f;
}

/**
 * IterL2Norm's iteration in format F, bit-identical to iterRsqrtF: m rounded to F,
 * run on m·2^(−2j) ∈ [1, 4) (j = ⌊e/2⌋), every result rounded to F, result scaled by 2^(−j).
 */
export function iterRsqrtFormat(m: number, format: Format, policy: LambdaPolicy, c: number, n: number): number {
  if (format === "fp32") return iterRsqrtBits(m, policy, c, n);
  const R = rounder(format);
  m = R(m);
  if (!(m > 0)) return m === 0 ? (Object.is(m, -0) ? -Infinity : Infinity) : NaN;
  if (m === Infinity) return 0;
  const e0 = exponentOf(m);
  const j = e0 >> 1;
  m = m * 2 ** (-2 * j);
  const e = e0 - 2 * j;
  const a = R(initialA(e));
  let lm = 0.5;
  if (policy !== "newton") {
    const lambda = policy === "pow2" ? pow2(-(e + 1)) : R(R(policy === "paper" ? PAPER_C : c) * pow2(-e));
    lm = R(lambda * m);
  }
  return R(iterate(a, m, lm, n, R) * 2 ** -j);
}

/** FP32 FISR by variant, bit-identical to fisrVariant32 (Walczyk/Kadlec coefficients as documented there). */
export function fisrVariantBits(x: number, variant: FisrVariant, magic: number, steps: number): number {
  if (variant !== "walczyk" && variant !== "kadlec") return fisrBits(x, magic, steps);
  x = f(x);
  const x2 = f(x * 0.5);
  let y = f32FromBits(((magic | 0) - ((f32Bits(x) | 0) >> 1)) | 0);
  for (let i = 0; i < steps; i++) {
    if (variant === "kadlec" && i === 0) {
      y = f(f(KADLEC_K1 * y) * f(KADLEC_K2 - f(f(x * y) * y)));
    } else {
      const k = variant === "walczyk" ? (i === 0 ? WALCZYK_K1 : i === 1 ? WALCZYK_K2 : 1.5) : 1.5;
      y = f(y * f(k - f(f(x2 * y) * y)));
    }
  }
  return y;
}

/**
 * FISR in format F, bit-identical to fisrRsqrtF: FP32 by variant; BF16/FP16 with the
 * 16-bit magic on the signed 16-bit pattern and Quake steps rounded to F.
 */
export function fisrFormat(x: number, format: Format, variant: FisrVariant, magic: number, steps: number): number {
  if (format === "fp32") return fisrVariantBits(x, variant, magic, steps);
  const R = rounder(format);
  x = R(x);
  const h16 = format === "bf16" ? bf16BitsFromF32Bits(f32Bits(x)) : fp16BitsFromF32Bits(f32Bits(x));
  const h = (h16 << 16) >> 16; // signed 16-bit pattern
  const seed = ((magic | 0) - (h >> 1)) & 0xffff;
  let y = format === "bf16" ? bf16Value(seed) : fp16Value(seed);
  const x2 = R(x * 0.5);
  for (let i = 0; i < steps; i++) {
    let t = R(x2 * y);
    t = R(t * y);
    t = R(1.5 - t);
    y = R(y * t);
  }
  return y;
}

/** 1/√m in F: a rounded square root and a rounded division (m rounded to F first). */
export function sqrtFormat(m: number, format: Format): number {
  const R = rounder(format);
  return R(1 / R(Math.sqrt(R(m))));
}
