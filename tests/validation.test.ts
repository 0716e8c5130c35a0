// Bad input throws a TypeError or RangeError whose message names the argument,
// shows the value and says what was expected; nothing is written anywhere.
import { describe, expect, it } from "vitest";
import { createWorkspace, fisr, l2Normalize, layerNorm, rsqrt } from "iterl2norm";

const x = new Float32Array(8).map((_, i) => i);

function expectError(
  fn: () => unknown,
  type: typeof TypeError | typeof RangeError,
  ...parts: (string | RegExp)[]
): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  for (const p of parts) expect((caught as Error).message).toMatch(p);
}

describe("layerNorm / l2Normalize argument checks", () => {
  it("x that is not a Float32Array → TypeError naming x", () => {
    expectError(
      () => layerNorm([1, 2, 3, 4] as unknown as Float32Array, { dim: 4 }),
      TypeError,
      /^x must be a Float32Array/,
      "Array(4)",
    );
    expectError(
      () => layerNorm(new Float64Array(4) as unknown as Float32Array, { dim: 4 }),
      TypeError,
      "x must be",
      "Float64Array(4)",
    );
    expectError(() => l2Normalize(null as unknown as Float32Array, { dim: 4 }), TypeError, "x must be", "null");
  });

  it("missing options → TypeError naming opts and dim", () => {
    expectError(() => layerNorm(x, undefined as never), TypeError, "opts", "opts.dim");
  });

  it("length not a multiple of dim → RangeError naming x.length, the value and dim", () => {
    expectError(() => layerNorm(x, { dim: 3 }), RangeError, "x.length", "a multiple of opts.dim = 3", "got 8");
  });

  it("dim out of range or not an integer", () => {
    expectError(() => layerNorm(x, { dim: 0 }), RangeError, "opts.dim", "from 1 to 16777216", "got 0");
    expectError(() => layerNorm(x, { dim: 2.5 }), RangeError, "opts.dim", "got 2.5");
    expectError(() => layerNorm(x, { dim: "4" as unknown as number }), TypeError, "opts.dim", 'got "4"');
    expectError(() => layerNorm(x, { dim: 2 ** 25 }), RangeError, "opts.dim", "got 33554432");
  });

  it("gamma / beta of the wrong type or length", () => {
    expectError(
      () => layerNorm(x, { dim: 4, gamma: new Float32Array(3) }),
      RangeError,
      "opts.gamma.length",
      "4 (opts.dim)",
      "got 3",
    );
    expectError(() => layerNorm(x, { dim: 4, beta: new Float32Array(5) }), RangeError, "opts.beta.length", "got 5");
    expectError(
      () => layerNorm(x, { dim: 4, gamma: [1, 1, 1, 1] as unknown as Float32Array }),
      TypeError,
      "opts.gamma",
      "Float32Array",
      "Array(4)",
    );
  });

  it("gamma / beta given to l2Normalize → TypeError (unknown option)", () => {
    expectError(
      () => l2Normalize(x, { dim: 4, gamma: new Float32Array(4) } as never),
      TypeError,
      "unknown option",
      '"gamma"',
    );
  });

  it("out of the wrong length or type", () => {
    expectError(
      () => layerNorm(x, { dim: 4, out: new Float32Array(4) }),
      RangeError,
      "opts.out.length",
      "8 (x.length)",
      "got 4",
    );
    expectError(
      () => layerNorm(x, { dim: 4, out: new Uint8Array(8) as unknown as Float32Array }),
      TypeError,
      "opts.out",
      "Uint8Array(8)",
    );
  });

  it("iterations out of range", () => {
    expectError(
      () => layerNorm(x, { dim: 4, iterations: -1 }),
      RangeError,
      "opts.iterations",
      "from 0 to 100",
      "got -1",
    );
    expectError(() => layerNorm(x, { dim: 4, iterations: 101 }), RangeError, "opts.iterations", "got 101");
    expectError(() => layerNorm(x, { dim: 4, iterations: 1.5 }), RangeError, "opts.iterations", "got 1.5");
  });

  it("unknown preset, lambda, method", () => {
    expectError(
      () => layerNorm(x, { dim: 4, preset: "fast" as never }),
      RangeError,
      "opts.preset",
      '"paper", "precise"',
      'got "fast"',
    );
    expectError(() => layerNorm(x, { dim: 4, lambda: "big" as never }), RangeError, "opts.lambda", 'got "big"');
    expectError(() => layerNorm(x, { dim: 4, lambda: 0 }), RangeError, "opts.lambda", "0 < c ≤ 1", "got 0");
    expectError(() => layerNorm(x, { dim: 4, lambda: NaN }), RangeError, "opts.lambda", "got NaN");
    expectError(() => layerNorm(x, { dim: 4, method: "exact" as never }), RangeError, "opts.method", 'got "exact"');
  });

  it("eps negative, not finite, or not a number", () => {
    expectError(() => layerNorm(x, { dim: 4, eps: -1e-5 }), RangeError, "opts.eps", "got -0.00001");
    expectError(() => layerNorm(x, { dim: 4, eps: Infinity }), RangeError, "opts.eps", "got Infinity");
    expectError(() => layerNorm(x, { dim: 4, eps: 1e39 }), RangeError, "opts.eps", "finite in f32");
    expectError(() => layerNorm(x, { dim: 4, eps: "0" as never }), TypeError, "opts.eps", 'got "0"');
  });

  it("conflicting options name both", () => {
    expectError(
      () => layerNorm(x, { dim: 4, method: "sqrt", preset: "precise" }),
      TypeError,
      "opts.preset",
      'opts.method = "sqrt"',
    );
    expectError(() => layerNorm(x, { dim: 4, fisr: { steps: 2 } }), TypeError, "opts.fisr", 'opts.method = "iter"');
  });

  it("misspelt options are reported instead of ignored", () => {
    expectError(() => layerNorm(x, { dim: 4, iteration: 3 } as never), TypeError, 'unknown option "iteration"');
  });

  it("a failed call writes nothing: out and x are unchanged", () => {
    const out = new Float32Array(8).fill(7);
    const before = Float32Array.from(x);
    expect(() => layerNorm(x, { dim: 4, out, preset: "nope" as never })).toThrow(RangeError);
    expect(Array.from(out)).toEqual(new Array(8).fill(7));
    expect(Array.from(x)).toEqual(Array.from(before));
  });

  it("empty x is a no-op that returns an empty array", () => {
    expect(layerNorm(new Float32Array(0), { dim: 4 }).length).toBe(0);
  });
});

