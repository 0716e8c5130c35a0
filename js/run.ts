/**
 * Running resolved row options on the kernel: placing x, γ, β and out in wasm
 * memory (or using them where they already live there), calling the row kernel,
 * copying out what was copied in. Shared by layerNorm / l2Normalize (a plan per
 * call) and the prepared normalisers (one plan for their life), so both run the
 * kernel with the same arguments and give the same bits (docs/design.md §7).
 * Nothing here validates: x and out are checked by the caller.
 */
import { ACCUMULATE_CODES, inverseNormArgs } from "./abi.js";
import {
  allocate,
  f32Window,
  isExhausted,
  memoryBuffer,
  memoryF32,
  release,
  scratch,
  scratchChunkBytes,
} from "./memory.js";
import type { RowSpec } from "./options.js";
import { bufferOfView, byteOffsetOfView, isUint16, lengthOfView, setView } from "./views.js";
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
  return a !== undefined && buffer === memoryBuffer() ? byteOffsetOfView(a) : -1;
}

/** The kernel arguments of resolved row options. */
export function planOf(spec: RowSpec): Plan {
  const inv = inverseNormArgs(spec.inverse);
  const { gamma, beta } = spec;
  // Read through the intrinsic getters (views.ts): a subclass may override them.
  const gammaBuffer = gamma === undefined ? undefined : bufferOfView(gamma);
  const betaBuffer = beta === undefined ? undefined : bufferOfView(beta);
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

/**
 * True when out's bytes start after x's in the same buffer (in wasm memory or not): the
 * chunks must then run last to first, as memmove does, so that writing the results of one
 * chunk never overwrites rows of x that a later chunk has still to read.
 */
function outAfterX(x: ArrayBufferView, out: ArrayBufferView | undefined): boolean {
  return out !== undefined && bufferOfView(out) === bufferOfView(x) && byteOffsetOfView(out) > byteOffsetOfView(x);
}

/**
 * A row of γ or β (dim f32) copied to `dst` in scratch (offsets are multiples of 4 bytes): from its
 * offset `ptr` when it lives in wasm memory (a reserve may have detached its view), else from `a`.
 */
function copyRow(dst: number, ptr: number, a: Float32Array, dim: number): void {
  const heap = memoryF32();
  if (ptr >= 0) heap.copyWithin(dst >>> 2, ptr >>> 2, (ptr >>> 2) + dim);
  else heap.set(a, dst >>> 2);
}

/** Byte ranges [a, a + aBytes) and [b, b + bBytes) of one buffer overlap. */
function overlaps(a: number, aBytes: number, b: number, bBytes: number): boolean {
  return a < b + bBytes && b < a + aBytes;
}

function rejected(status: number): Error {
  return new Error(`iterl2norm: kernel rejected a validated call (status ${status}); this is a bug`);
}

/**
 * Scratch for `perRow` bytes per row of a chunk and `fixed` bytes more: the largest
 * chunk of whole rows (at least one, at most `rows`) within the chunk bound, halved
 * while the memory cannot hold it (docs/design.md §7). Returns the base pointer and
 * the rows per chunk.
 */
function reserveChunk(rows: number, perRow: number, fixed: number, align = 0): [base: number, chunk: number] {
  if (perRow === 0) return [fixed > 0 ? scratch.reserve(fixed) : 0, rows];
  let chunk = Math.max(1, Math.min(rows, Math.floor((scratchChunkBytes() - fixed - align) / perRow)));
  for (;;) {
    try {
      return [scratch.reserve(((chunk * perRow + align) & ~align) + fixed), chunk];
    } catch (e) {
      if (chunk === 1 || !isExhausted(e)) throw e;
      chunk = Math.ceil(chunk / 2);
    }
  }
}

/** The elements [start, start + length) of a caller's array not in wasm memory, as a view (never detached). */
function part<T extends Float32Array | Uint16Array>(a: T, start: number, length: number, whole: boolean): T {
  if (whole) return a;
  const size = isUint16(a) ? 2 : 4;
  const buffer = bufferOfView(a);
  const offset = byteOffsetOfView(a) + start * size;
  return (size === 2 ? new Uint16Array(buffer, offset, length) : new Float32Array(buffer, offset, length)) as T;
}

/**
 * The FP32 datapath on x (whole rows of p.dim) into out (x's length; may be x), or
 * into a new array. Allocates nothing else in JS: pointers, the scratch region and
 * its copies reuse what earlier calls made. Operands copied into scratch go in
 * chunks of whole rows when they exceed the chunk bound; the kernel works row by
 * row, so the bits are those of one call (docs/design.md §7).
 */
export function runF32(x: Float32Array, outArg: Float32Array | undefined, p: Plan, center: boolean): Float32Array {
  // Sizes and places from the arrays' internal slots, never their own properties (views.ts).
  const n = lengthOfView(x);
  const out = outArg ?? new Float32Array(n);
  if (n === 0) return out;
  const { dim, gamma, beta } = p;
  const rows = n / dim;
  const bytes = n * 4;
  const rowBytes = dim * 4;

  // Where each operand lives: its own pointer in wasm memory, or a slot in scratch.
  // Pointers are captured before scratch.reserve, which may grow memory and detach views.
  // Only views of the kernel's buffer can alias each other, so overlaps are checked there.
  const mem = memoryBuffer();
  const xPtr = bufferOfView(x) === mem ? byteOffsetOfView(x) : -1;
  const gPtr = gamma === undefined ? 0 : p.gammaBuffer === mem ? p.gammaOffset : -1;
  const bPtr = beta === undefined ? 0 : p.betaBuffer === mem ? p.betaOffset : -1;
  const outIn = outArg !== undefined && bufferOfView(outArg) === mem;
  const outOffset = outIn ? byteOffsetOfView(out) : -1;
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

  // An out in wasm memory that overlaps an operand goes through scratch and is written chunk
  // by chunk: γ and β are then read from copies, and the chunks run in memmove order against x.
  const outLate = outIn && outPtrDirect < 0;
  const copyX = xPtr < 0;
  const outVia = outPtrDirect < 0 && !copyX; // x in place, its result through scratch
  const copyG = gamma !== undefined && (gPtr < 0 || outLate);
  const copyB = beta !== undefined && (bPtr < 0 || outLate);
  // Scratch layout: [x chunk (also the output when x is copied) | out chunk | gamma | beta].
  const perRow = copyX || outVia ? rowBytes : 0;
  const [base, chunk] = reserveChunk(rows, perRow, (copyG ? rowBytes : 0) + (copyB ? rowBytes : 0));
  const gp = copyG ? base + chunk * perRow : gPtr;
  const bp = copyB ? base + chunk * perRow + (copyG ? rowBytes : 0) : bPtr;
  if (copyG) copyRow(gp, gPtr, gamma!, dim);
  if (copyB) copyRow(bp, bPtr, beta!, dim);

  const chunks = Math.ceil(rows / chunk);
  const backward = outAfterX(x, outArg);
  for (let i = 0; i < chunks; i++) {
    const r0 = (backward ? chunks - 1 - i : i) * chunk;
    const r = Math.min(chunk, rows - r0);
    const e0 = r0 * dim;
    const cn = r * dim;
    const xp = copyX ? base : xPtr + e0 * 4;
    if (copyX) memoryF32().set(part(x, e0, cn, chunks === 1), base >>> 2);
    const op = outPtrDirect >= 0 ? outPtrDirect + e0 * 4 : outVia ? base : xp;
    const status = center
      ? kernel.layer_norm(xp, op, gp, bp, r, dim, p.eps, p.method, p.policy, p.c, p.steps, p.magic, p.variant)
      : kernel.l2_normalize(xp, op, r, dim, p.eps, p.method, p.policy, p.c, p.steps, p.magic, p.variant);
    if (status !== 0) throw rejected(status);
    if (outPtrDirect < 0) {
      // An out in wasm memory is written through the current memory: reserve may have detached its view.
      if (outIn) memoryF32().copyWithin((outOffset >>> 2) + e0, op >>> 2, (op >>> 2) + cn);
      else setView(out, f32Window(op, cn), e0);
    }
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
 * [x chunk | γ | β], x overwritten by the result in place), since the emulated formats
 * are for accuracy work rather than zero-copy speed; x goes in chunks of whole rows
 * as in runF32. The kernel allocates a scratch row of dim f32 of its own and traps
 * when the memory cannot hold it; that allocation is checked here first, so the
 * caller gets a RangeError (docs/design.md §7).
 */
export function runFormat(
  x: Float32Array | Uint16Array,
  outArg: Float32Array | Uint16Array | undefined,
  p: Plan,
  center: boolean,
): Float32Array | Uint16Array {
  const n = lengthOfView(x);
  const bits = isUint16(x);
  const out = outArg ?? (bits ? new Uint16Array(n) : new Float32Array(n));
  if (n === 0) return out;
  const { gamma, beta, dim } = p;
  const rows = n / dim;
  const size = bits ? 2 : 4;
  const rowBytes = dim * 4;
  // Operands in wasm memory are copied from their offsets: a growth below detaches their views.
  const mem = memoryBuffer();
  const xPtr = bufferOfView(x) === mem ? byteOffsetOfView(x) : -1;
  const outPtr = outArg !== undefined && bufferOfView(outArg) === mem ? byteOffsetOfView(outArg) : -1;
  const gPtr = gamma !== undefined && p.gammaBuffer === mem ? p.gammaOffset : -1;
  const bPtr = beta !== undefined && p.betaBuffer === mem ? p.betaOffset : -1;
  const gBytes = gamma === undefined ? 0 : rowBytes;
  const [base, chunk] = reserveChunk(rows, dim * size, gBytes + (beta === undefined ? 0 : rowBytes), 15);
  const xBytes = (chunk * dim * size + 15) & ~15;
  // The kernel's own row (assembly/index.ts): the same request taken and given back just before
  // the calls. A freed block is found again by the same request, so the kernel's alloc cannot trap.
  release(allocate(rowBytes));
  const gp = gamma === undefined ? 0 : base + xBytes;
  const bp = beta === undefined ? 0 : base + xBytes + gBytes;
  if (gamma !== undefined) copyRow(gp, gPtr, gamma, dim);
  if (beta !== undefined) copyRow(bp, bPtr, beta, dim);

  const io = bits ? constants.IO_BITS : constants.IO_F32;
  const tail = [p.format, p.accumulate, io, p.method, p.policy, p.c, p.steps, p.magic, p.variant] as const;
  const chunks = Math.ceil(rows / chunk);
  // An out overlapping x (in wasm memory or not) is written chunk by chunk: memmove order.
  const backward = outAfterX(x, outArg);
  for (let i = 0; i < chunks; i++) {
    const r0 = (backward ? chunks - 1 - i : i) * chunk;
    const r = Math.min(chunk, rows - r0);
    const e0 = r0 * dim;
    const cn = r * dim;
    const heap = bits ? memoryU16() : memoryF32();
    const shift = bits ? 1 : 2;
    if (xPtr >= 0) heap.copyWithin(base >>> shift, (xPtr >>> shift) + e0, (xPtr >>> shift) + e0 + cn);
    else if (bits) (heap as Uint16Array).set(part(x as Uint16Array, e0, cn, chunks === 1), base >>> 1);
    else (heap as Float32Array).set(part(x as Float32Array, e0, cn, chunks === 1), base >>> 2);
    const status = center
      ? kernel.layer_norm_format(base, base, gp, bp, r, dim, p.eps, ...tail)
      : kernel.l2_normalize_format(base, base, r, dim, p.eps, ...tail);
    if (status !== 0) throw rejected(status);
    if (outPtr >= 0) {
      const h = bits ? memoryU16() : memoryF32();
      h.copyWithin((outPtr >>> shift) + e0, base >>> shift, (base >>> shift) + cn);
    } else setView(out, bits ? u16Window(base, cn) : f32Window(base, cn), e0);
  }
  return out;
}
