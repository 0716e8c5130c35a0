/**
 * Operands for the floating-point units' equivalence tests (tests/rtl-units.test.ts) and their
 * expected results: IEEE binary32 with round to nearest even (Math.fround of the exact double
 * result: a sum or product of two binary32 values rounds once to double without changing the
 * f32 rounding) and the library's BF16 rule on top (js/formats.ts, as hw/arith.ts rounds BF16).
 */
import { Rng } from "../../bench/random.js";
import { bf16BitsFromF32Bits } from "../../js/formats.js";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function value(bits: number): number {
  u32[0] = bits;
  return f32[0]!;
}

function bits(v: number): number {
  f32[0] = v;
  return u32[0]!;
}

/** True for a binary32 NaN pattern (results are compared with NaN as a class). */
export function isNaN32(b: number): boolean {
  return (b & 0x7fffffff) > 0x7f800000;
}

/** FP32 patterns every unit must see against each other. */
export const SPECIALS32: readonly number[] = (() => {
  const positive = [
    0x00000000, // +0
    0x00000001, // smallest subnormal
    0x00000002,
    0x00000003,
    0x000fffff,
    0x00400000, // 2^−127
    0x007fffff, // largest subnormal
    0x00800000, // smallest normal
    0x00800001,
    0x00ffffff,
    0x01000000,
    0x0c800000, // 2^−102: products with 2^−24…2^−47 fall into the subnormals
    0x1f800000, // 2^−64 (squares at the normal edge)
    0x33800000, // 2^−24 (half an ulp of 1)
    0x33c00000, // 1.5·2^−24
    0x34000000, // 2^−23 (an ulp of 1)
    0x3f7fffff, // just below 1
    0x3f800000, // 1
    0x3f800001,
    0x3fc00000, // 1.5
    0x3fffffff,
    0x40000000, // 2
    0x5f000000, // 2^63 (squares at the overflow edge)
    0x7effffff,
    0x7f000000, // 2^127
    0x7f7ffffe,
    0x7f7fffff, // largest finite
    0x7f800000, // ∞
    0x7f800001, // signalling NaN
    0x7fc00000, // quiet NaN
    0x7fffffff,
  ];
  return [...positive, ...positive.map((b) => (b | 0x80000000) >>> 0)];
})();

/** BF16 patterns (16-bit) every BF16 unit must see against each other. */
export const SPECIALS16: readonly number[] = (() => {
  const positive = [
    0x0000, 0x0001, 0x0002, 0x0003, 0x003f, 0x0040, 0x007f, 0x0080, 0x0081, 0x00ff, 0x0100, 0x1f80, 0x3b80, 0x3bc0,
    0x3c00, 0x3f7f, 0x3f80, 0x3f81, 0x3fc0, 0x3fff, 0x4000, 0x5f00, 0x7eff, 0x7f00, 0x7f7e, 0x7f7f, 0x7f80, 0x7f81,
    0x7fc0, 0x7fff,
  ];
  return [...positive, ...positive.map((b) => b | 0x8000)];
})();

/**
 * A random FP32 pattern from one of the classes the units treat differently: uniform bits; an
 * exponent near another's (cancellation, ties in the sum); sparse fractions (exact products,
 * products and sums exactly halfway between two floats); subnormals; exponents whose sum lands
 * at the subnormal or the overflow edge of a product.
 */
