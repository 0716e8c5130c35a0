/**
 * Named constants of the macro model, each with its source. Per-unit costs live
 * in cost-table.ts; this file holds the published anchors and the model's
 * structural constants.
 */

/**
 * The only latencies the paper publishes for its 32/28 nm macro at 100 MHz / 1.05 V:
 * 116 cycles at d = 64 and 227 cycles at d = 1024 (arXiv 2412.04778 v2; v1 gave
 * 112–227). DEFAULT_MACRO is calibrated to these two points (docs/hardware.md).
 */
export const PAPER_LATENCY: Readonly<Record<64 | 1024, number>> = Object.freeze({ 64: 116, 1024: 227 });

/** Clock and supply of the paper's latency figures (arXiv 2412.04778 v2). */
export const PAPER_CLOCK_MHZ = 100;
export const PAPER_VOLTAGE = 1.05;

/** Vector lengths the paper's macro accepts, 64 ≤ d ≤ 1024 (arXiv 2412.04778). */
export const PAPER_MIN_DIM = 64;
export const PAPER_MAX_DIM = 1024;

/** The d values of the latency and comparison tables. */
export const TABLE_DIMS: readonly number[] = Object.freeze([64, 128, 256, 512, 768, 1024]);

/** Significand bits (with the hidden bit) of the working formats: IEEE binary32; bfloat16 (Google Brain). */
export const SIGNIFICAND_BITS = Object.freeze({ fp32: 24, bf16: 8 });

/** Storage bits of one element in the working formats. */
export const WORD_BITS = Object.freeze({ fp32: 32, bf16: 16 });

/** Width of the reduction tree, the partial-sum row and the scalar unit: FP32 in both formats (docs/design.md §3). */
export const ACCUMULATOR_BITS = 32;

/** Width of an exponent field (binary32 and bfloat16 share it): the max-exponent unit compares 8-bit fields. */
export const EXPONENT_BITS = 8;

/**
 * Extra cycles of a radix-2 digit-recurrence divider or square-root unit beyond one
 * per significand bit: two guard bits and one cycle of rounding / normalisation
 * (S. F. Oberman, M. J. Flynn, "Division algorithms and implementations",
 * IEEE Trans. Computers 46(8), 1997: radix 2 retires one quotient bit per cycle).
 */
export const DIGIT_RECURRENCE_EXTRA_CYCLES = 3;

/** Largest buffer size (words) a configuration may ask for. */
export const MAX_MACRO_DIM = 65536;

/** Largest lane count a configuration may ask for. */
export const MAX_LANES = 1024;

/** Largest pipeline depth of a fully pipelined unit, and of the iterative sqrt / divide units. */
export const MAX_PIPELINE = 64;
export const MAX_ITERATIVE = 256;
