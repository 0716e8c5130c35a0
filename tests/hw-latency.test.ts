// The closed form (hw/latency.ts) against the cycle-level simulator, the paper's
// two published latencies, and hand-computed table values.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MACRO,
  DEFAULT_MACRO_BF16,
  PAPER_LATENCY,
  defineMacro,
  macroLatency,
  macroPhases,
  simulateMacro,
  type MacroConfig,
} from "iterl2norm/hw";

/** A vector of length d with varied signs and magnitudes (the schedule does not depend on the values). */
function vector(d: number): Float32Array {
  return Float32Array.from({ length: d }, (_, i) => ((i * 37) % 23) - 11 + i / 7);
}

const CONFIGS: [string, MacroConfig][] = [
  ["DEFAULT_MACRO (fp32, 64 lanes)", DEFAULT_MACRO],
  ["DEFAULT_MACRO_BF16", DEFAULT_MACRO_BF16],
  [
    "16 lanes, add 1, mul 3, read 2, exponent 2, write 2, no phase switch, Newton",
    defineMacro({
      lanes: 16,
      lambda: "newton",
      latency: { add: 1, mul: 3, read: 2, exponent: 2, write: 2, phaseSwitch: 0 },
    }),
  ],
  [
    "2 lanes (many recirculations), FISR 2 steps, maxDim 300",
    defineMacro({ lanes: 2, maxDim: 300, method: "fisr", fisr: { steps: 2 } }),
  ],
  [
    "256 lanes, sqrt + divide, phase switch 5, bf16",
    defineMacro({ format: "bf16", lanes: 256, method: "sqrt", latency: { phaseSwitch: 5 } }),
  ],
  ["32 lanes, 0 iterations, add 3", defineMacro({ lanes: 32, iterations: 0, latency: { add: 3 } })],
];

describe("simulateMacro cycles equal macroLatency for every d from 1 to maxDim", () => {
  it.each(CONFIGS)("%s", (_name, config) => {
    const bad: string[] = [];
    for (let d = 1; d <= config.maxDim; d++) {
      const r = simulateMacro(vector(d), config);
      const phases = macroPhases(d, config);
      if (r.cycles !== macroLatency(d, config) || JSON.stringify(r.phases) !== JSON.stringify(phases)) {
        bad.push(
          `d=${d}: simulated ${r.cycles} ${JSON.stringify(r.phases)}, closed form ${macroLatency(d, config)} ` +
            `${JSON.stringify(phases)}`,
        );
        if (bad.length >= 3) break;
      }
    }
    expect(bad).toEqual([]);
  });
});

describe("the paper's two published latencies (arXiv 2412.04778 v2, 100 MHz)", () => {
  it("PAPER_LATENCY holds 116 at d = 64 and 227 at d = 1024", () => {
    expect(PAPER_LATENCY).toEqual({ 64: 116, 1024: 227 });
  });

  it.each([
    ["fp32", DEFAULT_MACRO],
    ["bf16", DEFAULT_MACRO_BF16],
  ] as const)("%s: closed form and simulator give 116 and 227", (_f, config) => {
    expect(macroLatency(64, config)).toBe(116);
    expect(macroLatency(1024, config)).toBe(227);
    expect(simulateMacro(vector(64), config).cycles).toBe(116);
    expect(simulateMacro(vector(1024), config).cycles).toBe(227);
  });
});

