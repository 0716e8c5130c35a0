// The macro in RTL (hw/rtl/macro.v) against simulateMacro (hw/simulate.ts): output bits (NaN as a
// class), total cycles and the cycle of every state change, for DEFAULT_MACRO and
// DEFAULT_MACRO_BF16 over sampled d in 1..maxDim, both modes, ordinary and edge rows, for a
// small configuration with other depths, two recirculations and no turn-around, and for every other
// inverse-norm method and λ policy (sqrt + divide in FP32 and BF16, λ pow2 and custom, FISR in
// FP32) on small configurations; the 116 / 227
// anchors in the RTL's own cycle count; a smoke run under Icarus Verilog.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MACRO, DEFAULT_MACRO_BF16, defineMacro, type MacroConfig } from "../hw/config.js";
import { PAPER_LATENCY } from "../hw/constants.js";
import { rtlParameters } from "../hw/rtl-config.js";
import { compareRun, macroStimulus, macroVectors, parseRuns, type MacroVector } from "./rtl/macro-cases.js";
import {
  cachedHeader,
  MACRO_HEADER,
  RUN_RTL,
  rtlSources,
  runIverilog,
  runModel,
  TEST_RTL_DIR,
  verilatorModel,
} from "./rtl/simulators.js";

/** A small macro: 8 lanes, 13 rows of maxDim 100 (two recirculations), other depths, no turn-around. */
const SMALL = defineMacro({
  lanes: 8,
  maxDim: 100,
  lambda: "newton",
  iterations: 3,
  latency: { add: 3, mul: 1, read: 2, exponent: 2, write: 2, phaseSwitch: 0 },
});

/** Method 'sqrt': digit-recurrence units at the default depths (27 cycles each in FP32). */
const SQRT = defineMacro({ lanes: 8, maxDim: 100, method: "sqrt" });
/** Method 'sqrt' in BF16 with short units (several recurrence steps a cycle) and 16 lanes. */
const SQRT_BF16 = defineMacro({
  format: "bf16",
  lanes: 16,
  maxDim: 200,
  method: "sqrt",
  latency: { sqrt: 4, divide: 2, add: 1 },
});
/** The other λ policies and FISR in FP32 (the defaults run λ paper; SMALL runs newton). */
const POW2 = defineMacro({ lanes: 8, maxDim: 100, lambda: "pow2", iterations: 4 });
const CUSTOM = defineMacro({ lanes: 8, maxDim: 100, lambda: 0.3, iterations: 7, latency: { mul: 3 } });
const FISR = defineMacro({ lanes: 8, maxDim: 100, method: "fisr", fisr: { steps: 2 } });

const SMALL_DIMS = [1, 2, 7, 8, 9, 16, 17, 63, 64, 65, 99, 100];
const CONFIGS: readonly (readonly [string, MacroConfig, readonly number[]])[] = [
  ["DEFAULT_MACRO", DEFAULT_MACRO, [1, 2, 3, 31, 63, 64, 65, 127, 128, 129, 200, 511, 768, 1000, 1023, 1024]],
  ["DEFAULT_MACRO_BF16", DEFAULT_MACRO_BF16, [1, 2, 63, 64, 65, 127, 128, 300, 768, 1024]],
  ["8 lanes, maxDim 100, newton, other depths", SMALL, SMALL_DIMS],
  ["sqrt + divide, 8 lanes", SQRT, SMALL_DIMS],
  ["sqrt + divide, BF16, 16 lanes, units of depth 4 and 2", SQRT_BF16, [1, 15, 16, 17, 100, 199, 200]],
  ["λ pow2, 4 iterations, 8 lanes", POW2, [1, 9, 64, 100]],
  ["λ = 0.3 (custom), 7 iterations, multiplier depth 3, 8 lanes", CUSTOM, [1, 9, 64, 100]],
  ["FISR, 2 Newton steps, 8 lanes", FISR, [1, 9, 64, 100]],
];

