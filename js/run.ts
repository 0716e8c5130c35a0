/**
 * Running resolved row options on the kernel: placing x, γ, β and out in wasm
 * memory (or using them where they already live there), calling the row kernel,
 * copying out what was copied in. Shared by layerNorm / l2Normalize (a plan per
 * call), the prepared normalisers (one plan for their life) and the thread pool
 * (js/pool/, its own memory and a row call split over threads), so all of them run
 * the kernel with the same arguments and give the same bits (docs/design.md §7).
 * Nothing here validates: x and out are checked by the caller.
 */
import { ACCUMULATE_CODES, inverseNormArgs } from "./abi.js";
import { isExhausted, type KernelMemory, mainMemory, scratchChunkBytes } from "./memory.js";
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
 * Byte offset of a view that lives in the memory `mem`; -1 for any other view,
 * which can never come to live there (a memory's buffers are always new ones).
 */
function kernelOffset(mem: KernelMemory, a: Float32Array | undefined, buffer: ArrayBufferLike | undefined): number {
  return a !== undefined && buffer !== undefined && mem.owns(buffer) ? byteOffsetOfView(a) : -1;
}

/** The kernel arguments of resolved row options, for calls on the memory `mem` (the main kernel's by default). */
export function planOf(spec: RowSpec, mem: KernelMemory = mainMemory): Plan {
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
    gammaOffset: kernelOffset(mem, gamma, gammaBuffer),
    betaOffset: kernelOffset(mem, beta, betaBuffer),
  };
}

/**
 * True when out's bytes start after x's in the same buffer (in wasm memory or not): the
 * chunks must then run last to first, as memmove does, so that writing the results of one
 * chunk never overwrites rows of x that a later chunk has still to read. Two buffers of one
 * shared memory (before and after a growth) are the same bytes.
 */
function outAfterX(mem: KernelMemory, x: ArrayBufferView, out: ArrayBufferView | undefined): boolean {
  if (out === undefined) return false;
  const xb = bufferOfView(x);
  const ob = bufferOfView(out);
  return (xb === ob || (mem.shared && mem.owns(xb) && mem.owns(ob))) && byteOffsetOfView(out) > byteOffsetOfView(x);
}

/**
 * A row of γ or β (dim f32) copied to `dst` in scratch (offsets are multiples of 4 bytes): from its
 * offset `ptr` when it lives in wasm memory (a reserve may have detached its view), else from `a`.
 */
function copyRow(mem: KernelMemory, dst: number, ptr: number, a: Float32Array, dim: number): void {
  const heap = mem.f32();
  if (ptr >= 0) heap.copyWithin(dst >>> 2, ptr >>> 2, (ptr >>> 2) + dim);
  else heap.set(a, dst >>> 2);
}

/** Byte ranges [a, a + aBytes) and [b, b + bBytes) of one buffer overlap. */
function overlaps(a: number, aBytes: number, b: number, bBytes: number): boolean {
  return a < b + bBytes && b < a + aBytes;
}

/** The Error of a non-zero kernel status after validation: a bug, never the caller's input. */
export function rejected(status: number): Error {
  return new Error(`iterl2norm: kernel rejected a validated call (status ${status}); this is a bug`);
}

/**
 * Bytes of rows one FP32 copying call on the main kernel moves through scratch at a time:
 * 256 KiB, so that the chunk a row call reads and the copy out then reads again stays in a
 * core's L2 cache (512 KiB to 2 MiB on current x86 and Arm cores) while x streams in and out
 * streams out. Larger chunks miss in L2 on every pass: on a 2-core Xeon with 2 MiB of L2
 * (Node 20), a copying LayerNorm of 512 or 2048 rows of 1024 ran about 30% slower in one
 * 16 MiB chunk than in chunks of 64–512 KiB (zero-copy time over copying time 0.48 against
 * 0.69); at 64 rows (one chunk either way) nothing changes. Chunks are evened out, so no
 * call ends with a chunk of a few rows. A pool's calls (js/pool/) take only the memory
 * bound: each of their chunks costs a round trip to the workers.
 */
export const COPY_CHUNK_BYTES = 2 ** 18;

/**
 * Scratch of `mem` for `perRow` bytes per row of a chunk and `fixed` bytes more: the largest
 * chunk of whole rows (at least one, at most `rows`) within the chunk bound, halved while
 * the memory cannot hold it (docs/design.md §7); within `cacheBytes` of rows too, in chunks
 * of even size. Returns the base pointer and the rows per chunk.
 */