describe("hand-computed latencies of DEFAULT_MACRO", () => {
  // L = 64, add = mul = 2, read = exponent = write = 1, phase switch = 1, 5 steps.
  // One row through a reduction pass: P = read + mul + add + 6·add = 1 + 2 + 2 + 12 = 17.
  // C = ⌈d/64⌉ rows, B = ⌈d/32⌉ output beats; R = (C − 1) + 17, plus 1 + 17 when C > 1.
  // load = C − 1 + 2; sumX = R + 4; sumSq = max(R, T) + 2 (q − P′) + 2 (ε), with the centring program
  // T = 4·2 + 2·2 = 12 ≤ 17 ≤ R (TwoSum and P hidden behind the pass);
  // inverse norm = 2 + 5·10 + 2 = 54; output = B + 1 + 6 (−c, −err′, +β) + 4 + 1; control = 4·1 = 4.
  // The totals are those of the phase switch of 2 without the second shift: +4 −4 at every d.
  it.each([
    // C=1,  B=1:  R=17: 0+2 + 21 + 21 + 54 + 13 + 4
    [1, 115],
    // C=1,  B=2:  2 + 21 + 21 + 54 + 14 + 4
    [64, 116],
    // C=2,  B=3:  R = 1 + 17 + 18 = 36: 3 + 40 + 40 + 54 + 15 + 4
    [65, 156],
    // C=2,  B=4:  3 + 40 + 40 + 54 + 16 + 4
    [128, 157],
    // C=4,  B=8:  R = 3 + 35 = 38: 5 + 42 + 42 + 54 + 20 + 4
    [256, 167],
    // C=8,  B=16: R = 42: 9 + 46 + 46 + 54 + 28 + 4
    [512, 187],
    // C=12, B=24: R = 46: 13 + 50 + 50 + 54 + 36 + 4
    [768, 207],
    // C=16, B=32: R = 50: 17 + 54 + 54 + 54 + 44 + 4
    [1024, 227],
  ])("d = %i: %i cycles", (d, cycles) => {
    expect(macroLatency(d)).toBe(cycles);
  });

  it("phases at d = 1024: load 17, sumX 54, sumSq 54, inverse norm 54, output 44, control 4", () => {
    expect(macroPhases(1024)).toEqual({ load: 17, sumX: 54, sumSq: 54, inverseNorm: 54, output: 44, control: 4 });
  });

  it("single-cycle units and no turn-around (what 100 MHz would allow): d = 64 by hand", () => {
    // add = mul = read = exponent = write = 1, switch 0: P = 1 + 1 + 1 + 6 = 9; load 0 + 2 = 2;
    // sumX 9 + 2 = 11; sumSq max(9, T) + 1 + 1 = 11, T = max(4·1, 3·1 + 2) + 2·1 = 7 (the adder issues
    // δ − b in cycle 2, so x₀ − (c − b) waits one cycle); inverse norm 2 + 5·5 + 1 = 28; output 2 + 1 + 3 + 2 + 1 = 9.
    const fast = defineMacro({ latency: { add: 1, mul: 1, phaseSwitch: 0 } });
    expect(macroLatency(64, fast)).toBe(2 + 11 + 11 + 28 + 9);
  });
});

describe("the centring program (TwoSum, P) on the scalar unit during the Σy² pass", () => {
  it("is hidden at every d of DEFAULT_MACRO and DEFAULT_MACRO_BF16: R(1) = 17 ≥ 12", () => {
    for (const config of [DEFAULT_MACRO, DEFAULT_MACRO_BF16]) {
      for (const d of [1, 64, 65, 1024]) expect(macroPhases(d, config).sumSq).toBe(macroPhases(d, config).sumX);
    }
  });

  it("holds the pass up where the pass is shorter: 2 lanes, d ≤ 2, P = 1 + 2 + 2 + 2 = 7 < 12", () => {
    const two = defineMacro({ lanes: 2, maxDim: 8 });
    // sumSq = max(7, 12) + 2 + 2 = 16 for one row; three rows: R = 2 + 7 + (1 + 1 + 7) + (1 + 0 + 7) = 26 ≥ 12,
    // so sumSq = R + 4 = sumX
    expect(macroPhases(1, two).sumSq).toBe(16);
    expect(simulateMacro(vector(2), two).phases.sumSq).toBe(16);
    expect(macroPhases(5, two).sumSq).toBe(macroPhases(5, two).sumX);
    expect(simulateMacro(vector(5), two).phases.sumSq).toBe(macroPhases(5, two).sumX);
  });
});

describe("latency is non-decreasing in d", () => {
  it.each(CONFIGS)("%s", (_name, config) => {
    for (let d = 1; d < config.maxDim; d++)
      expect(macroLatency(d + 1, config)).toBeGreaterThanOrEqual(macroLatency(d, config));
  });
});

describe("bad d", () => {
  it.each<[unknown, RegExp]>([
    [0, /d must be an integer from 1 to config\.maxDim = 1024; got 0/],
    [1025, /got 1025/],
    [1.5, /got 1\.5/],
    ["64", /d must be an integer from 1 to config\.maxDim = 1024; got string/],
  ])("macroLatency(%s) throws", (d, message) => {
    expect(() => macroLatency(d as number)).toThrow(message);
  });
});
