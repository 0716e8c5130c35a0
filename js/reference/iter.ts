/**
 * The row algorithm of assembly/rows.ts in plain TS, f32-rounded at every
 * operation: shifted mean, Σy², a from m by the chosen method, output scaling, and
 * the same edge rules. Reductions run in the kernel's summation order (./sum.ts),
 * so rows agree with the kernel, SIMD and scalar builds alike, bit for bit.
 */
import { DEFAULT_L2_EPS, DEFAULT_LAYERNORM_EPS, M_LOW } from "../constants.js";
import type { FisrOptions, Format, InverseNormOptions, InverseNormSpec, NormalizeOptions } from "../options.js";
import { resolveFisr, resolveFormat, resolveInverseNorm, resolveNormalize } from "../resolve.js";
import { describe } from "../validate.js";
import { rowsFormat } from "./format.js";
import { centreRow } from "./centre.js";
import { kernelSum } from "./sum.js";
import { exponentOf, fisrFormat, iterRsqrtBits, iterRsqrtFormat, pow2, sqrtFormat } from "./rsqrt.js";

const f = Math.fround;

/** a ≈ 1/√m by the spec's method (in the spec's format), bit-identical to the kernel's scalar path. */
export function inverseNormBits(m: number, spec: InverseNormSpec): number {
  const format = spec.format ?? "fp32";
  if (spec.method === "iter") {
    return format === "fp32"
      ? iterRsqrtBits(m, spec.policy, spec.c, spec.steps)
      : iterRsqrtFormat(m, format, spec.policy, spec.c, spec.steps);
  }
  if (spec.method === "fisr") return fisrFormat(m, format, spec.variant ?? "quake", spec.magic, spec.steps);
  return sqrtFormat(m, format);
}

function rows(x: Float32Array | Uint16Array, opts: NormalizeOptions, layer: boolean): Float32Array | Uint16Array {
  const spec = resolveNormalize(x, opts, layer ? DEFAULT_LAYERNORM_EPS : DEFAULT_L2_EPS, layer);
  if (spec.format !== "fp32") return rowsFormat(spec, layer, (m) => inverseNormBits(m, spec.inverse));
  const { dim, gamma, beta, inverse } = spec;
  const out = spec.out ?? new Float32Array(x.length);
  const d = f(dim);
  const invD = f(1 / d);
  const sqrtD = f(Math.sqrt(d));
  const epsTerm = layer ? f(d * spec.eps) : spec.eps;
  const aFromM = (m: number): number => (m === Infinity ? 0 : inverseNormBits(m, inverse));

  for (let r = 0; r < spec.rows; r++) {
    const o = r * dim;
    let src = x as Float32Array;
    // The centring rule (docs/design.md §1 step 2, ./centre.ts): Σy² about c = f(x₀ + δ); rows
    // whose err = (x₀ + δ) − c is large against their spread correct m by P = d·err² and
    // subtract err in the output. One shift is y = f(f(x − c) − 0) = f(x − c) exactly.
    let c = 0;
    let err = 0;
    const sumSquaresAbout = (about: number): number =>
      kernelSum(dim, (i) => {
        const yi = f(src[o + i]! - about);
        return f(yi * yi);
      });
    const stats = (eps: number): number => {
      c = 0;
      err = 0;
      if (!layer) return f(sumSquaresAbout(0) + eps);
      const x0 = src[o]!;
      const row = centreRow(x0, f(kernelSum(dim, (i) => f(src[o + i]! - x0)) * invD), d, f, sumSquaresAbout);
      c = row.c;
      err = row.err;
      return f(row.q + eps);
    };
    const y = (i: number): number => f(f(src[o + i]! - c) - err);
    let m = stats(epsTerm);
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
        c = 0;
        err = 0;
      } else {
        const s = pow2(Math.min(126, Math.max(-126, -exponentOf(big))));
        for (let i = 0; i < dim; i++) out[o + i] = f(src[o + i]! * s);
        src = out;
        m = stats(f(f(epsTerm * s) * s));
        a = m > 0 ? aFromM(m) : 0;
      }
    }
    const scale = layer ? f(sqrtD * a) : a;
    for (let i = 0; i < dim; i++) {
      let v = f(y(i) * scale);
      if (gamma) v = f(v * gamma[i]!);
      if (beta) v = f(v + beta[i]!);
      out[o + i] = v;
    }
  }
  return out;
}

/**
 * LayerNorm by the IterL2Norm spec (or opts.method) in plain TS with f32 rounding,
 * or with opts.format 'bf16' / 'fp16' the BF16/FP16 datapath (bit-identical to the kernel).
 */
export function layerNormIter(x: Float32Array, opts: NormalizeOptions): Float32Array;
export function layerNormIter(x: Uint16Array, opts: NormalizeOptions): Uint16Array;
export function layerNormIter(x: Float32Array | Uint16Array, opts: NormalizeOptions): Float32Array | Uint16Array {
  return rows(x, opts, true);
}

/** L2 normalisation by the IterL2Norm spec in plain TS with f32 rounding (or opts.format's datapath). */
export function l2NormalizeIter(x: Float32Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Float32Array;
export function l2NormalizeIter(x: Uint16Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Uint16Array;
export function l2NormalizeIter(
  x: Float32Array | Uint16Array,
  opts: Omit<NormalizeOptions, "gamma" | "beta">,
): Float32Array | Uint16Array {
  return rows(x, opts, false);
}

/** The IterL2Norm scalar iteration a ≈ 1/√m in plain TS, bit-identical to the wasm rsqrt. */
export function rsqrtIter(m: number, opts?: InverseNormOptions): number {
  return inverseNormBits(m, resolveInverseNorm(opts));
}

/** Quake III Q_rsqrt (and its variants and 16-bit forms) in plain TS, bit-identical to the wasm fisr (same options). */
export function fisr(m: number, opts: FisrOptions & { format?: Format } = {}): number {
  if (typeof opts !== "object" || opts === null)
    throw new TypeError(`opts must be an options object; got ${describe(opts)}`);
  const { format: fmt, ...rest } = opts;
  const format = resolveFormat("opts.format", fmt);
  const { variant, magic, steps } = resolveFisr("opts", rest, format);
  return fisrFormat(m, format, variant, magic, steps);
}
