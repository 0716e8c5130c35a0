/**
 * Area, leakage, dynamic power and energy per vector of a configuration: unit
 * counts and activity (activity.ts) times the per-unit costs of cost-table.ts,
 * carried to 28 nm and the configured supply. docs/hardware.md lists every
 * factor; tests/hw-cost.test.ts recomputes the default tables by hand.
 */
import { checkShifts, macroActivity, type CentringShifts } from "./activity.js";
import { DEFAULT_MACRO, checkMacroConfig, type MacroConfig } from "./config.js";
import { ACCUMULATOR_BITS, EXPONENT_BITS, SIGNIFICAND_BITS, WORD_BITS } from "./constants.js";
import {
  AREA_SCALE_45_TO_28,
  AREA_SCALE_45_TO_28_HIGH,
  COST_TABLE,
  DIGIT_RECURRENCE_REGISTERS,
  DIGIT_RECURRENCE_WRITES,
  EXPONENT_OP_INT8_ADDS,
  EXPONENT_UNIT_INT8_ADDS,
  HOROWITZ_NODE_NM,
  LEAKAGE_MW_PER_MM2,
  LEAKAGE_REFERENCE_VDD,
  SRAM_ARRAY_EFFICIENCY,
  TARGET_NODE_NM,
  energyScale,
  type CostId,
} from "./cost-table.js";
import { macroLatency } from "./latency.js";

/** One line of the area breakdown. */
export interface AreaItem {
  readonly block: string;
  /** Number of units (or bits, for memories and registers). */
  readonly count: number;
  /** The cost row the line uses ('derived' for the digit-recurrence units). */
  readonly row: CostId | "derived";
  /** Area at 28 nm in µm² with the [SB17] ×0.29 scaling for 45 nm rows. */
  readonly areaUm2: number;
  /** True when the row's figure is 45 nm (scaled) rather than native 28 nm. */
  readonly scaled: boolean;
}

/** Area and power of a configuration. */
export interface MacroCost {
  /** Total area in mm² (45 nm rows scaled by ×0.29). */
  readonly areaMm2: number;
  /** Total area with the 45 nm rows scaled by ×0.29 and by (28/45)² ≈ ×0.387. */
  readonly areaRangeMm2: readonly [number, number];
  readonly area: readonly AreaItem[];
  /** Leakage power in mW (density assumption × area, ∝ V). */
  readonly leakageMw: number;
  /** Dynamic power in mW at the configured clock, vectors of maxDim back to back. */
  readonly dynamicMw: number;
  /** Energy per vector of length maxDim in pJ (dynamic + leakage). */
  readonly energyPerVectorPj: number;
}

/** Energy of one vector. */
export interface MacroEnergy {
  readonly d: number;
  readonly cycles: number;
  /** Time per vector in ns at the configured clock. */
  readonly timeNs: number;
  /** Dynamic energy per component, pJ. */
  readonly breakdown: Readonly<Record<EnergyPart, number>>;
  readonly dynamicPj: number;
  readonly leakagePj: number;
  readonly totalPj: number;
}

/** The parts of the dynamic energy. */
export type EnergyPart = "mulBlock" | "addBlock" | "tree" | "scalar" | "exponent" | "sram" | "registers" | "control";

const area45 = (id: CostId): number => COST_TABLE[id].areaUm2! * AREA_SCALE_45_TO_28;

/** Significand-width adder and three registers of a radix-2 digit-recurrence unit, µm² at 28 nm ([OF97], [EL04]). */
export function digitRecurrenceAreaUm2(format: MacroConfig["format"]): number {
  const w = SIGNIFICAND_BITS[format] + 3;
  return (w / 32) * area45("int32Add") + DIGIT_RECURRENCE_REGISTERS * w * COST_TABLE.registerBit.areaUm2;
}

/** Energy of one digit-recurrence divide or square root, pJ: w steps of a w-bit add and two w-bit register writes. */
export function digitRecurrenceEnergyPj(format: MacroConfig["format"], vdd: number): number {
  const w = SIGNIFICAND_BITS[format] + 3;
  const step =
    (w / 32) * COST_TABLE.int32Add.energyPj * energyScale(HOROWITZ_NODE_NM, vdd) +
    DIGIT_RECURRENCE_WRITES * w * COST_TABLE.registerBit.energyPj * energyScale(TARGET_NODE_NM, vdd);
  return w * step;
}