function build(config: MacroConfig): string {
  const header = cachedHeader(MACRO_HEADER, rtlParameters(config));
  const model = verilatorModel({
    top: "iterl2norm_macro",
    sources: rtlSources({ macro: true }),
    harness: join(TEST_RTL_DIR, "macro-harness.cpp"),
    includes: [header],
  });
  if (model.buildMs > 0) console.log(`rtl-macro: verilator build ${(model.buildMs / 1000).toFixed(1)} s`);
  return model.exe;
}

function run(exe: string, config: MacroConfig, vectors: readonly MacroVector[]) {
  return parseRuns(runModel(exe, macroStimulus(config, vectors), []), vectors);
}

describe.skipIf(!RUN_RTL)("the macro in RTL (hw/rtl/macro.v) against simulateMacro", () => {
  const exes = new Map<string, string>();
  beforeAll(() => {
    for (const [name, config] of CONFIGS) exes.set(name, build(config));
  }, 900_000);

  for (const [name, config, dims] of CONFIGS) {
    it(`${name}: output bits, cycles and state changes equal the model's`, () => {
      const vectors = macroVectors(config, dims, 0x3ac0 + config.lanes, 100);
      const runs = run(exes.get(name)!, config, vectors);
      const results = vectors.map((v, i) => compareRun(config, v, runs[i]!));
      expect(results.flatMap((r) => r.diffs).slice(0, 12)).toEqual([]);
      // the vectors take every path the comparison is meant to cover
      const traces = results.map((r) => r.trace);
      expect(new Set(traces.map((t) => t.shifts))).toEqual(new Set([1, 2]));
      expect(traces.some((t) => t.nanRow)).toBe(true);
      expect(traces.some((t) => t.k < -100) && traces.some((t) => t.k > 100)).toBe(true);
      expect(traces.some((t) => t.m === Number.POSITIVE_INFINITY)).toBe(true); // the ε-term overflows
    });
  }

  it("counts 116 cycles at d = 64 and 227 at d = 1024 (the paper's latencies) in the RTL", () => {
    const x = (d: number): Float32Array => Float32Array.from({ length: d }, (_, i) => Math.sin(i));
    for (const [name, config] of CONFIGS.slice(0, 2)) {
      const runs = run(exes.get(name)!, config, [
        { name: "d=64", x: x(64), mode: "layernorm" },
        { name: "d=1024", x: x(1024), mode: "layernorm" },
      ]);
      expect(
        runs.map((r) => r.cycles),
        name,
      ).toEqual([PAPER_LATENCY[64], PAPER_LATENCY[1024]]);
    }
  });
});

describe.skipIf(!RUN_RTL)("the macro under Icarus Verilog (smoke)", () => {
  // Icarus runs about 20 ms a cycle on 64 lanes: the small macro in both formats, and one vector of
  // DEFAULT_MACRO (its 116 cycles)
  const SMALL_BF16 = defineMacro({ ...SMALL, format: "bf16", fisr: undefined, method: "fisr" });
  it.each<[string, MacroConfig, readonly number[], readonly string[]]>([
    ["8 lanes, maxDim 100, newton, other depths", SMALL, [1, 9, 100], ["about 1e7", "NaN", "huge (prescale down)"]],
    ["the same in BF16, FISR", SMALL_BF16, [13], ["about 300 (BF16 two shifts)", "subnormal (prescale up)"]],
    ["DEFAULT_MACRO", DEFAULT_MACRO, [64], []],
  ])("%s: the same bits, cycles and state changes as the model", (_name, config, dims, edges) => {
    const vectors = macroVectors(config, dims, 0x1ca + config.lanes, 24).filter(
      (v, i) => (i < 2 * dims.length && (dims.length > 1 || v.mode === "layernorm")) || edges.includes(v.name),
    );
    const header = cachedHeader(MACRO_HEADER, rtlParameters(config));
    const stimulus = macroStimulus(config, vectors);
    const results = runIverilog(
      "macro_tb",
      [join(TEST_RTL_DIR, "macro-tb.v"), ...rtlSources({ macro: true })],
      { N: stimulus.length },
      [Array.from(stimulus)],
      [header],
    );
    const runs = parseRuns(results, vectors);
    expect(vectors.flatMap((v, i) => compareRun(config, v, runs[i]!).diffs)).toEqual([]);
  });
});
