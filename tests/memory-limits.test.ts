// The memory limits of docs/design.md §7: the allocator's per-block limit, an exhausted
// memory, copying calls run in chunks of whole rows, and the BF16/FP16 kernel's scratch
// row. The whole file runs on the kernel with a real but small memory limit: the same
// build with a maximum declared in its memory section, so the engine refuses to grow
// past LIMIT_BYTES exactly as it refuses past 4 GiB, without this test touching gigabytes.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLayerNorm, createWorkspace, l2Normalize, layerNorm, toBF16 } from "iterl2norm";
import { kernel } from "iterl2norm/kernel";
import { MAX_BLOCK_BYTES } from "../js/constants.js";
import { allocate, release, setScratchChunkBytes } from "../js/memory.js";
import { firstBitDifference, normalRows } from "./helpers.js";

const { LIMIT_BYTES } = vi.hoisted(() => ({ LIMIT_BYTES: 128 * 2 ** 20 }));

vi.mock("../js/wasm.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../js/wasm.js")>();
  const { leb128: toLeb, readLeb128: leb } = await import("../js/leb128.js");
  /** The module with its one memory's maximum set to `pages` (memory section, id 5). */
  function withMemoryMaximum(wasm: Uint8Array, pages: number): Uint8Array<ArrayBuffer> {
    let at = 8; // magic and version
    while (at < wasm.length) {
      const id = wasm[at]!;
      const [size, sizeLen] = leb(wasm, at + 1);
      const body = at + 1 + sizeLen;
      if (id === 5) {
        const [count, countLen] = leb(wasm, body);
        if (count !== 1) throw new Error(`expected one memory; got ${count}`);
        const flags = wasm[body + countLen]!;
        const [min] = leb(wasm, body + countLen + 1);
        if (flags > 1) throw new Error(`unexpected memory flags ${flags}`);
        const newBody = [...toLeb(1), 1, ...toLeb(min), ...toLeb(pages)];
        const section = [5, ...toLeb(newBody.length), ...newBody];
        const out = new Uint8Array(wasm.length - (body + size - at) + section.length);
        out.set(wasm.subarray(0, at), 0);
        out.set(section, at);
        out.set(wasm.subarray(body + size), at + section.length);
        return out;
      }
      at = body + size;
    }
    throw new Error("no memory section");
  }
  const path = createRequire(import.meta.url).resolve(
    real.build === "simd" ? "iterl2norm/wasm" : "iterl2norm/wasm-scalar",
  );
  const bytes = withMemoryMaximum(new Uint8Array(readFileSync(path)), LIMIT_BYTES / 65536);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  return { ...real, kernel: instance.exports };
});

/** Allocates blocks of `bytes` until the memory is exhausted; returns them. */
function fillMemory(bytes: number): number[] {
  const blocks: number[] = [];
  for (;;) {
    try {
      blocks.push(allocate(bytes));
    } catch (e) {
      if (e instanceof RangeError) return blocks;
      throw e;
    }
  }
}

function releaseAll(blocks: number[]): void {
  for (const b of blocks.splice(0)) release(b);
}

let filler: number[] = [];
afterEach(() => {
  releaseAll(filler);
  setScratchChunkBytes(undefined);
});

describe("the test's kernel", () => {
  it("is the library's kernel with a real memory limit", () => {
    expect(() => allocate(LIMIT_BYTES)).toThrow(RangeError);
    filler = fillMemory(2 ** 20);
    expect(kernel.memory.buffer.byteLength).toBeLessThanOrEqual(LIMIT_BYTES);
    expect(kernel.memory.buffer.byteLength).toBeGreaterThan(LIMIT_BYTES - 2 * 2 ** 20);
  });
});

describe("allocation limits", () => {
  it("a block over the allocator's per-block limit is a RangeError naming that limit, before any growth", () => {
    const before = kernel.memory.buffer.byteLength;
    for (const f of [() => allocate(MAX_BLOCK_BYTES + 1), () => createWorkspace(16, 2 ** 24)]) {
      let error: unknown;
      try {
        f();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RangeError);
      const message = (error as Error).message;
      expect(message).toContain(`one allocation of wasm memory is limited to ${MAX_BLOCK_BYTES} bytes`);
      expect(message).not.toContain("exhausted");
    }
    expect(() => createWorkspace(16, 2 ** 24)).toThrow(
      "rows·dim + dim must be at most 134217727; got 16·16777216 + 16777216",
    );
    expect(kernel.memory.buffer.byteLength).toBe(before);
  });

  it("a block under the per-block limit that the memory cannot hold is a RangeError saying memory is exhausted", () => {
    // 7·2^24 values: under the block limit (rows·dim + dim < 2^27), over this kernel's memory.
    expect(() => createWorkspace(6, 2 ** 24)).toThrow(/wasm memory is exhausted.*grown memory is never returned/);
    expect(() => allocate(LIMIT_BYTES)).toThrow(/wasm memory is exhausted/);
    const ws = createWorkspace(4, 8); // the module works afterwards
    expect(ws.gamma[7]).toBe(1);
    ws.dispose();
  });
});

