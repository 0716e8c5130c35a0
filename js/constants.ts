/**
 * Named constants of the JS side, each with its source. Enum values that the
 * kernel also knows (methods, λ policies, status codes) are read from the wasm
 * module's exported globals in wasm.ts, not repeated here.
 */

/** Paper's update-rate constant c in λ = c·2^(−e): ln(1000)/20 ≈ 0.345 (arXiv 2412.04778, λ bound with δc = 10⁻³, n_c = 10). */
export const PAPER_C = Math.fround(0.345);

/** √2 rounded to f32 (bits 0x3FB504F3): the significand of a₀ when e+1 is odd (DESIGN.md §1 step 5). */
export const SQRT2_F32 = Math.fround(Math.SQRT2);

/** The scalar iteration runs on m directly for exponents in [−E_DIRECT, E_DIRECT − 1] (see assembly/constants.ts). */
export const E_DIRECT = 64;

/** Rows whose Σy² + ε-term is below 2^−64 (or not finite) are rescaled by a power of two first (assembly/constants.ts). */
export const M_LOW = 2 ** -64;

/** Quake III Arena Q_rsqrt magic constant (id Software, q_math.c, 1999). */
export const QUAKE_MAGIC = 0x5f3759df;

/** Default number of IterL2Norm update steps: the paper's five (arXiv 2412.04778, abstract). */
export const DEFAULT_ITERATIONS = 5;

/** Default FISR Newton steps: one, as in Q_rsqrt. */
export const DEFAULT_FISR_STEPS = 1;

/** LayerNorm ε default: torch.nn.LayerNorm's 1e-5, added to the biased variance. */
export const DEFAULT_LAYERNORM_EPS = 1e-5;

/** L2 ε default: 0 (exact normalisation; an all-zero row still gives zeros). */
export const DEFAULT_L2_EPS = 0;

/** Largest row length: 2^24, so d and 1/d are exact-enough f32 per-d constants. */
export const MAX_DIM = 2 ** 24;

/** Largest iteration / Newton step count accepted. */
export const MAX_ITERATIONS = 100;
