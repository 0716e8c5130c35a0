// `iterl2norm hw` (cli/hw/cli.ts main): tables on stdout, usage errors on stderr with exit code 2.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MACRO, DEFAULT_MACRO_BF16, defineMacro } from "iterl2norm/hw";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../cli/hw/cli.js";
import { type Captured, runCaptured } from "./cli-capture.js";

async function run(argv: string[]): Promise<Captured> {
  return runCaptured(main, argv);
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** The row of a text table that starts with `first` (cells separated by two or more spaces). */
function row(text: string, first: string): string[] {
  const line = text.split("\n").find((l) => l.startsWith(`${first} `) || l.startsWith(`${first}  `));
  if (line === undefined) throw new Error(`no row starting with ${JSON.stringify(first)}`);
  return line.trim().split(/\s{2,}/);
}

describe("iterl2norm hw", () => {
  it("prints latency, area, power, energy and the comparison for the default macro", async () => {
    const { code, out, err } = await run([]);
    expect(code).toBe(0);
    expect(err).toBe("");
    // d, load, sum x, sum y², 1/√m, output, control, total, published
    // (sum y² carries the centring's q − P′ add, output its second adder rank; phase switch 1: docs/hardware.md §2)
    expect(row(out, "64")).toEqual(["64", "2", "21", "21", "54", "14", "4", "116", "116"]);
    expect(row(out, "1024")).toEqual(["1024", "17", "54", "54", "54", "44", "4", "227", "227"]);
    expect(row(out, "768")).toEqual(["768", "13", "50", "50", "54", "36", "4", "207", "-"]);
    expect(out).toMatch(/total 0\.4562 mm\^2/);
    expect(out).toMatch(/leakage 0\.456 mW/);
    expect(out).toMatch(/total 40\.\d{3} nJ per vector of d = 768: 207 cycles, 2070 ns/);
    // 768 more FP32 subtractions (the output's −err) at 0.9 pJ × (28/45)·(1.05/0.9)²
    expect(out).toMatch(
      /two-shift row \(about a large offset\): 40\.\d{3} nJ, \+585\.4 pJ for the 768 −err subtractions/,
    );
    // comparison rows: IterL2Norm paper, Newton, FISR 1 and 2 steps, sqrt + divide at d = 64 … 1024
    expect(row(out, "FISR, 1 Newton step").slice(1, 7)).toEqual(["74", "115", "125", "145", "165", "185"]);
    expect(row(out, "sqrt + divide (radix 2)").slice(1, 7)).toEqual(["118", "159", "169", "189", "209", "229"]);
    expect(out).toMatch(/Per-unit costs/);
    expect(out).toMatch(/\[H14\]/);
  });

  it("--d adds the length to the latency table and sizes the energy table", async () => {
    const { code, out } = await run(["--d", "100"]);
    expect(code).toBe(0);
    // C = 2 rows, B = 4 beats: 3 + 40 + 40 + 54 + 16 + 4
    expect(row(out, "100")).toEqual(["100", "3", "40", "40", "54", "16", "4", "157", "-"]);
    expect(out).toMatch(/per vector of d = 100: 157 cycles/);
  });

  it("--format bf16 --lanes 32 change the configuration", async () => {
    const { code, out } = await run(["--format", "bf16", "--lanes", "32"]);
    expect(code).toBe(0);
    expect(out).toMatch(/format bf16; 32 lanes \(output pass 16 per cycle\)/);
    expect(out).toMatch(/Mul block \(bf16\)\s+32/);
    expect(out).toMatch(/all 256 BF16 values in \[1, 4\)/);
  });

  it("--json prints one object with the tables", async () => {
    const { code, out } = await run(["--json", "--d", "512"]);
    expect(code).toBe(0);
    const j = JSON.parse(out) as {
      config: { lanes: number };
      latency: { d: number; cycles: number; published: number | null }[];
      cost: { areaMm2: number };
      energy: { d: number; cycles: number; totalPj: number };
      energyTwoShifts: { d: number; cycles: number; totalPj: number };
      comparison: { rows: { method: string; cycles: number[]; precision: { maxRelError: number } }[] };
      costTable: Record<string, { source: string }>;
    };
    expect(j.config.lanes).toBe(64);
    expect(j.latency.find((l) => l.d === 64)).toMatchObject({ cycles: 116, published: 116 });
    expect(j.latency.find((l) => l.d === 1024)).toMatchObject({ cycles: 227, published: 227 });
    expect(j.energy).toMatchObject({ d: 512, cycles: 187 });
    expect(j.energyTwoShifts).toMatchObject({ d: 512, cycles: 187 });
    expect(j.energyTwoShifts.totalPj).toBeGreaterThan(j.energy.totalPj);
    expect(j.comparison.rows.map((r) => r.method)).toEqual(["iter", "iter", "fisr", "fisr", "sqrt"]);
    // the paper preset's worst relative error of a, about 3.5e-3 (docs/design.md §1.1); the Newton step is f32-limited
    expect(j.comparison.rows[0]!.precision.maxRelError).toBeGreaterThan(1e-3);
    expect(j.comparison.rows[0]!.precision.maxRelError).toBeLessThan(4e-3);
    expect(j.comparison.rows[1]!.precision.maxRelError).toBeLessThan(3e-7);
    expect(j.costTable.fp32Mul!.source).toBe("[H14]");
  });

  it("--help prints the usage and exits 0", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: iterl2norm hw \[--d D\] \[--format fp32\|bf16\] \[--lanes N\] \[--json\]/);
  });

  it.each<[string[], RegExp]>([
    [["--lanes", "48"], /config\.lanes must be a power of two from 2 to 1024 \(the adder tree is binary\); got 48/],
    [["--lanes", "x"], /--lanes must be an integer from 2 to 1024; got "x"/],
    [["--d", "0"], /--d must be an integer from 1 to 1024; got "0"/],
    [["--d", "1025"], /--d must be an integer from 1 to 1024; got "1025"/],
    [["--format", "fp16"], /--format must be one of fp32, bf16; got "fp16"/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["extra"], /Unexpected argument 'extra'/],
  ])("%j is a usage error: stderr, exit 2, nothing on stdout", async (argv, message) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(message);
    expect(err).toMatch(/Run "iterl2norm hw --help" for usage/);
  });
});

