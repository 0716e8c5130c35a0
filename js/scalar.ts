/** rsqrt and fisr: the scalar path on one number, or on a Float32Array of values (in f32x4 lanes). */
import { FORMAT_CODES, VARIANT_CODES, inverseNormArgs } from "./abi.js";
import { f32Window, isExhausted, memoryBuffer, memoryF32, scratch, scratchChunkBytes } from "./memory.js";
import {
  SCALAR_KEYS,
  type FisrOptions,
  type Format,
  type InverseNormOptions,
  type InverseNormSpec,
} from "./options.js";
import { resolveFisr, resolveFormat, resolveInverseNorm } from "./resolve.js";
import { describe, floatArray, plainObject } from "./validate.js";
import { bufferOfView, byteOffsetOfView, isFloat32, liveLength, setView } from "./views.js";
import { kernel } from "./wasm.js";

/** Options of rsqrt on a Float32Array: the scalar-path options and where the results go. */
export interface RsqrtOptions extends InverseNormOptions {
  /**
   * Destination of the results, a Float32Array of m's length (may be m itself). A view of the
   * kernel's memory (a Workspace's buffers) is written by the kernel directly, with no copy.
   * Only for a Float32Array m. @default a new Float32Array
   */
  out?: Float32Array;
}

/** The option names rsqrt accepts. */
const RSQRT_KEYS: readonly string[] = [...SCALAR_KEYS, "out"];

/** Elements [start, start + length) of a Float32Array outside wasm memory, as a view (the array itself when whole). */
function slice(a: Float32Array, start: number, length: number, whole: boolean): Float32Array {
  return whole ? a : new Float32Array(bufferOfView(a), byteOffsetOfView(a) + start * 4, length);
}

/**
 * The array path of the kernel (rsqrt_array) on m into out, or into a new array. m and
 * out that live in wasm memory are used where they are (no copy) unless out overlaps m
 * without being m; the others go through the scratch region in chunks of at most the
 * chunk bound, run last to first when out starts after m in one buffer (memmove order).
 */
