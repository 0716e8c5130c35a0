/**
 * Ownership of wasm memory. Blocks come from the module's own allocator
 * (`alloc`/`free` exports). Any allocation may grow the memory, which detaches
 * every view on the old buffer: views are therefore always re-derived from
 * `kernel.memory.buffer` after an allocation, never cached across one.
 */
import { kernel } from "./wasm.js";

/** True when the typed array's bytes live in the kernel's memory (zero-copy candidate). */
export function inKernelMemory(a: ArrayBufferView): boolean {
  return a.buffer === kernel.memory.buffer;
}

/** A Float32Array view of `length` floats at byte offset `ptr` of the current memory. */
export function f32View(ptr: number, length: number): Float32Array {
  return new Float32Array(kernel.memory.buffer, ptr, length);
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
