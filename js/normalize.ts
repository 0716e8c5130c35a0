/**
 * layerNorm and l2Normalize: validate once, place the data in wasm memory (or use
 * it where it already lives there), run the row kernel, copy out what was copied in.
 */
import { DEFAULT_L2_EPS, DEFAULT_LAYERNORM_EPS } from "./constants.js";
import { ACCUMULATE_CODES, inverseNormArgs } from "./abi.js";
import { f32View, f32Window, memoryBuffer, memoryF32, scratch } from "./memory.js";
import { NormalizeCache, type NormalizeOptions, type NormalizeSpec, type RowOptionsSpec } from "./options.js";
import { constants, kernel } from "./wasm.js";

/**
 * An FP32 call's options turned into kernel arguments once (cached per options
 * object by NormalizeCache): the inverse-norm integers, and where γ, β and out
 * live. A typed array's buffer and byteOffset never change over its life (a
 * detached one has length 0, which the cache lookup rejects), so they are read
 * once; the offset only for views of the kernel's memory (-1 for the others).
 */
interface Plan {
  readonly dim: number;
  readonly eps: number;
  readonly method: number;
  readonly policy: number;
  readonly c: number;
  readonly steps: number;
  readonly magic: number;
  readonly variant: number;
  readonly gamma: Float32Array | undefined;
  readonly beta: Float32Array | undefined;
  readonly out: Float32Array | undefined;
  readonly gammaBuffer: ArrayBufferLike | undefined;
  readonly betaBuffer: ArrayBufferLike | undefined;
  readonly outBuffer: ArrayBufferLike | undefined;
  readonly gammaOffset: number;
  readonly betaOffset: number;
  readonly outOffset: number;
}

/**
 * Byte offset of a view that lives in the kernel's memory; -1 for any other view,
 * which can never come to live there (the kernel's buffers are always new ones).
 */
function kernelOffset(a: Float32Array | undefined, buffer: ArrayBufferLike | undefined): number {
  return a !== undefined && buffer === memoryBuffer() ? a.byteOffset : -1;
}

function toPlan(spec: RowOptionsSpec): Plan {
  const inv = inverseNormArgs(spec.inverse);
  const { gamma, beta, out } = spec;
  const gammaBuffer = gamma?.buffer;
  const betaBuffer = beta?.buffer;
  const outBuffer = out?.buffer;
  return {
    dim: spec.dim, eps: spec.eps,
    method: inv.method, policy: inv.policy, c: inv.c, steps: inv.steps, magic: inv.magic, variant: inv.variant,
    gamma, beta, out, gammaBuffer, betaBuffer, outBuffer,
    gammaOffset: kernelOffset(gamma, gammaBuffer),
    betaOffset: kernelOffset(beta, betaBuffer),
    outOffset: kernelOffset(out, outBuffer),
  };
}

const layerPlans = new NormalizeCache(DEFAULT_LAYERNORM_EPS, true, toPlan);
const l2Plans = new NormalizeCache(DEFAULT_L2_EPS, false, toPlan);

/**
 * LayerNorm of every row of x (rows of `opts.dim` values):
 * out = γ·(x − μ)/√(var + ε) + β with the inverse norm found by IterL2Norm
 * (or by `opts.method`). Returns `opts.out` (which may be x) or a new array.
 *
 * @example
 * const y = layerNorm(x, { dim: 768, gamma, beta });            // paper preset
 * layerNorm(x, { dim: 768, preset: "precise", out: x });         // in place, f32-exact
 */
export function layerNorm(x: Float32Array, opts: NormalizeOptions): Float32Array;
/** LayerNorm of raw BF16/FP16 bits (opts.format 'bf16' or 'fp16'); the result holds raw bits too. */
export function layerNorm(x: Uint16Array, opts: NormalizeOptions): Uint16Array;
export function layerNorm(x: Float32Array | Uint16Array, opts: NormalizeOptions): Float32Array | Uint16Array {
  const plan = layerPlans.lookup(x, opts);
  if (plan !== undefined) return run(x as Float32Array, plan, true);
  const { spec, plan: resolved } = layerPlans.resolve(x, opts);
  if (resolved === undefined) return runFormat(spec, true);
  return run(x as Float32Array, resolved, true);
}

/**
 * L2 normalisation of every row: out = x/√(Σx² + ε). An all-zero row stays zero.
 *
 * @example
 * const unit = l2Normalize(embeddings, { dim: 384 });
 */