/** The recorded synthesis run the command shows (cli/hw/synthesis.json, written by npm run hw:synth -- --out). */
interface RecordedRow {
  unit: string;
  format: string;
  module: string;
  config?: unknown;
  nand2: number;
  area45Um2: number;
  area28Um2: number;
  estimate45Um2: number;
  estimateRow: string;
  ratio: number;
  sramBlackBoxes: number;
  sramBits: number;
}
const recorded = JSON.parse(readFileSync(join(import.meta.dirname, "../cli/hw/synthesis.json"), "utf8")) as {
  yosys: string;
  date: string;
  command: string;
  machine: { cpu: string; cores: number };
  rows: RecordedRow[];
};

/** The cells `iterl2norm hw` prints for a synthesised row. */
function printed(r: RecordedRow): string[] {
  return [
    r.unit,
    String(r.nand2),
    String(r.area45Um2),
    String(r.area28Um2),
    `${r.estimate45Um2} (${r.estimateRow})`,
    r.ratio.toFixed(2),
  ];
}

/** The synthesised-gates section: its heading and what follows. */
function synthSection(out: string): string {
  const start = out.indexOf("\nSynthesised gates (");
  if (start < 0) throw new Error("no synthesised-gates section");
  return out.slice(start + 1);
}

/** The first column of the synthesised-gates table, in order. */
function synthUnits(out: string): string[] {
  const units: string[] = [];
  for (const line of synthSection(out).split("\n").slice(3)) {
    if (line.startsWith("from ")) break;
    units.push(line.split(/\s+/)[0]!);
  }
  return units;
}

