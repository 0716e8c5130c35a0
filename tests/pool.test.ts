// The thread pool (iterl2norm/pool, docs/design.md §7, threads): the same checks and the same bits as
// the single-threaded API for every shape, option and placement, its rows split over workers that
// share one wasm memory; what it refuses; its memory (growth, limits, re-instantiation); and a
// clean shutdown (an idle pool never keeps Node alive).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { l2Normalize, layerNorm, type NormalizeOptions } from "iterl2norm";
import { createPool, MIN_ELEMENTS_PER_THREAD, type Pool } from "iterl2norm/pool";
import { setScratchChunkBytes } from "../js/memory.js";
import { SIMD_WASM_BASE64 } from "../js/generated/wasm-simd.js";
import { threadsModule } from "../js/pool/module.js";
import { setMinElementsPerThread, type ThreadPool } from "../js/pool/pool.js";
import { firstBitDifference, normalRows } from "./helpers.js";

const root = new URL("..", import.meta.url).pathname;
const exec = promisify(execFile);

/** The error a promise rejects with, as [name, message]; ["none", ""] when it resolves. */
async function rejectionOf(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (e) {
    return [(e as Error).name, (e as Error).message];
  }
  return ["none", ""];
}

/** The error fn() throws, as [name, message]; ["none", ""] when it returns. */
function thrownBy(fn: () => unknown): [string, string] {
  try {
    fn();
  } catch (e) {
    return [(e as Error).name, (e as Error).message];
  }
  return ["none", ""];
}

/**
 * Rows that exercise every edge rule (docs/design.md §4) between ordinary ones: zeros, a constant
 * row, NaN and ±Inf, values near the f32 maximum and subnormal ones, and a small spread about 1e7.
 */
function edgeRows(rows: number, dim: number, seed: number): Float32Array {
  const x = normalRows(seed, rows, dim, 0.5, 2);
  const row = (r: number): Float32Array => x.subarray(r * dim, (r + 1) * dim);
  if (rows > 1) row(1).fill(0);
  if (rows > 2) row(2).fill(-3.25);
  if (rows > 3) row(3)[dim >> 1] = Number.NaN;
  if (rows > 4) row(4)[0] = Number.POSITIVE_INFINITY;
  const map = (r: number, f: (v: number) => number): void => {
    if (rows > r) row(r).set(row(r).map(f));
  };
  map(5, (v) => 3e38 * Math.sign(v || 1)); // near the f32 maximum: Σy² overflows and is pre-scaled
  map(6, (v) => v * 2 ** -140); // subnormal
  map(7, (v) => 1e7 + v); // a small spread about a large offset
  return x;
}

// Three threads (two workers) whatever the cores: the split is then uneven for most row counts.
let pool: Pool;
beforeAll(async () => {
  pool = await createPool({ threads: 3 });
});
afterAll(async () => {
  await pool.close();
});
afterEach(() => {
  setMinElementsPerThread(undefined);
  setScratchChunkBytes(undefined);
  vi.restoreAllMocks();
});

