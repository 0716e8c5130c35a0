/**
 * The 16-bit storage formats in plain TS (docs/design.md §3): rounding a number to
 * BF16 or FP16, and converting Float32Array ⇄ Uint16Array of raw bits.
 *
 * Both roundings take the value as f32 first (Math.fround), then round the f32
 * to the 16-bit format with round-to-nearest-even on its bit pattern:
 *
 *   BF16 (1 sign, 8 exponent, 7 fraction bits) is the upper half of an f32; the
 *   rule is PyTorch's `round_to_nearest_even` (c10/util/BFloat16.h): add
 *   0x7FFF + lsb to the f32 bits and keep the upper 16; NaN becomes 0x7FC0.
 *   Subnormals are kept (BF16 has f32's exponent range); values past the largest
 *   BF16 round to ±Infinity.
 *
 *   FP16 (1 sign, 5 exponent, 10 fraction bits, IEEE 754 binary16): normal
 *   results keep 10 fraction bits (RNE); |x| ≥ 65520 (halfway between the largest
 *   FP16 65504 and 2^16) overflows to ±Infinity; below 2^−14 the value is rounded
 *   to a multiple of 2^−24 (gradual underflow through subnormals); NaN stays NaN
 *   (quiet, sign and top payload bits kept).
 *
 * The wasm kernel (assembly/formats.ts) implements the same rules; tests check
 * both against each other and against these definitions.
 */

import { f32Bits, f32FromBits } from "./bits.js";
import {
  bufferOfView,
  byteOffsetOfView,
  checkedLength,
  isFloat32,
  isUint16,
  liveLength,
  setView,
  viewsOverlap,
} from "./views.js";

/** BF16 bits (16-bit unsigned) of the f32 with bits `b`: PyTorch's round-to-nearest-even, NaN → 0x7FC0. */
export function bf16BitsFromF32Bits(b: number): number {
  if ((b & 0x7fffffff) > 0x7f800000) return 0x7fc0;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** FP16 bits (16-bit unsigned) of the f32 with bits `b`: IEEE binary16 round-to-nearest-even. */
export function fp16BitsFromF32Bits(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const abs = b & 0x7fffffff;
  if (abs > 0x7f800000) return sign | 0x7e00 | ((abs >>> 13) & 0x3ff); // NaN: quiet, payload's top bits
  if (abs >= 0x477ff000) return sign | 0x7c00; // ≥ 65520 (incl. Infinity) → ±Infinity
  if (abs >= 0x38800000) {
    // normal: rebias the exponent (127 → 15), keep 10 fraction bits, RNE on the 13 dropped
    const h = ((abs >>> 13) - ((127 - 15) << 10)) & 0xffff;
    const rest = abs & 0x1fff;
    return sign | (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1) ? h + 1 : h);
  }
  if (abs <= 0x33000000) return sign; // ≤ 2^−25: half the smallest subnormal or less, ties to even (0)
  // subnormal: the value in units of 2^−24 is significand · 2^(E+1), E = exponent in [−25, −15]
  const e = (abs >>> 23) - 127;
  const sig = (abs & 0x7fffff) | 0x800000;
  const shift = -(e + 1); // 14..24
  const q = sig >>> shift;
  const rest = sig - (q << shift);
  const half = 1 << (shift - 1);
  return sign | (rest > half || (rest === half && (q & 1) === 1) ? q + 1 : q);
}

/** The f32 bits of the BF16 value with 16-bit pattern `h` (exact). */
export function f32BitsFromBF16Bits(h: number): number {
  return ((h & 0xffff) << 16) >>> 0;
}

/** The f32 bits of the FP16 value with 16-bit pattern `h` (exact: every FP16 is an f32). */
export function f32BitsFromFP16Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (frac << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 127 - 15) << 23) | (frac << 13)) >>> 0;
  if (frac === 0) return sign >>> 0;
  // subnormal: frac · 2^−24, normalised into an f32
  const top = 31 - Math.clz32(frac); // 0..9
  const e = top - 24;
  return (sign | ((e + 127) << 23) | ((frac << (23 - top)) & 0x7fffff)) >>> 0;
}

/** The value of BF16 bits `h` as a number. */
export function bf16Value(h: number): number {
  return f32FromBits(f32BitsFromBF16Bits(h));
}

/** The value of FP16 bits `h` as a number. */
export function fp16Value(h: number): number {
  return f32FromBits(f32BitsFromFP16Bits(h));
}

/**
 * x rounded (as f32 first) to the nearest BF16 value, ties to even; NaN stays NaN,
 * values past the largest BF16 give ±Infinity, subnormals are kept.
 */
export function roundBF16(x: number): number {
  return bf16Value(bf16BitsFromF32Bits(f32Bits(x)));
}

/**
 * x rounded (as f32 first) to the nearest FP16 value, ties to even; NaN stays NaN,
 * |x| ≥ 65520 gives ±Infinity, values below 2^−14 round to a multiple of 2^−24.
 */
