// The RTL's parameter header from a MacroConfig (hw/rtl-config.ts): the values the RTL reads
// follow the configuration, and the header is Verilog that Verilator accepts.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MACRO, DEFAULT_MACRO_BF16, defineMacro, type MacroConfig } from "../hw/config.js";
import { RTL_LAMBDA, RTL_METHOD, rtlParameters, rtlParameterValues, scalarPrograms } from "../hw/rtl-config.js";
import { centringProgram, inverseNormProgram, meanProgram, mProgram } from "../hw/scalar.js";
import { RUN_RTL } from "./rtl/simulators.js";

describe("rtlParameters (hw/rtl-config.ts)", () => {
  it("carries the format, widths, depths and method of DEFAULT_MACRO and DEFAULT_MACRO_BF16", () => {
    const f = rtlParameterValues(DEFAULT_MACRO);
    expect(f).toMatchObject({ FORMAT_BF16: 0, WORD_BITS: 32, ELEMENT_FRACTION: 23, LANES: 64, LOG2_LANES: 6 });
    expect(f).toMatchObject({ MAX_DIM: 1024, DIM_BITS: 11, ROWS: 16, ROW_BITS: 4 });
    expect(f).toMatchObject({ MUL_DEPTH: 2, ADD_DEPTH: 2, READ_DEPTH: 1, EXP_DEPTH: 1, WRITE_DEPTH: 1 });
    expect(f).toMatchObject({ PHASE_SWITCH: 1, SQRT_DEPTH: 27, DIV_DEPTH: 27, METHOD: RTL_METHOD.iter });
    expect(f).toMatchObject({ ITERATIONS: 5, LAMBDA: RTL_LAMBDA.paper, FISR_MAGIC: 0x5f3759df, FISR_STEPS: 1 });
    const b = rtlParameterValues(DEFAULT_MACRO_BF16);
    expect(b).toMatchObject({ FORMAT_BF16: 1, WORD_BITS: 16, ELEMENT_FRACTION: 7, SQRT_DEPTH: 11 });
    expect(b).toMatchObject({ FISR_MAGIC: 0x5f37 });
  });

  it("follows a changed configuration (depths, lanes, method, a custom λ as its FP32 pattern)", () => {
    const c = defineMacro({
      lanes: 8,
      maxDim: 100,
      method: "fisr",
      lambda: 0.5,
      latency: { add: 3, mul: 1, phaseSwitch: 0 },
    });
    expect(rtlParameterValues(c)).toMatchObject({
      LANES: 8,
      LOG2_LANES: 3,
      MAX_DIM: 100,
      DIM_BITS: 7,
      ROWS: 13,
      ROW_BITS: 4,
      ADD_DEPTH: 3,
      MUL_DEPTH: 1,
      PHASE_SWITCH: 0,
      METHOD: RTL_METHOD.fisr,
      LAMBDA: RTL_LAMBDA.custom,
      LAMBDA_C: 0x3f000000,
    });
    expect(() => rtlParameterValues({ ...DEFAULT_MACRO, lanes: 3 })).toThrow(RangeError);
  });

  it.skipIf(!RUN_RTL)("is a Verilog-2005 parameter header (Verilator lint of a module that includes it)", () => {
    const dir = mkdtempSync(join(tmpdir(), "iterl2norm-rtl-config-"));
    try {
      for (const [name, config] of [
        ["fp32", DEFAULT_MACRO],
        ["bf16", DEFAULT_MACRO_BF16],
      ] as const) {
        const header = rtlParameters(config);
        expect(header).toContain("localparam integer LANES = 64;");
        writeFileSync(join(dir, `${name}.vh`), header);
        // the module exposes two parameters, so lint checks they are constants of the right value
        writeFileSync(
          join(dir, `params_${name}.v`),
          `module params_${name} (output [31:0] lanes, output [31:0] magic);\n` +
            `\`include "${name}.vh"\n  assign lanes = LANES;\n  assign magic = FISR_MAGIC;\nendmodule\n`,
        );
        const lint = ["--lint-only", "-Wall", "-Wno-UNUSEDPARAM", `-I${dir}`, join(dir, `params_${name}.v`)];
        execFileSync("verilator", lint, { stdio: ["ignore", "pipe", "pipe"] });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("scalarPrograms (hw/rtl-config.ts): the controller's ROM is the model's programs", () => {
  const structure = (ops: readonly { unit: string; deps: readonly number[] }[]) =>
    ops.map((op) => `${op.unit}(${op.deps.join(",")})`);
  const R = Math.fround;

  it.each<[string, MacroConfig]>([
    ["DEFAULT_MACRO", DEFAULT_MACRO],
    ["DEFAULT_MACRO_BF16", DEFAULT_MACRO_BF16],
    ["newton, 3 iterations", defineMacro({ lambda: "newton", iterations: 3 })],
    ["pow2, 0 iterations", defineMacro({ lambda: "pow2", iterations: 0 })],
    ["custom λ, 7 iterations", defineMacro({ lambda: 0.3, iterations: 7 })],
    ["FISR, 2 steps", defineMacro({ method: "fisr", fisr: { steps: 2 } })],
    ["FISR, 0 steps, BF16", defineMacro({ method: "fisr", format: "bf16", fisr: { steps: 0 } })],
    ["sqrt + divide", defineMacro({ method: "sqrt" })],
    ["sqrt + divide, BF16", defineMacro({ method: "sqrt", format: "bf16" })],
  ])("%s: every program has the units and dependences of hw/scalar.ts's", (_n, config) => {
    const p = scalarPrograms(config);
    expect(structure(p.mean)).toEqual(structure(meanProgram(1, 0, 1, R)));
    expect(structure(p.centring)).toEqual(structure(centringProgram(0, 0, 0, 1, R)));
    expect(structure(p.m)).toEqual(structure(mProgram(1, 0, 0, R)));
    expect(structure(p.inverseNorm)).toEqual(structure(inverseNormProgram(1, config, 1)));
    expect(structure(p.prescale)).toEqual(["exp()"]);
    // the operands name only earlier operations (dep0, dep1 in range)
    for (const prog of Object.values(p))
      prog.forEach((op, i) => {
        for (const d of op.deps) expect(d).toBeLessThan(i);
        if (op.a === "dep1" || op.b === "dep1") expect(op.deps.length).toBe(2);
      });
  });

  it("gives method 'sqrt' its two digit-recurrence operations: √m, 1 / √m, then the final ×scale", () => {
    for (const format of ["fp32", "bf16"] as const) {
      const p = scalarPrograms(defineMacro({ method: "sqrt", format }));
      expect(structure(p.inverseNorm)).toEqual(["sqrt()", "div(0)", "mul(1)"]);
      expect(p.inverseNorm.map((op) => [op.a, op.b])).toEqual([
        ["m", undefined],
        ["one", "dep0"],
        ["scale", "dep0"],
      ]);
    }
  });

  it("writes the ROM and the exponent unit's constants into the header", () => {
    const header = rtlParameters(DEFAULT_MACRO);
    // 34 operations in the inverse-norm program: e, 7 + 4·6 for five steps, back, final
    expect(header).toContain("localparam integer SCALAR_SLOTS = 34;");
    expect(header).toMatch(/localparam \[\d+:0\] SCALAR_ROM = \d+'h[0-9a-f]+;/);
    expect(header).toContain("localparam [31:0] A0_E1 = 32'h3f000000;"); // a₀ = 2^−1 for m′ ∈ [2, 4)
    expect(header).toContain(`localparam [31:0] LAMBDA_E0 = 32'h${(0x3eb0a3d7).toString(16)};`); // fl32(0.345)
  });
});
