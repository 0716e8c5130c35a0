/**
 * Plain-text tables of the macro model, as `iterl2norm hw` prints them and
 * docs/hardware.md quotes them. Formatting only: every number comes from
 * latency.ts, cost.ts and compare.ts.
 */
import { fixed, sci } from "../numbers.js";
import { tableText, type Align } from "../table.js";
import {
  type Comparison,
  type MacroConfig,
  PAPER_LATENCY,
  COST_TABLE,
  SRAM_ARRAY_EFFICIENCY,
  LEAKAGE_MW_PER_MM2,
  type CostId,
  type MacroCost,
  type MacroEnergy,
  macroPhases,
} from "iterl2norm/hw";

/** A table as hw prints it: no caption, a trailing newline so the prose lines follow. */
function textTable(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  return `${tableText({ headers, rows, ...(align ? { align } : {}) })}\n`;
}

function lambdaText(config: MacroConfig): string {
  if (config.method === "fisr")
    return `FISR, magic 0x${config.fisr.magic.toString(16)}, ${config.fisr.steps} Newton step(s)`;
  if (config.method === "sqrt")
    return `sqrt (${config.latency.sqrt} cycles) then divide (${config.latency.divide} cycles)`;
  const l = config.lambda;
  const policy =
    l === "paper"
      ? "λ = 0.345·2^−e"
      : l === "pow2"
        ? "λ = 2^−(e+1)"
        : l === "newton"
          ? "Newton, λm = 1/2"
          : `λ = ${l}·2^−e`;
  return `IterL2Norm, ${policy}, ${config.iterations} steps`;
}

/** One paragraph describing a configuration. */
export function configText(config: MacroConfig): string {
  const l = config.latency;
  return `${[
    `format ${config.format}; ${config.lanes} lanes (output pass ${config.lanes / 2} per cycle); buffers of ` +
      `${config.maxDim} words; ${config.clockMHz} MHz, ${config.voltage} V`,
    `inverse norm: ${lambdaText(config)}`,
    `pipeline depths (cycles): add ${l.add}, mul ${l.mul}, read ${l.read}, exponent ${l.exponent}, write ${l.write}, ` +
      `phase switch ${l.phaseSwitch}, sqrt ${l.sqrt}, divide ${l.divide}`,
  ].join("\n")}\n`;
}

/** Cycles per phase and in total for each d; the paper's published figures beside d = 64 and 1024. */
export function latencyText(config: MacroConfig, dims: readonly number[]): string {
  const rows = dims.map((d) => {
    const p = macroPhases(d, config);
    const total = p.load + p.sumX + p.sumSq + p.inverseNorm + p.output + p.control;
    const published = (PAPER_LATENCY as Record<number, number>)[d];
    return [
      String(d),
      String(p.load),
      String(p.sumX),
      String(p.sumSq),
      String(p.inverseNorm),
      String(p.output),
      String(p.control),
      String(total),
      published === undefined ? "-" : String(published),
    ];
  });
  return textTable(["d", "load", "sum x", "sum y^2", "1/sqrt(m)", "output", "control", "total", "published"], rows);
}

/** The short form of a source: its bracketed reference, or "(assumption)". */
function sourceTag(source: string): string {
  return source.startsWith("assumption") ? "(assumption)" : source.split(";")[0]!;
}

