// Typed arrays that lie (a subclass overriding length, byteOffset or buffer), Proxies of
// typed arrays, arrays of another realm and detached arrays: the library reads sizes and
// places from the internal slots only (docs/design.md §7), so none of them can make it
// copy the wrong bytes or point the kernel at the wrong part of wasm memory.
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import {
  createL2Normalize,
  createLayerNorm,
  createWorkspace,
  fromBF16,
  fromFP16,
  l2Normalize,
  layerNorm,
  reference,
  rsqrt,
  toBF16,
  toFP16,
} from "iterl2norm";
import { kernel } from "iterl2norm/kernel";
import { errorOf, firstBitDifference, normalRows } from "./helpers.js";

interface Lies {
  length?: () => number;
  byteOffset?: () => number;
  byteLength?: () => number;
  buffer?: () => ArrayBufferLike;
}

/** A subclass of Float32Array (or Uint16Array) whose own getters say what `lies` says. */
function liarClass<T extends typeof Float32Array | typeof Uint16Array>(Base: T, lies: Lies): T {
  const Liar = class extends (Base as typeof Float32Array) {};
  for (const [key, get] of Object.entries(lies)) Object.defineProperty(Liar.prototype, key, { get });
  return Liar as unknown as T;
}

function liar(values: Float32Array, lies: Lies): Float32Array {
  const Liar = liarClass(Float32Array, lies);
  return new Liar(values);
}

function detached<T extends Float32Array | Uint16Array>(a: T): T {
  structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
  expect(a.length).toBe(0);
  return a;
}

const dim = 16;
const rows = 4;
const x = normalRows(71, rows, dim, 1, 2);
const gamma = normalRows(72, 1, dim, 1, 0.3);
const beta = normalRows(73, 1, dim, 0, 0.1);
const want = reference.layerNormIter(x, { dim, gamma, beta });

/** The module still gives the reference's bits on a fixed call, copying and zero-copy, and dispose() works. */
function moduleStillSound(): void {
  expect(firstBitDifference(layerNorm(x, { dim, gamma, beta }), want)).toBe(-1);
  const ws = createWorkspace(rows, dim);
  ws.input.set(x);
  ws.gamma.set(gamma);
  ws.beta.set(beta);
  layerNorm(ws.input, { dim, gamma: ws.gamma, beta: ws.beta, out: ws.output });
  expect(firstBitDifference(ws.output, want)).toBe(-1);
  ws.dispose();
  expect(() => ws.input).toThrow(/disposed/);
}

