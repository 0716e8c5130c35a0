/**
 * What a user writes by hand: Float32Array loops with Math.sqrt (JS arithmetic
 * in double, stored to f32). The speed baseline; it has no edge rules (a constant
 * row with ε = 0 gives NaN, huge rows overflow).
 */
import { DEFAULT_L2_EPS, DEFAULT_LAYERNORM_EPS } from "../constants.js";
import type { NormalizeOptions, NormalizeSpec } from "../options.js";
import { resolveNormalize } from "../resolve.js";

/** The naive loops are FP32 code: other formats are refused rather than ignored. */
function fp32Only(spec: NormalizeSpec): NormalizeSpec {
  if (spec.format !== "fp32")
    throw new RangeError(`opts.format must be "fp32" for the naive reference; got ${JSON.stringify(spec.format)}`);
  return spec;
}

/** LayerNorm the straightforward way. */
export function layerNormNaive(x: Float32Array, opts: NormalizeOptions): Float32Array {
  const { dim, rows, gamma, beta, eps, out: given } = fp32Only(resolveNormalize(x, opts, DEFAULT_LAYERNORM_EPS, true));
  const out = given ?? new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += x[o + i]!;
    const mean = sum / dim;
    let sq = 0;
    for (let i = 0; i < dim; i++) {
      const y = x[o + i]! - mean;
      sq += y * y;
    }
    const inv = 1 / Math.sqrt(sq / dim + eps);
    for (let i = 0; i < dim; i++) {
      out[o + i] = (x[o + i]! - mean) * inv * (gamma ? gamma[i]! : 1) + (beta ? beta[i]! : 0);
    }
  }
  return out;
}

/** L2 normalisation the straightforward way. */
export function l2NormalizeNaive(x: Float32Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Float32Array {
  const { dim, rows, eps, out: given } = fp32Only(resolveNormalize(x, opts, DEFAULT_L2_EPS, false));
  const out = given ?? new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let sq = 0;
    for (let i = 0; i < dim; i++) sq += x[o + i]! * x[o + i]!;
    const inv = 1 / Math.sqrt(sq + eps);
    for (let i = 0; i < dim; i++) out[o + i] = x[o + i]! * inv;
  }
  return out;
}