function batch(m: Float32Array, spec: InverseNormSpec, outArg: Float32Array | undefined): Float32Array {
  // The length from the internal slot (views.ts): a subclass's own length never sizes the copy.
  const n = liveLength("m", m);
  const out = outArg ?? new Float32Array(n);
  if (n === 0) return out;
  const bytes = n * 4;
  // Pointers and offsets are captured before scratch.reserve, which may grow the memory and
  // detach views (a detached view reads as offset 0).
  const mem = memoryBuffer();
  const mPtr = bufferOfView(m) === mem ? byteOffsetOfView(m) : -1;
  const outPtr = outArg !== undefined && bufferOfView(outArg) === mem ? byteOffsetOfView(outArg) : -1;
  const direct = outPtr >= 0 && (mPtr < 0 || outPtr === mPtr || outPtr + bytes <= mPtr || mPtr + bytes <= outPtr);
  const viaScratch = mPtr < 0 || !direct; // a slot for m's copy, or for the results
  const backward =
    outArg !== undefined && bufferOfView(outArg) === bufferOfView(m) && byteOffsetOfView(outArg) > byteOffsetOfView(m);
  let chunk = n;
  let base = 0;
  if (viaScratch) {
    chunk = Math.max(4, Math.min(n, Math.floor(scratchChunkBytes() / 4) & ~3));
    for (;;) {
      try {
        base = scratch.reserve(chunk * 4);
        break;
      } catch (e) {
        if (chunk <= 4 || !isExhausted(e)) throw e;
        chunk = Math.max(4, Math.ceil(chunk / 8) * 4);
      }
    }
  }
  const a = inverseNormArgs(spec);
  const chunks = Math.ceil(n / chunk);
  for (let i = 0; i < chunks; i++) {
    const e0 = (backward ? chunks - 1 - i : i) * chunk;
    const cn = Math.min(chunk, n - e0);
    let src = mPtr + e0 * 4;
    if (mPtr < 0) {
      memoryF32().set(slice(m, e0, cn, chunks === 1), base >>> 2);
      src = base;
    }
    const dst = direct ? outPtr + e0 * 4 : base;
    const status = kernel.rsqrt_array(src, dst, cn, a.format, a.method, a.policy, a.c, a.steps, a.magic, a.variant);
    if (status !== 0) throw new Error(`iterl2norm: kernel rejected a validated call (status ${status}); this is a bug`);
    if (!direct) {
      // An out in wasm memory is written through the current memory: reserve may have detached its view.
      if (outPtr >= 0) memoryF32().copyWithin((outPtr >>> 2) + e0, dst >>> 2, (dst >>> 2) + cn);
      else setView(out, f32Window(dst, cn), e0);
    }
  }
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
 * ±0 → ±Infinity, Infinity → 0, negative or NaN → NaN. A Float32Array gives a Float32Array
 * (opts.out, or a new one), computed in f32x4 lanes with the bits of the one-number path.
 *
 * @example
 * rsqrt(2)                         // 0.70710…, paper preset (λ = 0.345·2^(−e), 5 steps)
 * rsqrt(2, { preset: "precise" })  // Newton step: within f32 rounding of 1/√2
 * rsqrt(2, { format: "bf16" })     // 0.70703125, every step rounded to BF16
 * rsqrt(ws.input, { out: ws.output })  // zero-copy: a Workspace's buffers, no copies
 */
export function rsqrt(m: number, opts?: InverseNormOptions): number;
export function rsqrt(m: Float32Array, opts?: RsqrtOptions): Float32Array;
export function rsqrt(m: number | Float32Array, opts?: RsqrtOptions): number | Float32Array {
  checkM(m);
  const spec = resolveInverseNorm(opts, "opts", RSQRT_KEYS);
  const out = outOption(m, opts);
  if (typeof m !== "number") return batch(m, spec, out);
  const a = inverseNormArgs(spec);
  if (spec.format !== "fp32" || (spec.method === "fisr" && spec.variant !== "quake"))
    return kernel.rsqrt_format(m, a.format, a.method, a.policy, a.c, a.steps, a.magic, a.variant);
  if (spec.method === "iter") return kernel.rsqrt_iter(m, a.policy, a.c, a.steps);
  if (spec.method === "fisr") return kernel.rsqrt_fisr(m, a.magic, a.steps);
  return batch(Float32Array.of(m), spec, undefined)[0]!;
}

/** opts.out, checked: a Float32Array of m's length, for a Float32Array m only. */
function outOption(m: number | Float32Array, opts: { out?: unknown } | undefined): Float32Array | undefined {
  const out = opts?.out;
  if (out === undefined) return undefined;
  if (typeof m === "number") {
    throw new TypeError(`opts.out applies to a Float32Array m only; got m = ${describe(m)} (a number)`);
  }
  return floatArray("opts.out", out, liveLength("m", m), "m.length");
}

/** Options of fisr(): the FISR settings plus the working format, and out for an array. */
export interface FisrCallOptions extends FisrOptions {
  /** Working format; BF16/FP16 apply a 16-bit magic to the 16-bit pattern. @default 'fp32' */
  format?: Format;
  /** Destination of the results for a Float32Array m, as rsqrt's opts.out. @default a new Float32Array */
  out?: Float32Array;
}

/**
 * Fast inverse square root: Quake III's Q_rsqrt with a selectable magic constant
 * and Newton step count, bit-identical to the C original in f32; published
 * variants by `variant` (FP32), and 16-bit magics with every step rounded to the
 * format for 'bf16' / 'fp16'. A Float32Array runs in f32x4 lanes with the bits of the
 * one-number path, into opts.out or a new array.
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
    if (!["magic", "steps", "variant", "format", "out"].includes(key)) {
      throw new TypeError(
        `opts has an unknown option ${JSON.stringify(key)}; expected one of magic, steps, variant, format, out`,
      );
    }
  }
  const out = outOption(m, o);
  const format = resolveFormat("opts.format", o.format);
  const { magic, steps, variant } = resolveFisr("opts", { magic: o.magic, steps: o.steps, variant: o.variant }, format);
  const spec: InverseNormSpec = { method: "fisr", policy: "paper", c: 0, steps, magic, format, variant };
  if (typeof m !== "number") return batch(m, spec, out);
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
