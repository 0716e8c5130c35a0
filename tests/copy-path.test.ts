// The FP32 copying path at the cost of its copies (docs/design.md §7, copies and chunked copies): a call
// without out takes its result by one copy into an array the engine need not zero-fill (no zero-filled
// array overwritten afterwards), and rows move through scratch in chunks of at most COPY_CHUNK_BYTES
// (256 KiB), evened out, with the bits of one zero-copy kernel call.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLayerNorm, createWorkspace, l2Normalize, layerNorm } from "iterl2norm";
import { kernel } from "iterl2norm/kernel";
import { setScratchChunkBytes } from "../js/memory.js";
import { COPY_CHUNK_BYTES } from "../js/run.js";
import { firstBitDifference, normalRows } from "./helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
  setScratchChunkBytes(undefined);
});

/** The zero-copy result of LayerNorm on a workspace: one kernel call over every row. */
function zeroCopy(x: Float32Array, dim: number, gamma: Float32Array, beta: Float32Array): Float32Array {
  const ws = createWorkspace(x.length / dim, dim);
  ws.input.set(x);
  ws.gamma.set(gamma);
  ws.beta.set(beta);
  layerNorm(ws.input, { dim, gamma: ws.gamma, beta: ws.beta, out: ws.output });
  const y = ws.output.slice();
  ws.dispose();
  return y;
}

/**
 * Runs fn with globalThis.Float32Array replaced by a subclass that records the arguments of every
 * construction (the library's code names the global at each call), and returns those argument lists.
 */
function constructions(fn: () => void): unknown[][] {
  const calls: unknown[][] = [];
  const Original = globalThis.Float32Array;
  class Recording extends Original {
    constructor(...args: unknown[]) {
      calls.push(args);
      super(...(args as [number]));
    }
  }
  globalThis.Float32Array = Recording as unknown as Float32ArrayConstructor;
  try {
    fn();
  } finally {
    globalThis.Float32Array = Original;
  }
  return calls;
}

describe("a call without out", () => {
  const dim = 1024;
  const x = normalRows(1, 48, dim, 1, 2); // 192 KiB: one chunk
  const gamma = normalRows(2, 1, dim, 1, 0.5);
  const beta = normalRows(3, 1, dim, 0, 0.5);

  it("gives the bits of a call with out, in a new array of its own (not a view of wasm memory)", () => {
    const out = new Float32Array(x.length);
    layerNorm(x, { dim, gamma, beta, out });
    const y = layerNorm(x, { dim, gamma, beta });
    expect(firstBitDifference(y, out)).toBe(-1);
    expect(y).toBeInstanceOf(Float32Array);
    expect([y.byteOffset, y.buffer.byteLength]).toEqual([0, x.length * 4]);
    expect(y.buffer).not.toBe(kernel.memory.buffer);
    // a later call reuses the scratch region, never the result
    const z = layerNorm(normalRows(4, 48, dim), { dim, gamma, beta });
    expect(z.buffer).not.toBe(y.buffer);
    expect(firstBitDifference(y, out)).toBe(-1);
  });

  it("allocates no zero-filled array that is then overwritten (one chunk), nor does a prepared normaliser", () => {
    const ln = createLayerNorm({ dim, gamma, beta });
    const zeroFilled = (args: unknown[]): boolean => args.length === 1 && typeof args[0] === "number";
    for (const run of [() => layerNorm(x, { dim, gamma, beta }), () => ln(x), () => l2Normalize(x, { dim })]) {
      const calls = constructions(run);
      expect(calls.filter(zeroFilled)).toEqual([]);
      expect(calls.some((args) => args.length === 1 && ArrayBuffer.isView(args[0]))).toBe(true); // the copy
    }
  });

  it("a chunked call allocates its whole result first, and still gives the bits of one kernel call", () => {
    const rows = 100; // 400 KiB: two chunks
    const big = normalRows(5, rows, dim, -1, 3);
    let y: Float32Array = new Float32Array(0);
    const calls = constructions(() => {
      y = layerNorm(big, { dim, gamma, beta });
    });
    expect(calls.filter((args) => args.length === 1 && args[0] === rows * dim)).toHaveLength(1);
    expect(firstBitDifference(y, zeroCopy(big, dim, gamma, beta))).toBe(-1);
  });
});

describe("chunks of the copying path", () => {
  it("hold at most COPY_CHUNK_BYTES of rows, evened out, with the bits of one zero-copy call", () => {
    const gamma = normalRows(11, 1, 1024, 1, 0.5);
    const beta = normalRows(12, 1, 1024, 0, 0.5);
    // rows of 1024: 64 fit in 256 KiB; 65 rows go as 33 + 32, 300 as five chunks of 60
    for (const [rows, dim, sizes] of [
      [64, 1024, [64]],
      [65, 1024, [33, 32]],
      [300, 1024, [60, 60, 60, 60, 60]],
      [1000, 96, [500, 500]],
    ] as const) {
      expect(Math.max(...sizes) * dim * 4).toBeLessThanOrEqual(COPY_CHUNK_BYTES);
      const x = normalRows(rows + dim, rows, dim, 0.5, 2);
      const g = gamma.subarray(0, dim);
      const b = beta.subarray(0, dim);
      const want = zeroCopy(x, dim, g, b);
      const out = new Float32Array(x.length);
      // the copies into wasm memory go through Float32Array.prototype.set: γ, β, then x chunk by chunk
      const set = vi.spyOn(Float32Array.prototype, "set");
      layerNorm(x, { dim, gamma: g, beta: b, out });
      const copied = set.mock.calls.map(([src]) => (src as ArrayLike<number>).length / dim);
      set.mockRestore();
      expect(copied).toEqual([1, 1, ...sizes]);
      expect(firstBitDifference(out, want)).toBe(-1);
    }
  });

  it("a smaller memory bound still wins over the cache bound (the knob the chunking tests use)", () => {
    const dim = 64;
    const x = normalRows(21, 40, dim);
    setScratchChunkBytes(4 * dim * 4); // four rows a chunk
    const set = vi.spyOn(Float32Array.prototype, "set");
    const y = l2Normalize(x, { dim, out: new Float32Array(x.length) });
    const copied = set.mock.calls.map(([src]) => (src as ArrayLike<number>).length / dim);
    set.mockRestore();
    expect(copied).toEqual(new Array(10).fill(4));
    setScratchChunkBytes(undefined);
    expect(firstBitDifference(y, l2Normalize(x, { dim }))).toBe(-1);
  });
});
