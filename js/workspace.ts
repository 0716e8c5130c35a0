/**
 * Zero-copy buffers in wasm memory. The properties are getters: each returns a
 * view on the current memory buffer, re-derived after the memory grows, so
 * `ws.input` is always valid. A view kept in a variable across a call that grows
 * memory (any allocation) becomes detached: read the property again.
 *
 * After `dispose()` the properties throw. Views read before `dispose()` are not
 * detached (wasm memory cannot detach part of itself): they still point at the
 * freed block, which the next workspace or copying call may reuse, so writing
 * through them corrupts that workspace's data. Drop them with the workspace.
 *
 *   block:  ┌ input: rows·dim f32 ┬ output: rows·dim f32 ┬ gamma: dim ┬ beta: dim ┐
 */
import { MAX_BLOCK_BYTES, MAX_DIM } from "./constants.js";
import { type KernelMemory, mainMemory } from "./memory.js";
import { integerIn } from "./validate.js";

/** Buffers in wasm memory that layerNorm / l2Normalize use without copying. */
export interface Workspace {
  /** Rows the buffers hold. */
  readonly rows: number;
  /** Row length. */
  readonly dim: number;
  /** rows·dim input values. */
  readonly input: Float32Array;
  /** rows·dim output values. */
  readonly output: Float32Array;
  /** dim values of γ, initialised to 1. */
  readonly gamma: Float32Array;
  /** dim values of β, initialised to 0. */
  readonly beta: Float32Array;
  /**
   * Frees the block; afterwards the properties throw. Calling it twice is harmless.
   * Views read before dispose() still point at the freed block, which another
   * workspace may reuse: never write through them after dispose().
   */
  dispose(): void;
}

/**
 * Largest rows·dim + dim of one workspace. Its four buffers are one block of
 * (2·rows·dim + 2·dim)·4 bytes, and one block is at most MAX_BLOCK_BYTES = 2^30 − 4
 * (the allocator's limit, docs/design.md §7): rows·dim + dim ≤ 2^27 − 1.
 */
const MAX_ELEMENTS = Math.floor(MAX_BLOCK_BYTES / 8);

/** The view properties, by their index in the block. */
const VIEW_NAMES = ["input", "output", "gamma", "beta"] as const;

/**
 * Allocates input, output, gamma and beta buffers in wasm memory.
 *
 * @example
 * const ws = createWorkspace(64, 768);
 * ws.input.set(rows);
 * layerNorm(ws.input, { dim: 768, out: ws.output, gamma: ws.gamma, beta: ws.beta });
 * use(ws.output);
 * ws.dispose();
 */
export function createWorkspace(rows: number, dim: number): Workspace {
  return workspaceIn(mainMemory, rows, dim);
}

/**
 * A workspace in the memory `mem` (the main kernel's, or a thread pool's shared memory), its
 * arguments checked as createWorkspace's. Views are re-derived whenever the memory's buffer
 * changes (a growth), so a property read always gives a view of the current buffer.
 */
export function workspaceIn(mem: KernelMemory, rows: number, dim: number): Workspace {
  integerIn("rows", rows, 1, MAX_ELEMENTS - 1);
  integerIn("dim", dim, 1, MAX_DIM);
  const n = rows * dim;
  if (n + dim > MAX_ELEMENTS) {
    throw new RangeError(
      `createWorkspace(rows, dim) needs one block of (2·rows·dim + 2·dim)·4 bytes, and one allocation of wasm ` +
        `memory is limited to ${MAX_BLOCK_BYTES} bytes (2^30 − 4, the allocator's block limit): rows·dim + dim ` +
        `must be at most ${MAX_ELEMENTS}; got ${rows}·${dim} + ${dim} = ${n + dim}`,
    );
  }
  let ptr = mem.allocate((2 * n + 2 * dim) * 4);
  let buffer: ArrayBufferLike | null = null;
  let views: Float32Array[] = [];
  const view = (i: number): Float32Array => {
    if (ptr === 0) {
      throw new Error(
        `iterl2norm: ws.${VIEW_NAMES[i]} of a disposed workspace; views read before dispose() point at ` +
          "memory another workspace may now use",
      );
    }
    const current = mem.current();
    if (buffer !== current) {
      buffer = current;
      views = [
        mem.f32View(ptr, n),
        mem.f32View(ptr + n * 4, n),
        mem.f32View(ptr + 8 * n, dim),
        mem.f32View(ptr + 8 * n + 4 * dim, dim),
      ];
    }
    return views[i]!;
  };
  view(0).fill(0);
  view(1).fill(0);
  view(2).fill(1);
  view(3).fill(0);
  return {
    rows,
    dim,
    get input() {
      return view(0);
    },
    get output() {
      return view(1);
    },
    get gamma() {
      return view(2);
    },
    get beta() {
      return view(3);
    },
    dispose() {
      if (ptr === 0) return;
      mem.release(ptr);
      ptr = 0;
      buffer = null;
      views = [];
    },
  };
}