describe("the same bits as the single-threaded API", () => {
  const dims = [1, 3, 7, 64, 129, 768, 1024];
  const rowCounts = [1, 2, 3, 5, 8, 17, 64];
  const variants: [string, Partial<NormalizeOptions>][] = [
    ["paper", {}],
    ["precise", { preset: "precise" }],
    ["pow2, 3 steps", { lambda: "pow2", iterations: 3 }],
    ["custom λ", { lambda: 0.25 }],
    ["sqrt", { method: "sqrt" }],
    ["fisr lomont", { method: "fisr", fisr: { variant: "lomont", steps: 2 } }],
    ["eps 0", { eps: 0 }],
  ];

  it.each(variants)("%s: every shape, split over the threads, copying and in place", async (_name, extra) => {
    setMinElementsPerThread(1); // split every call with at least one row a thread
    for (const dim of dims) {
      for (const rows of rowCounts) {
        const x = edgeRows(rows, dim, dim * 31 + rows);
        const gamma = normalRows(dim + 1, 1, dim, 1, 0.5);
        const beta = normalRows(dim + 2, 1, dim, 0, 0.5);
        const opts = { dim, gamma, beta, ...extra };
        const want = layerNorm(x, opts);
        expect(firstBitDifference(await pool.layerNorm(x, opts), want)).toBe(-1);
        const inPlace = x.slice();
        const got = await pool.layerNorm(inPlace, { ...opts, out: inPlace });
        expect(got).toBe(inPlace);
        expect(firstBitDifference(inPlace, want)).toBe(-1);
        const { gamma: _g, beta: _b, ...l2opts } = opts;
        const wantL2 = l2Normalize(x, l2opts);
        const out = new Float32Array(x.length);
        expect(await pool.l2Normalize(x, { ...l2opts, out })).toBe(out);
        expect(firstBitDifference(out, wantL2)).toBe(-1);
      }
    }
  });

  it("zero-copy on a pool workspace (no copy in or out), with and without γ and β, and in place", async () => {
    setMinElementsPerThread(1);
    for (const [rows, dim] of [
      [64, 1024],
      [37, 768],
      [5, 3],
    ] as const) {
      const x = edgeRows(rows, dim, rows + dim);
      const gamma = normalRows(rows + 1, 1, dim, 1, 0.3);
      const beta = normalRows(rows + 2, 1, dim, 0, 0.3);
      const ws = pool.createWorkspace(rows, dim);
      ws.input.set(x);
      ws.gamma.set(gamma);
      ws.beta.set(beta);
      const set = vi.spyOn(Float32Array.prototype, "set");
      await pool.layerNorm(ws.input, { dim, gamma: ws.gamma, beta: ws.beta, out: ws.output });
      await pool.l2Normalize(ws.input, { dim, out: ws.input });
      expect(set).not.toHaveBeenCalled();
      set.mockRestore();
      expect(firstBitDifference(ws.output, layerNorm(x, { dim, gamma, beta }))).toBe(-1);
      expect(firstBitDifference(ws.input, l2Normalize(x, { dim }))).toBe(-1);
      ws.dispose();
    }
  });

  it("a large batch at the default break-even, every row on the thread the split gives it", async () => {
    const rows = 1000;
    const dim = 1024;
    expect(rows * dim).toBeGreaterThan(3 * MIN_ELEMENTS_PER_THREAD); // all three threads take part
    const x = edgeRows(rows, dim, 5);
    const gamma = normalRows(6, 1, dim, 1, 0.5);
    const want = layerNorm(x, { dim, gamma, preset: "precise" });
    const ws = pool.createWorkspace(rows, dim);
    ws.input.set(x);
    await pool.layerNorm(ws.input, { dim, gamma, preset: "precise", out: ws.output });
    expect(firstBitDifference(ws.output, want)).toBe(-1);
    expect(firstBitDifference(await pool.layerNorm(x, { dim, gamma, preset: "precise" }), want)).toBe(-1);
    ws.dispose();
  });

  it("chunked copies and overlapping placements in the pool's memory (memmove order), as layerNorm", async () => {
    setMinElementsPerThread(1);
    const rows = 37;
    const dim = 24;
    const x = normalRows(21, rows, dim, 0.5, 3);
    const gamma = normalRows(22, 1, dim);
    const beta = normalRows(23, 1, dim);
    const opts = { dim, gamma, beta };
    const want = layerNorm(x, opts);
    setScratchChunkBytes(3 * dim * 4 * 2 + 2 * dim * 4); // about three rows a chunk
    expect(firstBitDifference(await pool.layerNorm(x, opts), want)).toBe(-1);
    // out one row after and one row before x in a workspace block: every row read before it is overwritten
    const ws = pool.createWorkspace(rows + 2, dim);
    for (const shift of [1, -1]) {
      const at = (1 + shift) * dim;
      ws.input.set(x, dim);
      const xIn = ws.input.subarray(dim, dim + rows * dim);
      const outIn = ws.input.subarray(at, at + rows * dim);
      await pool.layerNorm(xIn, { ...opts, out: outIn });
      expect(firstBitDifference(outIn, want)).toBe(-1);
    }
    // γ and β inside out: read before out is written
    ws.input.set(x, dim);
    const out = ws.output.subarray(0, rows * dim);
    const g = ws.output.subarray(5 * dim, 6 * dim);
    const b = ws.output.subarray(30 * dim, 31 * dim);
    g.set(gamma);
    b.set(beta);
    await pool.layerNorm(ws.input.subarray(dim, dim + rows * dim), { dim, gamma: g, beta: b, out });
    expect(firstBitDifference(out, want)).toBe(-1);
    ws.dispose();
  });

  it("calls made together run one at a time, in order, each with its own bits", async () => {
    setMinElementsPerThread(1);
    const dim = 96;
    const xs = [1, 2, 3, 4, 5, 6].map((s) => normalRows(s, 40 + s, dim, s, s));
    const results = await Promise.all(
      xs.map((x, i) => (i % 2 ? pool.l2Normalize(x, { dim }) : pool.layerNorm(x, { dim }))),
    );
    results.forEach((y, i) => {
      const want = i % 2 ? l2Normalize(xs[i]!, { dim }) : layerNorm(xs[i]!, { dim });
      expect(firstBitDifference(y, want)).toBe(-1);
    });
  });
});

