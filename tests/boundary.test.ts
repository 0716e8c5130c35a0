// layerNorm / l2Normalize at the API boundary, with options objects reused and
// changed between calls: every call resolves its options afresh (docs/design.md §7),
// so a reused object must give exactly what a fresh copy of it gives, after any
// change, and every error must surface with its message. The reference is a fresh
// copy ({ ...opts }); both run the same kernel with the same arguments, so the
// tolerance is zero (bit-identical). (These tests once covered a per-object cache
// of resolved options, since removed; the behaviour they assert must still hold. The
// one test of skipped validation moved to tests/prepared.test.ts, where the prepared
// normaliser is the explicit fast path.)
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWorkspace, l2Normalize, layerNorm } from "iterl2norm";
import { kernel } from "iterl2norm/kernel";
import { errorOf, firstBitDifference, normalRows } from "./helpers.js";

type Fn = (x: Float32Array, opts: never) => Float32Array;
type Opts = Record<string, unknown>;

const dim = 16;
const x = normalRows(11, 3, dim, 0.5, 2);
const gamma = normalRows(12, 1, dim, 1, 0.25);
const beta = normalRows(13, 1, dim, 0, 0.1);

afterEach(() => {
  vi.restoreAllMocks();
});

/** fn(x, opts) three times (resolve, keep, cached) equals fn on a fresh copy of opts, bit for bit. */
function sameAsFresh(fn: Fn, input: Float32Array, opts: Opts): void {
  const want = Float32Array.from(fn(Float32Array.from(input), { ...opts, out: undefined } as never));
  for (let i = 0; i < 3; i++) {
    const got = fn(input, opts as never);
    expect(firstBitDifference(got, want), `call ${i + 1}`).toBe(-1);
  }
}

