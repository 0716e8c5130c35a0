/**
 * Running resolved row options on the kernel: placing x, γ, β and out in wasm
 * memory (or using them where they already live there), calling the row kernel,
 * copying out what was copied in. Shared by layerNorm / l2Normalize (a plan per
 * call) and the prepared normalisers (one plan for their life), so both run the
 * kernel with the same arguments and give the same bits (docs/design.md §7).
 * Nothing here validates: x and out are checked by the caller.
 */
import { ACCUMULATE_CODES, inverseNormArgs } from "./abi.js";
import { f32Window, memoryBuffer, memoryF32, scratch } from "./memory.js";
import type { RowSpec } from "./options.js";
import { constants, kernel } from "./wasm.js";

/**
 * Row options turned into kernel arguments: the inverse-norm integers, and where
 * γ and β live. A typed array's buffer and byteOffset never change over its life
 * (a detached one has length 0), so they are read once; the offset only for views
 * of the kernel's memory (-1 for the others).
 */
export interface Plan {
  readonly dim: number;
  readonly eps: number;
  /** The FP32 kernel (layer_norm / l2_normalize), else the BF16/FP16 one. */
  readonly fp32: boolean;
  readonly format: number;
  readonly accumulate: number;
  readonly method: number;
  readonly policy: number;
  readonly c: number;
  readonly steps: number;
  readonly magic: number;
  readonly variant: number;
  readonly gamma: Float32Array | undefined;
  readonly beta: Float32Array | undefined;
  readonly gammaBuffer: ArrayBufferLike | undefined;
  readonly betaBuffer: ArrayBufferLike | undefined;
  readonly gammaOffset: number;
  readonly betaOffset: number;
}

/**
 * Byte offset of a view that lives in the kernel's memory; -1 for any other view,
 * which can never come to live there (the kernel's buffers are always new ones).
 */
function kernelOffset(a: Float32Array | undefined, buffer: ArrayBufferLike | undefined): number {
  return a !== undefined && buffer === memoryBuffer() ? a.byteOffset : -1;
}

/** The kernel arguments of resolved row options. */
export function planOf(spec: RowSpec): Plan {
  const inv = inverseNormArgs(spec.inverse);
  const { gamma, beta } = spec;
  const gammaBuffer = gamma?.buffer;
  const betaBuffer = beta?.buffer;
  return {
    dim: spec.dim,
    eps: spec.eps,
    fp32: spec.format === "fp32",
    format: inv.format,
    accumulate: ACCUMULATE_CODES[spec.accumulate],
    method: inv.method,
    policy: inv.policy,
    c: inv.c,
    steps: inv.steps,
    magic: inv.magic,
    variant: inv.variant,
    gamma,
    beta,
    gammaBuffer,
    betaBuffer,
    gammaOffset: kernelOffset(gamma, gammaBuffer),
    betaOffset: kernelOffset(beta, betaBuffer),
  };
}

/** Byte ranges [a, a + aBytes) and [b, b + bBytes) of one buffer overlap. */
function overlaps(a: number, aBytes: number, b: number, bBytes: number): boolean {
  return a < b + bBytes && b < a + aBytes;
}

function rejected(status: number): Error {
  return new Error(`iterl2norm: kernel rejected a validated call (status ${status}); this is a bug`);
}

/**
 * The FP32 datapath on x (whole rows of p.dim) into out (x's length; may be x), or
 * into a new array. Allocates nothing else in JS: pointers, the scratch region and
 * its copies reuse what earlier calls made.
 */
