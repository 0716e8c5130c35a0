// Options that used to pass validation and then misbehave (a λ constant that rounds to 0
// in f32, accumulate 'native' in FP32, an array as fisr's options), a disposed
// workspace, and the rule for one-element L2 rows (docs/design.md §4, §5, §7).
import { describe, expect, it } from "vitest";
import { createL2Normalize, createLayerNorm, createWorkspace, fisr, l2Normalize, layerNorm, rsqrt } from "iterl2norm";
import { PAPER_C } from "iterl2norm";
import { errorOf, firstBitDifference, normalRows, U32 } from "./helpers.js";

describe("opts.lambda is checked as the kernel sees it: c rounded to f32", () => {
  const x = normalRows(5, 2, 8);
  // Below half the smallest f32 subnormal (2^−150) a number rounds to 0.
  const tiny = [1e-46, 2 ** -151, Number.MIN_VALUE];
  it.each(tiny)("c = %s, which rounds to 0 in f32, is a RangeError naming opts.lambda (not a kernel error)", (c) => {
    expect(Math.fround(c)).toBe(0);
    for (const fn of [
      () => layerNorm(x, { dim: 8, lambda: c }),
      () => l2Normalize(x, { dim: 8, lambda: c }),
      () => createLayerNorm({ dim: 8, lambda: c }),
      () => createL2Normalize({ dim: 8, lambda: c }),
      () => rsqrt(2, { lambda: c }),
      () => rsqrt(Float32Array.of(2, 3), { lambda: c }),
    ]) {
      const [type, text] = errorOf(fn);
      expect(type).toBe("RangeError");
      expect(text).toContain("opts.lambda must be a number c with 0 < c ≤ 1 after rounding to f32");
      expect(text).toContain(`got ${c}`);
    }
  });

  it("the smallest c that survives rounding (2^−149) is accepted (its update rounds away at m = 3)", () => {
    const c = 2 ** -149;
    expect(Math.fround(c)).toBe(c);
    const start = rsqrt(3, { iterations: 0 });
    expect(rsqrt(3, { lambda: c })).toBe(start); // λ·m is far below a's ulp: the update rounds away
    expect(() => layerNorm(x, { dim: 8, lambda: c })).not.toThrow();
    // c just above 1 that rounds to 1 in f32 is what the kernel runs: accepted, as c = 1.
    expect(rsqrt(3, { lambda: 1 + 2 ** -30 })).toBe(rsqrt(3, { lambda: 1 }));
    expect(errorOf(() => rsqrt(3, { lambda: 1 + 2 ** -20 }))[0]).toBe("RangeError");
    expect(rsqrt(3, { lambda: PAPER_C })).toBe(rsqrt(3));
  });
});

describe("conflicting and malformed options", () => {
  const x = normalRows(6, 2, 8);
  it('accumulate "native" with format "fp32" is a TypeError naming both, as the other conflicts', () => {
    for (const fn of [
      () => layerNorm(x, { dim: 8, accumulate: "native" }),
      () => layerNorm(x, { dim: 8, accumulate: "native", format: "fp32" }),
      () => l2Normalize(x, { dim: 8, accumulate: "native" }),
      () => createLayerNorm({ dim: 8, accumulate: "native" }),
    ]) {
      expect(errorOf(fn)).toEqual([
        "TypeError",
        'opts.accumulate "native" applies to opts.format "bf16" or "fp16" only; got opts.format = "fp32"',
      ]);
    }
    expect(() => layerNorm(x, { dim: 8, accumulate: "native", format: "bf16" })).not.toThrow();
    expect(() => layerNorm(x, { dim: 8, accumulate: "fp32" })).not.toThrow();
  });

  it("fisr(m, []) is rejected as rsqrt(m, []) and layerNorm(x, []) are", () => {
    const got = errorOf(() => fisr(2, [] as never));
    expect(got).toEqual(["TypeError", "opts must be an options object; got Array(0)"]);
    expect(errorOf(() => rsqrt(2, [] as never))).toEqual(got);
    expect(errorOf(() => fisr(Float32Array.of(2), [] as never))).toEqual(got);
    expect(fisr(2, {})).toBe(fisr(2));
  });
});

describe("a disposed workspace", () => {
  it("throws from every view property, naming it", () => {
    const ws = createWorkspace(2, 4);
    ws.dispose();
    for (const key of ["input", "output", "gamma", "beta"] as const) {
      expect(() => ws[key]).toThrow(new RegExp(`ws\\.${key} of a disposed workspace`));
    }
    ws.dispose(); // twice is harmless
  });

  it("a view kept from before dispose() aliases the next workspace's block (documented, not guarded)", () => {
    const ws = createWorkspace(2, 4);
    const kept = ws.input;
    ws.dispose();
    const next = createWorkspace(2, 4);
    kept.fill(7); // what the docs warn against
    // The allocator reuses the freed block of the same size: the write shows up in `next`.
    expect(next.input.byteOffset).toBe(kept.byteOffset);
    expect(Array.from(next.input)).toEqual(new Array(8).fill(7));
    next.dispose();
  });
});

describe("dim = 1 in L2: fl(x·a), ±1 within the relative error of a (docs/design.md §4)", () => {
  // Every 64th f32 in [1, 2), its negatives, and scaled copies reaching the rescaling path.
  const base = Array.from({ length: 1 << 17 }, (_, i) => 1 + i * 2 ** -17);
  const scales = [1, 2, 2 ** -70, 2 ** 70, 2 ** 120, 2 ** -140];
  const xs = Float32Array.from(scales.flatMap((s) => base.map((v, i) => (i % 2 ? -v : v) * s)));
  // a's worst relative error (docs/design.md §1.1: 3.52e-3 paper, 1.16e-7 precise) plus the
  // rounding of the product x·a (U32).
  it.each([
    ["paper", 3.52e-3 + U32],
    ["precise", 1.16e-7 + U32],
  ] as const)("preset %s: |y − sign(x)| ≤ %s", (preset, bound) => {
    const y = l2Normalize(xs, { dim: 1, preset });
    let worst = 0;
    for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(y[i]! - Math.sign(xs[i]!)));
    expect(worst).toBeLessThanOrEqual(bound);
    expect(worst).toBeGreaterThan(0); // not exactly ±1: the README no longer promises that
    const ones = Float32Array.of(1, -1, 0, -0);
    const got = Array.from(l2Normalize(ones, { dim: 1, preset }));
    expect(got.slice(2)).toEqual([0, -0]);
    // Where x² is in range, y is exactly fl(x·rsqrt(fl(x²))).
    const r = Float32Array.from(base.slice(0, 4096), (v) => v * 3);
    const yr = l2Normalize(r, { dim: 1, preset });
    const expected = Float32Array.from(r, (v) => Math.fround(v * rsqrt(Math.fround(v * v), { preset })));
    expect(firstBitDifference(yr, expected)).toBe(-1);
  });
});
