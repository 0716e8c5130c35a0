/**
 * The FISR variants of the study, each constant with its source, and the exhaustive
 * measurement of the scalar paths' relative error over one exponent period.
 *
 * Why [1, 4) covers every normal input: multiplying m by 4 adds 2 to its exponent;
 * FISR's seed i = magic − (bits >> 1) then drops by one exponent step (y halves
 * exactly) and every Newton step is scale-equivariant, and IterL2Norm works on the
 * exponent-normalised m' ∈ [1, 4). So the relative error of a at m and at 4m agree
 * wherever no result is subnormal, and the maximum over all m of [1, 4) of the format
 * is the maximum over its normal range.
 */
import {
  BF16_MAGIC,
  BF16_MAGIC_ALT,
  FP16_MAGIC,
  FP16_MAGIC_ALT,
  KADLEC_K1,
  KADLEC_K2,
  KADLEC_MAGIC,
  LOMONT_MAGIC,
  QUAKE_MAGIC,
  WALCZYK_K1,
  WALCZYK_K2,
  WALCZYK_MAGIC,
  bf16Value,
  fp16Value,
  type FisrVariant,
  type Format,
  type InverseNormOptions,
  fisr,
  rsqrt,
} from "iterl2norm";

/** One FISR constant set of the study. */
export interface FisrEntry {
  /** Short label, e.g. "quake", "bf16-0x5f35". */
  readonly label: string;
  readonly format: Format;
  readonly variant: FisrVariant;
  readonly magic: number;
  /** Newton coefficients beyond the magic, as printed in the source. */
  readonly coefficients: string;
  /** Where the constant comes from. */
  readonly source: string;
}

const hex = (v: number, digits: number): string => `0x${v.toString(16).padStart(digits, "0")}`;

const ENTRIES: FisrEntry[] = [
  {
    label: "quake",
    format: "fp32",
    variant: "quake",
    magic: QUAKE_MAGIC,
    coefficients: "y·(1.5 − 0.5x·y²)",
    source: "id Software, Quake III Arena, code/game/q_math.c Q_rsqrt (1999; constant attributed to Greg Walsh)",
  },
  {
    label: "lomont",
    format: "fp32",
    variant: "lomont",
    magic: LOMONT_MAGIC,
    coefficients: "y·(1.5 − 0.5x·y²)",
    source: 'C. Lomont, "Fast Inverse Square Root", Purdue University tech. report, 2003',
  },
  {
    label: "walczyk",
    format: "fp32",
    variant: "walczyk",
    magic: WALCZYK_MAGIC,
    coefficients: `y·(${WALCZYK_K1.toPrecision(9)} − 0.5x·y²), then y·(${WALCZYK_K2.toPrecision(9)} − 0.5x·y²)`,
    source:
      'C. J. Walczyk, L. V. Moroz, J. L. Cieśliński, "Improving the Accuracy of the Fast Inverse Square Root by ' +
      'Modifying Newton–Raphson Corrections", Entropy 23(1):86, 2021 (arXiv:1802.06302)',
  },
  {
    label: "kadlec",
    format: "fp32",
    variant: "kadlec",
    magic: KADLEC_MAGIC,
    coefficients: `${KADLEC_K1.toPrecision(9)}·y·(${KADLEC_K2.toPrecision(9)} − x·y²), then Quake steps`,
    source: "J. Kadlec (rrrola), inv_sqrt constant search, rrrola.wz.cz/inv_sqrt.html, 2010",
  },
  {
    label: "bf16-quake",
    format: "bf16",
    variant: "quake",
    magic: BF16_MAGIC,
    coefficients: "y·(1.5 − 0.5x·y²) in BF16",
    source: "upper 16 bits of Quake's 0x5f3759df (BF16 is the upper half of an f32)",
  },
  {
    label: "bf16-alt",
    format: "bf16",
    variant: "quake",
    magic: BF16_MAGIC_ALT,
    coefficients: "y·(1.5 − 0.5x·y²) in BF16",
    source: "alternative 16-bit magic, kept for comparison; no publication traced",
  },
  {
    label: "fp16-quake",
    format: "fp16",
    variant: "quake",
    magic: FP16_MAGIC,
    coefficients: "y·(1.5 − 0.5x·y²) in FP16",
    source: "Quake's constant carried to binary16: round(1.5·2^10·(15 − σ)), σ = 127 − 0x5f3759df/(1.5·2^23)",
  },
  {
    label: "fp16-alt",
    format: "fp16",
    variant: "quake",
    magic: FP16_MAGIC_ALT,
    coefficients: "y·(1.5 − 0.5x·y²) in FP16",
    source: "alternative 16-bit magic, kept for comparison; no publication traced",
  },
];

/** Every FISR constant set the library ships, FP32 first. */
export const FISR_TABLE: readonly FisrEntry[] = Object.freeze(ENTRIES.map((e) => Object.freeze(e)));

/** The magic constant printed as hex (8 digits for FP32, 4 for the 16-bit formats). */
export function magicHex(entry: FisrEntry): string {
  return hex(entry.magic, entry.format === "fp32" ? 8 : 4);
}

/** Max and mean relative error |a·√m − 1| over a set of m. */
export interface ErrorStats {
  readonly max: number;
  readonly mean: number;
  /** The m at which the maximum occurs. */
  readonly argmax: number;
  readonly count: number;
}

/**
 * Every value of `format` in [1, 4), in increasing order: 2^24 for FP32, 256 for
 * BF16, 2048 for FP16. `chunk` receives them in Float32Arrays of at most 2^20.
 */
export function forEachPeriodValue(format: Format, chunk: (m: Float32Array) => void): void {
  if (format === "fp32") {
    const start = 0x3f800000;
    const count = 1 << 24;
    const size = 1 << 20;
    const u = new Uint32Array(size);
    for (let o = 0; o < count; o += size) {
      for (let i = 0; i < size; i++) u[i] = start + o + i;
      chunk(new Float32Array(u.buffer));
    }
    return;
  }
  const one = format === "bf16" ? 0x3f80 : 0x3c00;
  const fractionBits = format === "bf16" ? 7 : 10;
  const decode = format === "bf16" ? bf16Value : fp16Value;
  const count = 2 << fractionBits;
  chunk(Float32Array.from({ length: count }, (_, i) => decode(one + i)));
}

/** Relative error statistics of a batch scalar function a(m) over [1, 4) of the format. */
export function periodError(format: Format, a: (m: Float32Array) => Float32Array): ErrorStats {
  let max = 0;
  let sum = 0;
  let argmax = 1;
  let count = 0;
  forEachPeriodValue(format, (m) => {
    const y = a(m);
    for (let i = 0; i < m.length; i++) {
      const e = Math.abs(y[i]! * Math.sqrt(m[i]!) - 1);
      sum += e;
      count++;
      if (e > max || Number.isNaN(e)) {
        max = e;
        argmax = m[i]!;
      }
    }
  });
  return { max, mean: sum / count, argmax, count };
}

/** Exhaustive relative error of a FISR entry with `steps` Newton steps (kernel bits). */
export function fisrError(entry: FisrEntry, steps: number): ErrorStats {
  return periodError(entry.format, (m) =>
    fisr(m, { format: entry.format, variant: entry.variant, magic: entry.magic, steps }),
  );
}

/** Exhaustive relative error of the IterL2Norm scalar path (kernel bits) in a format. */
export function iterError(format: Format, opts: InverseNormOptions): ErrorStats {
  return periodError(format, (m) => rsqrt(m, { ...opts, format }));
}