describe("rsqrt / fisr / createWorkspace argument checks", () => {
  it("rsqrt: m of the wrong type, bad options", () => {
    expectError(() => rsqrt("2" as never), TypeError, /^m must be a number or a Float32Array/, 'got "2"');
    expectError(() => rsqrt(2, { iterations: 200 }), RangeError, "opts.iterations", "got 200");
    expectError(() => rsqrt(2, { dim: 3 } as never), TypeError, 'unknown option "dim"');
  });

  it("fisr: magic and steps out of range", () => {
    expectError(() => fisr(2, { magic: -1 }), RangeError, "opts.magic", "from 0 to 4294967295", "got -1");
    expectError(() => fisr(2, { magic: 2 ** 32 }), RangeError, "opts.magic");
    expectError(() => fisr(2, { steps: -1 }), RangeError, "opts.steps", "got -1");
    expectError(() => fisr(2, { shift: 1 } as never), TypeError, 'unknown option "shift"');
  });

  it("createWorkspace: rows and dim", () => {
    expectError(() => createWorkspace(0, 4), RangeError, "rows", "got 0");
    expectError(() => createWorkspace(2, 0), RangeError, "dim", "got 0");
    expectError(() => createWorkspace(2 ** 20, 2 ** 10), RangeError, "rows·dim", "got 1048576·1024");
  });
});
