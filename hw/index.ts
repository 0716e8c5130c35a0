/**
 * iterl2norm/hw: the IterL2Norm macro model — configuration, cycle-level
 * simulator, closed-form latency, cost model and comparison tables
 * (docs/hardware.md). This file only re-exports.
 */
export {
  DEFAULT_MACRO,
  DEFAULT_MACRO_BF16,
  checkMacroConfig,
  defineMacro,
  digitRecurrenceCycles,
  type MacroConfig,
  type MacroFisr,
  type MacroFormat,
  type MacroLambda,
  type MacroLatencies,
  type MacroMethod,
  type MacroOverrides,
} from "./config.js";
export {
  simulateMacro,
  type MacroEvent,
  type MacroResult,
  type MacroState,
  type MacroTrace,
  type SimulateOptions,
} from "./simulate.js";
export { simulateInverseNorm } from "./scalar.js";
export { macroLatency, macroPhases, type MacroPhases } from "./latency.js";
export { macroActivity, type CentringShifts, type MacroActivity } from "./activity.js";
export { MAX_LANES, PAPER_LATENCY, TABLE_DIMS } from "./constants.js";
export {
  macroCost,
  macroEnergy,
  digitRecurrenceAreaUm2,
  digitRecurrenceEnergyPj,
  registerBits,
  type AreaItem,
  type EnergyPart,
  type MacroCost,
  type MacroEnergy,
} from "./cost.js";
export {
  COST_TABLE,
  AREA_SCALE_45_TO_28,
  AREA_SCALE_45_TO_28_HIGH,
  SRAM_ARRAY_EFFICIENCY,
  LEAKAGE_MW_PER_MM2,
  energyScale,
  type CostId,
  type UnitCost,
} from "./cost-table.js";
export { compareMacros, comparisonDesigns, type Comparison, type DesignRow } from "./compare.js";
export { methodPrecision, type MethodPrecision } from "./precision.js";
export { RTL_CONFIG_FIELDS } from "./rtl-config.js";
