/**
 * The public option types of the library and the names each option accepts;
 * also the shapes of options after resolution (the specs). Nothing here runs:
 * validation lives in validate.ts (the kit) and resolve.ts (options → spec),
 * and everything past resolution trusts a spec (docs/design.md §7).
 */

/** Named settings of the iteration. */
export type Preset = "paper" | "precise";
/** Update-rate policy as given by the caller: a name, or c in λ = c·2^(−e). */
export type LambdaOption = "paper" | "pow2" | "newton" | number;
/** Update-rate policy after resolution ('custom' carries c). */
export type LambdaPolicy = "paper" | "pow2" | "newton" | "custom";
/** How a ≈ 1/√m is found: IterL2Norm, f32 sqrt + division, or fast inverse square root. */
export type Method = "iter" | "sqrt" | "fisr";

/** Working format of the datapath: every arithmetic result is rounded to it (docs/design.md §3). */
export type Format = "fp32" | "bf16" | "fp16";
/** Where the reductions accumulate: f32 with one rounding to the format, or the format itself. */
export type Accumulate = "fp32" | "native";
/**
 * FISR variant: the Newton step and its default magic. 'quake' (all formats),
 * 'lomont', 'walczyk', 'kadlec' (FP32 only; see docs/precision.md for sources).
 */
export type FisrVariant = "quake" | "lomont" | "walczyk" | "kadlec";

/** FISR settings. */
export interface FisrOptions {
  /**
   * Magic constant: 32-bit for FP32, applied to the 16-bit pattern for BF16/FP16.
   * @default the variant's: 0x5f3759df (quake), 0x5f375a86 (lomont), 0x5f376908 (walczyk),
   * 0x5f1ffff9 (kadlec); 0x5f37 for BF16, 0x59bb for FP16
   */
  magic?: number;
  /** Newton steps after the magic seed. @default 1 */
  steps?: number;
  /** Newton step form and default magic. @default 'quake' */
  variant?: FisrVariant;
}

/** Options of the scalar path (rsqrt, and the row functions). */
export interface InverseNormOptions {
  /** 'paper': λ = 0.345·2^(−e), 5 steps. 'precise': Newton step (λ·m = 1/2), 5 steps. @default 'paper' */
  preset?: Preset;
  /** Update steps of the iteration (0 gives a₀). @default 5 */
  iterations?: number;
  /**
   * Update-rate policy; a number c means λ = c·2^(−e), with 0 < c ≤ 1 after rounding to f32
   * (the kernel's c: a number below 2^−150 rounds to 0 and is refused). The iteration converges
   * for c ≤ 0.5; larger c up to 1 are accepted for study (docs/design.md §5). @default from preset
   */
  lambda?: LambdaOption;
  /** Method that turns m into a. @default 'iter' */
  method?: Method;
  /** FISR magic and steps, for method 'fisr'. */
  fisr?: FisrOptions;
  /** Working format: 'fp32', or 'bf16' / 'fp16' emulated bit-accurately. @default 'fp32' */
  format?: Format;
}

/** Options of layerNorm and l2Normalize. */
export interface NormalizeOptions extends InverseNormOptions {
  /** Row length d; x holds x.length / d whole rows. Required. */
  dim: number;
  /** Per-column scale γ (length dim; Uint16Array = raw bits of opts.format). LayerNorm only. @default all ones */
  gamma?: Float32Array | Uint16Array;
  /** Per-column shift β (length dim; Uint16Array = raw bits of opts.format). LayerNorm only. @default all zeros */
  beta?: Float32Array | Uint16Array;
  /** Added to the variance (LayerNorm, torch semantics var + ε) or to Σx² (L2). @default 1e-5 (LayerNorm), 0 (L2) */
  eps?: number;
  /** Destination (same type and length as x; may be x itself). @default a new array of x's type */
  out?: Float32Array | Uint16Array;
  /** Reductions in f32 rounded once to the format, or in the format ('native'). BF16/FP16 only. @default 'fp32' */
  accumulate?: Accumulate;
}

