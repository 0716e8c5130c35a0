/**
 * A carefully written plain-JS LayerNorm and L2 normalisation, so the JS side of
 * the comparison is fair: no validation or allocation per call, float64
 * accumulators, four independent partial sums, two passes per row (statistics of
 * the row shifted by its first value, then one fused output loop), and 1/√ once
 * per row. The naive baseline is reference.layerNormNaive / l2NormalizeNaive.
 */

/**
 * LayerNorm of rows·dim values of x into out (out may be x):
 * out_i = (x_i − μ)·(1/√(var + ε))·γ_i + β_i, biased variance, in float64 arithmetic.
 */
export function layerNormJs(
  x: Float32Array,
  out: Float32Array,
  dim: number,
  gamma: Float32Array,
  beta: Float32Array,
  eps: number,
): Float32Array {
  const rows = (x.length / dim) | 0;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    const x0 = x[o]!;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0,
      q0 = 0,
      q1 = 0,
      q2 = 0,
      q3 = 0;
    let i = 0;
    for (; i + 4 <= dim; i += 4) {
      const a = x[o + i]! - x0,
        b = x[o + i + 1]! - x0,
        c = x[o + i + 2]! - x0,
        d = x[o + i + 3]! - x0;
      s0 += a;
      s1 += b;
      s2 += c;
      s3 += d;
      q0 += a * a;
      q1 += b * b;
      q2 += c * c;
      q3 += d * d;
    }
    for (; i < dim; i++) {
      const a = x[o + i]! - x0;
      s0 += a;
      q0 += a * a;
    }
    const s = s0 + s1 + (s2 + s3);
    const c = s / dim; // μ − x0
    const variance = Math.max(0, (q0 + q1 + (q2 + q3)) / dim - c * c);
    const mean = x0 + c;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let j = 0; j < dim; j++) out[o + j] = (x[o + j]! - mean) * inv * gamma[j]! + beta[j]!;
  }
  return out;
}

/** L2 normalisation of rows·dim values of x into out: out_i = x_i/√(Σx² + ε), in float64 arithmetic. */
export function l2NormalizeJs(x: Float32Array, out: Float32Array, dim: number, eps: number): Float32Array {
  const rows = (x.length / dim) | 0;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let q0 = 0,
      q1 = 0,
      q2 = 0,
      q3 = 0;
    let i = 0;
    for (; i + 4 <= dim; i += 4) {
      const a = x[o + i]!,
        b = x[o + i + 1]!,
        c = x[o + i + 2]!,
        d = x[o + i + 3]!;
      q0 += a * a;
      q1 += b * b;
      q2 += c * c;
      q3 += d * d;
    }
    for (; i < dim; i++) q0 += x[o + i]! * x[o + i]!;
    const m = q0 + q1 + (q2 + q3) + eps;
    const inv = m > 0 ? 1 / Math.sqrt(m) : 0;
    for (let j = 0; j < dim; j++) out[o + j] = x[o + j]! * inv;
  }
  return out;
}

/** Quake III Q_rsqrt in JS: the bit trick through a Float32Array / Uint32Array pair on one buffer. */
const aliasF = new Float32Array(1);
const aliasU = new Uint32Array(aliasF.buffer);

/** out_i = Q_rsqrt(m_i) with the Quake magic 0x5f3759df and one Newton step (f32 storage, f64 arithmetic). */
export function qRsqrtJs(m: Float32Array, out: Float32Array): Float32Array {
  for (let i = 0; i < m.length; i++) {
    const x = m[i]!;
    aliasF[0] = x;
    aliasU[0] = 0x5f3759df - (aliasU[0]! >>> 1);
    const y = aliasF[0]!;
    out[i] = y * (1.5 - 0.5 * x * y * y);
  }
  return out;
}

/** out_i = 1/Math.sqrt(m_i) (f64 arithmetic, stored to f32). */
export function invSqrtJs(m: Float32Array, out: Float32Array): Float32Array {
  for (let i = 0; i < m.length; i++) out[i] = 1 / Math.sqrt(m[i]!);
  return out;
}

/** λ constant of the paper preset as f32 (arXiv 2412.04778: c = ln(1000)/20 ≈ 0.345). */
const PAPER_C_F32 = Math.fround(0.345);
/** Significand field of √2 in f32 (0x3FB504F3): a₀ for odd e + 1 (docs/design.md §1 step 5). */
const SQRT2_SIGNIFICAND = 0x3fb504f3 & 0x7fffff;

/**
 * The IterL2Norm paper-preset iteration in plain JS for m in [2^−64, 2^64) (the
 * exponent range where no pre-scaling is needed): a₀ and λ from the exponent bits
 * (typed-array aliasing), then `steps` updates with every operation rounded by
 * Math.fround in the order of docs/design.md §1 step 7. Bit-identical to reference.rsqrtIter
 * there (checked by the rsqrt suite and tests/bench-baselines.test.ts).
 */
export function iterRsqrtJs(m: Float32Array, out: Float32Array, steps: number): Float32Array {
  for (let i = 0; i < m.length; i++) out[i] = iterRsqrtOneJs(m[i]!, steps);
  return out;
}

/** iterRsqrtJs on one value v (an f32 in [2^−64, 2^64)). */
function iterRsqrtOneJs(v: number, steps: number): number {
  const f = Math.fround;
  aliasF[0] = v;
  const e = ((aliasU[0]! >>> 23) & 0xff) - 127;
  const k = e + 1;
  aliasU[0] = (k & 1) === 0 ? (127 - (k >> 1)) << 23 : ((127 - ((k + 1) >> 1)) << 23) | SQRT2_SIGNIFICAND;
  let a = aliasF[0]!;
  aliasU[0] = (127 - e) << 23;
  const lm = f(f(PAPER_C_F32 * aliasF[0]!) * v);
  for (let s = 0; s < steps; s++) {
    const t = f(1 - f(v * f(a * a)));
    a = f(a + f(f(lm * a) * t));
  }
  return a;
}

// ── Dependent chains (latency) ──────────────────────────────────────────────
// Each step's m is the previous step's result, m ← a(m), so a step cannot start before the
// one before it ends: the time per step is the latency of one a ≈ 1/√m. The chain
// converges to the method's fixed point near m = 1 (a(1) ≈ 1).

/** `steps` times m ← 1/Math.sqrt(m) in float64 (what a JS expression computes); returns the last m. */
export function invSqrtChainJs(m: number, steps: number): number {
  for (let i = 0; i < steps; i++) m = 1 / Math.sqrt(m);
  return m;
}

/** `steps` times m ← Q_rsqrt(m) as qRsqrtJs computes it (the bit trick through f32 storage); returns the last m. */
export function qRsqrtChainJs(m: number, steps: number): number {
  for (let i = 0; i < steps; i++) {
    aliasF[0] = m;
    aliasU[0] = 0x5f3759df - (aliasU[0]! >>> 1);
    const y = aliasF[0]!;
    m = y * (1.5 - 0.5 * m * y * y);
  }
  return m;
}

/**
 * `steps` times m ← a(m) by iterRsqrtJs's arithmetic (paper preset, `iterations` updates, every
 * operation rounded by Math.fround); m must stay in [2^−64, 2^64), as it does near 1. Returns the
 * last m.
 */
export function iterRsqrtChainJs(m: number, steps: number, iterations: number): number {
  m = Math.fround(m);
  for (let i = 0; i < steps; i++) m = iterRsqrtOneJs(m, iterations);
  return m;
}
