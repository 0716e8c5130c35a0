/**
 * The arithmetic of the macro's units, bit for bit: every unit use is one
 * operation rounded once, to the working format F or to FP32 (the reduction tree
 * and the partial-sum row are FP32 in both formats, docs/design.md §3). A BF16 result
 * is the FP32 result rounded to BF16 with round-to-nearest-even, the library's
 * definition (js/formats.ts).
 */
import { roundBF16 } from "../js/formats.js";
import type { MacroFormat } from "./config.js";

/** Rounding of a unit result to a format. */
export type Round = (x: number) => number;

/** Rounds to FP32 (round to nearest even). */
export const toF32: Round = Math.fround;

/** The rounding of format F. */
export function rounder(format: MacroFormat): Round {
  return format === "bf16" ? roundBF16 : toF32;
}

/**
 * One row on its way through a pass: `values` holds the lanes, the first `valid`
 * of which carry data (the rest are unused lanes, gated off).
 */
export interface Row {
  readonly index: number;
  readonly values: Float64Array;
  readonly valid: number;
}

/** A row with every valid lane mapped by `op` (one rounded unit operation per lane). */
export function mapRow(row: Row, op: (v: number, lane: number) => number): Row {
  const values = new Float64Array(row.values.length);
  for (let i = 0; i < row.valid; i++) values[i] = op(row.values[i]!, i);
  return { index: row.index, values, valid: row.valid };
}

/**
 * One level of the binary adder tree in FP32: lane i of the result is
 * v[2i] + v[2i+1] when both lanes are valid, v[2i] passed through when only the
 * left one is (a gated adder, so −0 survives), and unused otherwise.
 * Adds performed: ⌊valid/2⌋.
 */
export function treeLevel(row: Row): Row {
  const half = row.values.length >> 1;
  const values = new Float64Array(half);
  const valid = (row.valid + 1) >> 1;
  for (let i = 0; i < valid; i++) {
    const l = row.values[2 * i]!;
    values[i] = 2 * i + 1 < row.valid ? toF32(l + row.values[2 * i + 1]!) : l;
  }
  return { index: row.index, values, valid };
}

/** Adds one level of the tree performs on a row with `valid` lanes. */
export function treeLevelAdds(valid: number): number {
  return valid >> 1;
}