/** Pipeline and holding register bits of the datapath (docs/hardware.md, "Area"). */
export function registerBits(config: MacroConfig): number {
  const { lanes: L, latency: l } = config;
  const w = WORD_BITS[config.format];
  const acc = ACCUMULATOR_BITS;
  return (
    L * w * l.read + // buffer read register
    L * acc * l.mul + // Mul block pipeline (FP32 wide: squares and bypassed partial sums)
    L * acc * l.add + // Add block rank 1 pipeline (FP32 wide: bypassed partial sums)
    (L / 2) * w * l.add + // Add block rank 2 pipeline (L/2 lanes of the output pass, format wide)
    (L - 1) * acc * l.add + // adder tree
    L * acc + // partial-sum row
    (L / 2) * w * l.write + // output register
    acc * (l.mul + l.add) + // scalar unit
    2 * acc + // err and P, held from the centring program to the comparator and the output pass
    EXPONENT_BITS * l.exponent
  ); // running max of exponents
}

/**
 * The centring-mode comparator P > fl32(q·2^−42), costed as two 32-bit integer adders: q's exponent
 * less 42 with the denormalising shift below 2^−84, and the 31-bit magnitude compare. One use per
 * vector; its energy (≈0.2 pJ) is not counted.
 */
const CENTRING_COMPARATORS = 2;

function units(config: MacroConfig): { mul: "fp32Mul" | "fp16Mul"; add: "fp32Add" | "fp16Add" } {
  return config.format === "fp32" ? { mul: "fp32Mul", add: "fp32Add" } : { mul: "fp16Mul", add: "fp16Add" };
}

function areaItems(config: MacroConfig): AreaItem[] {
  const L = config.lanes;
  const u = units(config);
  const bufferBits = 3 * config.maxDim * WORD_BITS[config.format];
  const items: AreaItem[] = [
    { block: `Mul block (${config.format})`, count: L, row: u.mul, areaUm2: L * area45(u.mul), scaled: true },
    // rank 1, L adders: −x₀, −c in the reductions; −c and +β (L/2 each) in the output pass. Rank 2,
    // L/2 adders: the output's −err (docs/design.md §1 step 2); docs/hardware.md §1
    {
      block: `Add block (${config.format})`,
      count: L + L / 2,
      row: u.add,
      areaUm2: (L + L / 2) * area45(u.add),
      scaled: true,
    },
    { block: "adder tree (FP32)", count: L - 1, row: "fp32Add", areaUm2: (L - 1) * area45("fp32Add"), scaled: true },
    { block: "scalar multiplier (FP32)", count: 1, row: "fp32Mul", areaUm2: area45("fp32Mul"), scaled: true },
    { block: "scalar adder (FP32)", count: 1, row: "fp32Add", areaUm2: area45("fp32Add"), scaled: true },
    {
      block: "max-exponent comparators + exponent unit",
      count: L - 1 + EXPONENT_UNIT_INT8_ADDS,
      row: "int8Add",
      areaUm2: (L - 1 + EXPONENT_UNIT_INT8_ADDS) * area45("int8Add"),
      scaled: true,
    },
    // P > q·2^−42 (plus NaN detection): two 32-bit adders' worth of logic
    {
      block: "centring-mode comparator",
      count: CENTRING_COMPARATORS,
      row: "int32Add",
      areaUm2: CENTRING_COMPARATORS * area45("int32Add"),
      scaled: true,
    },
  ];
  if (config.method === "fisr")
    items.push({ block: "FISR seed subtractor", count: 1, row: "int32Add", areaUm2: area45("int32Add"), scaled: true });
  if (config.method === "sqrt")
    items.push({
      block: "sqrt unit + divider (radix 2)",
      count: 2,
      row: "derived",
      areaUm2: 2 * digitRecurrenceAreaUm2(config.format),
      scaled: false,
    });
  items.push(
    {
      block: "input, γ, β buffers (SRAM)",
      count: bufferBits,
      row: "sramBitcell",
      areaUm2: (bufferBits * COST_TABLE.sramBitcell.areaUm2) / SRAM_ARRAY_EFFICIENCY,
      scaled: false,
    },
    {
      block: "pipeline registers",
      count: registerBits(config),
      row: "registerBit",
      areaUm2: registerBits(config) * COST_TABLE.registerBit.areaUm2,
      scaled: false,
    },
    { block: "control", count: 1, row: "control", areaUm2: COST_TABLE.control.areaUm2, scaled: false },
  );
  return items;
}