describe("checks", () => {
  it("rejects what layerNorm rejects, with the same error, and writes nothing", async () => {
    const x = new Float32Array(8).fill(2);
    const cases: [unknown, unknown][] = [
      [x, { dim: 3 }],
      [x, undefined],
      [x, { dim: 4, presett: "paper" }],
      [x, { dim: 4, preset: "precise", method: "sqrt" }],
      [[1, 2, 3, 4], { dim: 4 }],
      [x, { dim: 4, out: new Float32Array(4) }],
    ];
    for (const [input, opts] of cases) {
      const want = thrownBy(() => layerNorm(input as Float32Array, opts as NormalizeOptions));
      expect(want[0]).not.toBe("none");
      expect(await rejectionOf(pool.layerNorm(input as Float32Array, opts as NormalizeOptions))).toEqual(want);
    }
    expect(Array.from(x)).toEqual(new Array(8).fill(2));
  });

  it("refuses the BF16/FP16 formats (a RangeError naming opts.format) and raw 16-bit input", async () => {
    const [kind, message] = await rejectionOf(pool.layerNorm(new Float32Array(4), { dim: 4, format: "bf16" }));
    expect(kind).toBe("RangeError");
    expect(message).toMatch(/^opts\.format must be "fp32" in a thread pool .*; got "bf16"$/);
    const bits = await rejectionOf(pool.l2Normalize(new Uint16Array(4) as never, { dim: 4, format: "fp16" }));
    expect(bits[0]).toBe("RangeError");
    expect(bits[1]).toMatch(/^opts\.format must be "fp32"/);
  });

  it("checks createPool's options with the library's validators", async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ threads: 0 }, "RangeError", /^opts\.threads must be an integer from 1 to 256; got 0$/],
      [{ threads: 1.5 }, "RangeError", /^opts\.threads must be an integer from 1 to 256; got 1\.5$/],
      [{ threads: "2" }, "TypeError", /^opts\.threads must be an integer/],
      [{ thread: 2 }, "TypeError", /^opts has an unknown option "thread"; expected one of threads, maxMemory$/],
      [{ maxMemory: 100000 }, "RangeError", /^opts\.maxMemory must be a multiple of 65536 .*; got 100000$/],
      [{ maxMemory: 2 ** 33 }, "RangeError", /^opts\.maxMemory must be an integer from 65536 to 4294967296/],
      [[], "TypeError", /^opts must be an options object; got Array\(0\)$/],
    ];
    for (const [opts, kind, message] of cases) {
      const [k, m] = await rejectionOf(createPool(opts as never));
      expect(k).toBe(kind);
      expect(m).toMatch(message);
    }
  });
});