describe("a typed array whose own getters lie never changes what is copied or where the kernel writes", () => {
  it("layerNorm on a subclass with a lying length (copying path) normalises its real length", () => {
    const big = liar(x, { length: () => 1 << 20 });
    expect(big.length).toBe(1 << 20);
    const small = liar(x, { length: () => dim });
    for (const v of [big, small]) {
      const y = layerNorm(v, { dim, gamma, beta });
      expect(y).toBeInstanceOf(Float32Array);
      expect(y.length === x.length && firstBitDifference(y, want) === -1).toBe(true);
      const out = liar(new Float32Array(x.length), { length: () => 3 });
      layerNorm(x, { dim, gamma, beta, out });
      expect(firstBitDifference(new Float32Array(out.buffer), want)).toBe(-1);
      expect(firstBitDifference(createLayerNorm({ dim, gamma, beta })(v), want)).toBe(-1);
    }
    const lyingGamma = liar(gamma, { length: () => 1 << 20, buffer: () => kernel.memory.buffer });
    expect(firstBitDifference(layerNorm(x, { dim, gamma: lyingGamma, beta }), want)).toBe(-1);
    moduleStillSound();
  });

  it("a subclass claiming to live in wasm memory (lying buffer and byteOffset) is copied, not used in place", () => {
    const victim = createWorkspace(rows, dim);
    victim.input.set(x);
    const before = victim.input.slice();
    const pretender = liar(x, { buffer: () => kernel.memory.buffer, byteOffset: () => victim.input.byteOffset });
    const Pretender = liarClass(Float32Array, {
      buffer: () => kernel.memory.buffer,
      byteOffset: () => victim.input.byteOffset,
    });
    const backing = new ArrayBuffer(x.byteLength);
    const out = new Pretender(backing);
    layerNorm(pretender, { dim, gamma, beta, out });
    expect(firstBitDifference(victim.input, before)).toBe(-1);
    expect(firstBitDifference(new Float32Array(backing), want)).toBe(-1);
    victim.dispose();
    moduleStillSound();
  });

  it("zero-copy: a lying subclass over a workspace's input runs on its real extent (no write past out)", () => {
    const ws = createWorkspace(rows, dim);
    ws.input.set(x);
    const ViewLiar = liarClass(Float32Array, { length: () => 2 * rows * dim });
    const view = new ViewLiar(kernel.memory.buffer, ws.input.byteOffset, rows * dim);
    const outView = new ViewLiar(kernel.memory.buffer, ws.output.byteOffset, rows * dim);
    l2Normalize(view, { dim, out: outView });
    // γ and β follow output in the block: a kernel call sized from the lie would overwrite them.
    expect(Array.from(ws.gamma)).toEqual(new Array(dim).fill(1));
    expect(Array.from(ws.beta)).toEqual(new Array(dim).fill(0));
    expect(firstBitDifference(ws.output, reference.l2NormalizeIter(x, { dim }))).toBe(-1);
    expect(firstBitDifference(createL2Normalize({ dim })(view), reference.l2NormalizeIter(x, { dim }))).toBe(-1);
    ws.dispose();
    moduleStillSound();
  });

  it("rsqrt on a subclass with a lying length returns one value per real element", () => {
    const m = Float32Array.of(0.5, 2, 3, 1e-3);
    const y = rsqrt(liar(m, { length: () => 1 << 16 }));
    expect(Array.from(y)).toEqual(Array.from(rsqrt(m)));
    expect(Array.from(rsqrt(liar(m, { length: () => 1 })))).toEqual(Array.from(rsqrt(m)));
    moduleStillSound();
  });

  it("the format converters read and write a lying subclass by its real extent", () => {
    const v = Float32Array.of(1, 1 / 3, -2.5, 65520, 1e-6, Number.NaN);
    const lies: Lies = { length: () => 1 << 20, byteOffset: () => 1 << 20, byteLength: () => 7 };
    expect(Array.from(toBF16(liar(v, lies)))).toEqual(Array.from(toBF16(v)));
    expect(Array.from(toFP16(liar(v, lies)))).toEqual(Array.from(toFP16(v)));
    const Bits = liarClass(Uint16Array, lies);
    const h = toBF16(v);
    expect(Array.from(fromBF16(new Bits(h)))).toEqual(Array.from(fromBF16(h)));
    expect(Array.from(fromFP16(new Bits(toFP16(v))))).toEqual(Array.from(fromFP16(toFP16(v))));
    const out = liar(new Float32Array(v.length), lies);
    fromBF16(h, out);
    expect(Array.from(new Float32Array(out.buffer))).toEqual(Array.from(fromBF16(h)));
    moduleStillSound();
  });
});

describe("a Proxy of a typed array is a clear TypeError naming the argument", () => {
  const proxy = new Proxy(new Float32Array(x), {});
  const proxyBits = new Proxy(new Uint16Array(x.length), {});
  it.each([
    ["layerNorm x", () => layerNorm(proxy, { dim }), /^x must be .*Float32Array.*Proxy/],
    ["layerNorm out", () => layerNorm(x, { dim, out: proxy }), /^opts\.out must be a Float32Array.*Proxy/],
    ["layerNorm gamma", () => layerNorm(x, { dim, gamma: new Proxy(gamma, {}) }), /^opts\.gamma must be .*Proxy/],
    ["bf16 raw-bit x", () => layerNorm(proxyBits, { dim, format: "bf16" }), /^x must be .*Proxy/],
    ["prepared x", () => createLayerNorm({ dim })(proxy), /^x must be .*Proxy/],
    ["prepared out", () => createLayerNorm({ dim })(x, proxy), /^out must be .*Proxy/],
    ["rsqrt m", () => rsqrt(proxy), /^m must be .*Proxy/],
    ["toBF16 x", () => toBF16(proxy), /^x must be a Float32Array/],
    ["fromBF16 out", () => fromBF16(new Uint16Array(x.length), proxy), /^out must be a Float32Array/],
  ])("%s", (_name, fn, message) => {
    const [type, text] = errorOf(fn);
    expect(type).toBe("TypeError");
    expect(text).toMatch(message);
    moduleStillSound();
  });
});

