/**
 * The synthesised figures `iterl2norm hw` prints beside the model (docs/hardware.md §7, "Synthesis"):
 * a result of `npm run hw:synth -- --out FILE` (scripts/hw-synth.js), checked, and its rows that hold
 * for the configuration being printed. synthesis.json, next to this module, is the recorded run; it is
 * imported as a JSON module so that the build (cli/tsconfig.json, resolveJsonModule) emits it next to
 * the compiled module and it ships with the tools package.
 */
import { readFileSync } from "node:fs";
import { checkMacroConfig, type MacroConfig, RTL_CONFIG_FIELDS } from "iterl2norm/hw";
import { fixed } from "../numbers.js";
import { type Align, tableText } from "../table.js";
import recordedJson from "./synthesis.json" with { type: "json" };

/** What scripts/hw-synth.js writes in its result's "tool" field. */
export const SYNTH_TOOL = "iterl2norm hw:synth";

/** The module of the whole macro (hw/rtl/macro.v): its rows carry the MacroConfig it was built from. */
const MACRO_MODULE = "iterl2norm_macro";

/** The digit-recurrence units (hw/rtl/fp-sqrt.v, hw/rtl/fp-div.v), which only method 'sqrt' instantiates. */
const DIGIT_MODULES: readonly string[] = ["fp_sqrt", "fp_div"];

/** One synthesised unit (or the whole macro) as scripts/hw-synth.js records it. */
export interface SynthRow {
  readonly unit: string;
  /** Format of the unit; "both" for one the two formats share (the adder tree). */
  readonly format: "fp32" | "bf16" | "both";
  /** Verilog module and the parameters it was synthesised with (DEPTH: its pipeline depth). */
  readonly module: string;
  readonly params: Readonly<Record<string, number>>;
  /** The whole macro's configuration (macro rows only). */
  readonly config?: MacroConfig;
  /**
   * The MacroConfig fields (format, lanes, latency.<depth>) a unit's RTL depends on, with their values
   * (unit rows; a macro row is matched by its config).
   */
  readonly dependsOn?: Readonly<Record<string, unknown>>;
  readonly use: string;
  readonly gates: number;
  readonly flops: number;
  /** The SRAM buffers left as black boxes and their bits (macro rows; 0 otherwise). */
  readonly sramBlackBoxes: number;
  readonly sramBits: number;
  readonly nand2: number;
  readonly area45Um2: number;
  readonly area28Um2: number;
  /** The cost table's estimate of the same unit at 45 nm, the row(s) it comes from, and synthesis / estimate. */
  readonly estimate45Um2: number;
  readonly estimateRow: string;
  readonly ratio: number;
  readonly seconds: number;
}

/** A result of `npm run hw:synth -- --out FILE`: the run's metadata and its rows. */
export interface SynthResult {
  readonly tool: typeof SYNTH_TOOL;
  /** The command line that made it, and when (ISO 8601). */
  readonly command: string;
  readonly date: string;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly platform: string;
    readonly arch: string;
    readonly node?: string;
  };
  /** `yosys -V`. */
  readonly yosys: string;
  /** NAND2_X1's area (µm²) and the cell weights the NAND2 equivalents come from. */
  readonly nand2Um2: number;
  readonly cellUm2: Readonly<Record<string, number>>;
  readonly area28PerArea45: number;
  readonly seconds: number;
  readonly rows: readonly SynthRow[];
}

/** A result whose rows are those that hold for one configuration (matchSynthesis), with the run's metadata. */
export type SynthMatch = SynthResult;