function pattern(r: Rng, near: number | undefined): number {
  const sign = (r.u32() & 1) << 31;
  const kind = r.u32() % 8;
  const frac = r.u32() & 0x7fffff;
  const sparse = (): number => {
    const top = 1 + (r.u32() % 12);
    return frac & ~((1 << (23 - top)) - 1) & 0x7fffff;
  };
  let exp: number;
  let f = frac;
  if (near !== undefined && kind < 4) {
    exp = Math.min(255, Math.max(0, near + (r.u32() % 53) - 26));
    if (kind < 2) f = sparse();
  } else if (kind === 0) {
    return r.u32() >>> 0;
  } else if (kind === 1) {
    exp = 0; // subnormal
  } else if (kind === 2) {
    exp = 1 + (r.u32() % 254);
    f = sparse();
  } else if (kind === 3) {
    exp = 1 + (r.u32() % 254);
    f = frac & (0x7fffff >>> (r.u32() % 23)); // low bits only: ties in sums
  } else if (kind === 4) {
    exp = 20 + (r.u32() % 90); // products at the subnormal edge (e_a + e_b ≈ 127 − 24…127)
  } else if (kind === 5) {
    exp = 120 + (r.u32() % 15); // near 1: products and sums in the middle of the range
  } else if (kind === 6) {
    exp = 190 + (r.u32() % 65); // products at the overflow edge
  } else {
    exp = 1 + (r.u32() % 254);
  }
  return (sign | (exp << 23) | f) >>> 0;
}

/**
 * n records of three words: a, b (FP32) and h (two BF16: a in the upper half, b in the lower).
 * First every pair of specials (FP32 × FP32 and BF16 × BF16), then random pairs; b often takes an
 * exponent near a's.
 */
export function unitStimulus(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(3 * n);
  const r = new Rng(seed);
  const ns = SPECIALS32.length;
  const nh = SPECIALS16.length;
  for (let i = 0; i < n; i++) {
    let a: number;
    let b: number;
    let ha: number;
    let hb: number;
    if (i < ns * ns) {
      a = SPECIALS32[Math.floor(i / ns)]!;
      b = SPECIALS32[i % ns]!;
    } else {
      a = pattern(r, undefined);
      b = pattern(r, r.u32() % 2 === 0 ? (a >>> 23) & 0xff : undefined);
    }
    if (i < nh * nh) {
      ha = SPECIALS16[Math.floor(i / nh)]!;
      hb = SPECIALS16[i % nh]!;
    } else {
      ha = pattern(r, undefined) >>> 16;
      hb = pattern(r, r.u32() % 2 === 0 ? (ha >>> 7) & 0xff : undefined) >>> 16;
    }
    out[3 * i] = a;
    out[3 * i + 1] = b;
    out[3 * i + 2] = ((ha << 16) | hb) >>> 0;
  }
  return out;
}

/** The result columns of tests/rtl/units-top.v, in its output order. */
export const UNIT_COLUMNS = ["mul32", "add32", "mul16", "sq16", "add16", "smul16", "sadd16", "round16"] as const;
export type UnitColumn = (typeof UNIT_COLUMNS)[number];

const bf16Up = (b: number): number => (bf16BitsFromF32Bits(b) << 16) >>> 0;

/** The expected result word of one column for one record (BF16 results in the upper half). */
export function expected(column: UnitColumn, a: number, b: number, h: number): number {
  const x = value(a);
  const y = value(b);
  const hx = value((h & 0xffff0000) >>> 0);
  const hy = value((h << 16) >>> 0);
  switch (column) {
    case "mul32":
      return bits(Math.fround(x * y));
    case "add32":
      return bits(Math.fround(x + y));
    case "mul16":
      return bf16Up(bits(Math.fround(hx * hy)));
    case "sq16":
      return bits(Math.fround(hx * hy));
    case "add16":
      return bf16Up(bits(Math.fround(hx + hy)));
    case "smul16":
      return bf16Up(bits(Math.fround(x * y)));
    case "sadd16":
      return bf16Up(bits(Math.fround(x + y)));
    case "round16":
      return bf16Up(a);
  }
}

/** A mismatch: the record, its operands and both results (hex). */
export interface Mismatch {
  readonly column: UnitColumn;
  readonly record: number;
  readonly operands: string;
  readonly got: string;
  readonly want: string;
}

const hex = (w: number): string => `0x${(w >>> 0).toString(16).padStart(8, "0")}`;

