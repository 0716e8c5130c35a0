// The digit-recurrence divider and square root in RTL (hw/rtl/fp-div.v, hw/rtl/fp-sqrt.v), the
// units of method 'sqrt', against Math.fround of the double result and the BF16 rule on top
// (tests/rtl/fp-cases.ts expectedDigit): 2^20 operand records each (every pair of FP32 and of BF16
// specials, then random classes: subnormals, quotients at the overflow and underflow edges, exact
// roots and quotients) in Verilator at the model's default depths (hw/config.ts
// digitRecurrenceCycles: 27 in FP32, 11 in BF16) and at depths that take several steps a cycle;
// results taken a cycle early do not match; a few hundred records again in Icarus Verilog.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MACRO, DEFAULT_MACRO_BF16 } from "../hw/config.js";
import { compareDigit, DIGIT_COLUMNS, unitStimulus } from "./rtl/fp-cases.js";
import { RUN_RTL, TEST_RTL_DIR, rtlSources, runIverilog, runModel, verilatorModel } from "./rtl/simulators.js";

const RECORDS = 1 << 20;
const SEED = 0xd1_5c0;
const NONE = Object.fromEntries(DIGIT_COLUMNS.map((c) => [c, 0]));
/** Depths: the defaults, then one step… all steps a cycle (FP32 25 steps, BF16 9). */
const DEPTHS: readonly (readonly [number, number])[] = [
  [DEFAULT_MACRO.latency.divide, DEFAULT_MACRO_BF16.latency.divide],
  [5, 2],
  [1, 1],
];

describe.skipIf(!RUN_RTL)("digit-recurrence divider and square root in RTL against the model's arithmetic", () => {
  const exes = new Map<string, string>();
  beforeAll(() => {
    expect(DEFAULT_MACRO.latency.sqrt).toBe(DEFAULT_MACRO.latency.divide);
    for (const [d32, d16] of DEPTHS) {
      const model = verilatorModel({
        top: "digit_top",
        sources: [join(TEST_RTL_DIR, "digit-top.v"), ...rtlSources()],
        harness: join(TEST_RTL_DIR, "digit-harness.cpp"),
        params: { DEPTH32: d32, DEPTH16: d16 },
      });
      exes.set(`${d32}/${d16}`, model.exe);
      if (model.buildMs > 0) console.log(`rtl-digit: verilator build ${(model.buildMs / 1000).toFixed(1)} s`);
    }
  }, 600_000);

  for (const [d32, d16] of DEPTHS) {
    const n = d32 === DEPTHS[0]![0] ? RECORDS : RECORDS >> 4;
    it(`Verilator: ${n} records, bit-exact at depth ${d32} (FP32) / ${d16} (BF16)`, () => {
      const stimulus = unitStimulus(n, SEED + d32);
      const results = runModel(exes.get(`${d32}/${d16}`)!, stimulus, [Math.max(d32, d16) + 1, d32, d16]);
      expect(compareDigit(stimulus, results)).toEqual({ counts: NONE, first: [] });
    });
  }

  it("Verilator: results taken one cycle early are the previous operation's (the depth is checked)", () => {
    const [d32, d16] = DEPTHS[0]!;
    // past the specials, whose first operand repeats from one record to the next
    const stimulus = unitStimulus(8192, SEED + 1).subarray(3 * 4096);
    const { counts } = compareDigit(
      stimulus,
      runModel(exes.get(`${d32}/${d16}`)!, stimulus, [d32 + 1, d32 - 1, d16 - 1]),
    );
    for (const c of DIGIT_COLUMNS) expect(counts[c], c).toBeGreaterThan(1000);
  });

  it("Icarus Verilog: the same units on 400 records (specials first)", () => {
    const n = 400;
    const [d32, d16] = DEPTHS[0]!;
    const stimulus = unitStimulus(n, SEED + 2);
    const records = Array.from({ length: n }, (_, i) => [...stimulus.subarray(3 * i, 3 * i + 3)]);
    const results = runIverilog(
      "digit_tb",
      [join(TEST_RTL_DIR, "digit-tb.v"), join(TEST_RTL_DIR, "digit-top.v"), ...rtlSources()],
      { N: n, DEPTH32: d32, DEPTH16: d16 },
      records,
    );
    expect(compareDigit(stimulus, results)).toEqual({ counts: NONE, first: [] });
  });
});
