/**
 * Deterministic benchmark data: a seeded PRNG (mulberry32, T. Ettinger, public
 * domain) and normally distributed rows (Box–Muller), so every run and every
 * implementation sees the same numbers.
 */

/** A uniform generator on [0, 1) from a 32-bit seed (mulberry32). */
export function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal generator (Box–Muller on `uniform(seed)`). */
export function normal(seed: number): () => number {
  const u = uniform(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const t = 2 * Math.PI * u();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

/**
 * Fills `out` with rows of `dim` values: row r is N(μ_r, σ_r²) with μ_r drawn from
 * N(0, 1) and σ_r from [0.5, 2), like activations entering a LayerNorm (each row
 * has its own offset and spread, so no row is centred by construction).
 */
export function fillRows(out: Float32Array, dim: number, seed: number): Float32Array {
  const n = normal(seed);
  const u = uniform(seed ^ 0x9e3779b9);
  for (let o = 0; o < out.length; o += dim) {
    const mu = n();
    const sigma = 0.5 + 1.5 * u();
    const end = Math.min(out.length, o + dim);
    for (let i = o; i < end; i++) out[i] = mu + sigma * n();
  }
  return out;
}

/** γ near 1 and β near 0 (per-column affine parameters of a trained LayerNorm). */
export function fillAffine(gamma: Float32Array, beta: Float32Array, seed: number): void {
  const n = normal(seed);
  for (let i = 0; i < gamma.length; i++) gamma[i] = 1 + 0.1 * n();
  for (let i = 0; i < beta.length; i++) beta[i] = 0.1 * n();
}

/** n values of m = Σy² spread log-uniformly over [2^lo, 2^hi) (inputs of the scalar rsqrt benchmark). */
export function logUniform(n: number, lo: number, hi: number, seed: number): Float32Array {
  const u = uniform(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 ** (lo + (hi - lo) * u());
  return out;
}
