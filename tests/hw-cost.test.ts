// Golden tables of the cost model (hw/cost.ts): every expected number is worked
// out by hand in the comments from the cost rows (hw/cost-table.ts), not by
// calling the model. And the closed-form activity against the simulator's counts.
import { describe, expect, it } from "vitest";
import {
  COST_TABLE,
  DEFAULT_MACRO,
  DEFAULT_MACRO_BF16,
  defineMacro,
  digitRecurrenceAreaUm2,
  digitRecurrenceEnergyPj,
  macroActivity,
  macroCost,
  macroEnergy,
  registerBits,
  simulateMacro,
  type MacroConfig,
} from "iterl2norm/hw";

/** Relative closeness for hand-computed decimals (the products are exact to ~1e-15 in binary64). */
function close(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected));
}

// Scaling at the paper's 1.05 V:
//   45 nm rows: area ×0.29; energy ×(28/45)·(1.05/0.9)² = (28/45)·(49/36) = 1372/1620
//   28 nm rows: energy ×(1.05/0.9)² = 49/36
const E45 = 1372 / 1620;
const E28 = 49 / 36;

describe("the cost rows carry their published figures", () => {
  it(
    "Horowitz ISSCC 2014, 45 nm: " +
      "FP32 add 0.9 pJ / 4184 µm², mult 3.7 pJ / 7700 µm², FP16 add 0.4 / 1360, mult 1.1 / 1640",
    () => {
      expect([COST_TABLE.fp32Add.energyPj, COST_TABLE.fp32Add.areaUm2]).toEqual([0.9, 4184]);
      expect([COST_TABLE.fp32Mul.energyPj, COST_TABLE.fp32Mul.areaUm2]).toEqual([3.7, 7700]);
      expect([COST_TABLE.fp16Add.energyPj, COST_TABLE.fp16Add.areaUm2]).toEqual([0.4, 1360]);
      expect([COST_TABLE.fp16Mul.energyPj, COST_TABLE.fp16Mul.areaUm2]).toEqual([1.1, 1640]);
      expect(COST_TABLE.sramBitcell.areaUm2).toBe(0.127);
    },
  );

  it("every row names a source and an accuracy", () => {
    for (const row of Object.values(COST_TABLE)) {
      expect(row.source.length).toBeGreaterThan(3);
      expect(row.accuracy.length).toBeGreaterThan(3);
    }
  });
});

describe("DEFAULT_MACRO area (FP32, 64 lanes, 1024-word buffers)", () => {
  const cost = macroCost(DEFAULT_MACRO);
  const byBlock = Object.fromEntries(cost.area.map((i) => [i.block, i.areaUm2]));

  it("per block, µm² at 28 nm", () => {
    close(byBlock["Mul block (fp32)"]!, 142912); //            64 × 7700 × 0.29 = 64 × 2233
    close(byBlock["Add block (fp32)"]!, 116482.56); //         rank 1 L, rank 2 L/2: 96 × 4184 × 0.29 = 96 × 1213.36
    close(byBlock["adder tree (FP32)"]!, 76441.68); //         63 × 1213.36
    close(byBlock["scalar multiplier (FP32)"]!, 2233); //       7700 × 0.29
    close(byBlock["scalar adder (FP32)"]!, 1213.36); //         4184 × 0.29
    close(byBlock["max-exponent comparators + exponent unit"]!, 699.48); // (63 + 4) × 36 × 0.29 = 67 × 10.44
    close(byBlock["centring-mode comparator"]!, 79.46); //      2 × 137 × 0.29 (q·2^−42 and the compare)
    close(byBlock["input, γ, β buffers (SRAM)"]!, 24969.216); // 3·1024·32 = 98 304 bits × 0.127 / 0.5
    close(byBlock["pipeline registers"]!, 88164); //            19 592 bits × 4.5 (below)
    close(byBlock.control!, 3000);
  });

  it("pipeline register bits", () => {
    // read 64·32·1 + Mul 64·32·2 + Add rank 1 64·32·2 + Add rank 2 32·32·2 (L/2 lanes, format wide)
    // + tree 63·32·2 + partial row 64·32 + output 32·32·1 + scalar 32·(2 + 2) + err and P 2·32 + running max 8·1
    // = 2048 + 4096 + 4096 + 2048 + 4032 + 2048 + 1024 + 128 + 64 + 8
    expect(registerBits(DEFAULT_MACRO)).toBe(19592);
  });

  it("total 0.456194756 mm², range up to 0.569… mm², leakage 0.456194756 mW", () => {
    // 142 912 + 116 482.56 + 76 441.68 + 2 233 + 1 213.36 + 699.48 + 79.46 + 24 969.216 + 88 164 + 3 000
    // = 456 194.756 µm²
    close(cost.areaMm2, 0.456194756);
    // 45 nm rows at 45 nm: 64·7700 + 159·4184 + 7700 + 4184 + 67·36 + 2·137 = 1 172 626 µm², × (28/45)² = 784/2025,
    // plus the 28 nm rows 24 969.216 + 88 164 + 3 000 = 116 133.216
    close(cost.areaRangeMm2[1], ((1172626 * 784) / 2025 + 116133.216) / 1e6);
    // 1 mW/mm² × 0.456194756 mm² × (1.05 / 1.05)
    close(cost.leakageMw, 0.456194756);
  });
});