export function l2Normalize(x: Float32Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Float32Array;
/** L2 normalisation of raw BF16/FP16 bits (opts.format 'bf16' or 'fp16'); the result holds raw bits too. */
export function l2Normalize(x: Uint16Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Uint16Array;
export function l2Normalize(x: Float32Array | Uint16Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Float32Array | Uint16Array {
  const plan = l2Plans.lookup(x, opts);
  if (plan !== undefined) return run(x as Float32Array, plan, false);
  const { spec, plan: resolved } = l2Plans.resolve(x, opts);
  if (resolved === undefined) return runFormat(spec, false);
  return run(x as Float32Array, resolved, false);
}

/** Byte ranges [a, a + aBytes) and [b, b + bBytes) of one buffer overlap. */
function overlaps(a: number, aBytes: number, b: number, bBytes: number): boolean {
  return a < b + bBytes && b < a + aBytes;
}

function run(x: Float32Array, p: Plan, center: boolean): Float32Array {
  const n = x.length;
  const out = p.out ?? new Float32Array(n);
  if (n === 0) return out;
  const { dim, gamma, beta } = p;
  const bytes = n * 4;
  const rowBytes = dim * 4;

  // Where each operand lives: its own pointer in wasm memory, or a slot in scratch (-1).
  // Pointers are captured before scratch.reserve, which may grow memory and detach views.
  // Only views of the kernel's buffer can alias each other, so overlaps are checked there.
  const mem = memoryBuffer();
  const xIn = x.buffer === mem;
  const xPtr = xIn ? x.byteOffset : -1;
  const gPtr = gamma === undefined ? 0 : p.gammaBuffer === mem ? p.gammaOffset : -1;
  const bPtr = beta === undefined ? 0 : p.betaBuffer === mem ? p.betaOffset : -1;
  const outIn = p.outBuffer === mem;
  let outPtrDirect = -1;
  if (outIn) {
    const o = p.outOffset;
    if ((out === x || xPtr < 0 || !overlaps(o, bytes, xPtr, bytes)) &&
        (gamma === undefined || gPtr < 0 || !overlaps(o, bytes, gPtr, rowBytes)) &&
        (beta === undefined || bPtr < 0 || !overlaps(o, bytes, bPtr, rowBytes))) outPtrDirect = o;
  }

  // Scratch layout: [x copy (also the output when x is copied) | out | gamma | beta].
  let need = 0;
  const xSlot = xPtr < 0 ? need : -1;
  if (xPtr < 0) need += bytes;
  const outSlot = outPtrDirect < 0 && xPtr >= 0 ? need : -1;
  if (outSlot >= 0) need += bytes;
  const gSlot = gPtr < 0 ? need : -1;
  if (gPtr < 0) need += rowBytes;
  const bSlot = bPtr < 0 ? need : -1;
  if (bPtr < 0) need += rowBytes;

  const base = need > 0 ? scratch.reserve(need) : 0;
  const xp = xPtr >= 0 ? xPtr : base + xSlot;
  const op = outPtrDirect >= 0 ? outPtrDirect : outSlot >= 0 ? base + outSlot : xp;
  const gp = gPtr >= 0 ? gPtr : base + gSlot;
  const bp = bPtr >= 0 ? bPtr : base + bSlot;
  if (need > 0) {
    // Offsets in scratch are multiples of 4 bytes (every slot holds whole f32s).
    const heap = memoryF32();
    if (xPtr < 0) heap.set(x, xp >>> 2);
    if (gPtr < 0) heap.set(gamma!, gp >>> 2);
    if (bPtr < 0) heap.set(beta!, bp >>> 2);
  }

  const status = center
    ? kernel.layer_norm(xp, op, gp, bp, n / dim, dim, p.eps, p.method, p.policy, p.c, p.steps, p.magic, p.variant)
    : kernel.l2_normalize(xp, op, n / dim, dim, p.eps, p.method, p.policy, p.c, p.steps, p.magic, p.variant);
  if (status !== 0) throw new Error(`iterl2norm: kernel rejected a validated call (status ${status}); this is a bug`);

  if (op !== outPtrDirect) {
    // An out in wasm memory is written through the current memory: reserve may have detached its view.
    if (outIn) memoryF32().copyWithin(p.outOffset >>> 2, op >>> 2, (op >>> 2) + n);
    else out.set(f32Window(op, n));
  }
  return out;
}

/**
 * The BF16/FP16 datapath (assembly/rows-format.ts). Operands are always copied
 * into scratch (layout [x | γ | β], x overwritten by the result in place), since
 * the emulated formats are for accuracy work rather than zero-copy speed. The
 * kernel reserves a scratch row of its own, which may grow the memory: views are
 * taken after the call.
 */
function runFormat(spec: NormalizeSpec, center: boolean): Float32Array | Uint16Array {
  const x = spec.input;
  const bits = spec.bits;
  const out = spec.output ?? (bits ? new Uint16Array(x.length) : new Float32Array(x.length));
  if (x.length === 0) return out;
  const { gamma, beta } = spec;
  const xBytes = (x.byteLength + 15) & ~15;
  const gBytes = gamma === undefined ? 0 : gamma.byteLength;
  const base = scratch.reserve(xBytes + gBytes + (beta === undefined ? 0 : beta.byteLength));
  const gp = gamma === undefined ? 0 : base + xBytes;
  const bp = beta === undefined ? 0 : base + xBytes + gBytes;
  const buffer = memoryBuffer();
  if (bits) new Uint16Array(buffer, base, x.length).set(x);
  else new Float32Array(buffer, base, x.length).set(x);
  if (gamma !== undefined) f32View(gp, spec.dim).set(gamma);
  if (beta !== undefined) f32View(bp, spec.dim).set(beta);

  const inv = inverseNormArgs(spec.inverse);
  const io = bits ? constants.IO_BITS : constants.IO_F32;
  const acc = ACCUMULATE_CODES[spec.accumulate];
  const status = center
    ? kernel.layer_norm_format(base, base, gp, bp, spec.rows, spec.dim, spec.eps, inv.format, acc, io,
      inv.method, inv.policy, inv.c, inv.steps, inv.magic, inv.variant)
    : kernel.l2_normalize_format(base, base, spec.rows, spec.dim, spec.eps, inv.format, acc, io,
      inv.method, inv.policy, inv.c, inv.steps, inv.magic, inv.variant);
  if (status !== 0) throw new Error(`iterl2norm: kernel rejected a validated call (status ${status}); this is a bug`);
  const result = memoryBuffer();
  if (bits) (out as Uint16Array).set(new Uint16Array(result, base, x.length));
  else (out as Float32Array).set(new Float32Array(result, base, x.length));
  return out;
}
