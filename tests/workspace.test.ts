// Zero-copy workspaces, views that survive memory growth, and memory that stays
// flat over many calls.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWorkspace, l2Normalize, layerNorm } from "iterl2norm";
import { kernel } from "iterl2norm/kernel";
import { firstBitDifference, normalRows } from "./helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createWorkspace", () => {
  it("exposes input, output, gamma (ones) and beta (zeros) of the right sizes in wasm memory", () => {
    const ws = createWorkspace(3, 5);
    expect(ws.rows).toBe(3);
    expect(ws.dim).toBe(5);
    expect(ws.input.length).toBe(15);
    expect(ws.output.length).toBe(15);
    expect(Array.from(ws.gamma)).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(ws.beta)).toEqual([0, 0, 0, 0, 0]);
    for (const v of [ws.input, ws.output, ws.gamma, ws.beta]) expect(v.buffer).toBe(kernel.memory.buffer);
    ws.dispose();
  });

  it("runs layerNorm on workspace buffers without any copy, with the same bits as the copying path", () => {
    const dim = 64;
    const ws = createWorkspace(8, dim);
    const x = normalRows(1, 8, dim, 2, 3);
    const gamma = normalRows(2, 1, dim);
    ws.input.set(x);
    ws.gamma.set(gamma);
    const expected = layerNorm(x, { dim, gamma });
    const set = vi.spyOn(Float32Array.prototype, "set");
    const result = layerNorm(ws.input, { dim, out: ws.output, gamma: ws.gamma, beta: ws.beta });
    expect(set).not.toHaveBeenCalled();
    expect(result.byteOffset).toBe(ws.output.byteOffset);
    expect(firstBitDifference(ws.output, expected)).toBe(-1);
    l2Normalize(ws.input, { dim, out: ws.input });
    expect(set).not.toHaveBeenCalled();
    ws.dispose();
  });

  it("keeps its views valid after wasm memory grows (old views detach, properties re-derive)", () => {
    const ws = createWorkspace(2, 4);
    ws.input.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const held = ws.input;
    const before = kernel.memory.buffer.byteLength;
    const big = createWorkspace(1024, 4096); // 32 MiB more: the memory must grow
    expect(kernel.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(held.length).toBe(0); // detached, as documented
    expect(Array.from(ws.input)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    layerNorm(ws.input, { dim: 4, out: ws.output });
    expect(ws.output[0]).toBeLessThan(0);
    big.dispose();
    ws.dispose();
  });

  it("handles out overlapping x partially by going through scratch (never corrupts the input rows)", () => {
    const dim = 4;
    const ws = createWorkspace(3, dim);
    const x = normalRows(3, 2, dim);
    ws.input.set(x);
    const want = layerNorm(x, { dim });
    const shifted = ws.input.subarray(dim, 3 * dim); // overlaps the second half of x's window
    layerNorm(ws.input.subarray(0, 2 * dim), { dim, out: shifted });
    expect(firstBitDifference(ws.input.subarray(dim, 3 * dim), want)).toBe(-1);
    ws.dispose();
  });

  it("throws on use after dispose; dispose twice is harmless", () => {
    const ws = createWorkspace(1, 4);
    ws.dispose();
    ws.dispose();
    expect(() => ws.input).toThrow(/disposed/);
  });
});

describe("memory stays flat", () => {
  /** Address the allocator hands out for a 64-byte block right now (freed again). */
  function probe(): number {
    const p = kernel.alloc(64);
    kernel.free(p);
    return p;
  }

  it("over 1e5 copying calls and 1e4 workspace create/dispose cycles", () => {
    const dim = 16;
    const x = normalRows(4, 2, dim);
    const out = new Float32Array(x.length);
    layerNorm(x, { dim, out });
    const size = kernel.memory.buffer.byteLength;
    const where = probe();
    for (let i = 0; i < 100_000; i++) layerNorm(x, { dim, out });
    for (let i = 0; i < 10_000; i++) createWorkspace(4, dim).dispose();
    expect(kernel.memory.buffer.byteLength).toBe(size);
    expect(probe()).toBe(where);
  });
});

describe("build selection", () => {
  it(
    "loads the build ITERL2NORM_WASM asks for (the scalar project of vitest.config.ts sets it), " +
      "else SIMD on this engine",
    async () => {
      const { build, constants } = await import("iterl2norm/kernel");
      // the relaxed project hands its build in as a module (tests/setup-relaxed.ts)
      const relaxed = globalThis.ITERL2NORM_WASM_MODULE !== undefined;
      const want = relaxed ? "relaxed" : process.env.ITERL2NORM_WASM === "scalar" ? "scalar" : "simd";
      expect(build).toBe(want);
      expect(constants.HAS_SIMD).toBe(want === "scalar" ? 0 : 1);
      expect(constants.HAS_RELAXED_SIMD).toBe(relaxed ? 1 : 0);
    },
  );
});
