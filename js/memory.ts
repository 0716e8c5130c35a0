/**
 * Ownership of wasm memory, per kernel instance: one KernelMemory for the main
 * kernel (js/wasm.ts, the functions exported below) and one per thread pool
 * (js/pool/, over a shared memory). Blocks come from the module's own allocator
 * (`alloc`/`free` exports). Any growth of the memory (an allocation here, or one
 * inside a kernel call) detaches every view on the old buffer of an unshared
 * memory: views are therefore re-derived from `memory.buffer` once the memory has
 * grown, never used across a growth.
 *
 * Reading `memory.buffer` is a slow host getter, so the buffer is cached together
 * with a Float32Array over all of it. Growth of an unshared memory always detaches
 * the old buffer (WebAssembly JS API, "refresh the memory buffer"), which sets the
 * length of every view on it to 0: `heap.length === 0` is the exact, cheap test that
 * the cache is stale, whoever grew the memory. A shared memory's old buffers are
 * never detached (they keep their length and still alias the memory), so there the
 * cache is refreshed after every allocation instead: only this object's instance
 * allocates (docs/design.md §7.1), so nothing else grows it.
 */
import { MAX_BLOCK_BYTES, MAX_MEMORY_BYTES, SCRATCH_CHUNK_BYTES } from "./constants.js";
import { kernel } from "./wasm.js";

/** The exports of a kernel instance that memory management uses. */
export interface MemoryExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
}

/** The RangeError of an exhausted memory (then a smaller request may still fit); its name is "RangeError". */
class MemoryExhausted extends RangeError {}

/**
 * A growable scratch region reused by every copying call on one memory, so steady-state
 * calls allocate nothing. `reserve` returns its base pointer; the region is at least
 * `bytes` long until the next `reserve`. Growth by half again is capped at the chunk
 * bound (a copying call never needs more, docs/design.md §7); when that fails, exactly
 * `bytes` is tried.
 */
export class Scratch {
  private ptr = 0;
  private size = 0;

  constructor(private readonly owner: KernelMemory) {}

  reserve(bytes: number): number {
    if (bytes <= this.size) return this.ptr;
    const grown = Math.max(bytes, Math.min(Math.max(1024, Math.ceil(this.size * 1.5)), chunkBytes));
    if (this.size > 0) this.owner.release(this.ptr);
    this.ptr = 0;
    this.size = 0;
    let size = grown;
    let ptr: number;
    try {
      ptr = this.owner.allocate(size);
    } catch (e) {
      if (size === bytes) throw e;
      size = bytes;
      ptr = this.owner.allocate(size);
    }
    this.ptr = ptr;
    this.size = size;
    return ptr;
  }
}

/** One kernel instance's memory: cached views of it, its allocator, its scratch region. */
export class KernelMemory {
  private buffer: ArrayBufferLike;
  private heap: Float32Array;
  private heap16: Uint16Array;
  // Cached windows [ptr, ptr + size·length) of `buffer`, for the copy-out of the copying API.
  private winPtr = -1;
  private winLength = -1;
  private winView: Float32Array;
  private win16Ptr = -1;
  private win16Length = -1;
  private win16View: Uint16Array;
  /** A shared memory's earlier buffers: views on them still alias the memory (never detached). */
  private readonly earlier: ArrayBufferLike[] = [];
  /** The scratch region of the copying calls on this memory. */
  readonly scratch: Scratch = new Scratch(this);

  /**
   * @param exports the instance's memory and allocator
   * @param shared the memory is shared (growth keeps old buffers alive)
   * @param maxBytes the largest size the memory can grow to, for messages
   */
  constructor(
    private readonly exports: MemoryExports,
    readonly shared = false,
    private readonly maxBytes = MAX_MEMORY_BYTES,
  ) {
    this.buffer = exports.memory.buffer;
    this.heap = new Float32Array(this.buffer);
    this.heap16 = new Uint16Array(this.buffer);
    this.winView = this.heap;
    this.win16View = this.heap16;
  }

  private refresh(): void {
    const buffer = this.exports.memory.buffer;
    if (buffer === this.buffer && this.heap.length > 0) return;
    if (this.shared) this.earlier.push(this.buffer);
    this.buffer = buffer;
    this.heap = new Float32Array(buffer);
    this.heap16 = new Uint16Array(buffer);
    this.winPtr = -1;
    this.winLength = -1;
    this.winView = this.heap;
    this.win16Ptr = -1;
    this.win16Length = -1;
    this.win16View = this.heap16;
  }

  /** The memory's current buffer. */
  current(): ArrayBufferLike {
    if (this.heap.length === 0) this.refresh();
    return this.buffer;
  }

  /**
   * True when `buffer` is this memory's: its current buffer, or (shared memory) one it
   * had before a growth, whose views still alias the same bytes at the same offsets.
   */
  owns(buffer: ArrayBufferLike): boolean {
    return buffer === this.current() || (this.shared && this.earlier.includes(buffer));
  }

  /** A Float32Array over the whole current memory (index = byte offset / 4); valid until the memory grows. */
  f32(): Float32Array {
    if (this.heap.length === 0) this.refresh();
    return this.heap;
  }

