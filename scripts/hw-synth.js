#!/usr/bin/env node
// `npm run hw:synth`: synthesises the macro's RTL units (hw/rtl) and the whole macro with Yosys and
// prints, per unit and format, the gate count in NAND2 equivalents, its area at 45 nm and 28 nm,
// and the cost table's estimate for the same unit (hw/cost-table.ts; for the macro, macroCost's
// logic, every line but the SRAM buffers) — docs/hardware.md §7. The macro's buffers (macro_sram)
// are black boxes, as compiled SRAM macros would be: their bits are reported, not synthesised.
//
// Flow per unit: read hw/rtl/*.v, set the unit's parameters (pipeline depths from the run's macro
// configuration of its format), `synth -flatten -noabc`, `dffunmap` (flip-flops with enables or resets
// become plain D flip-flops plus gates), `abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX` (two-input gates,
// inverters and 2:1 muxes), `stat -json`. No Liberty file: the cells are weighted by the area
// of the Nangate 45 nm Open Cell Library's X1 cell of the same function divided by NAND2_X1's
// (NangateOpenCellLibrary.macro.lef SIZE, e.g. as shipped in OpenROAD-flow-scripts'
// flow/platforms/nangate45): NOT 0.532 µm², NAND2/NOR2 0.798, AND2/OR2 1.064, XOR2/XNOR2 1.596,
// MUX2 1.862, DFF 4.522. Area = NAND2 equivalents × 0.798 µm² at 45 nm (cell area, no
// placement utilisation or wiring), × 0.29 at 28 nm (the cost table's 45 → 28 nm scaling,
// Stillmaker & Baas 2017).
//
// Usage: node scripts/hw-synth.js [--json] [--unit NAME] [--format fp32|bf16] [--lanes N] [--out FILE]
// (after `npx tsc -p tsconfig.build.json`, which `npm run hw:synth` runs first: the units' parameters and the
// estimates come from dist/hw). Without --format and --lanes it synthesises DEFAULT_MACRO and
// DEFAULT_MACRO_BF16 and their units; --format keeps one of the two formats, --lanes N makes both
// (or the one) a macro of N lanes (defineMacro({ format, lanes })). --out FILE also writes the result
// as JSON (what --json prints): the command line, date, machine, Yosys version, cell weights and per
// row what the RTL was built from — `iterl2norm hw` shows such a file's rows (cli/hw/synthesis.json is
// the recorded run; `iterl2norm hw --synth FILE` reads another).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, platform, arch, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  AREA_SCALE_45_TO_28,
  COST_TABLE,
  DEFAULT_MACRO,
  DEFAULT_MACRO_BF16,
  defineMacro,
  digitRecurrenceAreaUm2,
  MAX_LANES,
  macroCost,
} from "../dist/hw/index.js";
import { RTL_CONFIG_FIELDS, rtlParameters } from "../dist/hw/rtl-config.js";

const root = new URL("..", import.meta.url).pathname;
const RTL = join(root, "hw/rtl");

/** Nangate45 X1 cell areas (µm²) of the yosys gate types, and the NAND2 equivalents they give. */
const NAND2_UM2 = 0.798;
const CELL_UM2 = {
  $_NOT_: 0.532,
  $_BUF_: 0.798,
  $_NAND_: 0.798,
  $_NOR_: 0.798,
  $_AND_: 1.064,
  $_OR_: 1.064,
  $_XOR_: 1.596,
  $_XNOR_: 1.596,
  $_MUX_: 1.862,
  $_DFF_P_: 4.522,
};

/** Round modes of the units' ROUND parameter (hw/rtl/fp-round-bf16.v fp_result). */
const F32 = 0;
const BF16 = 1;
const SELECT = 2;

/**
 * The units of the FP32 macro `f` and the BF16 macro `b` (two configurations that differ only in
 * format): the module, its parameters but the pipeline depth, the latency field (MacroConfig.latency)
 * the depth parameter DEPTH takes, the cost-table row the model costs it by, and where the macro uses
 * it. A unit of format "both" is built from `f`. A row with `macro` is the whole macro of its format's
 * configuration. What a row depends on (format, lanes, depth) is recorded with it (synthRow).
 */
