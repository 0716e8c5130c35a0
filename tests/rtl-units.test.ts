// The macro's floating-point units in RTL (hw/rtl/fp-*.v) against the model's arithmetic
// (hw/arith.ts): binary32 multiply and add with round to nearest even and subnormals, checked
// against Math.fround, and the BF16 results (the FP32 result rounded by js/formats.ts's rule),
// each configuration the macro instantiates on 2^20 operand pairs in Verilator, results taken
// at the configured pipeline depth (DEFAULT_MACRO's latency.mul and latency.add); a few hundred
// pairs again in Icarus Verilog. NaN results are compared as a class (docs/design.md §3).
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MACRO } from "../hw/config.js";
import { compareUnits, UNIT_COLUMNS, unitStimulus } from "./rtl/fp-cases.js";
import { RUN_RTL, TEST_RTL_DIR, rtlSources, runIverilog, runModel, verilatorModel } from "./rtl/simulators.js";

/** Operand pairs per unit: ≥ 10^6 (every unit sees every pair). */
const PAIRS = 1 << 20;
const MUL_DEPTH = DEFAULT_MACRO.latency.mul;
const ADD_DEPTH = DEFAULT_MACRO.latency.add;
const SEED = 0x5eed_f00d;
/** Mismatch counts of a passing run: none in any column. */
const NONE = Object.fromEntries(UNIT_COLUMNS.map((c) => [c, 0]));

describe.skipIf(!RUN_RTL)("floating-point units in RTL (hw/rtl/fp-*.v) against the model's arithmetic", () => {
  let exe = "";
  beforeAll(() => {
    const sources = [join(TEST_RTL_DIR, "units-top.v"), ...rtlSources()];
    const model = verilatorModel({
      top: "units_top",
      sources,
      harness: join(TEST_RTL_DIR, "units-harness.cpp"),
      params: { MUL_DEPTH, ADD_DEPTH },
    });
    exe = model.exe;
    if (model.buildMs > 0) console.log(`rtl-units: verilator build ${(model.buildMs / 1000).toFixed(1)} s`);
  }, 600_000);

  it(`Verilator: ${PAIRS} pairs per unit, bit-exact at depth mul ${MUL_DEPTH} / add ${ADD_DEPTH}`, () => {
    const stimulus = unitStimulus(PAIRS, SEED);
    const results = runModel(exe, stimulus, [MUL_DEPTH, ADD_DEPTH]);
    const { counts, first } = compareUnits(stimulus, results);
    expect({ counts, first }).toEqual({ counts: NONE, first: [] });
  });

  it("Verilator: results taken one cycle early or late do not match (the depth is checked)", () => {
    const stimulus = unitStimulus(4096, SEED + 1);
    for (const [mul, add] of [
      [MUL_DEPTH - 1, ADD_DEPTH + 1],
      [MUL_DEPTH + 1, ADD_DEPTH - 1],
    ] as const) {
      const { counts } = compareUnits(stimulus, runModel(exe, stimulus, [mul, add]));
      for (const c of UNIT_COLUMNS) if (c !== "round16") expect(counts[c], c).toBeGreaterThan(1000);
    }
  });

  it("Icarus Verilog: the same units on 512 pairs (specials first)", () => {
    const n = 512;
    const stimulus = unitStimulus(n, SEED + 2);
    const records = Array.from({ length: n }, (_, i) => [...stimulus.subarray(3 * i, 3 * i + 3)]);
    const results = runIverilog(
      "units_tb",
      [join(TEST_RTL_DIR, "units-tb.v"), join(TEST_RTL_DIR, "units-top.v"), ...rtlSources()],
      { N: n, MUL_DEPTH, ADD_DEPTH },
      records,
    );
    const { counts, first } = compareUnits(stimulus, results);
    expect({ counts, first }).toEqual({ counts: NONE, first: [] });
  });
});
