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

/** A row's centring: c, the err its output subtracts (0 for one shift), and fl(q − P). */
export interface RowCentring {
  readonly c: number;
  readonly err: number;
  readonly q: number;
}

/**
 * The centring rule for a row whose first value is x0 and whose mean's shift is δ: c = R(x₀ + δ),
 * q = sumSquaresAbout(c) (Σ R(x_i − c)² in the kernel's order and accumulation), and the
 * decision; `q` of the result is fl(q − P), to which the caller adds the ε-term.
 */
export function centreRow(
  x0: number,
  delta: number,
  d: number,
  R: (v: number) => number,
  sumSquaresAbout: (c: number) => number,
): RowCentring {
  const c = R(x0 + delta);
  const q = sumSquaresAbout(c);
  const err = meanError(x0, delta, c, R);
  const p = twoShiftCorrection(shiftCost(err, d), q);
  return { c, err: p > 0 ? err : 0, q: f(q - p) };
}