function reserveChunk(
  mem: KernelMemory,
  rows: number,
  perRow: number,
  fixed: number,
  align = 0,
  cacheBytes = Number.POSITIVE_INFINITY,
): [base: number, chunk: number] {
  if (perRow === 0) return [fixed > 0 ? mem.scratch.reserve(fixed) : 0, rows];
  let chunk = Math.max(1, Math.min(rows, Math.floor((scratchChunkBytes() - fixed - align) / perRow)));
  const cached = Math.max(1, Math.floor(cacheBytes / perRow));
  if (cached < chunk) chunk = Math.ceil(rows / Math.ceil(rows / cached));
  for (;;) {
    try {
      return [mem.scratch.reserve(((chunk * perRow + align) & ~align) + fixed), chunk];
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

/** `buffer` is the memory's (KernelMemory.owns), given its current buffer: one test for the usual case. */
function owned(mem: KernelMemory, current: ArrayBufferLike, buffer: ArrayBufferLike): boolean {
  return buffer === current || (mem.shared && mem.owns(buffer));
}

/**
 * One FP32 call on a memory, placed: where x, γ, β and out live (their own pointers in
 * wasm memory, or slots in the scratch region) and how the rows go in chunks. Filled by
 * `place`; then `output` gives the array written, and each chunk i is `enter(i, x)` (x
 * copied in when it lives outside wasm memory), one row call on [xp, op) of its rows, and
 * `leave(i, out)` (the result copied out). One object per memory serves every call on it
 * (calls on one memory never interleave: the main kernel's are synchronous, a pool runs
 * one call at a time), so a call allocates nothing here; it holds numbers only, never the
 * caller's arrays.
 */
export class F32Call {
  private n = 0;
  private outIn = false;
  private outOffset = -1;
  private outDirect = -1;
  private outVia = false;
  private copyX = false;
  private xPtr = -1;
  private base = 0;
  private chunk = 0;
  private backward = false;
  /** Row length of the placed call. */
  dim = 0;
  /** Rows of the placed call. */
  rows = 0;
  /** Chunks of the placed call (0 when x is empty). */
  chunks = 0;
  /** γ and β pointers for the row calls (0 when absent). */
  gp = 0;
  bp = 0;
  /** The current chunk's x and out pointers, set by enter(). */
  xp = 0;
  op = 0;

  /**
   * @param mem the memory the calls run on
   * @param cacheBytes the bytes of rows a chunk holds at most besides the memory bound (COPY_CHUNK_BYTES)
   */
  constructor(
    private readonly mem: KernelMemory,
    private readonly cacheBytes = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Places the FP32 datapath on x (whole rows of p.dim) into out (x's length; may be x),
   * or into a new array. Operands copied into scratch go in chunks of whole rows when
   * they exceed the chunk bound; the kernel works row by row, so the bits are those of
   * one call (docs/design.md §7). Returns the number of chunks.
   */
  place(x: Float32Array, outArg: Float32Array | undefined, p: Plan): number {
    const mem = this.mem;
    // Sizes and places from the arrays' internal slots, never their own properties (views.ts).
    const n = lengthOfView(x);
    const { dim, gamma, beta } = p;
    this.n = n;
    this.dim = dim;
    this.rows = n / dim;
    if (n === 0) {
      this.chunks = 0;
      return 0;
    }
    const bytes = n * 4;
    const rowBytes = dim * 4;

    // Where each operand lives: its own pointer in wasm memory, or a slot in scratch.
    // Pointers are captured before scratch.reserve, which may grow memory and detach views.
    // Only views of the kernel's memory can alias each other, so overlaps are checked there.
    const current = mem.current();
    const xPtr = owned(mem, current, bufferOfView(x)) ? byteOffsetOfView(x) : -1;
    const gPtr = gamma === undefined ? 0 : owned(mem, current, p.gammaBuffer!) ? p.gammaOffset : -1;
    const bPtr = beta === undefined ? 0 : owned(mem, current, p.betaBuffer!) ? p.betaOffset : -1;
    const outIn = outArg !== undefined && owned(mem, current, bufferOfView(outArg));
    const outOffset = outIn ? byteOffsetOfView(outArg) : -1;
    let outDirect = -1;
    if (outIn) {
      const o = outOffset;
      if (
        (outArg === x || xPtr < 0 || !overlaps(o, bytes, xPtr, bytes)) &&
        (gamma === undefined || gPtr < 0 || !overlaps(o, bytes, gPtr, rowBytes)) &&
        (beta === undefined || bPtr < 0 || !overlaps(o, bytes, bPtr, rowBytes))
      )
        outDirect = o;
    }

    // An out in wasm memory that overlaps an operand goes through scratch and is written chunk
    // by chunk: γ and β are then read from copies, and the chunks run in memmove order against x.
    const outLate = outIn && outDirect < 0;
    const copyX = xPtr < 0;
    const outVia = outDirect < 0 && !copyX; // x in place, its result through scratch
    const copyG = gamma !== undefined && (gPtr < 0 || outLate);
    const copyB = beta !== undefined && (bPtr < 0 || outLate);
    // Scratch layout: [x chunk (also the output when x is copied) | out chunk | gamma | beta].
    const perRow = copyX || outVia ? rowBytes : 0;
    const fixed = (copyG ? rowBytes : 0) + (copyB ? rowBytes : 0);
    const [base, chunk] = reserveChunk(mem, this.rows, perRow, fixed, 0, this.cacheBytes);
    this.gp = copyG ? base + chunk * perRow : gPtr;
    this.bp = copyB ? base + chunk * perRow + (copyG ? rowBytes : 0) : bPtr;
    if (copyG) copyRow(mem, this.gp, gPtr, gamma!, dim);
    if (copyB) copyRow(mem, this.bp, bPtr, beta!, dim);

    this.outIn = outIn;
    this.outOffset = outOffset;
    this.outDirect = outDirect;
    this.outVia = outVia;
    this.copyX = copyX;
    this.xPtr = xPtr;
    this.base = base;
    this.chunk = chunk;
    this.chunks = Math.ceil(this.rows / chunk);
    this.backward = outAfterX(mem, x, outArg);
    return this.chunks;
  }

  /**
   * The array the placed call writes: `outArg`, else a new one, except for a call of one chunk,
   * which takes its result with one copy into an uninitialised array (leave): undefined then.
   * A chunked call needs the whole array first, zero-filled by the engine.
   */
  output(outArg: Float32Array | undefined): Float32Array | undefined {
    if (outArg !== undefined || this.chunks === 1) return outArg;
    return new Float32Array(this.n);
  }

  /** Chunk i (in memmove order): copies its rows of x into scratch when x is copied, sets xp and op; its rows. */
  enter(i: number, x: Float32Array): number {
    const { chunk, chunks, dim } = this;
    const r0 = (this.backward ? chunks - 1 - i : i) * chunk;
    const r = Math.min(chunk, this.rows - r0);
    const e0 = r0 * dim;
    const xp = this.copyX ? this.base : this.xPtr + e0 * 4;
    if (this.copyX) this.mem.f32().set(part(x, e0, r * dim, chunks === 1), this.base >>> 2);
    this.xp = xp;
    this.op = this.outDirect >= 0 ? this.outDirect + e0 * 4 : this.outVia ? this.base : xp;
    return r;
  }

  /**
   * Chunk i after its row call: its results copied from scratch to out (output()), or into a new
   * array when that is undefined. Returns the array written.
   */
  leave(i: number, out: Float32Array | undefined): Float32Array {
    if (this.outDirect >= 0) return out!;
    const { chunk, chunks, dim, op } = this;
    const r0 = (this.backward ? chunks - 1 - i : i) * chunk;
    const e0 = r0 * dim;
    const cn = Math.min(chunk, this.rows - r0) * dim;
    const mem = this.mem;
    // An out in wasm memory is written through the current memory: reserve may have detached its view.
    if (this.outIn) mem.f32().copyWithin((this.outOffset >>> 2) + e0, op >>> 2, (op >>> 2) + cn);
    else if (out === undefined) return new Float32Array(mem.f32Window(op, cn));
    else setView(out, mem.f32Window(op, cn), e0);
    return out!;
  }
}

/** The main kernel's FP32 call placement, reused by every call. */
const mainCall = new F32Call(mainMemory, COPY_CHUNK_BYTES);

/**
 * The FP32 datapath on x (whole rows of p.dim) into out (x's length; may be x), or
 * into a new array, on the main kernel. Allocates nothing in JS but the result when
 * out is omitted (one array, filled by a single copy when the call is one chunk):
 * pointers, the scratch region and its copies reuse what earlier calls made.
 */
export function runF32(x: Float32Array, outArg: Float32Array | undefined, p: Plan, center: boolean): Float32Array {
  const c = mainCall;
  const chunks = c.place(x, outArg, p);
  if (chunks === 0) return outArg ?? new Float32Array(0);
  let out = c.output(outArg);
  const { dim, gp, bp } = c;
  for (let i = 0; i < chunks; i++) {
    const r = c.enter(i, x);
    const status = center
      ? kernel.layer_norm(c.xp, c.op, gp, bp, r, dim, p.eps, p.method, p.policy, p.c, p.steps, p.magic, p.variant)
      : kernel.l2_normalize(c.xp, c.op, r, dim, p.eps, p.method, p.policy, p.c, p.steps, p.magic, p.variant);
    if (status !== 0) throw rejected(status);
    out = c.leave(i, out);
  }
  return out!;
}

/**
 * The BF16/FP16 datapath (assembly/rows-format.ts) on f32 values or raw 16-bit
 * patterns (Uint16Array x and out), on the main kernel. Operands are always copied
 * into scratch (layout [x chunk | γ | β], x overwritten by the result in place), since
 * the emulated formats are for accuracy work rather than zero-copy speed; x goes in
 * chunks of whole rows as in runF32. The kernel allocates a scratch row of dim f32 of
 * its own and traps when the memory cannot hold it; that allocation is checked here
 * first, so the caller gets a RangeError (docs/design.md §7).
 */
export function runFormat(
  x: Float32Array | Uint16Array,
  outArg: Float32Array | Uint16Array | undefined,
  p: Plan,
  center: boolean,
): Float32Array | Uint16Array {
  const mem = mainMemory;
  const n = lengthOfView(x);
  const bits = isUint16(x);
  if (n === 0) return outArg ?? (bits ? new Uint16Array(0) : new Float32Array(0));
  const { gamma, beta, dim } = p;
  const rows = n / dim;
  const size = bits ? 2 : 4;
  const rowBytes = dim * 4;
  // Operands in wasm memory are copied from their offsets: a growth below detaches their views.
  const xPtr = mem.owns(bufferOfView(x)) ? byteOffsetOfView(x) : -1;
  const outPtr = outArg !== undefined && mem.owns(bufferOfView(outArg)) ? byteOffsetOfView(outArg) : -1;
  const gPtr = gamma !== undefined && mem.owns(p.gammaBuffer!) ? p.gammaOffset : -1;
  const bPtr = beta !== undefined && mem.owns(p.betaBuffer!) ? p.betaOffset : -1;
  const gBytes = gamma === undefined ? 0 : rowBytes;
  const [base, chunk] = reserveChunk(mem, rows, dim * size, gBytes + (beta === undefined ? 0 : rowBytes), 15);
  const xBytes = (chunk * dim * size + 15) & ~15;
  // The kernel's own row (assembly/index.ts): the same request taken and given back just before
  // the calls. A freed block is found again by the same request, so the kernel's alloc cannot trap.
  mem.release(mem.allocate(rowBytes));
  const gp = gamma === undefined ? 0 : base + xBytes;
  const bp = beta === undefined ? 0 : base + xBytes + gBytes;
  if (gamma !== undefined) copyRow(mem, gp, gPtr, gamma, dim);
  if (beta !== undefined) copyRow(mem, bp, bPtr, beta, dim);

  const io = bits ? constants.IO_BITS : constants.IO_F32;
  const tail = [p.format, p.accumulate, io, p.method, p.policy, p.c, p.steps, p.magic, p.variant] as const;
  const chunks = Math.ceil(rows / chunk);
  // Without out, one chunk's result is taken by one copy into an uninitialised array (as runF32).
  let out = outArg ?? (chunks > 1 ? (bits ? new Uint16Array(n) : new Float32Array(n)) : undefined);
  // An out overlapping x (in wasm memory or not) is written chunk by chunk: memmove order.
  const backward = outAfterX(mem, x, outArg);
  const shift = bits ? 1 : 2;
  for (let i = 0; i < chunks; i++) {
    const r0 = (backward ? chunks - 1 - i : i) * chunk;
    const r = Math.min(chunk, rows - r0);
    const e0 = r0 * dim;
    const cn = r * dim;
    const heap = bits ? mem.u16() : mem.f32();
    if (xPtr >= 0) heap.copyWithin(base >>> shift, (xPtr >>> shift) + e0, (xPtr >>> shift) + e0 + cn);
    else if (bits) (heap as Uint16Array).set(part(x as Uint16Array, e0, cn, chunks === 1), base >>> 1);
    else (heap as Float32Array).set(part(x as Float32Array, e0, cn, chunks === 1), base >>> 2);
    const status = center
      ? kernel.layer_norm_format(base, base, gp, bp, r, dim, p.eps, ...tail)
      : kernel.l2_normalize_format(base, base, r, dim, p.eps, ...tail);
    if (status !== 0) throw rejected(status);
    const result = bits ? mem.u16Window(base, cn) : mem.f32Window(base, cn);
    const h = bits ? mem.u16() : mem.f32();
    if (outPtr >= 0) h.copyWithin((outPtr >>> shift) + e0, base >>> shift, (base >>> shift) + cn);
    else if (out === undefined) out = bits ? new Uint16Array(result as Uint16Array) : new Float32Array(result);
    else setView(out, result, e0);
  }
  return out!;
}
