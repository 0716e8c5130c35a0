/**
 * The row algorithm of assembly/rows.ts in plain TS, f32-rounded at every
 * operation: shifted mean, Σy², a from m by the chosen method, output scaling, and
 * the same edge rules. Reductions run in index order (the wasm kernel sums in
 * f32x4 lanes), so rows agree with the kernel within summation-order error and
 * bit for bit whenever the sums are exact.
 */
import { DEFAULT_L2_EPS, DEFAULT_LAYERNORM_EPS, M_LOW } from "../constants.js";
import { DEFAULT_FISR_STEPS, MAX_ITERATIONS, QUAKE_MAGIC } from "../constants.js";
import {
  integerIn, resolveInverseNorm, resolveNormalize,
  type FisrOptions, type InverseNormOptions, type InverseNormSpec, type NormalizeOptions,
} from "../options.js";
import { exponentOf, fisrBits, iterRsqrtBits, pow2 } from "./rsqrt.js";

const f = Math.fround;

/** a ≈ 1/√m by the spec's method, bit-identical to the kernel's scalar path. */
export function inverseNormBits(m: number, spec: InverseNormSpec): number {
  if (spec.method === "iter") return iterRsqrtBits(m, spec.policy, spec.c, spec.steps);
  if (spec.method === "fisr") return fisrBits(m, spec.magic, spec.steps);
  return f(1 / f(Math.sqrt(f(m))));
}

function rows(x: Float32Array, opts: NormalizeOptions, layer: boolean): Float32Array {
  const spec = resolveNormalize(x, opts, layer ? DEFAULT_LAYERNORM_EPS : DEFAULT_L2_EPS, layer);
  const { dim, gamma, beta, inverse } = spec;
  const out = spec.out ?? new Float32Array(x.length);
  const d = f(dim);
  const invD = f(1 / d);
  const sqrtD = f(Math.sqrt(d));
  const epsTerm = layer ? f(d * spec.eps) : spec.eps;
  const aFromM = (m: number): number => (m === Infinity ? 0 : inverseNormBits(m, inverse));

  for (let r = 0; r < spec.rows; r++) {
    const o = r * dim;
    let src: Float32Array = x;
    const mean = (): number => {
      const x0 = src[o]!;
      let s = 0;
      for (let i = 0; i < dim; i++) s = f(s + f(src[o + i]! - x0));
      return f(x0 + f(s * invD));
    };
    const sumSquares = (mu: number): number => {
      let s = 0;
      for (let i = 0; i < dim; i++) {
        const y = f(src[o + i]! - mu);
        s = f(s + f(y * y));
      }
      return s;
    };
    let mu = layer ? mean() : 0;
    let m = f(sumSquares(mu) + epsTerm);
    let a: number;
    if (m >= M_LOW && m < Infinity) {
      a = aFromM(m);
    } else {
      let big = 0;
      for (let i = 0; i < dim; i++) {
        const v = Math.abs(src[o + i]!);
        big = v > big || Number.isNaN(v) ? v : big;
        if (Number.isNaN(big)) break;
      }
      if (!(big < Infinity)) {
        out.fill(NaN, o, o + dim);
        continue;
      }
      if (big === 0) {
        a = 0;
        mu = 0;
      } else {
        const s = pow2(Math.min(126, Math.max(-126, -exponentOf(big))));
        for (let i = 0; i < dim; i++) out[o + i] = f(src[o + i]! * s);
        src = out;
        mu = layer ? mean() : 0;
        m = f(sumSquares(mu) + f(f(epsTerm * s) * s));
        a = m > 0 ? aFromM(m) : 0;
      }
    }
    const scale = layer ? f(sqrtD * a) : a;
    for (let i = 0; i < dim; i++) {
      let v = f(f(src[o + i]! - mu) * scale);
      if (gamma) v = f(v * gamma[i]!);
      if (beta) v = f(v + beta[i]!);
      out[o + i] = v;
    }
  }
  return out;
}

/** LayerNorm by the IterL2Norm spec (or opts.method) in plain TS with f32 rounding. */
export function layerNormIter(x: Float32Array, opts: NormalizeOptions): Float32Array {
  return rows(x, opts, true);
}

/** L2 normalisation by the IterL2Norm spec in plain TS with f32 rounding. */
export function l2NormalizeIter(x: Float32Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Float32Array {
  return rows(x, opts, false);
}

/** The IterL2Norm scalar iteration a ≈ 1/√m in plain TS, bit-identical to the wasm rsqrt. */
export function rsqrtIter(m: number, opts?: InverseNormOptions): number {
  return inverseNormBits(m, resolveInverseNorm(opts));
}

/** Quake III Q_rsqrt in plain TS, bit-identical to the wasm fisr (same options). */
export function fisr(m: number, opts: FisrOptions = {}): number {
  const magic = integerIn("opts.magic", opts.magic, 0, 0xffffffff, QUAKE_MAGIC);
  const steps = integerIn("opts.steps", opts.steps, 0, MAX_ITERATIONS, DEFAULT_FISR_STEPS);
  return fisrBits(m, magic, steps);
}