/** A small hw:synth result of a 16-lane FP32 macro: the whole macro and its adder tree (made-up counts). */
function lanes16Result(): unknown {
  // a plain copy (defineMacro's value is frozen; the tests break copies of this result)
  const config = JSON.parse(JSON.stringify(defineMacro({ lanes: 16 }))) as unknown;
  const base = {
    gates: 1000,
    flops: 100,
    sramBlackBoxes: 0,
    sramBits: 0,
    seconds: 1,
  };
  return {
    tool: "iterl2norm hw:synth",
    command: "npm run hw:synth -- --format fp32 --lanes 16 --out s16.json",
    date: "2025-01-02T03:04:05.000Z",
    machine: { cpu: "Test CPU", cores: 4, platform: "linux", arch: "x64", node: "v20.19.0" },
    yosys: "Yosys 0.99 (git sha1 0)",
    nand2Um2: 0.798,
    cellUm2: { $_NAND_: 0.798 },
    area28PerArea45: 0.29,
    seconds: 2,
    rows: [
      {
        ...base,
        unit: "tree",
        format: "both",
        module: "adder_tree",
        params: { LANES: 16, DEPTH: 2 },
        dependsOn: { lanes: 16, latency: { add: 2 } },
        use: "adder tree",
        nand2: 41234,
        area45Um2: 32905,
        area28Um2: 9542,
        estimate45Um2: 62760,
        estimateRow: "15 × fp32Add",
        ratio: 32905 / 62760,
      },
      {
        ...base,
        unit: "macro-fp32",
        format: "fp32",
        module: "iterl2norm_macro",
        params: {},
        config,
        use: "the whole macro",
        sramBlackBoxes: 3,
        sramBits: 98304,
        nand2: 312345,
        area45Um2: 249251,
        area28Um2: 72283,
        estimate45Um2: 400000,
        estimateRow: "macroCost logic",
        ratio: 249251 / 400000,
      },
    ],
  };
}

