// `iterl2norm hw` (cli/hw/cli.ts main): tables on stdout, usage errors on stderr with exit code 2.
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli/hw/cli.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(argv: string[]): Promise<Run> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out, err };
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
