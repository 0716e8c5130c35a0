/** rsqrt and fisr: the scalar path alone, on one number or on a Float32Array of values. */
import { FORMAT_CODES, VARIANT_CODES, inverseNormArgs } from "./abi.js";
import { f32View, scratch } from "./memory.js";
import type { FisrOptions, Format, InverseNormOptions, InverseNormSpec } from "./options.js";
import { resolveFisr, resolveFormat, resolveInverseNorm } from "./resolve.js";
import { describe, plainObject } from "./validate.js";
import { isFloat32, liveLength } from "./views.js";
import { kernel } from "./wasm.js";

function batch(m: Float32Array, spec: InverseNormSpec): Float32Array {
  // The length from the internal slot (views.ts): a subclass's own length never sizes the copy.
  const n = liveLength("m", m);
  const bytes = n * 4;
  const out = new Float32Array(n);
  if (n === 0) return out;
  const base = scratch.reserve(bytes * 2);
  f32View(base, n).set(m);
  const a = inverseNormArgs(spec);
  const plain = (spec.format ?? "fp32") === "fp32" && (spec.method !== "fisr" || (spec.variant ?? "quake") === "quake");
  const status = plain
    ? kernel.rsqrt_batch(base, base + bytes, n, a.method, a.policy, a.c, a.steps, a.magic)
    : kernel.rsqrt_batch_format(base, base + bytes, n, a.format, a.method, a.policy, a.c, a.steps, a.magic, a.variant);
  if (status !== 0) throw new Error(`iterl2norm: kernel rejected a validated call (status ${status}); this is a bug`);
  out.set(f32View(base + bytes, n));
  return out;
}

function checkM(m: unknown): void {
  if (typeof m !== "number" && !isFloat32(m)) {
    throw new TypeError(`m must be a number or a Float32Array; got ${describe(m)}`);
  }
}

/**
 * a ≈ 1/√m by the IterL2Norm iteration (no division, no square root), rounded as
 * f32 at every step (or to opts.format: 'bf16' / 'fp16', with m rounded to it first).
 * ±0 → ±Infinity, Infinity → 0, negative or NaN → NaN. A Float32Array gives a Float32Array.
 *
 * @example
 * rsqrt(2)                         // 0.70710…, paper preset (λ = 0.345·2^(−e), 5 steps)
 * rsqrt(2, { preset: "precise" })  // Newton step: within f32 rounding of 1/√2
 * rsqrt(2, { format: "bf16" })     // 0.70703125, every step rounded to BF16
 */
export function rsqrt(m: number, opts?: InverseNormOptions): number;
export function rsqrt(m: Float32Array, opts?: InverseNormOptions): Float32Array;
export function rsqrt(m: number | Float32Array, opts?: InverseNormOptions): number | Float32Array {
  checkM(m);
  const spec = resolveInverseNorm(opts);
  if (typeof m !== "number") return batch(m, spec);
  const a = inverseNormArgs(spec);
  if (spec.format !== "fp32" || (spec.method === "fisr" && spec.variant !== "quake"))
    return kernel.rsqrt_format(m, a.format, a.method, a.policy, a.c, a.steps, a.magic, a.variant);
  if (spec.method === "iter") return kernel.rsqrt_iter(m, a.policy, a.c, a.steps);
  if (spec.method === "fisr") return kernel.rsqrt_fisr(m, a.magic, a.steps);
  return batch(Float32Array.of(m), spec)[0]!;
}

/** Options of fisr(): the FISR settings plus the working format. */
export interface FisrCallOptions extends FisrOptions {
  /** Working format; BF16/FP16 apply a 16-bit magic to the 16-bit pattern. @default 'fp32' */
  format?: Format;
}

/**
 * Fast inverse square root: Quake III's Q_rsqrt with a selectable magic constant
 * and Newton step count, bit-identical to the C original in f32; published
 * variants by `variant` (FP32), and 16-bit magics with every step rounded to the
 * format for 'bf16' / 'fp16'.
 *
 * @example
 * fisr(2)                                    // 0x5f3759df, 1 step: 0.70693…
 * fisr(2, { magic: 0x5f375a86, steps: 2 })   // Lomont's constant, 2 steps
 * fisr(2, { variant: "kadlec" })             // 0x5f1ffff9 with 0.703952253 / 2.38924456
 * fisr(2, { format: "fp16" })                // 0x59bb on the binary16 pattern, FP16 Newton step
 */
export function fisr(m: number, opts?: FisrCallOptions): number;
export function fisr(m: Float32Array, opts?: FisrCallOptions): Float32Array;
export function fisr(m: number | Float32Array, opts?: FisrCallOptions): number | Float32Array {
  checkM(m);
  // The same check as rsqrt's and layerNorm's (an array is not an options object).
  const o = plainObject("opts", opts);
  for (const key of Object.keys(o)) {
    if (!["magic", "steps", "variant", "format"].includes(key)) {
      throw new TypeError(
        `opts has an unknown option ${JSON.stringify(key)}; expected one of magic, steps, variant, format`,
      );
    }
  }
  const format = resolveFormat("opts.format", o.format);
  const { magic, steps, variant } = resolveFisr("opts", { magic: o.magic, steps: o.steps, variant: o.variant }, format);
  const spec: InverseNormSpec = { method: "fisr", policy: "paper", c: 0, steps, magic, format, variant };
  if (typeof m !== "number") return batch(m, spec);
  if (format === "fp32" && variant === "quake") return kernel.rsqrt_fisr(m, magic >>> 0, steps);
  return kernel.rsqrt_format(
    m,
    FORMAT_CODES[format],
    inverseNormArgs(spec).method,
    0,
    0,
    steps,
    magic >>> 0,
    VARIANT_CODES[variant],
  );
}