/**
 * Compares result words (eight per record) with the expected ones, NaN as a class. Returns the
 * count of mismatches per column and the first few.
 */
export function compareUnits(
  stimulus: Uint32Array,
  results: Uint32Array,
  columns: readonly UnitColumn[] = UNIT_COLUMNS,
): { counts: Record<UnitColumn, number>; first: Mismatch[] } {
  const n = stimulus.length / 3;
  if (results.length !== 8 * n) throw new Error(`expected ${8 * n} result words; got ${results.length}`);
  const counts = Object.fromEntries(UNIT_COLUMNS.map((c) => [c, 0])) as Record<UnitColumn, number>;
  const first: Mismatch[] = [];
  for (let i = 0; i < n; i++) {
    const a = stimulus[3 * i]!;
    const b = stimulus[3 * i + 1]!;
    const h = stimulus[3 * i + 2]!;
    for (const column of columns) {
      const got = results[8 * i + UNIT_COLUMNS.indexOf(column)]!;
      const want = expected(column, a, b, h);
      const same = isNaN32(want) ? isNaN32(got) : got === want;
      if (same) continue;
      counts[column]++;
      if (first.length < 10)
        first.push({ column, record: i, operands: `${hex(a)} ${hex(b)} ${hex(h)}`, got: hex(got), want: hex(want) });
    }
  }
  return { counts, first };
}

/** The result columns of tests/rtl/digit-top.v (the digit-recurrence units), in its output order. */
export const DIGIT_COLUMNS = ["div32", "sqrt32", "div16", "sqrt16"] as const;
export type DigitColumn = (typeof DIGIT_COLUMNS)[number];

/**
 * The expected result word of a digit-recurrence unit: Math.fround of the double quotient or root
 * (rounding twice is exact for both, as 53 ≥ 2·24 + 2), and for BF16 operands that FP32 result
 * rounded to BF16 (hw/scalar.ts rounds R(√m) and R(1/r) so; an 8-bit quotient or root never lies
 * within 2^−24 of a BF16 halfway point without being on it).
 */
export function expectedDigit(column: DigitColumn, a: number, b: number, h: number): number {
  const hx = value((h & 0xffff0000) >>> 0);
  const hy = value((h << 16) >>> 0);
  switch (column) {
    case "div32":
      return bits(Math.fround(value(a) / value(b)));
    case "sqrt32":
      return bits(Math.fround(Math.sqrt(value(a))));
    case "div16":
      return bf16Up(bits(Math.fround(hx / hy)));
    case "sqrt16":
      return bf16Up(bits(Math.fround(Math.sqrt(hx))));
  }
}

/** A mismatch of a digit-recurrence unit: its operands and both results (hex). */
export interface DigitMismatch {
  readonly column: DigitColumn;
  readonly operands: string;
  readonly got: string;
  readonly want: string;
}

/** As compareUnits, for the four result words per record of tests/rtl/digit-top.v. */
export function compareDigit(
  stimulus: Uint32Array,
  results: Uint32Array,
): { counts: Record<DigitColumn, number>; first: DigitMismatch[] } {
  const n = stimulus.length / 3;
  if (results.length !== 4 * n) throw new Error(`expected ${4 * n} result words; got ${results.length}`);
  const counts = Object.fromEntries(DIGIT_COLUMNS.map((c) => [c, 0])) as Record<DigitColumn, number>;
  const first: DigitMismatch[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, h] = [stimulus[3 * i]!, stimulus[3 * i + 1]!, stimulus[3 * i + 2]!];
    DIGIT_COLUMNS.forEach((column, k) => {
      const got = results[4 * i + k]!;
      const want = expectedDigit(column, a, b, h);
      if (isNaN32(want) ? isNaN32(got) : got === want) return;
      counts[column]++;
      if (first.length < 10)
        first.push({ column, operands: `${hex(a)} ${hex(b)} ${hex(h)}`, got: hex(got), want: hex(want) });
    });
  }
  return { counts, first };
}