/** Options of createLayerNorm: those of layerNorm but out, which each call of the normaliser takes. */
export type PreparedLayerNormOptions = Omit<NormalizeOptions, "out">;
/** Options of createL2Normalize: those of l2Normalize but out. */
export type PreparedL2NormalizeOptions = Omit<NormalizeOptions, "out" | "gamma" | "beta">;

/** The scalar path after resolution. */
export interface InverseNormSpec {
  readonly method: Method;
  readonly policy: LambdaPolicy;
  /** λ constant c (the paper's 0.345 for 'paper'; unused by 'pow2' and 'newton'). */
  readonly c: number;
  /** Iteration steps (iter) or Newton steps (fisr). */
  readonly steps: number;
  /** FISR magic constant. */
  readonly magic: number;
  /** Working format; absent means 'fp32'. */
  readonly format?: Format;
  /** FISR variant; absent means 'quake'. */
  readonly variant?: FisrVariant;
}

/** The options of layerNorm / l2Normalize after resolution, without x (a prepared normaliser keeps one). */
export interface RowSpec {
  readonly inverse: InverseNormSpec;
  readonly dim: number;
  /** ε rounded to f32. */
  readonly eps: number;
  /** γ as f32 values (raw 16-bit γ already converted), or undefined for all ones. */
  readonly gamma: Float32Array | undefined;
  /** β as f32 values, or undefined for all zeros. */
  readonly beta: Float32Array | undefined;
  /** Working format (also spec.inverse.format). */
  readonly format: Format;
  /** Accumulation of the reductions (meaningful for BF16/FP16). */
  readonly accumulate: Accumulate;
}

/** A layerNorm / l2Normalize call after resolution: the options and the checked x and out. */
export interface NormalizeSpec extends RowSpec {
  readonly rows: number;
  /** out when it is a Float32Array, else undefined. */
  readonly out: Float32Array | undefined;
  /** x and out hold raw 16-bit patterns of the format (Uint16Array) instead of f32 values. */
  readonly bits: boolean;
  /** x as given (Float32Array, or Uint16Array when bits). */
  readonly input: Float32Array | Uint16Array;
  /** out as given (same type as x), or undefined. */
  readonly output: Float32Array | Uint16Array | undefined;
}

// ── The names each option accepts, and the option names of each function ────

/** The formats, accumulate modes and FISR variants by name. */
export const FORMATS: readonly Format[] = ["fp32", "bf16", "fp16"];
export const ACCUMULATES: readonly Accumulate[] = ["fp32", "native"];
export const FISR_VARIANTS: readonly FisrVariant[] = ["quake", "lomont", "walczyk", "kadlec"];
/** Methods, presets and named λ policies. */
export const METHODS: readonly Method[] = ["iter", "sqrt", "fisr"];
export const PRESET_NAMES: readonly Preset[] = ["paper", "precise"];
export const LAMBDA_NAMES: readonly LambdaPolicy[] = ["paper", "pow2", "newton"];

/** Options of rsqrt (the scalar path). */
export const SCALAR_KEYS: readonly string[] = ["preset", "iterations", "lambda", "method", "fisr", "format"];
/** Options of layerNorm. */
export const ROW_KEYS: readonly string[] = [...SCALAR_KEYS, "dim", "gamma", "beta", "eps", "out", "accumulate"];
/** Options of l2Normalize (no γ, β). */
export const L2_KEYS: readonly string[] = ROW_KEYS.filter((k) => k !== "gamma" && k !== "beta");
/** Options of createLayerNorm / createL2Normalize: those of layerNorm / l2Normalize but out (given per call). */
export const PREPARED_ROW_KEYS: readonly string[] = ROW_KEYS.filter((k) => k !== "out");
export const PREPARED_L2_KEYS: readonly string[] = L2_KEYS.filter((k) => k !== "out");
/** Options of the FISR settings object. */
export const FISR_KEYS: readonly string[] = ["magic", "steps", "variant"];
