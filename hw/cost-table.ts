/**
 * Per-unit costs, one row per component, each with its source and accuracy, and
 * the rules that carry them to the macro's node (28 nm) and supply. Data only:
 * cost.ts applies it to a configuration.
 *
 * Sources:
 *   [H14]  M. Horowitz, "Computing's energy problem (and what we can do about it)",
 *          ISSCC 2014, pp. 10–14; 45 nm, 0.9 V. The table reproduced in V. Sze et al.,
 *          "Efficient processing of deep neural networks", Proc. IEEE 105(12), 2017.
 *   [SB17] A. Stillmaker, B. Baas, "Scaling equations for the accurate prediction of
 *          CMOS device performance from 180 nm to 7 nm", Integration 58, 2017: area ×0.29, 45 → 28 nm.
 *   [OF97] S. F. Oberman, M. J. Flynn, "Division algorithms and implementations",
 *          IEEE Trans. Computers 46(8), 1997: radix-2 digit recurrence, one bit per cycle.
 *   [EL04] M. D. Ercegovac, T. Lang, "Digital Arithmetic", Morgan Kaufmann, 2004, ch. 6:
 *          square root by digit recurrence shares the divider's structure.
 *   [SR]   assumption of this model: a 28 nm high-density 6T SRAM bitcell of ≈ 0.127 µm².
 * Rows marked "assumption" have no published source; the value and its reasoning are shown.
 */

/** Node of the macro (the paper's 32/28 nm CMOS) and of the [H14] figures. */
export const TARGET_NODE_NM = 28;
export const HOROWITZ_NODE_NM = 45;
/** Supply of the [H14] energies, and the reference supply of the 28 nm assumptions. */
export const REFERENCE_VDD = 0.9;

/** Area scaling 45 → 28 nm: [SB17] ×0.29 (used), ideal (28/45)² ≈ ×0.387 (upper end of the range). */
export const AREA_SCALE_45_TO_28 = 0.29;
export const AREA_SCALE_45_TO_28_HIGH = (TARGET_NODE_NM / HOROWITZ_NODE_NM) ** 2;

/**
 * Energy scaling (assumption, first-order CV²): switched capacitance ∝ feature size
 * (28/45) and energy ∝ V² relative to the figure's supply. Libraries differ by up
 * to about ×2 either way; the doc says so.
 */
export function energyScale(fromNodeNm: number, vdd: number): number {
  return (TARGET_NODE_NM / fromNodeNm) * (vdd / REFERENCE_VDD) ** 2;
}

/** One component's cost. Per unit (or per bit for memories and registers), at `nodeNm`. */
export interface UnitCost {
  readonly what: string;
  /** Area in µm² per unit or per bit; null when the row gives energy only. */
  readonly areaUm2: number | null;
  /** Energy in pJ per operation or per bit access; null when the row gives area only. */
  readonly energyPj: number | null;
  readonly nodeNm: number;
  readonly source: string;
  readonly accuracy: string;
}

/** The cost rows. */
export const COST_TABLE = Object.freeze({
  fp32Add: {
    what: "FP32 adder",
    areaUm2: 4184,
    energyPj: 0.9,
    nodeNm: 45,
    source: "[H14]",
    accuracy: "±50% (one synthesis point; depth, Vt and library vary)",
  },
  fp32Mul: { what: "FP32 multiplier", areaUm2: 7700, energyPj: 3.7, nodeNm: 45, source: "[H14]", accuracy: "±50%" },
  fp16Add: {
    what: "FP16 adder (also costs a BF16 adder)",
    areaUm2: 1360,
    energyPj: 0.4,
    nodeNm: 45,
    source: "[H14]; BF16 = FP16 is an assumption",
    accuracy: "±50%; BF16 (8-bit significand) is smaller than FP16 (11-bit), so an overestimate",
  },
  fp16Mul: {
    what: "FP16 multiplier (also costs a BF16 multiplier)",
    areaUm2: 1640,
    energyPj: 1.1,
    nodeNm: 45,
    source: "[H14]; BF16 = FP16 is an assumption",
    accuracy: "±50%; overestimate for BF16",
  },
  int32Add: {
    what: "32-bit integer adder (FISR seed; digit-recurrence step; centring-mode comparator)",
    areaUm2: 137,
    energyPj: 0.1,
    nodeNm: 45,
    source: "[H14]",
    accuracy: "±50%",
  },
  int8Add: {
    what: "8-bit integer adder / comparator (exponent logic)",
    areaUm2: 36,
    energyPj: 0.03,
    nodeNm: 45,
    source: "[H14]",
    accuracy: "±50%",
  },
  sramRead: {
    what: "SRAM access energy per bit (32-bit read of an 8 KB array: 5 pJ; writes costed as reads)",
    areaUm2: null,
    energyPj: 5 / 32,
    nodeNm: 45,
    source: "[H14]; write = read is an assumption",
    accuracy: "±50%; the macro's 4 KB, wide-row arrays likely cost less per bit",
  },
  sramBitcell: {
    what: "6T SRAM bitcell",
    areaUm2: 0.127,
    energyPj: null,
    nodeNm: 28,
    source: "[SR]",
    accuracy: "±10% for the cell; array overhead is the separate efficiency assumption",
  },
  registerBit: {
    what: "pipeline register bit (D flip-flop), energy per bit written incl. clock",
    areaUm2: 4.5,
    energyPj: 0.003,
    nodeNm: 28,
    source: "assumption: a DFF ≈ 9 NAND2 equivalents of ≈0.5 µm²; ≈3 fJ per clocked bit at 0.9 V",
    accuracy: "×2 either way",
  },
  control: {
    what: "controller, address generation and operand muxes (whole macro), energy per cycle",
    areaUm2: 3000,
    energyPj: 1,
    nodeNm: 28,
    source: "assumption: ≈6 k NAND2 equivalents; clock and control ≈1 pJ per cycle at 0.9 V",
    accuracy: "×3 either way",
  },
} satisfies Record<string, UnitCost>);

/** Names of the cost rows. */
export type CostId = keyof typeof COST_TABLE;

/** Bitcell area ÷ SRAM macro area for a small (4 KB) array (assumption: periphery ≈ half the macro). */
export const SRAM_ARRAY_EFFICIENCY = 0.5;

/**
 * Leakage power density at 28 nm, 25 °C, at the paper's 1.05 V (assumption, order of magnitude:
 * ×0.3 to ×3), scaled ∝ V.
 */
export const LEAKAGE_MW_PER_MM2 = 1.0;
export const LEAKAGE_REFERENCE_VDD = 1.05;

/** Exponent unit (normalise m, a₀, λ, scale back, prescale k): four 8-bit adders' worth of logic (assumption). */
export const EXPONENT_UNIT_INT8_ADDS = 4;
/** Exponent-unit energy per operation: two 8-bit adds (assumption). */
export const EXPONENT_OP_INT8_ADDS = 2;
/** Registers of a radix-2 digit-recurrence divider or square root: partial remainder, quotient, divisor ([OF97]). */
export const DIGIT_RECURRENCE_REGISTERS = 3;
/** Registers written per digit-recurrence iteration: partial remainder and quotient ([OF97]). */
export const DIGIT_RECURRENCE_WRITES = 2;
