#!/usr/bin/env node
// `npm run hw:synth`: synthesises the macro's RTL units (hw/rtl) and the whole macro with Yosys and
// prints, per unit and format, the gate count in NAND2 equivalents, its area at 45 nm and 28 nm,
// and the cost table's estimate for the same unit (hw/cost-table.ts; for the macro, macroCost's
// logic, every line but the SRAM buffers) — docs/hardware.md §7. The macro's buffers (macro_sram)
// are black boxes, as compiled SRAM macros would be: their bits are reported, not synthesised.
//
// Flow per unit: read hw/rtl/*.v, set the unit's parameters (pipeline depths from DEFAULT_MACRO /
// DEFAULT_MACRO_BF16), `synth -flatten -noabc`, `dffunmap` (flip-flops with enables or resets
// become plain D flip-flops plus gates), `abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX` (two-input gates,
// inverters and 2:1 muxes), `stat -json`. No Liberty file: the cells are weighted by the area
// of the Nangate 45 nm Open Cell Library's X1 cell of the same function divided by NAND2_X1's
// (NangateOpenCellLibrary.macro.lef SIZE, e.g. as shipped in OpenROAD-flow-scripts'
// flow/platforms/nangate45): NOT 0.532 µm², NAND2/NOR2 0.798, AND2/OR2 1.064, XOR2/XNOR2 1.596,
// MUX2 1.862, DFF 4.522. Area = NAND2 equivalents × 0.798 µm² at 45 nm (cell area, no
// placement utilisation or wiring), × 0.29 at 28 nm (the cost table's 45 → 28 nm scaling,
// Stillmaker & Baas 2017).
//
// Usage: node scripts/hw-synth.js [--json] [--unit NAME] (after `npx tsc -p tsconfig.build.json`, which
// `npm run hw:synth` runs first: the units' parameters and the estimates come from dist/hw)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AREA_SCALE_45_TO_28, COST_TABLE, DEFAULT_MACRO, DEFAULT_MACRO_BF16, macroCost } from "../dist/hw/index.js";
import { rtlParameters } from "../dist/hw/rtl-config.js";

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
 * The units, per format: the module, its parameters, the cost-table row the model costs it by,
 * and where the macro uses it.
 */
function units() {
  const f = DEFAULT_MACRO.latency;
  const b = DEFAULT_MACRO_BF16.latency;
  return [
    {
      name: "fp32-mul",
      format: "fp32",
      module: "fp_mul",
      params: { FA: 23, FB: 23, ROUND: F32, DEPTH: f.mul },
      estimate: "fp32Mul",
      use: "Mul block and scalar multiplier",
    },
    {
      name: "fp32-add",
      format: "fp32",
      module: "fp_add",
      params: { FA: 23, FB: 23, ROUND: F32, DEPTH: f.add },
      estimate: "fp32Add",
      use: "Add block, adder tree, scalar adder",
    },
    {
      name: "tree",
      format: "both",
      module: "adder_tree",
      params: { LANES: DEFAULT_MACRO.lanes, DEPTH: f.add },
      hierarchical: true,
      estimate: "fp32Add",
      estimateCount: DEFAULT_MACRO.lanes - 1,
      use: `adder tree: ${DEFAULT_MACRO.lanes - 1} FP32 adders with operand gating (FP32 in both formats)`,
    },
    {
      name: "macro-fp32",
      format: "fp32",
      module: "iterl2norm_macro",
      config: DEFAULT_MACRO,
      hierarchical: true,
      use: "DEFAULT_MACRO: the whole macro but its three SRAM buffers (black boxes)",
    },
    {
      name: "bf16-mul",
      format: "bf16",
      module: "fp_mul",
      params: { FA: 7, FB: 7, ROUND: SELECT, DEPTH: b.mul },
      estimate: "fp16Mul",
      use: "Mul block (BF16 results; FP32 squares)",
    },
    {
      name: "bf16-add",
      format: "bf16",
      module: "fp_add",
      params: { FA: 7, FB: 7, ROUND: BF16, DEPTH: b.add },
      estimate: "fp16Add",
      use: "Add block",
    },
    {
      name: "bf16-scalar-mul",
      format: "bf16",
      module: "fp_mul",
      params: { FA: 23, FB: 23, ROUND: SELECT, DEPTH: b.mul },
      estimate: "fp32Mul",
      use: "scalar multiplier (FP32, results FP32 or BF16)",
    },
    {
      name: "bf16-scalar-add",
      format: "bf16",
      module: "fp_add",
      params: { FA: 23, FB: 23, ROUND: SELECT, DEPTH: b.add },
      estimate: "fp32Add",
      use: "scalar adder (FP32, results FP32 or BF16)",
    },
    {
      name: "macro-bf16",
      format: "bf16",
      module: "iterl2norm_macro",
      config: DEFAULT_MACRO_BF16,
      hierarchical: true,
      use: "DEFAULT_MACRO_BF16: the whole macro but its three SRAM buffers (black boxes)",
    },
  ];
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

function synthesise(unit) {
  const dir = mkdtempSync(join(tmpdir(), "iterl2norm-synth-"));
  const statFile = join(dir, "stat.json");
  // the parameter header the macro's modules include: the unit's configuration, or its format's default
  const config = unit.config ?? (unit.format === "bf16" ? DEFAULT_MACRO_BF16 : DEFAULT_MACRO);
  writeFileSync(join(dir, "macro-params.vh"), rtlParameters(config));
  const files = readdirSync(RTL)
    .filter((f) => f.endsWith(".v"))
    .sort();
  const sources = files.filter((f) => f !== SRAM_FILE).map((f) => join(RTL, f));
  const chparam = Object.entries(unit.params ?? {})
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
    return { cells: stat.design.num_cells_by_type, config, seconds: (performance.now() - start) / 1000 };
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

const args = process.argv.slice(2);
const json = args.includes("--json");
const only = args.includes("--unit") ? args[args.indexOf("--unit") + 1] : undefined;
const list = units().filter((u) => only === undefined || u.name === only);
if (list.length === 0) {
  console.error(
    `--unit must be one of ${units()
      .map((u) => u.name)
      .join(", ")}; got ${only}`,
  );
  process.exit(2);
}
const yosys = execFileSync("yosys", ["-V"], { encoding: "utf8" }).trim();
const rows = list.map((unit) => {
  const { cells, config, seconds } = synthesise(unit);
  const { ge, flops, gates, blackBoxes } = count(cells, unit.name);
  const area45 = ge * NAND2_UM2;
  const whole = unit.module === "iterl2norm_macro";
  const estimate45 = whole ? macroEstimate45(config) : COST_TABLE[unit.estimate].areaUm2 * (unit.estimateCount ?? 1);
  const estimateCount = unit.estimateCount ?? 1;
  return {
    unit: unit.name,
    format: unit.format,
    module: unit.module,
    params: unit.params ?? {},
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
});

if (json) {
  console.log(JSON.stringify({ yosys, nand2Um2: NAND2_UM2, cellUm2: CELL_UM2, rows }, null, 2));
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
