// `npm run hw:synth` (scripts/hw-synth.js): its command line, and a real Yosys run of two small units
// read back by `iterl2norm hw --synth` (docs/hardware.md §7, "Synthesis"). The script imports dist/hw
// (npm test builds it first). The Yosys runs are skipped where yosys is missing, except under CI,
// where .ci/run installs it and a missing tool fails the test instead.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../cli/hw/cli.js";
import { type Captured, runCaptured } from "./cli-capture.js";
import { onPath } from "./rtl/simulators.js";

const ROOT = join(import.meta.dirname, "..");
const SCRIPT = join(ROOT, "scripts/hw-synth.js");

const RUN_SYNTH = onPath("yosys") || process.env.CI === "true";
if (!RUN_SYNTH) console.warn("hw-synth: the Yosys runs are skipped; yosys is missing (.ci/run installs it)");

function synth(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `iterl2norm hw` with stdout and stderr captured. */
const hw = (argv: string[]): Promise<Captured> => runCaptured(main, argv);

/** The cells of the line of the synthesised-gates table that starts with `unit`. */
function synthRow(out: string, unit: string): string[] {
  const section = out.slice(out.indexOf("Synthesised gates ("));
  const line = section.split("\n").find((l) => l.startsWith(`${unit} `));
  if (line === undefined) throw new Error(`no synthesised row ${unit}`);
  return line.trim().split(/\s{2,}/);
}

describe("npm run hw:synth: command line", () => {
  it.each<[string[], RegExp]>([
    [["--format", "fp16"], /--format must be one of fp32, bf16; got "fp16"/],
    [["--lanes", "x"], /--lanes must be a power of two from 2 to 1024; got "x"/],
    [["--lanes", "48"], /--lanes "48" is not a macro's lane count: config\.lanes must be a power of two/],
    [
      ["--unit", "nope"],
      /--unit must be one of fp32-mul, fp32-add, tree, fp32-sqrt, fp32-div, macro-fp32, .*, macro-bf16; got nope/,
    ],
    [["--unit", "fp32-add", "--format", "bf16"], /--unit must be one of tree, bf16-mul, .*; got fp32-add/],
    [["--out", ""], /--out must name a file/],
    [["--bogus"], /Unknown option '--bogus'/],
  ])("%j: a message and exit code 2, before any synthesis", (args, message) => {
    const r = synth(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(!RUN_SYNTH)("npm run hw:synth: a real run read back by iterl2norm hw --synth", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "iterl2norm-hw-synth-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("--unit fp32-add --out FILE: the table, the JSON with its provenance, and the CLI shows the row", async () => {
    const file = join(dir, "add.json");
    const r = synth(["--unit", "fp32-add", "--out", file]);
    expect(r.stderr).toContain(`hw-synth: wrote ${file}`);
    expect(r.status).toBe(0);
    const result = JSON.parse(readFileSync(file, "utf8")) as {
      tool: string;
      command: string;
      date: string;
      machine: { cores: number };
      yosys: string;
      rows: {
        unit: string;
        params: Record<string, number>;
        dependsOn: unknown;
        nand2: number;
        area45Um2: number;
        estimate45Um2: number;
        ratio: number;
      }[];
    };
    expect(result.tool).toBe("iterl2norm hw:synth");
    expect(result.command).toBe(`node scripts/hw-synth.js --unit fp32-add --out ${file}`);
    expect(Date.now() - Date.parse(result.date)).toBeLessThan(600_000);
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(result.yosys).toMatch(/^Yosys \d/);
    expect(result.rows.map((row) => row.unit)).toEqual(["fp32-add"]);
    const add = result.rows[0]!;
    expect(add.params).toEqual({ FA: 23, FB: 23, ROUND: 0, DEPTH: 2 });
    expect(add.dependsOn).toEqual({ format: "fp32", latency: { add: 2 } });
    // an FP32 adder is some thousand gates: a count far from that means the flow broke, not the adder
    expect(add.nand2).toBeGreaterThan(1000);
    expect(add.nand2).toBeLessThan(10000);
    expect(add.ratio).toBeCloseTo(add.area45Um2 / add.estimate45Um2, 3);
    // the table on stdout carries the same figures
    expect(r.stdout).toMatch(new RegExp(`\\| fp32-add \\|.*\\|\\s+${add.nand2} \\|\\s+${add.area45Um2} \\|`));

    const { code, out, err } = await hw(["--synth", file]);
    expect(code).toBe(0);
    expect(err).toBe("");
    expect(synthRow(out, "fp32-add")).toEqual([
      "fp32-add",
      String(add.nand2),
      String(add.area45Um2),
      expect.any(String),
      `${add.estimate45Um2} (fp32Add)`,
      add.ratio.toFixed(2),
    ]);
    expect(out).toMatch(/No synthesis result for the whole macro of this configuration \(fp32, 64 lanes\)/);
  }, 30_000);

  it("--unit tree --format bf16 --lanes 4: the 4-lane tree, shown for a 4-lane macro only", async () => {
    const file = join(dir, "tree4.json");
    const r = synth(["--unit", "tree", "--format", "bf16", "--lanes", "4", "--out", file, "--json"]);
    expect(r.status).toBe(0);
    // --json prints what --out writes
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(file, "utf8")));
    type Row = { params: unknown; dependsOn: unknown; estimateRow: string; nand2: number };
    const tree = (JSON.parse(r.stdout) as { rows: Row[] }).rows[0]!;
    expect(tree.params).toEqual({ LANES: 4, DEPTH: 2 });
    expect(tree.dependsOn).toEqual({ lanes: 4, latency: { add: 2 } });
    expect(tree.estimateRow).toBe("3 × fp32Add");
    // the tree is FP32 in both formats
    for (const format of ["fp32", "bf16"]) {
      const { out } = await hw(["--lanes", "4", "--format", format, "--synth", file]);
      expect(synthRow(out, "tree")[1]).toBe(String(tree.nand2));
    }
    expect((await hw(["--lanes", "8", "--synth", file])).out).toMatch(
      /No synthesis result for this configuration \(fp32, 8 lanes\)/,
    );
  }, 30_000);
});