/** Not a result hw:synth writes: the message names the field, its value and what was expected. */
export class SynthShapeError extends TypeError {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function shown(v: unknown): string {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function check(ok: boolean, path: string, expected: string, value: unknown): void {
  if (!ok) throw new SynthShapeError(`${path} must be ${expected}; got ${shown(value)}`);
}

function field(o: Record<string, unknown>, path: string, key: string, kind: "string" | "number"): void {
  const v = o[key];
  if (kind === "string") check(typeof v === "string", `${path}.${key}`, "a string", v);
  else check(typeof v === "number" && Number.isFinite(v) && v >= 0, `${path}.${key}`, "a number ≥ 0", v);
}

const ROW_NUMBERS = [
  "gates",
  "flops",
  "sramBlackBoxes",
  "sramBits",
  "nand2",
  "area45Um2",
  "area28Um2",
  "estimate45Um2",
  "ratio",
  "seconds",
] as const;

function checkRow(value: unknown, path: string): SynthRow {
  check(isRecord(value), path, "an object", value);
  const r = value as Record<string, unknown>;
  for (const key of ["unit", "module", "use", "estimateRow"]) field(r, path, key, "string");
  check(["fp32", "bf16", "both"].includes(r.format as string), `${path}.format`, '"fp32", "bf16" or "both"', r.format);
  check(isRecord(r.params), `${path}.params`, "an object", r.params);
  for (const [k, v] of Object.entries(r.params as Record<string, unknown>)) {
    check(Number.isInteger(v), `${path}.params.${k}`, "an integer", v);
  }
  for (const key of ROW_NUMBERS) field(r, path, key, "number");
  if (r.module === MACRO_MODULE) {
    try {
      checkMacroConfig(r.config, `${path}.config`);
    } catch (e) {
      throw new SynthShapeError(
        `${path} is a macro row, so it needs the MacroConfig it was built from: ${(e as Error).message}`,
      );
    }
  } else {
    check(
      isRecord(r.dependsOn),
      `${path}.dependsOn`,
      "an object (the configuration fields the unit depends on)",
      r.dependsOn,
    );
  }
  return value as SynthRow;
}

/**
 * `value` as a hw:synth result, or a SynthShapeError naming the first field that is not what
 * scripts/hw-synth.js writes (its path, e.g. result.rows[2].nand2, what was expected and what is there).
 */
export function checkSynthResult(value: unknown): SynthResult {
  check(isRecord(value), "result", "a JSON object", value);
  const o = value as Record<string, unknown>;
  check(o.tool === SYNTH_TOOL, "result.tool", JSON.stringify(SYNTH_TOOL), o.tool);
  for (const key of ["command", "date", "yosys"]) field(o, "result", key, "string");
  check(!Number.isNaN(Date.parse(o.date as string)), "result.date", "an ISO 8601 date", o.date);
  check(isRecord(o.machine), "result.machine", "an object", o.machine);
  const m = o.machine as Record<string, unknown>;
  for (const key of ["cpu", "platform", "arch"]) field(m, "result.machine", key, "string");
  check(Number.isInteger(m.cores) && (m.cores as number) >= 1, "result.machine.cores", "an integer ≥ 1", m.cores);
  for (const key of ["nand2Um2", "area28PerArea45", "seconds"]) field(o, "result", key, "number");
  check(isRecord(o.cellUm2), "result.cellUm2", "an object", o.cellUm2);
  check(Array.isArray(o.rows) && o.rows.length > 0, "result.rows", "a non-empty array", o.rows);
  for (const [i, row] of (o.rows as unknown[]).entries()) checkRow(row, `result.rows[${i}]`);
  return value as SynthResult;
}

/**
 * A hw:synth result read from `path` (`--synth FILE`). Throws a SynthShapeError when the file cannot be
 * read, is not JSON or is not such a result; the message names the path.
 */
export function readSynthResult(path: string): SynthResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new SynthShapeError(`cannot read ${path}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SynthShapeError(
      `${path} is not JSON (${(e as Error).message}); expected the file written by npm run hw:synth -- --out FILE`,
    );
  }
  try {
    return checkSynthResult(value);
  } catch (e) {
    if (!(e instanceof SynthShapeError)) throw e;
    throw new SynthShapeError(`${path} is not a result of npm run hw:synth -- --out FILE: ${e.message}`);
  }
}

/** The recorded run (synthesis.json): checked once, on first use. */
let recorded: SynthResult | undefined;
export function recordedSynthResult(): SynthResult {
  recorded ??= checkSynthResult(recordedJson as unknown);
  return recorded;
}

/** Deep equality of JSON values (the configuration fields). */
function same(a: unknown, b: unknown): boolean {
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => same(a[k], b[k]));
  }
  return a === b;
}

/** Whether every field of `part` (nested objects: every field of theirs) has its value in `whole`. */
function within(part: unknown, whole: unknown): boolean {
  if (isRecord(part)) return isRecord(whole) && Object.entries(part).every(([k, v]) => within(v, whole[k]));
  return part === whole;
}

/**
 * Whether a row holds for `config`: a macro row when its configuration equals `config` in every field
 * the RTL is generated from; a unit row when `config` has the values the unit depends on (its format, its
 * pipeline depth, the adder tree's lanes).
 */
export function rowMatches(row: SynthRow, config: MacroConfig): boolean {
  if (row.module === MACRO_MODULE) return RTL_CONFIG_FIELDS.every((k) => same(row.config![k], config[k]));
  return within(row.dependsOn, config);
}

/** The result's rows that hold for `config`, with its metadata; null when none does. */
export function matchSynthesis(result: SynthResult, config: MacroConfig): SynthMatch | null {
  const rows = result.rows.filter((r) => rowMatches(r, config));
  return rows.length === 0 ? null : { ...result, rows };
}

/** The command that synthesises `config` (one the hw command can print: defineMacro({ format, lanes })). */
function synthCommand(config: MacroConfig): string {
  return (
    `npm run hw:synth -- --format ${config.format} --lanes ${config.lanes} --out FILE, ` +
    "then iterl2norm hw --synth FILE"
  );
}

/** The machine of a run in a few words: CPU, cores, platform/arch. */
function machineText(m: SynthResult["machine"]): string {
  return `${m.cpu}, ${m.cores} cores, ${m.platform}/${m.arch}`;
}

/**
 * The section `iterl2norm hw` prints: the heading with the run (Yosys version, date, machine, command), per
 * matching unit its NAND2 equivalents, areas at 45 and 28 nm, the cost table's estimate and the ratio,
 * the whole macro's row and its black-box SRAM bits; when the macro has no row, the command that makes
 * one. `source` names where the result came from; `match` is matchSynthesis's value.
 */
export function synthesisText(match: SynthMatch | null, config: MacroConfig, source: string): string {
  const what = `${config.format}, ${config.lanes} lanes`;
  if (match === null) {
    return `No synthesis result for this configuration (${what}) in ${source}; make one: ${synthCommand(config)}\n`;
  }
  const version = /^Yosys (\S+)/.exec(match.yosys)?.[1] ?? match.yosys;
  const day = new Date(match.date).toISOString().slice(0, 10);
  const heading = `Synthesised gates (Yosys ${version}, ${day}, ${machineText(match.machine)}; ${match.command})`;
  const rows = match.rows.map((r) => [
    r.unit,
    String(r.nand2),
    String(r.area45Um2),
    String(r.area28Um2),
    `${r.estimate45Um2} (${r.estimateRow})`,
    fixed(r.ratio, 2),
  ]);
  const align: Align[] = ["l", "r", "r", "r", "r", "r"];
  const table = tableText({
    headers: ["unit", "NAND2 eq.", "um^2 45 nm", "um^2 28 nm", "cost table 45 nm", "synth/table"],
    rows,
    align,
  });
  const macro = match.rows.find((r) => r.module === MACRO_MODULE);
  // the square-root unit and the divider hold for every configuration of their format and depth, but
  // only a macro of method 'sqrt' has them
  const digit = match.rows.filter((r) => DIGIT_MODULES.includes(r.module)).map((r) => r.unit);
  const notes = [
    `from ${source}; 28 nm = 45 nm x ${match.area28PerArea45}`,
    ...(digit.length > 0 && config.method !== "sqrt"
      ? [`${digit.join(", ")}: the units of method sqrt (sqrt + divide), not in this ${config.method} macro`]
      : []),
    `NAND2 equivalents by Nangate45 X1 cell areas (NAND2 = ${match.nand2Um2} um^2): ` +
      "cell area without placement or wires",
    macro === undefined
      ? `No synthesis result for the whole macro of this configuration (${what}); make one: ${synthCommand(config)}`
      : `${macro.unit}: the whole macro; its ${macro.sramBlackBoxes} SRAM buffers are black boxes ` +
        `(${macro.sramBits} bits), not in the counts`,
  ];
  return `${heading}\n${table}\n${notes.join("\n")}\n`;
}