/**
 * Energy of one vector of length d: each unit's operations × its energy, SRAM
 * bits × per-bit energy, register bits written × per-bit energy, control per
 * cycle, and leakage over the vector's time. `shifts` is the row's centring
 * (docs/design.md §1 step 2): 1 (rows about 0, the default) leaves the second adder
 * rank's adders idle, 2 (rows about an offset large against their spread) performs d more
 * element adds (the output's −err). Every output value passes the second rank's pipeline
 * registers in both modes.
 */
export function macroEnergy(d: number, config: MacroConfig = DEFAULT_MACRO, shifts: CentringShifts = 1): MacroEnergy {
  const cfg = checkMacroConfig(config);
  const act = macroActivity(d, cfg, checkShifts(shifts));
  // the −err adds of the second rank are in elementAdd; its registers are counted below for every value
  const offsetAdds = shifts === 2 ? d : 0;
  const cycles = macroLatency(d, cfg);
  const l = cfg.latency;
  const u = units(cfg);
  const e45 = energyScale(HOROWITZ_NODE_NM, cfg.voltage);
  const e28 = energyScale(TARGET_NODE_NM, cfg.voltage);
  const w = WORD_BITS[cfg.format];
  const acc = ACCUMULATOR_BITS;
  const t = COST_TABLE;
  const bitWrites =
    acc *
      (l.mul * (act.elementMul + act.scalarMul) +
        l.add * (act.elementAdd - offsetAdds + act.treeAdd + act.scalarAdd) +
        act.partialWrites) +
    w * (l.read * (act.sramReadWords + act.paramReadWords) + l.add * d + l.write * d);
  const breakdown: Record<EnergyPart, number> = {
    mulBlock: act.elementMul * t[u.mul].energyPj * e45,
    addBlock: act.elementAdd * t[u.add].energyPj * e45,
    tree: act.treeAdd * t.fp32Add.energyPj * e45,
    scalar:
      (act.scalarMul * t.fp32Mul.energyPj + act.scalarAdd * t.fp32Add.energyPj) * e45 +
      (act.sqrtOps + act.divideOps) * digitRecurrenceEnergyPj(cfg.format, cfg.voltage),
    exponent: (act.compare + EXPONENT_OP_INT8_ADDS * act.exponentOps) * t.int8Add.energyPj * e45,
    sram: (act.sramReadWords + act.sramWriteWords + act.paramReadWords) * w * t.sramRead.energyPj * e45,
    registers: bitWrites * t.registerBit.energyPj * e28,
    control: cycles * t.control.energyPj * e28,
  };
  const dynamicPj = Object.values(breakdown).reduce((s, v) => s + v, 0);
  const timeNs = (cycles / cfg.clockMHz) * 1000;
  const leakagePj = leakageMw(cfg) * timeNs; // mW × ns = pJ
  return { d, cycles, timeNs, breakdown, dynamicPj, leakagePj, totalPj: dynamicPj + leakagePj };
}

function leakageMw(config: MacroConfig): number {
  const mm2 = areaItems(config).reduce((s, i) => s + i.areaUm2, 0) / 1e6;
  return LEAKAGE_MW_PER_MM2 * mm2 * (config.voltage / LEAKAGE_REFERENCE_VDD);
}

/**
 * Area breakdown, leakage, and dynamic power at the configured clock for
 * vectors of config.maxDim processed back to back.
 *
 * @example
 * macroCost().areaMm2      // DEFAULT_MACRO, 28 nm
 */
export function macroCost(config: MacroConfig = DEFAULT_MACRO): MacroCost {
  const cfg = checkMacroConfig(config);
  const area = areaItems(cfg);
  const um2 = area.reduce((s, i) => s + i.areaUm2, 0);
  const high = area.reduce(
    (s, i) => s + (i.scaled ? (i.areaUm2 / AREA_SCALE_45_TO_28) * AREA_SCALE_45_TO_28_HIGH : i.areaUm2),
    0,
  );
  const energy = macroEnergy(cfg.maxDim, cfg);
  return {
    areaMm2: um2 / 1e6,
    areaRangeMm2: [um2 / 1e6, high / 1e6],
    area,
    leakageMw: leakageMw(cfg),
    dynamicMw: energy.dynamicPj / energy.timeNs, // pJ / ns = mW
    energyPerVectorPj: energy.totalPj,
  };
}
