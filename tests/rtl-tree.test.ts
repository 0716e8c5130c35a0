// The adder tree in RTL (hw/rtl/adder-tree.v) against the model's (hw/arith.ts treeLevel applied
// log2(L) times): the sum of a row's valid lanes in the tree's pairwise order, bit for bit (NaN
// as a class), log2(L)·latency.add cycles after the row enters — for DEFAULT_MACRO's 64 lanes
// and for 8 lanes with 1- and 3-cycle adders (the depth and the width are parameters).
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../bench/random.js";
import { f32Bits, f32FromBits } from "../js/bits.js";
import { type Row, treeLevel } from "../hw/arith.js";
import { DEFAULT_MACRO } from "../hw/config.js";
import { isNaN32, SPECIALS32 } from "./rtl/fp-cases.js";
import { RUN_RTL, rtlSources, runModel, TEST_RTL_DIR, verilatorModel } from "./rtl/simulators.js";

/** The model's tree on a row: treeLevel until one lane is left; its value's FP32 pattern. */
function modelSum(values: Float64Array, valid: number): number {
  let row: Row = { index: 0, values, valid };
  while (row.values.length > 1) row = treeLevel(row);
  return f32Bits(row.values[0]!) >>> 0;
}

/**
 * Rows of `lanes` FP32 patterns plus their valid count (1..lanes): normal values of mixed
 * scales and signs (cancellation), rows of ±0 only (the sign of a zero sum), specials scattered
 * in (±∞, NaN, subnormals, the largest finite: overflow), and random bit patterns.
 */
function treeStimulus(lanes: number, n: number, seed: number): Uint32Array {
  const r = new Rng(seed);
  const out = new Uint32Array(n * (lanes + 1));
  for (let i = 0; i < n; i++) {
    const base = i * (lanes + 1);
    const kind = i % 5;
    const scale = 2 ** ((r.u32() % 60) - 30);
    for (let j = 0; j < lanes; j++) {
      let b: number;
      if (kind === 0) b = f32Bits(Math.fround(r.normal() * scale));
      else if (kind === 1) b = r.u32() % 2 === 0 ? 0 : 0x80000000;
      else if (kind === 2)
        b = r.u32() % 8 === 0 ? SPECIALS32[r.u32() % SPECIALS32.length]! : f32Bits(Math.fround(r.normal()));
      else if (kind === 3) b = r.u32();
      else b = f32Bits(Math.fround((r.u32() % 2 === 0 ? 1 : -1) * (1 + r.u32() / 2 ** 32) * scale)); // near-cancelling
      out[base + j] = b >>> 0;
    }
    out[base + lanes] = 1 + (r.u32() % lanes);
  }
  return out;
}

const CASES = [
  { lanes: DEFAULT_MACRO.lanes, depth: DEFAULT_MACRO.latency.add, rows: 1 << 14 },
  { lanes: 8, depth: 1, rows: 1 << 13 },
  { lanes: 8, depth: 3, rows: 1 << 13 },
] as const;

describe.skipIf(!RUN_RTL)("adder tree in RTL (hw/rtl/adder-tree.v) against hw/arith.ts treeLevel", () => {
  const exes = new Map<string, string>();
  beforeAll(() => {
    for (const { lanes, depth } of CASES) {
      const model = verilatorModel({
        top: "tree_top",
        sources: [join(TEST_RTL_DIR, "tree-top.v"), ...rtlSources()],
        harness: join(TEST_RTL_DIR, "tree-harness.cpp"),
        params: { LANES: lanes, DEPTH: depth },
      });
      exes.set(`${lanes}/${depth}`, model.exe);
      if (model.buildMs > 0)
        console.log(`rtl-tree: verilator build (${lanes} lanes) ${(model.buildMs / 1000).toFixed(1)} s`);
    }
  }, 600_000);

  for (const { lanes, depth, rows } of CASES) {
    const latency = Math.log2(lanes) * depth;
    it(`${lanes} lanes, adders of ${depth} cycles: ${rows} rows bit-exact, ${latency} cycles`, () => {
      const stimulus = treeStimulus(lanes, rows, lanes * 31 + depth);
      const exe = exes.get(`${lanes}/${depth}`)!;
      const check = (at: number): { mismatches: number; first: string[] } => {
        const results = runModel(exe, stimulus, [lanes, at]);
        const first: string[] = [];
        let mismatches = 0;
        for (let i = 0; i < rows; i++) {
          const row = stimulus.subarray(i * (lanes + 1), (i + 1) * (lanes + 1));
          const values = new Float64Array(lanes);
          for (let j = 0; j < lanes; j++) values[j] = f32FromBits(row[j]!);
          const want = modelSum(values, row[lanes]!);
          const got = results[2 * i]!;
          const ok = results[2 * i + 1] === 1 && (isNaN32(want) ? isNaN32(got) : got === want);
          if (ok) continue;
          mismatches++;
          if (first.length < 5)
            first.push(`row ${i} (valid ${row[lanes]}): got ${got.toString(16)}, want ${want.toString(16)}`);
        }
        return { mismatches, first };
      };
      expect(check(latency)).toEqual({ mismatches: 0, first: [] });
      // a result read a cycle early or late belongs to another row (or to none)
      expect(check(latency + 1).mismatches).toBeGreaterThan(rows / 2);
      expect(check(latency - 1).mismatches).toBeGreaterThan(rows / 2);
    });
  }
});
