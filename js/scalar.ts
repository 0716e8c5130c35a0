/** rsqrt and fisr: the scalar path alone, on one number or on a Float32Array of values. */
import { inverseNormArgs } from "./abi.js";
import { MAX_ITERATIONS, QUAKE_MAGIC, DEFAULT_FISR_STEPS } from "./constants.js";
import { f32View, scratch } from "./memory.js";
import { describe, integerIn, resolveInverseNorm, type FisrOptions, type InverseNormOptions, type InverseNormSpec } from "./options.js";
import { kernel } from "./wasm.js";

function batch(m: Float32Array, spec: InverseNormSpec): Float32Array {
  const out = new Float32Array(m.length);
  if (m.length === 0) return out;
  const base = scratch.reserve(m.byteLength * 2);
  f32View(base, m.length).set(m);
  const a = inverseNormArgs(spec);
  const status = kernel.rsqrt_batch(base, base + m.byteLength, m.length, a.method, a.policy, a.c, a.steps, a.magic);
  if (status !== 0) throw new Error(`iterl2norm: kernel rejected a validated call (status ${status}); this is a bug`);
  out.set(f32View(base + m.byteLength, m.length));
  return out;
}

function checkM(m: unknown): void {
  if (typeof m !== "number" && !(m instanceof Float32Array)) {
    throw new TypeError(`m must be a number or a Float32Array; got ${describe(m)}`);
  }
}

/**
 * a ≈ 1/√m by the IterL2Norm iteration (no division, no square root), rounded as
 * f32 at every step. m is rounded to f32 first. ±0 → ±Infinity, Infinity → 0,
 * negative or NaN → NaN. A Float32Array gives a Float32Array.
 *
 * @example
 * rsqrt(2)                         // 0.70710…, paper preset (λ = 0.345·2^(−e), 5 steps)
 * rsqrt(2, { preset: "precise" })  // Newton step: within f32 rounding of 1/√2
 */
export function rsqrt(m: number, opts?: InverseNormOptions): number;
export function rsqrt(m: Float32Array, opts?: InverseNormOptions): Float32Array;
export function rsqrt(m: number | Float32Array, opts?: InverseNormOptions): number | Float32Array {
  checkM(m);
  const spec = resolveInverseNorm(opts);
  if (m instanceof Float32Array) return batch(m, spec);
  const a = inverseNormArgs(spec);
  if (spec.method === "iter") return kernel.rsqrt_iter(m, a.policy, a.c, a.steps);
  if (spec.method === "fisr") return kernel.rsqrt_fisr(m, a.magic, a.steps);
  return batch(Float32Array.of(m), spec)[0]!;
}

/**
 * Fast inverse square root: Quake III's Q_rsqrt with a selectable magic constant
 * and Newton step count, bit-identical to the C original in f32.
 *
 * @example
 * fisr(2)                                    // 0x5f3759df, 1 step: 0.70693…
 * fisr(2, { magic: 0x5f375a86, steps: 2 })   // Lomont's constant, 2 steps
 */
export function fisr(m: number, opts?: FisrOptions): number;
export function fisr(m: Float32Array, opts?: FisrOptions): Float32Array;
export function fisr(m: number | Float32Array, opts?: FisrOptions): number | Float32Array {
  checkM(m);
  if (opts !== undefined && (typeof opts !== "object" || opts === null)) throw new TypeError(`opts must be an options object; got ${describe(opts)}`);
  const o = (opts ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== "magic" && key !== "steps") throw new TypeError(`opts has an unknown option ${JSON.stringify(key)}; expected one of magic, steps`);
  }
  const magic = integerIn("opts.magic", o.magic, 0, 0xffffffff, QUAKE_MAGIC);
  const steps = integerIn("opts.steps", o.steps, 0, MAX_ITERATIONS, DEFAULT_FISR_STEPS);
  const spec: InverseNormSpec = { method: "fisr", policy: "paper", c: 0, steps, magic };
  if (m instanceof Float32Array) return batch(m, spec);
  return kernel.rsqrt_fisr(m, magic >>> 0, steps);
}
