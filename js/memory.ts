/**
 * Ownership of wasm memory. Blocks come from the module's own allocator
 * (`alloc`/`free` exports). Any growth of the memory (an allocation here, or one
 * inside a kernel call) detaches every view on the old buffer: views are therefore
 * re-derived from `kernel.memory.buffer` once the memory has grown, never used
 * across a growth.
 *
 * Reading `kernel.memory.buffer` is a slow host getter, so the buffer is cached
 * together with a Float32Array over all of it. Growth always detaches the old
 * buffer (WebAssembly JS API, "refresh the memory buffer"), which sets the length
 * of every view on it to 0: `heap.length === 0` is the exact, cheap test that the
 * cache is stale, whoever grew the memory.
 */
import { MAX_BLOCK_BYTES, MAX_MEMORY_BYTES, SCRATCH_CHUNK_BYTES } from "./constants.js";
import { kernel } from "./wasm.js";

let buffer: ArrayBuffer = kernel.memory.buffer;
let heap = new Float32Array(buffer);
// One cached window [winPtr, winPtr + 4·winLength) of `buffer`, for the copy-out of the copying API.
let winPtr = -1;
let winLength = -1;
let winView = heap;

function refresh(): void {
  buffer = kernel.memory.buffer;
  heap = new Float32Array(buffer);
  winPtr = -1;
  winLength = -1;
  winView = heap;
}

/** The kernel's current memory buffer. */
export function memoryBuffer(): ArrayBuffer {
  if (heap.length === 0) refresh();
  return buffer;
}

/** A Float32Array over the whole current memory (index = byte offset / 4); valid until the memory grows. */
export function memoryF32(): Float32Array {
  if (heap.length === 0) refresh();
  return heap;
}

/** True when the typed array's bytes live in the kernel's memory (zero-copy candidate). */
export function inKernelMemory(a: ArrayBufferView): boolean {
  return a.buffer === memoryBuffer();
}

/** A new Float32Array view of `length` floats at byte offset `ptr` of the current memory. */
export function f32View(ptr: number, length: number): Float32Array {
  return new Float32Array(memoryBuffer(), ptr, length);
}

/**
 * A Float32Array view of `length` floats at byte offset `ptr`, reused while the
 * same window is asked for and the memory has not grown. For internal copies
 * only: never hand it to a caller (the next request may replace it).
 */
export function f32Window(ptr: number, length: number): Float32Array {
  if (heap.length === 0) refresh();
  if (ptr !== winPtr || length !== winLength) {
    winView = new Float32Array(buffer, ptr, length);
    winPtr = ptr;
    winLength = length;
  }
  return winView;
}

/** The RangeError of an exhausted memory (then a smaller request may still fit); its name is "RangeError". */
class MemoryExhausted extends RangeError {}

/**
 * Allocates bytes in kernel memory. Two limits, each a RangeError that names it
 * (docs/design.md §7): one block is at most MAX_BLOCK_BYTES (the allocator's block
 * limit, checked here because the kernel would trap), and the whole memory is at
 * most 4 GiB (the kernel traps when the engine refuses to grow it). Either trap
 * leaves the allocator as it was: the module stays usable.
 */
export function allocate(bytes: number): number {
  if (bytes > MAX_BLOCK_BYTES) {
    throw new RangeError(
      `iterl2norm: cannot allocate ${bytes} bytes: one allocation of wasm memory is limited to ` +
        `${MAX_BLOCK_BYTES} bytes (2^30 − 4, the allocator's block limit)`,
    );
  }
  let ptr: number;
  try {
    ptr = kernel.alloc(bytes);
  } catch (cause) {
    const size = kernel.memory.buffer.byteLength;
    throw new MemoryExhausted(
      `iterl2norm: cannot allocate ${bytes} bytes: wasm memory is exhausted (it holds ${size} bytes and cannot ` +
        `grow to fit the block; at most ${MAX_MEMORY_BYTES} bytes = 4 GiB). Free workspaces with dispose(); ` +
        "grown memory is never returned to the system",
      { cause },
    );
  }
  return ptr >>> 0;
}

/** Returns a block to the kernel's allocator. */
export function release(ptr: number): void {
  kernel.free(ptr);
}

/**
 * A growable scratch region reused by every copying call, so steady-state calls
 * allocate nothing. `reserve` returns its base pointer; the region is at least
 * `bytes` long until the next `reserve`. Growth by half again is capped at the
 * chunk bound (a copying call never needs more, docs/design.md §7); when that
 * fails, exactly `bytes` is tried.
 */
class Scratch {
  private ptr = 0;
  private size = 0;

  reserve(bytes: number): number {
    if (bytes <= this.size) return this.ptr;
    const grown = Math.max(bytes, Math.min(Math.max(1024, Math.ceil(this.size * 1.5)), chunkBytes));
    if (this.size > 0) release(this.ptr);
    this.ptr = 0;
    this.size = 0;
    let size = grown;
    let ptr: number;
    try {
      ptr = allocate(size);
    } catch (e) {
      if (size === bytes) throw e;
      size = bytes;
      ptr = allocate(size);
    }
    this.ptr = ptr;
    this.size = size;
    return ptr;
  }
}

/** The process-wide scratch region of the copying API. */
export const scratch = new Scratch();

let chunkBytes = SCRATCH_CHUNK_BYTES;

/**
 * The bound of one copying chunk in bytes (SCRATCH_CHUNK_BYTES): operands larger than
 * this are run in chunks of whole rows. Internal (not exported by the package).
 */
export function scratchChunkBytes(): number {
  return chunkBytes;
}

/**
 * Sets the chunk bound (undefined: back to the default). A knob for tests, which
 * check with a small bound that chunked calls give the bits of unchunked ones;
 * not exported by the package.
 */
export function setScratchChunkBytes(bytes: number | undefined): void {
  chunkBytes = bytes ?? SCRATCH_CHUNK_BYTES;
}

/** True for the RangeError of an exhausted memory (then a smaller request may still fit). */
export function isExhausted(e: unknown): boolean {
  return e instanceof MemoryExhausted;
}
