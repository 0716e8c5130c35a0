/**
 * layerNorm and l2Normalize: validate the call (every call: options, x and out),
 * then run it (run.ts). For many calls with the same options, createLayerNorm /
 * createL2Normalize (prepared.ts) validate the options once instead.
 */
import { DEFAULT_L2_EPS, DEFAULT_LAYERNORM_EPS } from "./constants.js";
import type { NormalizeOptions, NormalizeSpec } from "./options.js";
import { resolveNormalize } from "./resolve.js";
import { planOf, runF32, runFormat } from "./run.js";

function normalize(x: unknown, opts: unknown, center: boolean): Float32Array | Uint16Array {
  const spec: NormalizeSpec = resolveNormalize(x, opts, center ? DEFAULT_LAYERNORM_EPS : DEFAULT_L2_EPS, center);
  const plan = planOf(spec);
  if (spec.format === "fp32") return runF32(spec.input as Float32Array, spec.out, plan, center);
  return runFormat(spec.input, spec.output, plan, center);
}

/**
 * LayerNorm of every row of x (rows of `opts.dim` values):
 * out = γ·(x − μ)/√(var + ε) + β with the inverse norm found by IterL2Norm
 * (or by `opts.method`). Returns `opts.out` (which may be x) or a new array.
 * The options are checked on every call; see createLayerNorm to check them once.
 *
 * @example
 * const y = layerNorm(x, { dim: 768, gamma, beta });            // paper preset
 * layerNorm(x, { dim: 768, preset: "precise", out: x });         // in place, f32-exact
 */
export function layerNorm(x: Float32Array, opts: NormalizeOptions): Float32Array;
/** LayerNorm of raw BF16/FP16 bits (opts.format 'bf16' or 'fp16'); the result holds raw bits too. */
export function layerNorm(x: Uint16Array, opts: NormalizeOptions): Uint16Array;
export function layerNorm(x: Float32Array | Uint16Array, opts: NormalizeOptions): Float32Array | Uint16Array {
  return normalize(x, opts, true);
}

/**
 * L2 normalisation of every row: out = x/√(Σx² + ε). An all-zero row stays zero.
 * The options are checked on every call; see createL2Normalize to check them once.
 *
 * @example
 * const unit = l2Normalize(embeddings, { dim: 384 });
 */
export function l2Normalize(x: Float32Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Float32Array;
/** L2 normalisation of raw BF16/FP16 bits (opts.format 'bf16' or 'fp16'); the result holds raw bits too. */
export function l2Normalize(x: Uint16Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Uint16Array;
export function l2Normalize(
  x: Float32Array | Uint16Array,
  opts: Omit<NormalizeOptions, "gamma" | "beta">,
): Float32Array | Uint16Array {
  return normalize(x, opts, false);
}