export function roundFP16(x: number): number {
  return fp16Value(fp16BitsFromF32Bits(f32Bits(x)));
}

/** A wrong value as the array checks show it: objects by their tag, strings quoted. */
function shown(x: unknown): string {
  return x === null
    ? "null"
    : typeof x === "object"
      ? Object.prototype.toString.call(x)
      : typeof x === "string"
        ? JSON.stringify(x)
        : String(x);
}

// Types by their intrinsic name and lengths from the internal slots (views.ts), so a
// subclass's own length or buffer never sizes a loop, and arrays of any realm work.

/** The length of x, a Float32Array (TypeError otherwise, or when its buffer is detached). */
function checkFloat32(name: string, x: unknown): number {
  if (!isFloat32(x)) throw new TypeError(`${name} must be a Float32Array; got ${shown(x)}`);
  return liveLength(name, x);
}

/** The length of x, a Uint16Array (TypeError otherwise, or when its buffer is detached). */
function checkUint16(name: string, x: unknown): number {
  if (!isUint16(x)) throw new TypeError(`${name} must be a Uint16Array of raw 16-bit patterns; got ${shown(x)}`);
  return liveLength(name, x);
}

function checkOut(out: unknown, type: "Float32Array" | "Uint16Array", length: number): void {
  if (out === undefined) return;
  if (!(type === "Float32Array" ? isFloat32(out) : isUint16(out)))
    throw new TypeError(`out must be a ${type}; got ${Object.prototype.toString.call(out)}`);
  checkedLength("out", out as Float32Array, length, (n) => {
    return new RangeError(`out.length must be ${length} (the input's length); got ${n}`);
  });
}

/** The bit patterns of a Float32Array's values, read in place. */
function f32BitsOf(x: Float32Array, n: number): Uint32Array {
  return new Uint32Array(bufferOfView(x), byteOffsetOfView(x), n);
}

/**
 * Where a converter writes: out, or a new array when out is omitted, or a temporary
 * when out shares bytes with the input (a result would overwrite input not yet read);
 * `finish` copies a temporary into out.
 */
function target<T extends Float32Array | Uint16Array>(
  input: Float32Array | Uint16Array,
  out: T | undefined,
  make: () => T,
): { r: T; finish: () => T } {
  if (out === undefined) {
    const r = make();
    return { r, finish: () => r };
  }
  if (!viewsOverlap(input, out)) return { r: out, finish: () => out };
  const r = make();
  return {
    r,
    finish: () => {
      setView(out, r);
      return out;
    },
  };
}

/**
 * Raw BF16 bits of every value of x (round-to-nearest-even, NaN → 0x7FC0).
 *
 * @example
 * toBF16(Float32Array.of(1, 1/3))   // Uint16Array [0x3F80, 0x3EAB]
 */
export function toBF16(x: Float32Array, out?: Uint16Array): Uint16Array {
  const n = checkFloat32("x", x);
  checkOut(out, "Uint16Array", n);
  const { r, finish } = target(x, out, () => new Uint16Array(n));
  const u = f32BitsOf(x, n);
  for (let i = 0; i < n; i++) r[i] = bf16BitsFromF32Bits(u[i]!);
  return finish();
}

/** The f32 values of raw BF16 bits (exact). */
export function fromBF16(h: Uint16Array, out?: Float32Array): Float32Array {
  const n = checkUint16("h", h);
  checkOut(out, "Float32Array", n);
  const { r, finish } = target(h, out, () => new Float32Array(n));
  const u = f32BitsOf(r, n);
  for (let i = 0; i < n; i++) u[i] = f32BitsFromBF16Bits(h[i]!);
  return finish();
}

/**
 * Raw FP16 (IEEE binary16) bits of every value of x (round-to-nearest-even,
 * overflow → ±Infinity, gradual underflow).
 *
 * @example
 * toFP16(Float32Array.of(1, 65520))  // Uint16Array [0x3C00, 0x7C00]
 */
export function toFP16(x: Float32Array, out?: Uint16Array): Uint16Array {
  const n = checkFloat32("x", x);
  checkOut(out, "Uint16Array", n);
  const { r, finish } = target(x, out, () => new Uint16Array(n));
  const u = f32BitsOf(x, n);
  for (let i = 0; i < n; i++) r[i] = fp16BitsFromF32Bits(u[i]!);
  return finish();
}

/** The f32 values of raw FP16 bits (exact). */
export function fromFP16(h: Uint16Array, out?: Float32Array): Float32Array {
  const n = checkUint16("h", h);
  checkOut(out, "Float32Array", n);
  const { r, finish } = target(h, out, () => new Float32Array(n));
  const u = f32BitsOf(r, n);
  for (let i = 0; i < n; i++) u[i] = f32BitsFromFP16Bits(h[i]!);
  return finish();
}