describe("iterl2norm hw: synthesised gates", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "iterl2norm-hw-cli-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  function writeJson(name: string, value: unknown): string {
    const path = join(dir, name);
    writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
    return path;
  }

  it.each([
    ["fp32", DEFAULT_MACRO],
    ["bf16", DEFAULT_MACRO_BF16],
  ] as const)(
    "the default %s macro prints the recorded synthesis of its units and of the whole macro",
    async (format, macro) => {
      // the recorded run holds the default macro: a macro row built from exactly this configuration
      const whole = recorded.rows.filter((r) => r.module === "iterl2norm_macro" && r.format === format);
      expect(whole.map((r) => r.config)).toEqual([macro]);
      const { code, out } = await run(format === "fp32" ? [] : ["--format", format]);
      expect(code).toBe(0);
      expect(out).toContain(
        `Synthesised gates (Yosys ${recorded.yosys.split(" ")[1]}, ${recorded.date.slice(0, 10)}, ` +
          `${recorded.machine.cpu}, ${recorded.machine.cores} cores`,
      );
      expect(out).toContain(recorded.command);
      // every row of this format (and the tree, which both share), in the recorded order, with its figures
      const rows = recorded.rows.filter((r) => r.format === format || r.format === "both");
      expect(synthUnits(out)).toEqual(rows.map((r) => r.unit));
      for (const r of rows) expect(row(synthSection(out), r.unit)).toEqual(printed(r));
      expect(out).toContain(
        `${whole[0]!.unit}: the whole macro; its 3 SRAM buffers are black boxes (${whole[0]!.sramBits} bits)`,
      );
      expect(out).not.toMatch(/No synthesis result/);
    },
  );

  it("--lanes 16: no synthesis of that macro in the recorded run, and the command that makes one", async () => {
    const { code, out } = await run(["--lanes", "16"]);
    expect(code).toBe(0);
    expect(out).toContain(
      "No synthesis result for the whole macro of this configuration (fp32, 16 lanes); make one: " +
        "npm run hw:synth -- --format fp32 --lanes 16 --out FILE, then iterl2norm hw --synth FILE",
    );
    // the units that do not depend on the lane count (format and pipeline depth as in the run) still hold
    const units = synthUnits(out);
    expect(units).not.toContain("macro-fp32");
    expect(units).not.toContain("tree");
    expect(units).toEqual(
      recorded.rows.filter((r) => r.format === "fp32" && r.module !== "iterl2norm_macro").map((r) => r.unit),
    );
  });

  it("--synth FILE shows that result for its configuration", async () => {
    const result = lanes16Result() as { rows: RecordedRow[]; date: string };
    const path = writeJson("s16.json", result);
    const { code, out, err } = await run(["--lanes", "16", "--synth", path]);
    expect(code).toBe(0);
    expect(err).toBe("");
    expect(out).toContain("Synthesised gates (Yosys 0.99, 2025-01-02, Test CPU, 4 cores, linux/x64; npm run hw:synth");
    expect(synthUnits(out)).toEqual(["tree", "macro-fp32"]);
    for (const r of result.rows) expect(row(synthSection(out), r.unit)).toEqual(printed(r));
    expect(out).toContain(`from ${path};`);
    expect(out).toContain("macro-fp32: the whole macro; its 3 SRAM buffers are black boxes (98304 bits)");
    // the same file says nothing about the 64-lane macro: one line, the command
    const other = await run(["--synth", path]);
    expect(other.code).toBe(0);
    expect(other.out).toContain(
      `No synthesis result for this configuration (fp32, 64 lanes) in ${path}; make one: ` +
        "npm run hw:synth -- --format fp32 --lanes 64 --out FILE, then iterl2norm hw --synth FILE",
    );
    expect(other.out).not.toMatch(/Synthesised gates/);
    // as JSON: null
    const none = await run(["--synth", path, "--json"]);
    expect((JSON.parse(none.out) as { synthesis: unknown }).synthesis).toBeNull();
    // a 16-lane BF16 macro shares the FP32 adder tree (format "both"), not the FP32 macro
    const bf16 = await run(["--format", "bf16", "--lanes", "16", "--synth", path]);
    expect(synthUnits(bf16.out)).toEqual(["tree"]);
    expect(bf16.out).toMatch(/No synthesis result for the whole macro of this configuration \(bf16, 16 lanes\)/);
  });

  it("--json has the matched rows and the run's metadata as synthesis", async () => {
    const { code, out } = await run(["--json"]);
    expect(code).toBe(0);
    const j = JSON.parse(out) as {
      synthesis: { yosys: string; date: string; command: string; machine: unknown; rows: RecordedRow[] } | null;
    };
    expect(j.synthesis).not.toBeNull();
    expect(j.synthesis!.yosys).toBe(recorded.yosys);
    expect(j.synthesis!.date).toBe(recorded.date);
    expect(j.synthesis!.machine).toEqual(recorded.machine);
    expect(j.synthesis!.rows).toEqual(recorded.rows.filter((r) => r.format === "fp32" || r.format === "both"));
    const path = writeJson("json16.json", lanes16Result());
    const narrow = JSON.parse((await run(["--json", "--lanes", "16", "--synth", path])).out) as typeof j;
    expect(narrow.synthesis!.rows.map((r) => r.unit)).toEqual(["tree", "macro-fp32"]);
  });

  /** A copy of the 16-lane result with `change` applied to it. */
  function broken(change: (r: Record<string, unknown> & { rows: Record<string, unknown>[] }) => void): unknown {
    const r = lanes16Result() as Record<string, unknown> & { rows: Record<string, unknown>[] };
    change(r);
    return r;
  }

  it.each<[string, unknown, RegExp]>([
    ["missing.json", undefined, /cannot read .*missing\.json: ENOENT/],
    ["text.json", "not json {", /text\.json is not JSON \(.*\); expected the file written by npm run hw:synth/],
    [
      "array.json",
      [1, 2],
      /array\.json is not a result of npm run hw:synth -- --out FILE: result must be a JSON object; got \[1,2\]/,
    ],
    [
      "tool.json",
      broken((r) => delete r.tool),
      /tool\.json is not a result of npm run hw:synth -- --out FILE: result\.tool must be "iterl2norm hw:synth"; got/,
    ],
    ["rows.json", broken((r) => (r.rows = [])), /result\.rows must be a non-empty array; got \[\]/],
    [
      "nand2.json",
      broken((r) => (r.rows[1]!.nand2 = "many")),
      /result\.rows\[1\]\.nand2 must be a number ≥ 0; got "many"/,
    ],
    [
      "config.json",
      broken((r) => delete r.rows[1]!.config),
      /rows\[1\] is a macro row, so it needs the MacroConfig it was built from: result\.rows\[1\]\.config must be/,
    ],
    [
      "lanes.json",
      broken((r) => ((r.rows[1]!.config as { lanes: number }).lanes = 48)),
      /result\.rows\[1\]\.config\.lanes must be a power of two/,
    ],
    [
      "depends.json",
      broken((r) => delete r.rows[0]!.dependsOn),
      /result\.rows\[0\]\.dependsOn must be an object \(the configuration fields the unit depends on\); got undef/,
    ],
  ])("--synth %s is a usage error naming --synth and the file", async (name, content, message) => {
    const path = content === undefined ? join(dir, name) : writeJson(name, content);
    const { code, out, err } = await run(["--synth", path]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain(`iterl2norm hw: --synth ${JSON.stringify(path)}: `);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
