// Named constants of the kernel, each with its source. The JS side reads the
// enum values from the module's exports (see index.ts), so they are written once.

/** Paper's update-rate constant c in λ = c·2^(−e): ln(1000)/20 = 0.345 (IterL2Norm, arXiv 2412.04778, λ bound). */
export const PAPER_C: f32 = 0.345;

/** √2 as f32, 0x3FB504F3 = 1.41421353816986083984375: significand of a₀ for odd e+1 (DESIGN.md §1 step 5). */
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

// Update-rate policy of the iteration (DESIGN.md §1 step 6).
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