describe("options reused across calls", () => {
  // First in this file: it needs the memory's free space to be smaller than the scratch it asks for.
  it("writes an out in wasm memory even when its scratch copy grows the memory (detaching out's view)", () => {
    const big = 1 << 20; // one row of 4 MiB: the scratch it needs exceeds what is free
    const row = normalRows(14, 1, big);
    const truth = createWorkspace(1, big); // zero-copy, so the expected row needs no scratch
    truth.input.set(row);
    const want = Float32Array.from(layerNorm(truth.input, { dim: big, out: truth.output }));
    const ws = createWorkspace(2, big);
    ws.input.set(row);
    const before = ws.input.buffer;
    const input = ws.input;
    // out overlaps x by half a row, so the result goes through scratch and is copied back.
    const out = layerNorm(input.subarray(0, big), { dim: big, out: input.subarray(big / 2, big / 2 + big) });
    expect(before.byteLength, "the memory grew during the call").toBe(0);
    expect(out.length).toBe(0); // the view we passed is detached, as documented
    expect(firstBitDifference(ws.input.subarray(big / 2, big / 2 + big), want)).toBe(-1);
    ws.dispose();
    truth.dispose();
  });

  it("follows every change of a reused object (values, arrays, nested fisr, deleted keys)", () => {
    const o: Opts = { dim, gamma, beta };
    const g2 = Float32Array.from(gamma, (v) => -v);
    const steps: [string, (o: Opts) => void][] = [
      ["as given", () => {}],
      [
        "eps",
        (o) => {
          o.eps = 0.5;
        },
      ],
      [
        "iterations",
        (o) => {
          o.iterations = 2;
        },
      ],
      [
        "lambda number",
        (o) => {
          o.lambda = 0.25;
        },
      ],
      [
        "lambda name",
        (o) => {
          o.lambda = "pow2";
        },
      ],
      [
        "preset",
        (o) => {
          delete o.lambda;
          delete o.iterations;
          o.preset = "precise";
        },
      ],
      [
        "method sqrt",
        (o) => {
          delete o.preset;
          o.method = "sqrt";
        },
      ],
      [
        "method fisr",
        (o) => {
          o.method = "fisr";
          o.fisr = { steps: 2 };
        },
      ],
      [
        "fisr.steps in place",
        (o) => {
          (o.fisr as Opts).steps = 0;
        },
      ],
      [
        "fisr.variant in place",
        (o) => {
          (o.fisr as Opts).variant = "lomont";
        },
      ],
      [
        "back to iter",
        (o) => {
          delete o.fisr;
          o.method = "iter";
        },
      ],
      [
        "other gamma",
        (o) => {
          o.gamma = g2;
        },
      ],
      [
        "gamma contents in place",
        (o) => {
          (o.gamma as Float32Array)[0] = 5;
        },
      ],
      [
        "beta removed",
        (o) => {
          o.beta = undefined;
        },
      ],
      [
        "dim",
        (o) => {
          o.dim = 8;
          o.gamma = g2.subarray(0, 8);
        },
      ],
      [
        "out",
        (o) => {
          o.dim = dim;
          o.gamma = g2;
          o.out = new Float32Array(x.length);
        },
      ],
      [
        "other out",
        (o) => {
          o.out = new Float32Array(x.length);
        },
      ],
    ];
    for (const [name, change] of steps) {
      change(o);
      expect(() => sameAsFresh(layerNorm as Fn, x, o), name).not.toThrow();
    }
  });

  it("serves x of any whole number of rows, including none", () => {
    const o = { dim, gamma };
    for (const rows of [3, 1, 2, 0, 3]) sameAsFresh(layerNorm as Fn, x.subarray(0, rows * dim), o);
  });

  it("keeps layerNorm and l2Normalize apart for one object", () => {
    const o: Opts = { dim, eps: 1e-3 };
    sameAsFresh(layerNorm as Fn, x, o);
    sameAsFresh(l2Normalize as Fn, x, o);
    o.gamma = gamma;
    sameAsFresh(layerNorm as Fn, x, o);
    expect(() => l2Normalize(x, o as never)).toThrow(/unknown option "gamma"/);
  });

  it("reports after a change exactly the error a fresh copy gives", () => {
    const x8 = x.subarray(0, 8);
    const bad: [string, (o: Opts) => void][] = [
      [
        "eps",
        (o) => {
          o.eps = -1;
        },
      ],
      [
        "iterations",
        (o) => {
          o.iterations = 101;
        },
      ],
      [
        "dim",
        (o) => {
          o.dim = 3;
        },
      ],
      [
        "unknown key",
        (o) => {
          o.iteration = 3;
        },
      ],
      [
        "gamma length",
        (o) => {
          o.gamma = new Float32Array(3);
        },
      ],
      [
        "gamma type",
        (o) => {
          o.gamma = [1, 1, 1, 1];
        },
      ],
      [
        "conflict",
        (o) => {
          o.method = "sqrt";
          o.preset = "precise";
        },
      ],
      [
        "out length",
        (o) => {
          o.out = new Float32Array(4);
        },
      ],
      [
        "format",
        (o) => {
          o.format = "fp8";
        },
      ],
    ];
    for (const [name, change] of bad) {
      const o: Opts = { dim: 4, gamma: new Float32Array(4).fill(2) };
      for (let i = 0; i < 3; i++) layerNorm(x8, o as never);
      change(o);
      const got = errorOf(() => layerNorm(x8, o as never));
      expect(got[0], name).not.toBe("none");
      expect(got, name).toEqual(errorOf(() => layerNorm(x8, { ...o } as never)));
    }
  });

  it("checks x and out against the cached options on every call", () => {
    const o = { dim: 4, out: new Float32Array(8) };
    for (let i = 0; i < 3; i++) layerNorm(x.subarray(0, 8), o);
    expect(errorOf(() => layerNorm(x.subarray(0, 6), o))).toEqual([
      "RangeError",
      "x.length must be a multiple of opts.dim = 4; got 6",
    ]);
    expect(errorOf(() => layerNorm(x.subarray(0, 4), o))).toEqual(errorOf(() => layerNorm(x.subarray(0, 4), { ...o })));
    expect(errorOf(() => layerNorm(x.subarray(0, 4), o))[1]).toMatch(/^opts\.out\.length .* got 8$/);
    expect(errorOf(() => layerNorm(new Uint16Array(8) as never, o))[0]).toBe("TypeError");
  });

  it("rejects views detached by memory growth as before, and accepts fresh ones", () => {
    const ws = createWorkspace(2, 4);
    ws.input.set(x.subarray(0, 8));
    const o: Opts = { dim: 4, gamma: ws.gamma, out: ws.output };
    const onlyBeta: Opts = { dim: 4, beta: ws.beta };
    const x8 = x.slice(0, 8);
    for (let i = 0; i < 3; i++) {
      layerNorm(ws.input, o as never);
      layerNorm(x8, onlyBeta as never);
    }
    kernel.memory.grow(1); // detaches every view on the old buffer, as any growth does
    expect(errorOf(() => layerNorm(ws.input, o as never))).toEqual([
      "RangeError",
      "opts.gamma.length must be 4 (opts.dim); got 0",
    ]);
    expect(errorOf(() => layerNorm(x8, onlyBeta as never))).toEqual([
      "RangeError",
      "opts.beta.length must be 4 (opts.dim); got 0",
    ]);
    o.gamma = ws.gamma;
    o.out = ws.output;
    onlyBeta.beta = ws.beta;
    sameAsFresh(layerNorm as Fn, ws.input, o);
    sameAsFresh(layerNorm as Fn, x8, onlyBeta);
    ws.dispose();
  });

  it("is correct in place and when out overlaps γ in wasm memory", () => {
    const ws = createWorkspace(2, dim);
    ws.input.set(x.subarray(0, 2 * dim));
    ws.gamma.set(gamma);
    const inPlace = { dim, gamma: ws.gamma, out: ws.input };
    for (let i = 0; i < 3; i++) {
      const want = layerNorm(Float32Array.from(ws.input), { dim, gamma: Float32Array.from(ws.gamma) });
      expect(firstBitDifference(layerNorm(ws.input, inPlace), want)).toBe(-1);
    }
    ws.output.set(gamma, 0);
    const overlapping = { dim, gamma: ws.output.subarray(0, dim), out: ws.output };
    for (let i = 0; i < 3; i++) {
      ws.output.set(gamma, 0);
      const want = layerNorm(Float32Array.from(ws.input), { dim, gamma: Float32Array.from(gamma) });
      expect(firstBitDifference(layerNorm(ws.input, overlapping), want)).toBe(-1);
    }
    ws.dispose();
  });

  it("reads getters, class instances and objects with inherited keys afresh", () => {
    let eps = 1e-5;
    const withGetter = {
      dim,
      get eps(): number {
        return eps;
      },
    };
    sameAsFresh(layerNorm as Fn, x, withGetter);
    eps = 0.5;
    sameAsFresh(layerNorm as Fn, x, withGetter);
    class Options {
      dim = dim;
      eps = 0.25;
    }
    const instance = new Options();
    sameAsFresh(layerNorm as Fn, x, instance as unknown as Opts);
    instance.eps = 2;
    sameAsFresh(layerNorm as Fn, x, instance as unknown as Opts);
    const inherited = Object.create({ stray: 1 }) as Opts; // Object.keys ignores inherited keys: valid
    inherited.dim = dim;
    sameAsFresh(layerNorm as Fn, x, inherited);
    inherited.eps = 0.5;
    sameAsFresh(layerNorm as Fn, x, inherited);
  });
});