/** Area breakdown with the cost row and source of each line. */
export function areaText(cost: MacroCost): string {
  const total = cost.areaMm2 * 1e6;
  const rows = cost.area.map((i) => [
    i.block,
    String(i.count),
    i.row === "derived" ? "derived [OF97]" : `${i.row} ${sourceTag(COST_TABLE[i.row as CostId].source)}`,
    fixed(i.areaUm2, 0),
    fixed((100 * i.areaUm2) / total, 1),
  ]);
  const table = textTable(["block", "count", "cost row", "area um^2", "%"], rows, ["l", "r", "l", "r", "r"]);
  return (
    table +
    `total ${fixed(cost.areaMm2, 4)} mm^2 (45 nm rows x0.29 [SB17]; ` +
    `${fixed(cost.areaRangeMm2[1], 4)} mm^2 with (28/45)^2)\n` +
    `leakage ${fixed(cost.leakageMw, 3)} mW (assumption ${LEAKAGE_MW_PER_MM2} mW/mm^2); dynamic ` +
    `${fixed(cost.dynamicMw, 2)} mW at the clock, maxDim vectors back to back; ` +
    `${fixed(cost.energyPerVectorPj / 1000, 2)} nJ per maxDim vector\n`
  );
}

/**
 * Energy of one vector by component (a one-shift row); with `twoShifts`, a line for a row whose
 * rounded mean is off by more than its spread allows (docs/design.md §1 step 2), which performs the
 * output pass's −err subtractions on Add rank 2.
 */
export function energyText(energy: MacroEnergy, twoShifts?: MacroEnergy): string {
  const rows = Object.entries(energy.breakdown).map(([part, pj]) => [
    part,
    fixed(pj, 1),
    fixed((100 * pj) / energy.totalPj, 1),
  ]);
  rows.push(["leakage", fixed(energy.leakagePj, 1), fixed((100 * energy.leakagePj) / energy.totalPj, 1)]);
  return (
    textTable(["part", "pJ", "%"], rows) +
    `total ${fixed(energy.totalPj / 1000, 3)} nJ per vector of d = ${energy.d}: ${energy.cycles} cycles, ` +
    `${fixed(energy.timeNs, 0)} ns (a row centred by its rounded mean, one shift)\n` +
    (twoShifts === undefined
      ? ""
      : `two-shift row (about a large offset): ${fixed(twoShifts.totalPj / 1000, 3)} nJ, ` +
        `+${fixed(twoShifts.totalPj - energy.totalPj, 1)} pJ for the ${energy.d} −err subtractions of Add rank 2\n`)
  );
}

/** The comparison: latency per d, area, method units, precision; then energy per d. */
export function comparisonText(cmp: Comparison): string {
  const dimsHead = cmp.dims.map((d) => `d=${d}`);
  const latency = textTable(
    [`design (${cmp.format})`, ...dimsHead, "area mm^2", "extra um^2", "max |a*sqrt(m)-1|"],
    cmp.rows.map((r) => [
      r.name,
      ...r.cycles.map(String),
      fixed(r.areaMm2, 4),
      fixed(r.methodAreaUm2, 0),
      sci(r.precision.maxRelError, 1),
    ]),
  );
  const energy = textTable(
    [`energy per vector, nJ (${cmp.format})`, ...dimsHead],
    cmp.rows.map((r) => [r.name, ...r.energyPj.map((e) => fixed(e / 1000, 3))]),
  );
  const grid = cmp.rows[0]?.precision.grid ?? "";
  return `latency in cycles\n${latency}precision over ${grid} (library kernel)\n\n${energy}`;
}

/** The per-unit cost rows with source and accuracy. */
export function costRowsText(): string {
  const rows = (Object.entries(COST_TABLE) as [CostId, (typeof COST_TABLE)[CostId]][]).map(([id, r]) => [
    id,
    r.areaUm2 === null ? "-" : String(r.areaUm2),
    r.energyPj === null ? "-" : String(r.energyPj),
    `${r.nodeNm} nm`,
    r.source,
    r.accuracy,
  ]);
  return (
    textTable(["row", "area um^2", "energy pJ", "node", "source", "accuracy"], rows, ["l", "r", "r", "r", "l", "l"]) +
    `SRAM array efficiency ${SRAM_ARRAY_EFFICIENCY} (assumption); energy scaled (28/45)·(V/0.9)^2 from 45 nm rows ` +
    `(assumption)\n`
  );
}
