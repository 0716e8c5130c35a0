// The centring rule's scalar part (docs/design.md §1 step 2), shared by the FP32 kernel
// (rows.ts) and the BF16/FP16 kernel (rows-format.ts) and emulated by the plain-TS
// references (js/reference/centre.ts).
//
// The Σy² pass always centres by c = R(x₀ + δ), the mean rounded to the format. Its
// rounding err = (x₀ + δ) − c moves every y_i by the same err. When err is small against
// the row's spread (err²·d ≤ 2^−42·q, q = Σ R(x_i − c)², i.e. |err| ≲ 2^−21·σ, an output
// error of at most 8 units of 2^−24), the row keeps the one shift. Otherwise (rows about
// an offset large against their spread: on a row of unit spread about 1e7, err reaches 0.5)
// Σ(y_i − err)² = q − d·err² − 2·err·r, with r = Σ(x_i − x₀) − d·δ the residual of δ
// (negligible), so m comes from q without another pass, and the output subtracts err from
// each R(x_i − c), a value of the row's own size: y_i = R(R(x_i − c) − err).
import { R1 as R } from "./sum";

/** 2^−42: the two-shift threshold of err²·d against q. */
const TWO_SHIFT_SCALE: f32 = 2.2737367544323206e-13;

/** err = (x₀ + δ) − c exactly, c = R(x₀ + δ): TwoSum in the format (exact in any binary format). */
// @ts-ignore: decorator
@inline export function meanError(x0: f32, delta: f32, c: f32, format: i32): f32 {
  const b = R(c - x0, format);
  return R(R(x0 - R(c - b, format), format) + R(delta - b, format), format);
}

/** P = fl(fl(err·err)·d) in f32 (in every format): what the second shift takes off q. */
// @ts-ignore: decorator
@inline export function shiftCost(err: f32, d: f32): f32 {
  return err * err * d;
}

/**
 * P when the row takes two shifts (P > fl(q·2^−42)), else 0. m is then R(fl(q − P) + ε-term):
 * q − 0 = q, so one-shift rows keep q. (err and P need only δ and c: the kernels compute them
 * before the Σy² pass, so they overlap with it.)
 */
// @ts-ignore: decorator
@inline export function twoShiftCorrection(p: f32, q: f32): f32 {
  return p > q * TWO_SHIFT_SCALE ? p : 0;
}