describe("DEFAULT_MACRO energy of one vector, d = 1024", () => {
  const e = macroEnergy(1024, DEFAULT_MACRO);
  // activity (a one-shift row, the default): 4096 element mults, 4096 element adds, 2·1023 tree adds,
  // 1024 compares, SRAM 3072 reads + 2048 writes + 2048 γ/β reads, 2·17 partial-row writes,
  // scalar 25 mults (δ 1, P 2, λm 1, 5·4 steps, √d·a 1) and 18 adds (c 1, TwoSum 5, q − P′ 1, ε 1, 5·2),
  // 3 exponent ops.
  it("per part, pJ", () => {
    close(e.breakdown.mulBlock, 4096 * 3.7 * E45);
    close(e.breakdown.addBlock, 4096 * 0.9 * E45);
    close(e.breakdown.tree, 2046 * 0.9 * E45);
    close(e.breakdown.scalar, (25 * 3.7 + 18 * 0.9) * E45);
    close(e.breakdown.exponent, (1024 + 2 * 3) * 0.03 * E45);
    close(e.breakdown.sram, 7168 * 32 * (5 / 32) * E45);
    // register bits written: 32·(2·(4096 + 25) + 2·(4096 + 2046 + 18) + 34)
    //   + 32·(1·(3072 + 2048) + 2·1024 + 1·1024)   (Add rank 2's registers carry the 1024 output values)
    //   = 32·20 596 + 32·8 192 = 921 216, × 3 fJ
    close(e.breakdown.registers, 921216 * 0.003 * E28);
    close(e.breakdown.control, 227 * 1 * E28);
  });

  it("227 cycles at 100 MHz = 2270 ns; leakage 0.456194756 mW × 2270 ns; 53.09 nJ in total", () => {
    expect(e.cycles).toBe(227);
    close(e.timeNs, 2270);
    close(e.leakagePj, 0.456194756 * 2270);
    const dynamic =
      (4096 * 3.7 + 4096 * 0.9 + 2046 * 0.9 + 25 * 3.7 + 18 * 0.9 + 1030 * 0.03 + 7168 * 5) * E45 +
      (921216 * 0.003 + 227) * E28;
    close(e.dynamicPj, dynamic);
    close(e.totalPj, dynamic + 0.456194756 * 2270);
    expect(e.totalPj / 1000).toBeCloseTo(53.09, 2);
    // dynamic power with 1024-element vectors back to back: dynamic pJ / 2270 ns = mW
    close(macroCost(DEFAULT_MACRO).dynamicMw, dynamic / 2270);
  });

  it("a two-shift row adds the output's 1024 −err adds, nothing else (rank 2's registers count either way)", () => {
    const two = macroEnergy(1024, DEFAULT_MACRO, 2);
    close(two.breakdown.addBlock, 5120 * 0.9 * E45);
    close(two.breakdown.registers, 921216 * 0.003 * E28);
    expect(two.cycles).toBe(227);
    close(two.totalPj - e.totalPj, 1024 * 0.9 * E45);
  });

  it.each<[unknown, RegExp]>([
    [3, /shifts must be 1 .* or 2 .*; got 3/],
    ["2", /shifts must be 1 .* or 2 .*; got "2"/],
  ])("shifts %j is rejected", (shifts, message) => {
    expect(() => macroEnergy(64, DEFAULT_MACRO, shifts as 1)).toThrow(message);
    expect(() => macroActivity(64, DEFAULT_MACRO, shifts as 1)).toThrow(message);
  });
});

