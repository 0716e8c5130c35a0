// BF16 and FP16 rounding (js/formats.ts and the kernel's assembly/formats.ts) against
// independent statements of the rules: PyTorch's BF16 rule on the bit pattern, and
// FP16 round-to-nearest-even computed in float64 arithmetic. Exact comparisons: a
// rounding is either right or wrong, so every check is bit for bit (tolerance 0).
import { describe, expect, it } from "vitest";
import {
  bf16BitsFromF32Bits,
  fp16BitsFromF32Bits,
  fromBF16,
  fromFP16,
  roundBF16,
  roundFP16,
  toBF16,
  toFP16,
} from "../js/formats.js";
import { allocate, release } from "../js/memory.js";
import { constants, kernel } from "../js/wasm.js";
import { Rng } from "../bench/random.js";
import { f32FromBits } from "../js/bits.js";

const N = 1_000_000;

/** PyTorch c10::detail::round_to_nearest_even: NaN → 0x7FC0, else (bits + 0x7FFF + lsb) >> 16. */
function torchBF16(bits: number): number {
  if (Number.isNaN(f32FromBits(bits))) return 0x7fc0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** FP16 value nearest to the float64 v, ties to even, overflow to ±Inf, gradual underflow (float64 arithmetic). */
function fp16OfDouble(v: number): number {
  if (Number.isNaN(v)) return NaN;
  const a = Math.abs(v);
  if (a === 0 || a === Infinity) return v;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const q = a < 2 ** -14 ? 2 ** -24 : 2 ** (e - 10); // spacing of FP16 values around a
  const n = a / q; // exact: q is a power of two
  let r = Math.floor(n);
  const frac = n - r;
  if (frac > 0.5 || (frac === 0.5 && r % 2 === 1)) r++;
  const out = r * q;
  return Math.sign(v) * (out >= 65536 ? Infinity : out);
}

/** Samples: random bit patterns, values around the FP16 range, and exact midpoints of both formats. */
function samples(seed: number): Uint32Array {
  const rng = new Rng(seed);
  const u = new Uint32Array(N);
  const f = new Float32Array(u.buffer);
  for (let i = 0; i < N; i++) {
    const kind = i % 4;
    if (kind === 0)
      u[i] = rng.u32(); // every exponent, NaNs and infinities included
    else if (kind === 1)
      f[i] = (rng.u32() & 1 ? -1 : 1) * (1 + rng.uniform()) * 2 ** (rng.int(48) - 30); // 2^-30 .. 2^17
    else if (kind === 2)
      u[i] = ((rng.u32() & 0xffff0000) | 0x8000) >>> 0; // BF16 midpoints (ties)
    else {
      // FP16 midpoints, exp 2^-24..2^15
      u[i] = (((rng.int(0x1f) + 103) << 23) | ((rng.u32() & 0x7fe000) | 0x1000) | (rng.u32() & 0x80000000)) >>> 0;
    }
  }
  return u;
}

/** Every special value: zeros, infinities, NaNs (quiet, signalling, signed), extremes and format boundaries. */
// biome-ignore format: a table of bit patterns, grouped by kind
const SPECIAL_BITS = [
  0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fbfffff,
  0x00000001, 0x80000001, 0x007fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x7f7f8000, 0x7f7f7fff,
  0x477fe000, 0x477fefff, 0x477ff000, 0x477ff001, 0x47800000, // 65504, just below 65520, 65520, above, 65536
  0x33800000, 0x33000000, 0x33000001, 0x33400000, 0x38800000, 0x387fffff, 0x387fe000, 0x3f800000, 0xbf800000,
];

function kernelRound(bits: Uint32Array, format: number, io: number): Uint32Array | Uint16Array {
  const n = bits.length;
  const src = allocate(n * 4);
  const dst = allocate(n * 4);
  try {
    new Uint32Array(kernel.memory.buffer, src, n).set(bits);
    expect(kernel.round_batch(src, dst, n, format, io)).toBe(0);
    return io === constants.IO_BITS
      ? new Uint16Array(kernel.memory.buffer, dst, n).slice()
      : new Uint32Array(kernel.memory.buffer, dst, n).slice();
  } finally {
    release(dst);
    release(src);
  }
}

describe("BF16 rounding", () => {
  const bits = new Uint32Array([...samples(1), ...SPECIAL_BITS]);
  const expected = Uint16Array.from(bits, torchBF16);

  it("toBF16 equals PyTorch's rule on 10^6 samples and every special value", () => {
    const got = toBF16(new Float32Array(bits.buffer));
    let bad = 0;
    for (let i = 0; i < bits.length; i++) if (got[i] !== expected[i]) bad++;
    expect(bad).toBe(0);
  });

  it("the kernel's BF16 rounding (bits and f32x4 lanes) equals PyTorch's rule", () => {
    const asBits = kernelRound(bits, constants.FORMAT_BF16, constants.IO_BITS);
    const asF32 = kernelRound(bits, constants.FORMAT_BF16, constants.IO_F32);
    let bad = 0;
    for (let i = 0; i < bits.length; i++) {
      if (asBits[i] !== expected[i] || asF32[i] !== (expected[i]! << 16) >>> 0) bad++;
    }
    expect(bad).toBe(0);
  });

  it("roundBF16 is the value of those bits; NaN stays NaN; subnormals are kept", () => {
    expect(roundBF16(1 / 3)).toBe(0.333984375);
    expect(Number.isNaN(roundBF16(NaN))).toBe(true);
    expect(roundBF16(2 ** -130)).toBe(2 ** -130); // a BF16 subnormal (smallest 2^-133)
    expect(roundBF16(2 ** -134)).toBe(0); // half the smallest subnormal: tie to even (0)
    expect(roundBF16(3.4e38)).toBe(Infinity); // past the largest BF16 (≈ 3.3895e38)
    expect(Object.is(roundBF16(-0), -0)).toBe(true);
  });
});

describe("FP16 rounding", () => {
  const bits = new Uint32Array([...samples(2), ...SPECIAL_BITS]);
  const values = new Float32Array(bits.buffer);

  it("roundFP16 is exact round-to-nearest-even with subnormals on 10^6 samples and every special value", () => {
    let bad = 0;
    for (let i = 0; i < values.length; i++) {
      const want = fp16OfDouble(values[i]!);
      const got = roundFP16(values[i]!);
      if (!(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)))) bad++;
    }
    expect(bad).toBe(0);
  });

  it("the kernel's FP16 rounding (bits and f32x4 lanes) equals toFP16 / roundFP16", () => {
    const want = toFP16(values);
    const asBits = kernelRound(bits, constants.FORMAT_FP16, constants.IO_BITS);
    const asF32 = new Float32Array(kernelRound(bits, constants.FORMAT_FP16, constants.IO_F32).buffer);
    let bad = 0;
    for (let i = 0; i < values.length; i++) {
      const r = roundFP16(values[i]!);
      const same = Object.is(asF32[i], r) || (Number.isNaN(asF32[i]!) && Number.isNaN(r));
      if (asBits[i] !== want[i] || !same) bad++;
    }
    expect(bad).toBe(0);
  });

  it("boundaries: 65504 is the largest, 65520 overflows, 2^-24 the smallest subnormal, ties go to even", () => {
    expect(roundFP16(65519.99)).toBe(65504);
    expect(roundFP16(65520)).toBe(Infinity);
    expect(roundFP16(-65520)).toBe(-Infinity);
    expect(roundFP16(2 ** -24)).toBe(2 ** -24);
    expect(roundFP16(2 ** -25)).toBe(0); // tie between 0 and 2^-24: even is 0
    expect(roundFP16(3 * 2 ** -26)).toBe(2 ** -24);
    expect(roundFP16(3 * 2 ** -25)).toBe(2 ** -23); // tie between 1·2^-24 and 2·2^-24: even is 2
    expect(roundFP16(1 + 2 ** -11)).toBe(1); // tie: even significand
    expect(roundFP16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9);
    expect(Number.isNaN(roundFP16(NaN))).toBe(true);
    expect(toFP16(Float32Array.of(NaN))[0]! & 0x7e00).toBe(0x7e00);
  });
});