function units(f, b) {
  return [
    {
      name: "fp32-mul",
      format: "fp32",
      module: "fp_mul",
      params: { FA: 23, FB: 23, ROUND: F32 },
      depth: "mul",
      estimate: "fp32Mul",
      use: "Mul block and scalar multiplier",
    },
    {
      name: "fp32-add",
      format: "fp32",
      module: "fp_add",
      params: { FA: 23, FB: 23, ROUND: F32 },
      depth: "add",
      estimate: "fp32Add",
      use: "Add block, adder tree, scalar adder",
    },
    {
      name: "tree",
      format: "both",
      module: "adder_tree",
      params: { LANES: f.lanes },
      depth: "add",
      hierarchical: true,
      estimate: "fp32Add",
      estimateCount: f.lanes - 1,
      use: `adder tree: ${f.lanes - 1} FP32 adders with operand gating (FP32 in both formats)`,
    },
    {
      name: "fp32-sqrt",
      format: "fp32",
      module: "fp_sqrt",
      params: { FA: 23 },
      depth: "sqrt",
      estimate: DIGIT_RECURRENCE,
      use: "square-root unit (method 'sqrt' only; radix 2, one step a cycle at the default depth)",
    },
    {
      name: "fp32-div",
      format: "fp32",
      module: "fp_div",
      params: { FA: 23 },
      depth: "divide",
      estimate: DIGIT_RECURRENCE,
      use: "divider (method 'sqrt' only; radix 2, one step a cycle at the default depth)",
    },
    {
      name: "macro-fp32",
      format: "fp32",
      module: "iterl2norm_macro",
      macro: true,
      hierarchical: true,
      use: `${macroName(f)}: the whole macro but its three SRAM buffers (black boxes)`,
    },
    {
      name: "bf16-mul",
      format: "bf16",
      module: "fp_mul",
      params: { FA: 7, FB: 7, ROUND: SELECT },
      depth: "mul",
      estimate: "fp16Mul",
      use: "Mul block (BF16 results; FP32 squares)",
    },
    {
      name: "bf16-add",
      format: "bf16",
      module: "fp_add",
      params: { FA: 7, FB: 7, ROUND: BF16 },
      depth: "add",
      estimate: "fp16Add",
      use: "Add block",
    },
    {
      name: "bf16-scalar-mul",
      format: "bf16",
      module: "fp_mul",
      params: { FA: 23, FB: 23, ROUND: SELECT },
      depth: "mul",
      estimate: "fp32Mul",
      use: "scalar multiplier (FP32, results FP32 or BF16)",
    },
    {
      name: "bf16-scalar-add",
      format: "bf16",
      module: "fp_add",
      params: { FA: 23, FB: 23, ROUND: SELECT },
      depth: "add",
      estimate: "fp32Add",
      use: "scalar adder (FP32, results FP32 or BF16)",
    },
    {
      name: "bf16-sqrt",
      format: "bf16",
      module: "fp_sqrt",
      params: { FA: 7 },
      depth: "sqrt",
      estimate: DIGIT_RECURRENCE,
      use: "square-root unit (method 'sqrt' only)",
    },
    {
      name: "bf16-div",
      format: "bf16",
      module: "fp_div",
      params: { FA: 7 },
      depth: "divide",
      estimate: DIGIT_RECURRENCE,
      use: "divider (method 'sqrt' only)",
    },
    {
      name: "macro-bf16",
      format: "bf16",
      module: "iterl2norm_macro",
      macro: true,
      hierarchical: true,
      use: `${macroName(b)}: the whole macro but its three SRAM buffers (black boxes)`,
    },
  ];
}

/**
 * The estimate of a digit-recurrence unit: not a cost-table row but the cost model's derived figure
 * (hw/cost.ts digitRecurrenceAreaUm2: a significand-wide adder and three registers), at 28 nm.
 */
const DIGIT_RECURRENCE = "digitRecurrence";

/** How a configuration of this script is written: a default's name, else the defineMacro call. */
function macroName(config) {
  if (config === DEFAULT_MACRO) return "DEFAULT_MACRO";
  if (config === DEFAULT_MACRO_BF16) return "DEFAULT_MACRO_BF16";
  return `defineMacro({ format: "${config.format}", lanes: ${config.lanes} })`;
}

/** The SRAM buffers' module (hw/rtl/macro-sram.v): read as a black box. */
const SRAM_FILE = "macro-sram.v";
const SRAM_MODULE = "macro_sram";

/**
 * macroCost's estimate of what synthesis covers: every area line but the SRAM buffers, at 28 nm,
 * returned as its 45 nm equivalent (÷ the 45 → 28 nm factor) to sit next to the units' rows.
 */
function macroEstimate45(config) {
  const logic = macroCost(config).area.filter((i) => i.row !== "sramBitcell");
  return logic.reduce((s, i) => s + i.areaUm2, 0) / AREA_SCALE_45_TO_28;
}

