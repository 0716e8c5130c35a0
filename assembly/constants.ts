// Named constants of the kernel, each with its source. The JS side reads the
// enum values from the module's exports (see index.ts), so they are written once.

/** Paper's update-rate constant c in λ = c·2^(−e): ln(1000)/20 = 0.345 (IterL2Norm, arXiv 2412.04778, λ bound). */
export const PAPER_C: f32 = 0.345;

/** √2 as f32, 0x3FB504F3 = 1.41421353816986083984375: significand of a₀ for odd e+1 (docs/design.md §1 step 5). */
export const SQRT2_F32: f32 = reinterpret<f32>(0x3fb504f3);

/**
 * The scalar iteration runs on m directly while its exponent e lies in
 * [−E_DIRECT, E_DIRECT − 1]; there a₀², λ and λ·m stay normal f32 numbers.
 * Outside it, m is first scaled by an even power of two (exact) and the result
 * scaled back (exact), which gives the same bits as unbounded-exponent f32.
 */
export const E_DIRECT: i32 = 64;

/**
 * Rows whose Σy² (plus the ε term) is below 2^−64 or not finite take the
 * rescaling path: the row is multiplied by an exact power of two so that
 * max|x| ∈ [1, 2) before the statistics are taken again. Above 2^−64 the
 * squares lost to f32 underflow (each < 2^−150 after rounding) cost at most
 * d·2^−86 relative error in Σy².
 */
export const M_LOW: f32 = reinterpret<f32>(0x1f800000); // 2^-64

// Method that turns m = Σy² into a = 1/√m.
export const METHOD_ITER: i32 = 0; // IterL2Norm iteration (no division, no square root)
export const METHOD_SQRT: i32 = 1; // f32.sqrt then 1/x (two rounded operations)
export const METHOD_FISR: i32 = 2; // magic-constant seed + Newton steps (Quake III Q_rsqrt)

// Update-rate policy of the iteration (docs/design.md §1 step 6).
export const LAMBDA_PAPER: i32 = 0; // λ = 0.345·2^(−e)
export const LAMBDA_POW2: i32 = 1; // λ = 2^(−(e+1))
export const LAMBDA_NEWTON: i32 = 2; // λ·m = 1/2 exactly: Newton's method for 1/√m
export const LAMBDA_CUSTOM: i32 = 3; // λ = c·2^(−e), c given by the caller

/** Quake III Arena Q_rsqrt magic constant (id Software, q_math.c, 1999). */
export const QUAKE_MAGIC: u32 = 0x5f3759df;

// Status codes of the row kernels (0 = done).
export const STATUS_OK: i32 = 0;
export const STATUS_BAD_SHAPE: i32 = -1; // rows < 0 or dim < 1
export const STATUS_OUT_OF_BOUNDS: i32 = -2; // a buffer reaches past the end of memory
export const STATUS_BAD_PARAM: i32 = -3; // unknown method or λ policy, steps < 0, eps < 0 or not finite

/** True when `method` is one of METHOD_*. */
// @ts-ignore: decorator
@inline export function isMethod(method: i32): bool {
  return method >= METHOD_ITER && method <= METHOD_FISR;
}

// ── Reduced-precision datapaths (docs/design.md §3) ─────────────────────────

// Working format F of a datapath: every arithmetic result is rounded to F.
export const FORMAT_FP32: i32 = 0; // IEEE binary32 (native)
export const FORMAT_BF16: i32 = 1; // bfloat16: 8 exponent bits, 7 fraction bits (Google Brain / PyTorch)
export const FORMAT_FP16: i32 = 2; // IEEE binary16: 5 exponent bits, 10 fraction bits

// Where the reductions Σx and Σy² accumulate (docs/design.md §3).
export const ACCUMULATE_FP32: i32 = 0; // products and sums in f32, the result rounded to F once
export const ACCUMULATE_NATIVE: i32 = 1; // every product and partial sum rounded to F

// Layout of x and out in memory for the format kernels.
export const IO_F32: i32 = 0; // f32 values (rounded to F on entry; out holds F values as f32)
export const IO_BITS: i32 = 1; // raw 16-bit patterns of F (u16, little endian)

// FISR variant: the Newton step form and its default magic constant.
export const FISR_QUAKE: i32 = 0; // y·(1.5 − x2·y·y), x2 = 0.5·x (Quake III q_math.c)
export const FISR_LOMONT: i32 = 1; // same step, Lomont's magic (FP32 only)
export const FISR_WALCZYK: i32 = 2; // y·(k − x2·y·y), k = 1.50087896 then 1.50000057 (FP32 only)
export const FISR_KADLEC: i32 = 3; // 0.703952253·y·(2.38924456 − x·y·y) then Quake steps (FP32 only)

/** Lomont's magic constant, optimal after one Newton step (C. Lomont, "Fast Inverse Square Root", 2003). */
export const LOMONT_MAGIC: u32 = 0x5f375a86;
/**
 * Magic constant of Walczyk, Moroz & Cieśliński, "Improving the Accuracy of the Fast
 * Inverse Square Root by Modifying Newton–Raphson Corrections", Entropy 23(1):86, 2021
 * (arXiv:1802.06302, InvSqrt with modified corrections).
 */
export const WALCZYK_MAGIC: u32 = 0x5f376908;
/** Walczyk–Moroz–Cieśliński first modified Newton coefficient 1.50087896 (same source). */
export const WALCZYK_K1: f32 = 1.50087896;
/** Walczyk–Moroz–Cieśliński second modified Newton coefficient 1.50000057 (same source). */
export const WALCZYK_K2: f32 = 1.50000057;
/** Jan Kadlec's magic constant ("rrrola", inv_sqrt search program, rrrola.wz.cz/inv_sqrt.html, 2010). */
export const KADLEC_MAGIC: u32 = 0x5f1ffff9;
/** Kadlec's outer factor 0.703952253 (same source). */
export const KADLEC_K1: f32 = 0.703952253;
/** Kadlec's inner constant 2.38924456 (same source). */
export const KADLEC_K2: f32 = 2.38924456;
/** BF16 magic on the 16-bit pattern: the upper half of Quake III's 0x5f3759df. */
export const BF16_MAGIC: u32 = 0x5f37;
/** Alternative BF16 magic, kept for comparison (no publication traced; measured in docs/precision.md). */
export const BF16_MAGIC_ALT: u32 = 0x5f35;
/**
 * FP16 magic on the 16-bit pattern: Quake's constant carried to binary16,
 * round(1.5·2^10·(15 − σ)) with Quake's σ = 127 − 0x5f3759df/(1.5·2^23) ≈ 0.0450466.
 */
export const FP16_MAGIC: u32 = 0x59bb;
/** Alternative FP16 magic, kept for comparison (no publication traced; measured in docs/precision.md). */
export const FP16_MAGIC_ALT: u32 = 0x59b7;

/** Rows of a BF16 datapath whose m is below 2^−64 are rescaled first (BF16 has f32's exponent range). */
export const M_LOW_BF16: f32 = reinterpret<f32>(0x1f800000); // 2^-64
/** Rows of an FP16 datapath whose m is below 2^−14 (smallest normal FP16) are rescaled first. */
export const M_LOW_FP16: f32 = reinterpret<f32>(0x38800000); // 2^-14

/** Status of the format kernels: unknown format, accumulate mode, I/O layout or FISR variant. */
export const STATUS_BAD_FORMAT: i32 = -4;
