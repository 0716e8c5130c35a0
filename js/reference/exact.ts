/** Float64 ground truth: LayerNorm and L2 normalisation computed in double precision. */
import { DEFAULT_L2_EPS, DEFAULT_LAYERNORM_EPS } from "../constants.js";
import type { NormalizeOptions } from "../options.js";
import { resolveNormalize } from "../resolve.js";

function rowsExact(x: Float32Array, opts: NormalizeOptions, layer: boolean): Float64Array {
  const spec = resolveNormalize(x, opts, layer ? DEFAULT_LAYERNORM_EPS : DEFAULT_L2_EPS, layer);
  const { dim, rows, gamma, beta } = spec;
  const eps = opts.eps ?? (layer ? DEFAULT_LAYERNORM_EPS : DEFAULT_L2_EPS);
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let finite = true;
    let mu = 0;
    for (let i = 0; i < dim; i++) {
      const v = x[o + i]!;
      if (!Number.isFinite(v)) finite = false;
      mu += v;
    }
    if (!finite) {
      out.fill(NaN, o, o + dim);
      continue;
    }
    mu = layer ? mu / dim : 0;
    let ss = 0;
    for (let i = 0; i < dim; i++) ss += (x[o + i]! - mu) ** 2;
    const m = layer ? ss / dim + eps : ss + eps;
    const inv = m > 0 ? 1 / Math.sqrt(m) : 0;
    for (let i = 0; i < dim; i++) {
      const y = (x[o + i]! - mu) * inv;
      out[o + i] = layer ? y * (gamma ? gamma[i]! : 1) + (beta ? beta[i]! : 0) : y;
    }
  }
  return out;
}

/**
 * LayerNorm in float64 (biased variance, var + ε), the ground truth for error
 * measurements. Rows containing NaN or ±Inf give NaN; a zero-variance row with
 * ε = 0 gives β (docs/design.md §4).
 */
export function layerNormExact(x: Float32Array, opts: NormalizeOptions): Float64Array {
  return rowsExact(x, opts, true);
}

/** L2 normalisation x/√(Σx² + ε) in float64; an all-zero row gives zeros. */
export function l2NormalizeExact(x: Float32Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Float64Array {
  return rowsExact(x, opts, false);
}