export function runF32(x: Float32Array, outArg: Float32Array | undefined, p: Plan, center: boolean): Float32Array {
  const n = x.length;
  const out = outArg ?? new Float32Array(n);
  if (n === 0) return out;
  const { dim, gamma, beta } = p;
  const bytes = n * 4;
  const rowBytes = dim * 4;

  // Where each operand lives: its own pointer in wasm memory, or a slot in scratch (-1).
  // Pointers are captured before scratch.reserve, which may grow memory and detach views.
  // Only views of the kernel's buffer can alias each other, so overlaps are checked there.
  const mem = memoryBuffer();
  const xPtr = x.buffer === mem ? x.byteOffset : -1;
  const gPtr = gamma === undefined ? 0 : p.gammaBuffer === mem ? p.gammaOffset : -1;
  const bPtr = beta === undefined ? 0 : p.betaBuffer === mem ? p.betaOffset : -1;
  const outIn = outArg !== undefined && outArg.buffer === mem;
  const outOffset = outIn ? out.byteOffset : -1;
  let outPtrDirect = -1;
  if (outIn) {
    const o = outOffset;
    if (
      (out === x || xPtr < 0 || !overlaps(o, bytes, xPtr, bytes)) &&
      (gamma === undefined || gPtr < 0 || !overlaps(o, bytes, gPtr, rowBytes)) &&
      (beta === undefined || bPtr < 0 || !overlaps(o, bytes, bPtr, rowBytes))
    )
      outPtrDirect = o;
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
  if (status !== 0) throw rejected(status);

  if (op !== outPtrDirect) {
    // An out in wasm memory is written through the current memory: reserve may have detached its view.
    if (outIn) memoryF32().copyWithin(outOffset >>> 2, op >>> 2, (op >>> 2) + n);
    else out.set(f32Window(op, n));
  }
  return out;
}

// A Uint16Array over the whole current memory and one cached window of it, for the
// raw-bit I/O of the BF16/FP16 datapath (as memory.ts keeps them for f32): steady
// calls then create no views. A grown memory detaches the old buffer (length 0).
let heap16: Uint16Array = new Uint16Array(0);
let win16Ptr = -1;
let win16Length = -1;
let win16 = heap16;

function memoryU16(): Uint16Array {
  if (heap16.length === 0) {
    heap16 = new Uint16Array(memoryBuffer());
    win16Ptr = -1;
    win16Length = -1;
  }
  return heap16;
}

function u16Window(ptr: number, length: number): Uint16Array {
  const heap = memoryU16();
  if (ptr !== win16Ptr || length !== win16Length) {
    win16 = heap.subarray(ptr >>> 1, (ptr >>> 1) + length);
    win16Ptr = ptr;
    win16Length = length;
  }
  return win16;
}

/**
 * The BF16/FP16 datapath (assembly/rows-format.ts) on f32 values or raw 16-bit
 * patterns (Uint16Array x and out). Operands are always copied into scratch (layout
 * [x | γ | β], x overwritten by the result in place), since the emulated formats are
 * for accuracy work rather than zero-copy speed. The kernel reserves a scratch row
 * of its own, which may grow the memory: views are taken after the call.
 */
export function runFormat(
  x: Float32Array | Uint16Array,
  outArg: Float32Array | Uint16Array | undefined,
  p: Plan,
  center: boolean,
): Float32Array | Uint16Array {
  const n = x.length;
  const bits = x instanceof Uint16Array;
  const out = outArg ?? (bits ? new Uint16Array(n) : new Float32Array(n));
  if (n === 0) return out;
  const { gamma, beta, dim } = p;
  const xBytes = (x.byteLength + 15) & ~15;
  const gBytes = gamma === undefined ? 0 : gamma.byteLength;
  const base = scratch.reserve(xBytes + gBytes + (beta === undefined ? 0 : beta.byteLength));
  const gp = gamma === undefined ? 0 : base + xBytes;
  const bp = beta === undefined ? 0 : base + xBytes + gBytes;
  if (bits) memoryU16().set(x, base >>> 1);
  else memoryF32().set(x, base >>> 2);
  if (gamma !== undefined) memoryF32().set(gamma, gp >>> 2);
  if (beta !== undefined) memoryF32().set(beta, bp >>> 2);

  const io = bits ? constants.IO_BITS : constants.IO_F32;
  const rows = n / dim;
  const tail = [p.format, p.accumulate, io, p.method, p.policy, p.c, p.steps, p.magic, p.variant] as const;
  const status = center
    ? kernel.layer_norm_format(base, base, gp, bp, rows, dim, p.eps, ...tail)
    : kernel.l2_normalize_format(base, base, rows, dim, p.eps, ...tail);
  if (status !== 0) throw rejected(status);
  if (bits) (out as Uint16Array).set(u16Window(base, n));
  else (out as Float32Array).set(f32Window(base, n));
  return out;
}