describe("memory", () => {
  it("workspaces survive growth of the shared memory: views are never detached and still zero-copy", async () => {
    const small = await createPool({ threads: 2 });
    const ws = small.createWorkspace(4, 8);
    const x = normalRows(41, 4, 8);
    ws.input.set(x);
    const held = ws.input;
    const big = small.createWorkspace(1024, 4096); // 32 MiB: the memory must grow
    expect(held.length).toBe(32); // a shared memory's old buffer keeps its length
    expect(held.buffer).not.toBe(ws.input.buffer);
    const set = vi.spyOn(Float32Array.prototype, "set");
    const out = ws.output;
    await small.layerNorm(held, { dim: 8, out }); // a view of the old buffer is still the pool's memory
    expect(set).not.toHaveBeenCalled();
    set.mockRestore();
    expect(firstBitDifference(out, layerNorm(x, { dim: 8 }))).toBe(-1);
    big.dispose();
    ws.dispose();
    await small.close();
  });

  it("an allocation past the pool's memory limit is a RangeError naming the limit; the pool works on", async () => {
    const limited = await createPool({ threads: 2, maxMemory: 4 * 2 ** 20 });
    const [kind, message] = thrownBy(() => limited.createWorkspace(1024, 1024));
    expect(kind).toBe("RangeError");
    expect(message).toMatch(/wasm memory is exhausted .*at most 4194304 bytes/);
    setMinElementsPerThread(1);
    const x = normalRows(42, 64, 256);
    expect(firstBitDifference(await limited.layerNorm(x, { dim: 256 }), layerNorm(x, { dim: 256 }))).toBe(-1);
    await limited.close();
  });

  it("the pool's module is the SIMD build with its memory imported as a shared env.memory", async () => {
    const module = await threadsModule();
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
    const simd = new WebAssembly.Module(Uint8Array.from(atob(SIMD_WASM_BASE64), (c) => c.charCodeAt(0)));
    expect(WebAssembly.Module.exports(module)).toEqual(WebAssembly.Module.exports(simd));
    // the import asks for a shared memory: an unshared one is refused at instantiation
    const unshared = new WebAssembly.Memory({ initial: 1, maximum: 16 });
    await expect(WebAssembly.instantiate(module, { env: { memory: unshared } })).rejects.toThrow(WebAssembly.LinkError);
  });

  it("instantiating the pool's module again on a memory in use changes none of its bytes", async () => {
    // Every instance applies the build's active data segments (read-only constants below the heap)
    // when it starts: a worker starting while the calling thread works must write only equal bytes.
    const module = await threadsModule();
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 256, shared: true });
    const a = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as {
      alloc(bytes: number): number;
    };
    const block = a.alloc(3 * 65536);
    const heap = new Uint8Array(memory.buffer);
    for (let i = block; i < block + 3 * 65536; i++) heap[i] = (i * 2654435761) >>> 24;
    const before = new Uint8Array(memory.buffer).slice();
    await WebAssembly.instantiate(module, { env: { memory } });
    expect(firstBitDifference(new Uint8Array(memory.buffer), before)).toBe(-1);
  });
});

describe("lifetime", () => {
  it("close() waits for the calls made before it, refuses later calls and workspaces, may be repeated", async () => {
    const p = await createPool({ threads: 2 });
    setMinElementsPerThread(1);
    const x = normalRows(51, 64, 128);
    const pending = p.layerNorm(x, { dim: 128 });
    const closed = p.close();
    expect(await rejectionOf(p.layerNorm(x, { dim: 128 }))).toEqual(["Error", "iterl2norm/pool: the pool is closed"]);
    expect(thrownBy(() => p.createWorkspace(1, 1))).toEqual(["Error", "iterl2norm/pool: the pool is closed"]);
    expect(firstBitDifference(await pending, layerNorm(x, { dim: 128 }))).toBe(-1);
    await closed;
    await p.close();
  });

  it("a worker's failure rejects the calls not yet finished and every later one; close() still works", async () => {
    const p = await createPool({ threads: 2 });
    setMinElementsPerThread(1);
    const x = normalRows(52, 512, 256);
    const pending = p.layerNorm(x, { dim: 256 });
    // what the pool's handlers of a worker's error or exit event do (js/pool/index.ts)
    (p as ThreadPool).fail(new Error("worker 1 exited (code 1)"));
    const failed = ["Error", "iterl2norm/pool: a worker of the pool failed: worker 1 exited (code 1)"];
    expect(await rejectionOf(pending)).toEqual(failed);
    expect(await rejectionOf(p.l2Normalize(x, { dim: 256 }))).toEqual(failed);
    expect(thrownBy(() => p.createWorkspace(1, 1))).toEqual(failed);
    await p.close();
  });

  it("a Node process with an idle pool it never closed exits by itself, code 0 (the built package)", async () => {
    const script = [
      "import { createPool } from 'iterl2norm/pool';",
      "const pool = await createPool({ threads: 2 });",
      "const ws = pool.createWorkspace(256, 1024);",
      "ws.input.fill(1.5); ws.input[7] = 3;",
      "const y = await pool.layerNorm(ws.input, { dim: 1024, out: ws.output });",
      "console.log(pool.threads, y.length, y[7] > 0);",
    ].join("\n");
    // the loader's own choice of build (a project's ITERL2NORM_WASM may need a flag the child lacks)
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "ITERL2NORM_WASM"));
    const { stdout } = await exec(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      env,
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe("2 262144 true");
  });
});