describe("typed arrays of another realm (node:vm) are accepted by their intrinsic type", () => {
  const other = <T>(code: string, values: ArrayLike<number>): T => runInNewContext(code, { values }) as T;
  it("layerNorm, l2Normalize and the prepared normalisers take x, out, gamma, beta from another realm", () => {
    const xr = other<Float32Array>("new Float32Array(values)", x);
    expect(xr instanceof Float32Array).toBe(false);
    const g = other<Float32Array>("new Float32Array(values)", gamma);
    const b = other<Float32Array>("new Float32Array(values)", beta);
    const out = other<Float32Array>("new Float32Array(values.length)", x);
    expect(firstBitDifference(layerNorm(xr, { dim, gamma: g, beta: b }), want)).toBe(-1);
    layerNorm(xr, { dim, gamma: g, beta: b, out });
    expect(firstBitDifference(out, want)).toBe(-1);
    expect(firstBitDifference(createLayerNorm({ dim, gamma: g, beta: b })(xr), want)).toBe(-1);
    expect(firstBitDifference(l2Normalize(xr, { dim }), reference.l2NormalizeIter(x, { dim }))).toBe(-1);
    moduleStillSound();
  });

  it("raw-bit Uint16Array rows, rsqrt and the converters from another realm", () => {
    const bits = toBF16(x);
    const br = other<Uint16Array>("new Uint16Array(values)", bits);
    const got = layerNorm(br, { dim, format: "bf16" });
    expect(Array.from(got)).toEqual(Array.from(layerNorm(bits, { dim, format: "bf16" })));
    const m = Float32Array.of(0.25, 2, 9);
    expect(Array.from(rsqrt(other<Float32Array>("new Float32Array(values)", m)))).toEqual(Array.from(rsqrt(m)));
    expect(Array.from(toBF16(other<Float32Array>("new Float32Array(values)", x)))).toEqual(Array.from(bits));
    expect(Array.from(fromBF16(br))).toEqual(Array.from(fromBF16(bits)));
  });
});

describe("a detached array is a TypeError saying so, not an empty result", () => {
  it("layerNorm / l2Normalize / prepared / rsqrt / converters on a detached x", () => {
    const cases: [string, (v: Float32Array) => unknown][] = [
      ["x", (v) => layerNorm(v, { dim })],
      ["x", (v) => l2Normalize(v, { dim })],
      ["x", (v) => createLayerNorm({ dim })(v)],
      ["m", (v) => rsqrt(v)],
      ["x", (v) => toBF16(v)],
    ];
    for (const [name, fn] of cases) {
      const [type, text] = errorOf(() => fn(detached(x.slice())));
      expect(type).toBe("TypeError");
      expect(text).toMatch(new RegExp(`^${name} must be .*detached`));
    }
    const [type, text] = errorOf(() => fromFP16(detached(new Uint16Array(4))));
    expect([type, /^h must be .*detached/.test(text)]).toEqual(["TypeError", true]);
  });

  it("a detached out (or workspace view kept across growth) of the expected length 0", () => {
    const empty = new Float32Array(0);
    for (const fn of [
      () => layerNorm(empty, { dim, out: detached(new Float32Array(4)) }),
      () => createLayerNorm({ dim })(empty, detached(new Float32Array(4))),
      () => fromBF16(new Uint16Array(0), detached(new Float32Array(4))),
    ]) {
      const [type, text] = errorOf(fn);
      expect(type).toBe("TypeError");
      expect(text).toMatch(/^(opts\.)?out must be .*detached/);
    }
    const ws = createWorkspace(1, dim);
    const held = ws.input;
    kernel.memory.grow(1); // detaches every view on the old buffer
    const [type, text] = errorOf(() => layerNorm(held, { dim }));
    expect(type).toBe("TypeError");
    expect(text).toMatch(/^x must be .*detached/);
    ws.dispose();
    moduleStillSound();
  });
});