/** Synthesises `unit` with the parameters `params`; `config` gives the parameter header the macro includes. */
function synthesise(unit, params, config) {
  const dir = mkdtempSync(join(tmpdir(), "iterl2norm-synth-"));
  const statFile = join(dir, "stat.json");
  writeFileSync(join(dir, "macro-params.vh"), rtlParameters(config));
  const files = readdirSync(RTL)
    .filter((f) => f.endsWith(".v"))
    .sort();
  const sources = files.filter((f) => f !== SRAM_FILE).map((f) => join(RTL, f));
  const chparam = Object.entries(params)
    .map(([k, v]) => `-set ${k} ${v}`)
    .join(" ");
  const script = [
    `read_verilog -I${dir} ${sources.join(" ")}`,
    `read_verilog -lib ${join(RTL, SRAM_FILE)}`,
    chparam === "" ? "" : `chparam ${chparam} ${unit.module}`,
    // a block of many units keeps each FP unit as one module (synthesised once per parameter set, its
    // own small modules flattened into it, so its constant pipeline bits go) and flattens the rest;
    // a unit alone is flattened
    unit.hierarchical
      ? `hierarchy -top ${unit.module}; setattr -mod -set keep_hierarchy 1 *fp_mul *fp_add; ` +
        `synth -flatten -top ${unit.module} -noabc`
      : `synth -flatten -top ${unit.module} -noabc`,
    "dffunmap",
    "abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX",
    "opt_clean",
    `tee -q -o ${statFile} stat -top ${unit.module} -json`,
  ]
    .filter((c) => c !== "")
    .join("; ");
  const start = performance.now();
  try {
    execFileSync("yosys", ["-q", "-p", script], { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
    // Yosys 0.23's `stat -top -json` also writes the hierarchy as text lines ("  $paramod…\\fp_add  63"),
    // which are not JSON: drop them; "design" holds the totals over the hierarchy.
    const text = readFileSync(statFile, "utf8")
      .split("\n")
      .filter((line) => !/^\s+[^"\s]+\s+\d+$/.test(line))
      .join("\n");
    const stat = JSON.parse(text);
    return { cells: stat.design.num_cells_by_type, seconds: (performance.now() - start) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function count(cells, name) {
  let ge = 0;
  let flops = 0;
  let gates = 0;
  let blackBoxes = 0;
  for (const [type, n] of Object.entries(cells)) {
    if (type.includes(SRAM_MODULE)) {
      blackBoxes += n;
      continue;
    }
    const area = CELL_UM2[type];
    if (area === undefined) throw new Error(`${name}: yosys left a cell of type ${type}, which has no weight`);
    ge += (n * area) / NAND2_UM2;
    if (type === "$_DFF_P_") flops += n;
    else gates += n;
  }
  return { ge, flops, gates, blackBoxes };
}

const USAGE = `Usage: node scripts/hw-synth.js [--json] [--unit NAME] [--format fp32|bf16] [--lanes N] [--out FILE]
  (npm run hw:synth -- [flags])

  --unit NAME      synthesise one unit: ${units(DEFAULT_MACRO, DEFAULT_MACRO_BF16)
    .map((u) => u.name)
    .join(", ")}
  --format F       only the units and the macro of format F, fp32 or bf16 (default: both)
  --lanes N        a macro of N lanes, a power of two (default: 64, DEFAULT_MACRO and DEFAULT_MACRO_BF16)
  --out FILE       also write the result as JSON to FILE (read by iterl2norm hw --synth FILE)
  --json           print the JSON instead of the table
`;

/** A bad command line: the message and the usage exit code 2. */
function usageError(message) {
  console.error(`hw-synth: ${message}\nRun "node scripts/hw-synth.js --help" for usage.`);
  process.exit(2);
}

const args = process.argv.slice(2);
let values;
try {
  ({ values } = parseArgs({
    args,
    options: {
      json: { type: "boolean" },
      unit: { type: "string" },
      format: { type: "string" },
      lanes: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (e) {
  usageError(e.message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const FORMATS = ["fp32", "bf16"];
if (values.format !== undefined && !FORMATS.includes(values.format)) {
  usageError(`--format must be one of ${FORMATS.join(", ")}; got ${JSON.stringify(values.format)}`);
}
if (values.out === "") usageError("--out must name a file; got an empty string");

/** The run's two configurations: the defaults, or both formats with --lanes N. */
function configurations(lanesText) {
  if (lanesText === undefined) return [DEFAULT_MACRO, DEFAULT_MACRO_BF16];
  if (!/^\d+$/.test(lanesText)) {
    usageError(`--lanes must be a power of two from 2 to ${MAX_LANES}; got ${JSON.stringify(lanesText)}`);
  }
  const lanes = Number(lanesText);
  try {
    return FORMATS.map((format) => defineMacro({ format, lanes }));
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) {
      return usageError(`--lanes ${JSON.stringify(lanesText)} is not a macro's lane count: ${e.message}`);
    }
    throw e;
  }
}
const [fp32Macro, bf16Macro] = configurations(values.lanes);
const all = units(fp32Macro, bf16Macro).filter(
  (u) => values.format === undefined || u.format === values.format || u.format === "both",
);
const list = all.filter((u) => values.unit === undefined || u.name === values.unit);
if (list.length === 0) {
  usageError(`--unit must be one of ${all.map((u) => u.name).join(", ")}; got ${values.unit}`);
}
const yosys = execFileSync("yosys", ["-V"], { encoding: "utf8" }).trim();
const runStart = performance.now();

/**
 * One unit's row: what it was built from (module, parameters, and what a configuration must share for
 * the row to hold for it: `dependsOn`, or the whole `config` of a macro row), its counts and areas, and
 * the cost table's estimate of it.
 */
function synthRow(unit) {
  // a unit of format "both" is built from the FP32 configuration (same depths: the two differ in format)
  const config = unit.format === "bf16" ? bf16Macro : fp32Macro;
  const params = unit.macro ? {} : { ...unit.params, DEPTH: config.latency[unit.depth] };
  const { cells, seconds } = synthesise(unit, params, config);
  const { ge, flops, gates, blackBoxes } = count(cells, unit.name);
  const area45 = ge * NAND2_UM2;
  const whole = unit.macro === true;
  const estimateCount = unit.estimateCount ?? 1;
  const estimate45 = whole
    ? macroEstimate45(config)
    : unit.estimate === DIGIT_RECURRENCE
      ? digitRecurrenceAreaUm2(config.format) / AREA_SCALE_45_TO_28
      : COST_TABLE[unit.estimate].areaUm2 * estimateCount;
  const dependsOn = whole
    ? Object.fromEntries(RTL_CONFIG_FIELDS.map((k) => [k, config[k]]))
    : {
        ...(unit.format === "both" ? {} : { format: unit.format }),
        ...(params.LANES === undefined ? {} : { lanes: params.LANES }),
        latency: { [unit.depth]: params.DEPTH },
      };
  return {
    unit: unit.name,
    format: unit.format,
    module: unit.module,
    params,
    ...(whole ? { config } : {}),
    dependsOn,
    use: unit.use,
    gates,
    flops,
    sramBlackBoxes: blackBoxes,
    sramBits: whole ? 3 * config.maxDim * (config.format === "bf16" ? 16 : 32) : 0,
    nand2: Math.round(ge),
    area45Um2: Math.round(area45),
    area28Um2: Math.round(area45 * AREA_SCALE_45_TO_28),
    estimate45Um2: Math.round(estimate45),
    estimateRow: whole ? "macroCost logic" : estimateCount > 1 ? `${estimateCount} × ${unit.estimate}` : unit.estimate,
    ratio: area45 / estimate45,
    seconds,
  };
}
const rows = list.map(synthRow);

/** The command line as typed: through npm when npm ran it (npm sets npm_lifecycle_event). */
const command =
  process.env.npm_lifecycle_event === "hw:synth"
    ? `npm run hw:synth${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`
    : ["node scripts/hw-synth.js", ...args].join(" ");
const cpuList = cpus();
const result = {
  tool: "iterl2norm hw:synth",
  command,
  date: new Date().toISOString(),
  machine: {
    cpu: cpuList[0]?.model.trim() ?? "unknown",
    cores: cpuList.length,
    platform: platform(),
    arch: arch(),
    node: process.version,
  },
  yosys,
  nand2Um2: NAND2_UM2,
  cellUm2: CELL_UM2,
  area28PerArea45: AREA_SCALE_45_TO_28,
  seconds: (performance.now() - runStart) / 1000,
  rows,
};
const text = `${JSON.stringify(result, null, 2)}\n`;
if (values.out !== undefined) {
  writeFileSync(values.out, text);
  console.error(`hw-synth: wrote ${values.out}`);
}

if (values.json) {
  process.stdout.write(text);
} else {
  console.log(`${yosys}; NAND2 equivalents by Nangate45 X1 cell areas (NAND2 = ${NAND2_UM2} µm²)\n`);
  const head = ["unit", "gates", "DFF", "NAND2 eq.", "µm² 45 nm", "µm² 28 nm", "cost table 45 nm", "synth/table", "s"];
  const body = rows.map((r) => [
    r.unit,
    String(r.gates),
    String(r.flops),
    String(r.nand2),
    String(r.area45Um2),
    String(r.area28Um2),
    `${r.estimate45Um2} (${r.estimateRow})`,
    r.ratio.toFixed(2),
    r.seconds.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const b of body) console.log(line(b));
  for (const r of rows.filter((row) => row.sramBlackBoxes > 0)) {
    console.log(`\n${r.unit}: ${r.sramBlackBoxes} SRAM buffers as black boxes (${r.sramBits} bits), not in the counts`);
  }
}
