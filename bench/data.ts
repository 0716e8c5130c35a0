/**
 * Deterministic benchmark data from the package's seeded generator (random.ts),
 * so every run and every implementation sees the same numbers.
 */
import { Rng } from "./random.js";

/** A uniform generator on [0, 1) from a seed. */
export function uniform(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.uniform();
}

/** A standard normal generator from a seed. */
export function normal(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.normal();
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