describe("BF16 and the method-specific units", () => {
  it("BF16 element units are costed as FP16 (Horowitz), the tree and buffers as FP32 / 16-bit words", () => {
    const area = Object.fromEntries(macroCost(DEFAULT_MACRO_BF16).area.map((i) => [i.block, i.areaUm2]));
    close(area["Mul block (bf16)"]!, 30438.4); //   64 × 1640 × 0.29
    close(area["Add block (bf16)"]!, 37862.4); //   rank 1 L, rank 2 L/2: 96 × 1360 × 0.29
    close(area["adder tree (FP32)"]!, 76441.68);
    close(area["input, γ, β buffers (SRAM)"]!, 12484.608); // 3·1024·16 bits × 0.254
    // read 64·16 + Mul 4096 + Add rank 1 4096 + Add rank 2 32·16·2 + tree 4032 + partial row 2048 + output 32·16
    // + scalar 128 + err and P 64 + 8
    expect(registerBits(DEFAULT_MACRO_BF16)).toBe(17032);
  });

  it("radix-2 digit-recurrence units: 27 steps of a 27-bit add in FP32, 11 in BF16", () => {
    // area: (27/32)·137·0.29 + 3·27·4.5 = 33.5221875 + 364.5
    close(digitRecurrenceAreaUm2("fp32"), 398.0221875);
    // (11/32)·137·0.29 + 3·11·4.5 = 13.6571875 + 148.5
    close(digitRecurrenceAreaUm2("bf16"), 162.1571875);
    // energy: 27 · ((27/32)·0.1·E45 + 2·27·0.003·E28)
    close(digitRecurrenceEnergyPj("fp32", 1.05), 27 * ((27 / 32) * 0.1 * E45 + 2 * 27 * 0.003 * E28));
    const sqrt = macroCost(defineMacro({ method: "sqrt" }));
    close(sqrt.areaMm2 - macroCost(DEFAULT_MACRO).areaMm2, (2 * 398.0221875) / 1e6);
    const fisr = macroCost(defineMacro({ method: "fisr" }));
    close(fisr.areaMm2 - macroCost(DEFAULT_MACRO).areaMm2, (137 * 0.29) / 1e6);
  });

  it("energy scales with V² (45 nm rows) and leakage with V", () => {
    const low = defineMacro({ voltage: 0.9 });
    // at 0.9 V the 45 nm rows scale by 28/45 only, the 28 nm rows by 1
    close(macroEnergy(64, low).breakdown.mulBlock, 256 * 3.7 * (28 / 45));
    close(macroEnergy(64, low).breakdown.control, 116);
    close(macroCost(low).leakageMw, (0.456194756 * 0.9) / 1.05);
  });
});

describe("closed-form activity equals the simulator's counts", () => {
  const configs: [string, MacroConfig][] = [
    ["default", DEFAULT_MACRO],
    ["bf16, Newton", defineMacro({ format: "bf16", lambda: "newton" })],
    ["FISR 3 steps, 8 lanes", defineMacro({ method: "fisr", fisr: { steps: 3 }, lanes: 8 })],
    ["FISR 0 steps", defineMacro({ method: "fisr", fisr: { steps: 0 } })],
    ["sqrt, 2 lanes", defineMacro({ method: "sqrt", lanes: 2 })],
    ["0 iterations", defineMacro({ iterations: 0 })],
  ];
  it.each(configs)("%s", (_name, config) => {
    const seen = new Set<number>();
    for (const d of [1, 2, 5, 63, 64, 65, 129, 500, 1024]) {
      // rows about 1e4 (FP32: two shifts for most d, |err| up to 2^−11 against 2^−21·σ, σ ≈ 0.7), about 8
      // (BF16: |err| up to 2^−5; in BF16 the row about 1e4, spacing 64, is nearly constant) and about 0 (one)
      for (const offset of [1e4, 8, 0]) {
        const x = Float32Array.from({ length: d }, (_, i) => Math.sin(i) + offset);
        const r = simulateMacro(x, config);
        seen.add(r.trace.shifts);
        expect(r.activity, `d=${d} offset ${offset}`).toEqual(macroActivity(d, config, r.trace.shifts));
      }
    }
    expect([...seen].sort()).toEqual([1, 2]);
  });
});