describe("conversions between Float32Array and raw bits", () => {
  it("every one of the 65536 BF16 and FP16 patterns converts to f32 and back unchanged (NaNs stay NaN)", () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const b = toBF16(fromBF16(all));
    const h = toFP16(fromFP16(all));
    let bad = 0;
    for (let i = 0; i < 65536; i++) {
      const bfNaN = (i & 0x7f80) === 0x7f80 && (i & 0x7f) !== 0;
      const fpNaN = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (bfNaN ? b[i] !== 0x7fc0 : b[i] !== i) bad++;
      if (fpNaN ? (h[i]! & 0x7e00) !== 0x7e00 : h[i] !== i) bad++;
    }
    expect(bad).toBe(0);
  });

  it("fromFP16 decodes subnormals, infinities and the sign exactly", () => {
    expect(
      Array.from(fromFP16(Uint16Array.of(0x0001, 0x03ff, 0x0400, 0x7bff, 0x7c00, 0xfc00, 0x8000, 0x3c00))),
    ).toEqual([2 ** -24, 1023 * 2 ** -24, 2 ** -14, 65504, Infinity, -Infinity, -0, 1]);
  });

  it("writes into a given out array and rejects wrong types and lengths by name", () => {
    const out = new Uint16Array(2);
    expect(toBF16(Float32Array.of(1, 2), out)).toBe(out);
    expect(Array.from(out)).toEqual([0x3f80, 0x4000]);
    expect(() => toBF16([1, 2] as unknown as Float32Array)).toThrow(/x must be a Float32Array/);
    expect(() => fromFP16(new Float32Array(2) as unknown as Uint16Array)).toThrow(/h must be a Uint16Array/);
    expect(() => toFP16(Float32Array.of(1), new Uint16Array(2))).toThrow(RangeError);
  });
});

describe("one rounding per operation", () => {
  // The datapath computes each operation in f32 and rounds to F. For + and × of two F
  // values that equals rounding the exact result (float64 holds it exactly here:
  // FP16 operands span at most 2^-24..2^16) — Figueroa's 24 ≥ 2·11 + 2 condition.
  it("f32 product and sum then FP16 rounding equal FP16 rounding of the exact result (10^5 pairs)", () => {
    const rng = new Rng(3);
    const f = Math.fround;
    let bad = 0;
    for (let i = 0; i < 100_000; i++) {
      const a = roundFP16((rng.u32() & 1 ? -1 : 1) * rng.uniform() * 2 ** (rng.int(30) - 14));
      const b = roundFP16((rng.u32() & 1 ? -1 : 1) * rng.uniform() * 2 ** (rng.int(30) - 14));
      if (!Object.is(roundFP16(f(a * b)), fp16OfDouble(a * b))) bad++;
      if (!Object.is(roundFP16(f(a + b)), fp16OfDouble(a + b))) bad++;
    }
    expect(bad).toBe(0);
  });

  it("two bit helpers agree with the value functions", () => {
    expect(bf16BitsFromF32Bits(0x3f800000)).toBe(0x3f80);
    expect(fp16BitsFromF32Bits(0x3f800000)).toBe(0x3c00);
  });
});
