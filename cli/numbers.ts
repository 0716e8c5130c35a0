/**
 * How every command prints a number: the terminal tables, the Markdown and HTML
 * reports and the JSON-free summaries all format through these, so one value reads
 * the same wherever it appears.
 */

/** The cell of a value that is missing or was not measured. */
export const NONE = "—";

/**
 * Fixed decimals. A non-zero value too small to show in `decimals` places gets two
 * significant digits instead of printing as zero; a non-finite value (not measured)
 * prints as NONE.
 */
export function fixed(v: number, decimals = 2): string {
  if (!Number.isFinite(v)) return NONE;
  if (v !== 0 && Math.abs(v) < 10 ** -decimals) return v.toPrecision(2);
  return v.toFixed(decimals);
}

/**
 * Scientific notation with `digits` after the point (an error, a tolerance). Zero is
 * "0" and NaN is "NaN": in a precision table NaN is a measured outcome, not a gap.
 */
export function sci(v: number, digits = 2): string {
  if (Number.isNaN(v)) return "NaN";
  return v === 0 ? "0" : v.toExponential(digits);
}

/** A ratio, e.g. "4.21×". */
export function ratio(v: number, decimals = 2): string {
  return `${fixed(v, decimals)}×`;
}

/** A time in nanoseconds, whole: "812 ns". */
export function nanoseconds(ns: number): string {
  return `${fixed(ns, 0)} ns`;
}

/** A duration in seconds with one decimal: "8.8 s". */
export function seconds(s: number): string {
  return `${fixed(s, 1)} s`;
}
