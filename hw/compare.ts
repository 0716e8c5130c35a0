/**
 * The side-by-side table: the same macro (lanes, pipelines, buffers, clock) with
 * five ways to turn m into a ≈ 1/√m — IterL2Norm with the paper's λ, IterL2Norm
 * with the Newton step, FISR with 1 and 2 Newton steps, and a radix-2 square root
 * followed by a radix-2 division — for one format over a list of d.
 */
import { DEFAULT_MACRO, checkMacroConfig, defineMacro, type MacroConfig } from "./config.js";
import { TABLE_DIMS } from "./constants.js";
import { macroCost, macroEnergy } from "./cost.js";
import { macroLatency } from "./latency.js";
import { methodPrecision, type MethodPrecision } from "./precision.js";

/** One design of the comparison. */
export interface DesignRow {
  readonly name: string;
  readonly config: MacroConfig;
  /** Latency in cycles at each d of the comparison. */
  readonly cycles: readonly number[];
  /** Energy per vector in pJ at each d. */
  readonly energyPj: readonly number[];
  readonly areaMm2: number;
  /** Area of the units only this method needs (FISR subtractor, sqrt + divide units), µm². */
  readonly methodAreaUm2: number;
  readonly precision: MethodPrecision;
}

/** The comparison for one format. */
export interface Comparison {
  readonly format: MacroConfig["format"];
  readonly dims: readonly number[];
  readonly rows: readonly DesignRow[];
}

/** The five designs on the base configuration's datapath (its format, lanes, latencies, buffers, clock). */
export function comparisonDesigns(base: MacroConfig = DEFAULT_MACRO): { name: string; config: MacroConfig }[] {
  const b = checkMacroConfig(base);
  const on = (o: Parameters<typeof defineMacro>[0]): MacroConfig =>
    defineMacro({
      format: b.format,
      lanes: b.lanes,
      maxDim: b.maxDim,
      clockMHz: b.clockMHz,
      voltage: b.voltage,
      latency: b.latency,
      ...o,
    });
  return [
    { name: "IterL2Norm, λ = 0.345·2^−e, 5 steps", config: on({ method: "iter", lambda: "paper", iterations: 5 }) },
    { name: "IterL2Norm, Newton λm = 1/2, 5 steps", config: on({ method: "iter", lambda: "newton", iterations: 5 }) },
    { name: "FISR, 1 Newton step", config: on({ method: "fisr", fisr: { steps: 1 } }) },
    { name: "FISR, 2 Newton steps", config: on({ method: "fisr", fisr: { steps: 2 } }) },
    { name: "sqrt + divide (radix 2)", config: on({ method: "sqrt" }) },
  ];
}

/** Latency, area, energy and precision of the five designs at each d (precision from the library's scalar path). */
export function compareMacros(base: MacroConfig = DEFAULT_MACRO, dims: readonly number[] = TABLE_DIMS): Comparison {
  const b = checkMacroConfig(base);
  const rows: DesignRow[] = [];
  for (const { name, config } of comparisonDesigns(b)) {
    const cost = macroCost(config);
    const methodAreaUm2 = cost.area
      .filter((i) => i.block.startsWith("FISR") || i.block.startsWith("sqrt"))
      .reduce((s, i) => s + i.areaUm2, 0);
    rows.push({
      name,
      config,
      cycles: dims.map((d) => macroLatency(d, config)),
      energyPj: dims.map((d) => macroEnergy(d, config).totalPj),
      areaMm2: cost.areaMm2,
      methodAreaUm2,
      precision: methodPrecision(config),
    });
  }
  return { format: b.format, dims: [...dims], rows };
}
