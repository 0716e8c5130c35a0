/**
 * Named constants of the JS side, each with its source. Enum values that the
 * kernel also knows (methods, λ policies, status codes) are read from the wasm
 * module's exported globals in wasm.ts, not repeated here.
 */

/**
 * Paper's update-rate constant c in λ = c·2^(−e): ln(1000)/20 ≈ 0.345 (arXiv 2412.04778, λ bound
 * with δc = 10⁻³, n_c = 10).
 */
export const PAPER_C = Math.fround(0.345);

/** √2 rounded to f32 (bits 0x3FB504F3): the significand of a₀ when e+1 is odd (docs/design.md §1 step 5). */
export const SQRT2_F32 = Math.fround(Math.SQRT2);

/** The scalar iteration runs on m directly for exponents in [−E_DIRECT, E_DIRECT − 1] (see assembly/constants.ts). */
export const E_DIRECT = 64;

/**
 * Rows whose Σy² + ε-term is below 2^−64 (or not finite) are rescaled by a power of two first
 * (assembly/constants.ts).
 */
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

// ── Reduced-precision datapaths and FISR variants (docs/design.md §3, §6) ───
// The kernel exports the same values as globals (assembly/constants.ts); the
// plain-TS references use these, and tests/fisr.test.ts checks that both agree.

/** Lomont's magic constant, optimal after one Newton step (C. Lomont, "Fast Inverse Square Root", 2003). */
export const LOMONT_MAGIC = 0x5f375a86;
/** Walczyk, Moroz & Cieśliński, Entropy 23(1):86, 2021 (arXiv:1802.06302): magic constant. */
export const WALCZYK_MAGIC = 0x5f376908;
/** Walczyk–Moroz–Cieśliński modified Newton coefficient of the first correction, as f32. */
export const WALCZYK_K1 = Math.fround(1.50087896);
/** Walczyk–Moroz–Cieśliński modified Newton coefficient of the second correction, as f32. */
export const WALCZYK_K2 = Math.fround(1.50000057);
/** Jan Kadlec's magic constant (rrrola.wz.cz/inv_sqrt.html, 2010). */
export const KADLEC_MAGIC = 0x5f1ffff9;
/** Kadlec's outer factor 0.703952253, as f32 (same source). */
export const KADLEC_K1 = Math.fround(0.703952253);
/** Kadlec's inner constant 2.38924456, as f32 (same source). */
export const KADLEC_K2 = Math.fround(2.38924456);
/** BF16 magic on the 16-bit pattern: the upper half of Quake III's 0x5f3759df. */
export const BF16_MAGIC = 0x5f37;
/** Alternative BF16 magic, kept for comparison (no publication traced). */
export const BF16_MAGIC_ALT = 0x5f35;
/** FP16 magic: Quake's constant carried to binary16, round(1.5·2^10·(15 − σ)), σ = 127 − 0x5f3759df/(1.5·2^23). */
export const FP16_MAGIC = 0x59bb;
/** Alternative FP16 magic, kept for comparison (no publication traced). */
export const FP16_MAGIC_ALT = 0x59b7;

/** BF16 rows whose m is below 2^−64 are rescaled first (as FP32: BF16 has f32's exponent range). */
export const M_LOW_BF16 = 2 ** -64;
/** FP16 rows whose m is below 2^−14, the smallest normal FP16, are rescaled first. */
export const M_LOW_FP16 = 2 ** -14;

// ── Memory limits (docs/design.md §7) ───────────────────────────────────────

/**
 * Largest wasm32 memory: 65536 pages of 64 KiB = 4 GiB (WebAssembly core spec, memory limits; the
 * module declares no smaller maximum). Grown memory is never returned: wasm has no shrink.
 */
export const MAX_MEMORY_BYTES = 2 ** 32;

/**
 * Largest block of the module's allocator: the AssemblyScript runtime's TLSF BLOCK_MAXSIZE,
 * (1 << 30) − BLOCK_OVERHEAD with a 4-byte block header on wasm32 (std/assembly/rt/common.ts).
 * A larger `alloc` traps before touching memory.
 */
export const MAX_BLOCK_BYTES = 2 ** 30 - 4;

/**
 * Default bound of the copying calls' scratch region: operands larger than this are copied and
 * normalised in chunks of whole rows (a chunk holds at least one row), so one copying call never
 * asks for more than about this much memory, and memory that cannot shrink stays modest.
 */
export const SCRATCH_CHUNK_BYTES = 2 ** 24;
