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

/** Allocates bytes in kernel memory; throws a RangeError when the memory cannot grow. */
export function allocate(bytes: number): number {
  let ptr: number;
  try {
    ptr = kernel.alloc(bytes);
  } catch (cause) {
    throw new RangeError(`iterl2norm: cannot allocate ${bytes} bytes of wasm memory (limit 4 GiB)`, { cause });
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
 * `bytes` long until the next `reserve`.
 */
class Scratch {
  private ptr = 0;
  private size = 0;

  reserve(bytes: number): number {
    if (bytes <= this.size) return this.ptr;
    const size = Math.max(bytes, 1024, Math.ceil(this.size * 1.5));
    if (this.size > 0) release(this.ptr);
    this.ptr = 0;
    this.size = 0;
    this.ptr = allocate(size);
    this.size = size;
    return this.ptr;
  }
}

/** The process-wide scratch region of the copying API. */
export const scratch = new Scratch();
