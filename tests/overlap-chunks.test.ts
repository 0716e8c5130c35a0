// x and out as ordinary arrays over one ArrayBuffer (outside wasm memory), out shifted against
// x, with the copy split into chunks of rows (a small chunk bound): every chunk must read its
// rows of x before any result overwrites them, so the output equals that of a call on a
// separate copy of x, bit for bit (docs/design.md §7, chunked copies).
import { afterEach, describe, expect, it } from "vitest";
import { l2Normalize, layerNorm, toBF16 } from "iterl2norm";
import { setScratchChunkBytes } from "../js/memory.js";
import { firstBitDifference, normalRows } from "./helpers.js";

const dim = 24;
const rows = 9;
const data = normalRows(5, rows, dim, 0.5, 2);

afterEach(() => setScratchChunkBytes(undefined));

/** x at row `xRow` and out at row `outRow` of one buffer of rows + 2 rows, x holding `data`. */
function placed(xRow: number, outRow: number): { x: Float32Array; out: Float32Array } {
  const buffer = new ArrayBuffer((rows + 2) * dim * 4);
  const x = new Float32Array(buffer, xRow * dim * 4, rows * dim);
  x.set(data);
  return { x, out: new Float32Array(buffer, outRow * dim * 4, rows * dim) };
}

describe("copying calls with out overlapping x outside wasm memory, in chunks", () => {
  // out one or two rows after x (written back to front) and before x (front to back)
  const shifts: [number, number][] = [
    [0, 1],
    [0, 2],
    [1, 0],
    [2, 0],
  ];

  it.each(shifts)("FP32: x at row %i, out at row %i, two rows a chunk", (xRow, outRow) => {
    const want = layerNorm(data, { dim, preset: "precise" });
    const wantL2 = l2Normalize(data, { dim });
    setScratchChunkBytes(2 * dim * 4);
    const a = placed(xRow, outRow);
    layerNorm(a.x, { dim, preset: "precise", out: a.out });
    expect(firstBitDifference(a.out, want)).toBe(-1);
    const b = placed(xRow, outRow);
    l2Normalize(b.x, { dim, out: b.out });
    expect(firstBitDifference(b.out, wantL2)).toBe(-1);
  });

  it.each(shifts)("BF16 raw bits: x at row %i, out at row %i, two rows a chunk", (xRow, outRow) => {
    const bits = toBF16(data);
    const want = layerNorm(bits, { dim, format: "bf16" });
    setScratchChunkBytes(2 * dim * 2);
    const buffer = new ArrayBuffer((rows + 2) * dim * 2);
    const x = new Uint16Array(buffer, xRow * dim * 2, rows * dim);
    x.set(bits);
    const out = new Uint16Array(buffer, outRow * dim * 2, rows * dim);
    layerNorm(x, { dim, format: "bf16", out });
    expect(Array.from(out)).toEqual(Array.from(want));
  });
});
