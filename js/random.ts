/**
 * Seeded random data for demos, studies and benchmarks, so every figure can be
 * reproduced from its seed. mulberry32 (Tommy Ettinger, public domain) for
 * uniforms, Box–Muller for normals.
 */

/** A generator of floats in [0, 1) from a 32-bit seed. */
export function uniform01(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator of standard normal samples (Box–Muller) from a 32-bit seed. */
export function standardNormal(seed: number): () => number {
  const next = uniform01(seed);
  return () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** rows × dim values from N(mean, sd²), rounded to f32. */
export function normalRows(seed: number, rows: number, dim: number, mean = 0, sd = 1): Float32Array {
  const g = standardNormal(seed);
  const x = new Float32Array(rows * dim);
  for (let i = 0; i < x.length; i++) x[i] = mean + sd * g();
  return x;
}