describe("copying calls in chunks of whole rows", () => {
  it("a copying call larger than the free memory runs in chunks, bit-identical to one call", () => {
    const rows = 4096;
    const dim = 1024; // x: 16 MiB, more than the memory left free below
    const x = normalRows(11, rows, dim, 1, 2);
    const gamma = normalRows(12, 1, dim);
    const beta = normalRows(13, 1, dim);
    const ws = createWorkspace(rows, dim); // the unchunked result: one zero-copy kernel call
    ws.input.set(x);
    ws.gamma.set(gamma);
    ws.beta.set(beta);
    layerNorm(ws.input, { dim, gamma: ws.gamma, beta: ws.beta, out: ws.output });
    const whole = ws.output.slice();
    ws.dispose();

    filler = fillMemory(2 ** 20);
    release(filler.pop()!);
    release(filler.pop()!); // about 2 MiB free
    const chunked = layerNorm(x, { dim, gamma, beta });
    expect(firstBitDifference(chunked, whole)).toBe(-1);
  });

  it("gives the same bits with a small chunk limit for every placement of x, out, gamma and beta", () => {
    const rows = 37;
    const dim = 24;
    const n = rows * dim;
    const x = normalRows(21, rows, dim, 0.5, 3);
    const gamma = normalRows(22, 1, dim);
    const beta = normalRows(23, 1, dim);
    const opts = { dim, gamma, beta };
    const ln = createLayerNorm(opts);
    const expectedLn = layerNorm(x, opts);
    const expectedL2 = l2Normalize(x, { dim });
    const expectedBf16 = layerNorm(x, { ...opts, format: "bf16" });
    const expectedBits = l2Normalize(toBF16(x), { dim, format: "bf16", accumulate: "native" });
    // The chunked runs: about 3 rows per chunk (every copied operand counted).
    setScratchChunkBytes(3 * dim * 4 * 2 + 2 * dim * 4);

    expect(firstBitDifference(layerNorm(x, opts), expectedLn)).toBe(-1);
    expect(firstBitDifference(ln(x), expectedLn)).toBe(-1);
    expect(firstBitDifference(l2Normalize(x, { dim, out: new Float32Array(n) }), expectedL2)).toBe(-1);
    expect(firstBitDifference(layerNorm(x, { ...opts, format: "bf16" }), expectedBf16)).toBe(-1);
    const bits = l2Normalize(toBF16(x), { dim, format: "bf16", accumulate: "native" });
    expect(bits).toBeInstanceOf(Uint16Array);
    expect(Array.from(bits)).toEqual(Array.from(expectedBits));

    // x in wasm memory, out outside it (out goes through scratch), and the reverse.
    const ws = createWorkspace(rows, dim);
    ws.input.set(x);
    expect(firstBitDifference(layerNorm(ws.input, opts), expectedLn)).toBe(-1);
    layerNorm(x, { ...opts, out: ws.output });
    expect(firstBitDifference(ws.output, expectedLn)).toBe(-1);
    ws.dispose();

    // out overlapping x one row later and one row earlier: every row is read before it is overwritten.
    for (const shift of [1, -1]) {
      const block = allocate((n + 2 * dim) * 4);
      const at = block / 4 + dim;
      const heap = new Float32Array(kernel.memory.buffer);
      heap.set(x, at);
      const xIn = heap.subarray(at, at + n);
      const outIn = heap.subarray(at + shift * dim, at + shift * dim + n);
      layerNorm(xIn, { ...opts, out: outIn });
      expect(firstBitDifference(outIn, expectedLn)).toBe(-1);
      const h = new Float32Array(kernel.memory.buffer);
      h.set(x, at);
      layerNorm(h.subarray(at, at + n), {
        ...opts,
        format: "bf16",
        out: h.subarray(at + shift * dim, at + shift * dim + n),
      });
      expect(firstBitDifference(h.subarray(at + shift * dim, at + shift * dim + n), expectedBf16)).toBe(-1);
      release(block);
    }

    // gamma and beta in wasm memory inside out: read before out is written.
    const block = allocate(n * 4);
    const heap = new Float32Array(kernel.memory.buffer);
    const outIn = heap.subarray(block / 4, block / 4 + n);
    const g = heap.subarray(block / 4 + 5 * dim, block / 4 + 6 * dim);
    const b = heap.subarray(block / 4 + 30 * dim, block / 4 + 31 * dim);
    g.set(gamma);
    b.set(beta);
    layerNorm(x, { dim, gamma: g, beta: b, out: outIn });
    expect(firstBitDifference(outIn, expectedLn)).toBe(-1);
    release(block);
  });
});

describe("the BF16/FP16 kernel's scratch row", () => {
  it("a BF16 call whose scratch row cannot be allocated is a RangeError, and the module works afterwards", () => {
    const dim = 2 ** 18; // one row: 1 MiB of f32, and the kernel's scratch row is 1 MiB too
    const x = normalRows(31, 1, dim, 0, 1);
    const first = l2Normalize(x, { dim, format: "bf16" }); // grows the scratch region to hold x
    filler = fillMemory(dim * 4); // no room left for another block of dim f32
    let error: unknown;
    try {
      l2Normalize(x, { dim, format: "bf16" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(/wasm memory is exhausted/);
    // The FP32 kernel allocates nothing: with the scratch already grown it still runs.
    expect(l2Normalize(x, { dim }).length).toBe(dim);
    releaseAll(filler);
    expect(firstBitDifference(l2Normalize(x, { dim, format: "bf16" }), first)).toBe(-1);
  });
});
