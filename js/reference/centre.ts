/**
 * The centring rule's scalar part (docs/design.md §1 step 2), as assembly/centre.ts computes
 * it, for both references (iter.ts in f32, format.ts in BF16/FP16): the error of the rounded
 * mean, and the correction of Σy² for rows that take a second shift.
 */

const f = Math.fround;

/** 2^−42: the two-shift threshold of err²·d against q. */
const TWO_SHIFT_SCALE = 2 ** -42;

/** err = (x₀ + δ) − c exactly, c = R(x₀ + δ): TwoSum with every operation rounded by R. */
export function meanError(x0: number, delta: number, c: number, R: (v: number) => number): number {
  const b = R(c - x0);
  return R(R(x0 - R(c - b)) + R(delta - b));
}

/** P = fl(fl(err·err)·d) in f32 (in every format): what the second shift takes off q. */
export function shiftCost(err: number, d: number): number {
  return f(f(err * err) * d);
}

/** P when the row takes two shifts (P > fl(q·2^−42)), else 0. */
export function twoShiftCorrection(p: number, q: number): number {
  return p > f(q * TWO_SHIFT_SCALE) ? p : 0;
}
