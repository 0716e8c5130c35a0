// Rounding of f32 values to the 16-bit formats (docs/design.md §3), scalar and f32x4.
// A value "in F" is kept as the f32 that equals it (every BF16 and FP16 value is an
// f32), so the datapath computes each operation in f32 and rounds the result to F.
// For +, −, ×, ÷ and √ that double rounding equals rounding the exact result to F,
// because f32's 24-bit significand holds at least 2p + 2 bits of F's p-bit one
// (p = 8 for BF16, 11 for FP16; Figueroa, "When is double rounding innocuous?",
// SIGNUM 1995). js/formats.ts states the same rules in plain TS.
//
//   BF16: PyTorch's round_to_nearest_even (c10/util/BFloat16.h): bits + 0x7FFF + lsb,
//         keep the upper 16 bits; NaN → 0x7FC0. Subnormals are kept.
//   FP16: |x| ≥ 2^−14: the same trick at bit 13 (10 fraction bits), results ≥ 2^16 → ±Inf;
//         |x| < 2^−14: (|x| + 0.5) − 0.5, which rounds to a multiple of 2^−24 (the f32
//         quantum of [0.5, 1)) with ties to even: gradual underflow. NaN stays NaN (quiet).

import { FORMAT_BF16, FORMAT_FP16 } from "./constants";

/** f32 value of x rounded to BF16 (round-to-nearest-even; NaN → the quiet NaN 0x7FC00000). */
// @ts-ignore: decorator
@inline export function roundBF16(x: f32): f32 {
  if (x != x) return reinterpret<f32>(0x7fc00000);
  const b = reinterpret<u32>(x);
  return reinterpret<f32>((b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000);
}

/** f32 value of x rounded to FP16 (RNE; ≥ 65520 → ±Inf; gradual underflow; NaN stays NaN, quieted). */
// @ts-ignore: decorator
@inline export function roundFP16(x: f32): f32 {
  const b = reinterpret<u32>(x);
  const sign = b & 0x80000000;
  const abs = b & 0x7fffffff;
  if (abs > 0x7f800000) return reinterpret<f32>((b | 0x00400000) & 0xffffe000);
  if (abs < 0x38800000) {
    const r = (reinterpret<f32>(abs) + <f32>0.5) - <f32>0.5;
    return reinterpret<f32>(reinterpret<u32>(r) | sign);
  }
  let n = (abs + 0xfff + ((abs >>> 13) & 1)) & 0xffffe000;
  if (n >= 0x47800000) n = 0x7f800000;
  return reinterpret<f32>(n | sign);
}

/** x rounded to format F (FORMAT_FP32 returns x). */
// @ts-ignore: decorator
@inline export function roundTo(x: f32, format: i32): f32 {
  if (format == FORMAT_BF16) return roundBF16(x);
  if (format == FORMAT_FP16) return roundFP16(x);
  return x;
}

/** Four lanes rounded to BF16 (same rule as roundBF16). */
// @ts-ignore: decorator
@inline export function roundBF16x4(v: v128): v128 {
  const lsb = v128.and(i32x4.shr_u(v, 16), i32x4.splat(1));
  const r = v128.and(i32x4.add(i32x4.add(v, i32x4.splat(0x7fff)), lsb), i32x4.splat(0xffff0000));
  const nan = f32x4.ne(v, v);
  return v128.bitselect(i32x4.splat(0x7fc00000), r, nan);
}

/** Four lanes rounded to FP16 (same rule as roundFP16). */
// @ts-ignore: decorator
@inline export function roundFP16x4(v: v128): v128 {
  const sign = v128.and(v, i32x4.splat(0x80000000));
  const abs = v128.and(v, i32x4.splat(0x7fffffff));
  const lsb = v128.and(i32x4.shr_u(abs, 13), i32x4.splat(1));
  let n = v128.and(i32x4.add(i32x4.add(abs, i32x4.splat(0xfff)), lsb), i32x4.splat(0xffffe000));
  n = v128.bitselect(i32x4.splat(0x7f800000), n, i32x4.ge_s(n, i32x4.splat(0x47800000)));
  const half = f32x4.splat(0.5);
  const sub = f32x4.sub(f32x4.add(abs, half), half);
  let r = v128.bitselect(sub, n, i32x4.lt_s(abs, i32x4.splat(0x38800000)));
  const qnan = v128.and(v128.or(abs, i32x4.splat(0x00400000)), i32x4.splat(0xffffe000));
  r = v128.bitselect(qnan, r, i32x4.gt_s(abs, i32x4.splat(0x7f800000)));
  return v128.or(r, sign);
}

/** Four lanes rounded to format F (FORMAT_FP32 returns v). */
// @ts-ignore: decorator
@inline export function roundTox4(v: v128, format: i32): v128 {
  if (format == FORMAT_BF16) return roundBF16x4(v);
  if (format == FORMAT_FP16) return roundFP16x4(v);
  return v;
}

/** The 16-bit pattern of an f32 that already holds a BF16 value. */
// @ts-ignore: decorator
@inline export function bf16Bits(x: f32): u32 {
  return reinterpret<u32>(x) >>> 16;
}

/** The f32 value of a BF16 pattern (exact). */
// @ts-ignore: decorator
@inline export function fromBF16Bits(h: u32): f32 {
  return reinterpret<f32>(h << 16);
}

/** The 16-bit pattern of an f32 that already holds an FP16 value (exact re-encoding; NaN keeps its top payload). */
// @ts-ignore: decorator
@inline export function fp16Bits(x: f32): u32 {
  const b = reinterpret<u32>(x);
  const sign = (b >>> 16) & 0x8000;
  const abs = b & 0x7fffffff;
  if (abs >= 0x7f800000) return sign | 0x7c00 | ((abs >>> 13) & 0x3ff) | (abs > 0x7f800000 ? 0x200 : 0);
  if (abs >= 0x38800000) return sign | ((abs >>> 13) - ((127 - 15) << 10));
  // subnormal FP16 (a multiple of 2^−24 below 2^−14): its count of 2^−24 units
  return sign | <u32>(reinterpret<f32>(abs) * <f32>16777216);
}

/** The f32 value of an FP16 pattern (exact). */
// @ts-ignore: decorator
@inline export function fromFP16Bits(h: u32): f32 {
  const sign = (h & 0x8000) << 16;
  const e = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (e == 0x1f) return reinterpret<f32>(sign | 0x7f800000 | (frac << 13));
  if (e != 0) return reinterpret<f32>(sign | ((e + (127 - 15)) << 23) | (frac << 13));
  const v = <f32>frac * reinterpret<f32>(0x33800000); // frac · 2^−24, exact
  return reinterpret<f32>(reinterpret<u32>(v) | sign);
}

/** The 16-bit pattern of an f32 holding an F value (F = BF16 or FP16). */
// @ts-ignore: decorator
@inline export function toBits(x: f32, format: i32): u32 {
  return format == FORMAT_BF16 ? bf16Bits(x) : fp16Bits(x);
}

/** The f32 value of a 16-bit pattern of F (F = BF16 or FP16). */
// @ts-ignore: decorator
@inline export function fromBits(h: u32, format: i32): f32 {
  return format == FORMAT_BF16 ? fromBF16Bits(h) : fromFP16Bits(h);
}

/** True when `format` is one of FORMAT_*. */
// @ts-ignore: decorator
@inline export function isFormat(format: i32): bool {
  return format >= 0 && format <= FORMAT_FP16;
}
