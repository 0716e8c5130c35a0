// The format converters with an out that shares bytes with the input: every overlap
// shape (same start, out shifted forward or back by any number of bytes that keeps the
// views aligned) gives the same values as a separate out (docs/design.md §3, §7).
import { describe, expect, it } from "vitest";
import { fromBF16, fromFP16, toBF16, toFP16 } from "iterl2norm";
import { normalRows } from "./helpers.js";

const n = 24;
// Values across the formats' interesting ranges: normals, ties, FP16 overflow, subnormals, NaN.
const values = Float32Array.from(normalRows(91, 1, n, 0, 300));
values.set([1 / 3, 65520, 1e-6, Number.NaN, -0, 2 ** -24], 0);

const toConverters = [
  ["toBF16", toBF16],
  ["toFP16", toFP16],
] as const;
const fromConverters = [
  ["fromBF16", fromBF16],
  ["fromFP16", fromFP16],
] as const;

/**
 * Every placement of out (at any multiple of `align` bytes) that overlaps an input of
 * `inBytes` bytes placed at `inAt` of a buffer of `total` bytes.
 */
function placements(inAt: number, inBytes: number, outBytes: number, align: number, total: number): number[] {
  const all: number[] = [];
  for (let at = 0; at + outBytes <= total; at += align) if (at < inAt + inBytes && inAt < at + outBytes) all.push(at);
  return all;
}

describe("overlapping out in the format converters", () => {
  it.each(toConverters)("%s(x, out) with out over x's bytes: every shift", (_name, convert) => {
    const want = Array.from(convert(values));
    // x in the middle of the buffer, so out can start before it, at it and after it.
    const total = n * 4 + 2 * n * 2;
    const xAt = n * 2;
    const ats = placements(xAt, n * 4, n * 2, 2, total);
    expect(ats.length).toBe(n * 2 + n - 1); // every even byte offset that overlaps
    for (const at of ats) {
      const buffer = new ArrayBuffer(total);
      const x = new Float32Array(buffer, xAt, n);
      x.set(values);
      const out = new Uint16Array(buffer, at, n);
      expect(convert(x, out)).toBe(out);
      expect([at - xAt, Array.from(out)]).toEqual([at - xAt, want]);
    }
  });

  it.each(fromConverters)(
    "%s(h, out) with out over h's bytes: every shift, incl. new Float32Array(h.buffer)",
    (_n, c) => {
      const h = toBF16(values).map((b, i) => (i % 3 === 0 ? toFP16(values)[i]! : b));
      const want = Array.from(c(h));
      const total = n * 2 + 2 * n * 4;
      // h at every even offset against out at a fixed 4-aligned place: every shift, odd halves included.
      const outAt = n * 4;
      for (let hAt = 0; hAt + n * 2 <= total; hAt += 2) {
        if (!(hAt < outAt + n * 4 && outAt < hAt + n * 2)) continue;
        const buffer = new ArrayBuffer(total);
        const hh = new Uint16Array(buffer, hAt, n);
        hh.set(h);
        const out = new Float32Array(buffer, outAt, n);
        expect(c(hh, out)).toBe(out);
        expect([hAt - outAt, Array.from(out)]).toEqual([hAt - outAt, want]);
      }
      // The shape from the docs' warning: out over the whole buffer of h.
      const h2 = new Uint16Array(n * 2);
      h2.set(h);
      const hView = h2.subarray(0, n);
      expect(Array.from(c(hView, new Float32Array(h2.buffer)))).toEqual(want);
    },
  );

  it("non-overlapping views of one buffer are written directly (no temporary needed, same values)", () => {
    const buffer = new ArrayBuffer(n * 4 + n * 2);
    const x = new Float32Array(buffer, 0, n);
    x.set(values);
    const out = new Uint16Array(buffer, n * 4, n);
    expect(Array.from(toBF16(x, out))).toEqual(Array.from(toBF16(values)));
    expect(Array.from(x)).toEqual(Array.from(values));
  });
});