  /** A Uint16Array over the whole current memory (index = byte offset / 2); valid until the memory grows. */
  u16(): Uint16Array {
    if (this.heap.length === 0) this.refresh();
    return this.heap16;
  }

  /** A new Float32Array view of `length` floats at byte offset `ptr` of the current memory. */
  f32View(ptr: number, length: number): Float32Array {
    return new Float32Array(this.current(), ptr, length);
  }

  /**
   * A Float32Array view of `length` floats at byte offset `ptr`, reused while the
   * same window is asked for and the memory has not grown. For internal copies
   * only: never hand it to a caller (the next request may replace it).
   */
  f32Window(ptr: number, length: number): Float32Array {
    if (this.heap.length === 0) this.refresh();
    if (ptr !== this.winPtr || length !== this.winLength) {
      this.winView = new Float32Array(this.buffer, ptr, length);
      this.winPtr = ptr;
      this.winLength = length;
    }
    return this.winView;
  }

  /** As f32Window, for `length` 16-bit values at byte offset `ptr` (the raw-bit I/O of BF16/FP16). */
  u16Window(ptr: number, length: number): Uint16Array {
    if (this.heap.length === 0) this.refresh();
    if (ptr !== this.win16Ptr || length !== this.win16Length) {
      this.win16View = new Uint16Array(this.buffer, ptr, length);
      this.win16Ptr = ptr;
      this.win16Length = length;
    }
    return this.win16View;
  }

  /**
   * Allocates bytes in this memory. Two limits, each a RangeError that names it
   * (docs/design.md §7): one block is at most MAX_BLOCK_BYTES (the allocator's block
   * limit, checked here because the kernel would trap), and the whole memory is at
   * most its maximum (the kernel traps when the engine refuses to grow it). Either trap
   * leaves the allocator as it was: the module stays usable.
   */
  allocate(bytes: number): number {
    if (bytes > MAX_BLOCK_BYTES) {
      throw new RangeError(
        `iterl2norm: cannot allocate ${bytes} bytes: one allocation of wasm memory is limited to ` +
          `${MAX_BLOCK_BYTES} bytes (2^30 − 4, the allocator's block limit)`,
      );
    }
    let ptr: number;
    try {
      ptr = this.exports.alloc(bytes);
    } catch (cause) {
      const size = this.exports.memory.buffer.byteLength;
      const max = this.maxBytes === MAX_MEMORY_BYTES ? `${MAX_MEMORY_BYTES} bytes = 4 GiB` : `${this.maxBytes} bytes`;
      throw new MemoryExhausted(
        `iterl2norm: cannot allocate ${bytes} bytes: wasm memory is exhausted (it holds ${size} bytes and cannot ` +
          `grow to fit the block; at most ${max}). Free workspaces with dispose(); ` +
          "grown memory is never returned to the system",
        { cause },
      );
    }
    if (this.shared) this.refresh();
    return ptr >>> 0;
  }

  /** Returns a block to the kernel's allocator. */
  release(ptr: number): void {
    this.exports.free(ptr);
  }
}

let chunkBytes = SCRATCH_CHUNK_BYTES;

/** The main kernel's memory (js/wasm.ts). */
export const mainMemory = new KernelMemory(kernel);

/** The main kernel's current memory buffer. */
export function memoryBuffer(): ArrayBuffer {
  return mainMemory.current() as ArrayBuffer;
}

/** A Float32Array over the whole current memory (index = byte offset / 4); valid until the memory grows. */
export function memoryF32(): Float32Array {
  return mainMemory.f32();
}

/** True when the typed array's bytes live in the kernel's memory (zero-copy candidate). */
export function inKernelMemory(a: ArrayBufferView): boolean {
  return a.buffer === memoryBuffer();
}

/** A new Float32Array view of `length` floats at byte offset `ptr` of the current memory. */
export function f32View(ptr: number, length: number): Float32Array {
  return mainMemory.f32View(ptr, length);
}

/** A reused Float32Array window of the main kernel's memory (KernelMemory.f32Window): internal copies only. */
export function f32Window(ptr: number, length: number): Float32Array {
  return mainMemory.f32Window(ptr, length);
}

/** Allocates bytes in the main kernel's memory (KernelMemory.allocate). */
export function allocate(bytes: number): number {
  return mainMemory.allocate(bytes);
}

/** Returns a block to the main kernel's allocator. */
export function release(ptr: number): void {
  mainMemory.release(ptr);
}

/** The process-wide scratch region of the copying API on the main kernel. */
export const scratch: Scratch = mainMemory.scratch;

/**
 * The bound of one copying chunk in bytes (SCRATCH_CHUNK_BYTES): operands larger than
 * this are run in chunks of whole rows. Internal (not exported by the package).
 */
export function scratchChunkBytes(): number {
  return chunkBytes;
}

/**
 * Sets the chunk bound (undefined: back to the default), for every memory. A knob for
 * tests, which check with a small bound that chunked calls give the bits of unchunked
 * ones; not exported by the package.
 */
export function setScratchChunkBytes(bytes: number | undefined): void {
  chunkBytes = bytes ?? SCRATCH_CHUNK_BYTES;
}

/** True for the RangeError of an exhausted memory (then a smaller request may still fit). */
export function isExhausted(e: unknown): boolean {
  return e instanceof MemoryExhausted;
}
