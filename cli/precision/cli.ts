/**
 * `iterl2norm precision`: runs the precision study and prints a terminal table, or
 * JSON only (--json), and with --out DIR writes DIR/precision.md plus the charts and
 * results.json under DIR/precision/. A progress bar goes to stderr when stderr is a TTY.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { UsageError } from "../common.js";
import { MAX_DIM, type Format } from "iterl2norm";
import { renderCharts } from "./charts.js";
import { DISTRIBUTIONS, DISTRIBUTION_TEXT, type Distribution } from "./data.js";
import { machineDescription, markdownReport, terminalReport, type RunMeta } from "./report.js";
import { DEFAULT_STUDY, runStudy, type StudyOptions } from "./study.js";

const FORMATS: readonly Format[] = ["fp32", "bf16", "fp16"];

const HELP = `Usage: iterl2norm precision [options]

Compares IterL2Norm (paper and precise presets), FISR (1 and 2 Newton steps) and
sqrt/division against the float64 LayerNorm truth, in FP32, BF16 and FP16, over the
OPT embedding widths; adds convergence per step, a λ sweep, widths up to 65536, and
the FISR constants' errors. Reports IterL2Norm's win count over FISR (paper: 6/9 FP32,
5/9 BF16).

Options:
  --formats LIST   comma-separated formats: fp32,bf16,fp16          (default: all)
  --dims LIST      comma-separated row widths                (default: the 9 OPT widths)
  --dist LIST      comma-separated input distributions               (default: uniform)
${DISTRIBUTIONS.map((d) => `                     ${d}: ${DISTRIBUTION_TEXT[d]}`).join("\n")}
  --trials N       rows per (distribution, width, format)                 (default: 20)
  --seed N         seed of the input generator                            (default: 1)
  --large-dims L   widths of the large-d section          (default: 1024,4096,16384,65536)
  --json           print the results as JSON only, on stdout
  --out DIR        write DIR/precision.md, DIR/precision/*.svg and DIR/precision/results.json
  -h, --help       this text

Exit codes: 0 done, 2 bad command line.

Examples:
  iterl2norm precision                                   # uniform rows, all formats, terminal tables
  iterl2norm precision --trials 20 --json > study.json   # every number as JSON
  iterl2norm precision --dist uniform,uniform01,normal,llm --trials 20 --seed 1 --out docs
  iterl2norm precision --formats bf16 --dims 768,4096 --dist llm
`;


function list<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: readonly T[]): T[] {
  if (value === undefined) return [...fallback];
  const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) throw new UsageError(`--${name} must list at least one of ${allowed.join(", ")}; got ${JSON.stringify(value)}`);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new UsageError(`--${name} must list values from ${allowed.join(", ")}; got ${JSON.stringify(item)}`);
  }
  return [...new Set(items)] as T[];
}

function integer(name: string, value: string | undefined, lo: number, hi: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < lo || n > hi) {
    throw new UsageError(`--${name} must be an integer from ${lo} to ${hi}; got ${JSON.stringify(value)}`);
  }
  return n;
}

function dimList(name: string, value: string | undefined, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback];
  const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) throw new UsageError(`--${name} must list at least one width; got ${JSON.stringify(value)}`);
  return [...new Set(items.map((s) => integer(name, s, 1, MAX_DIM, 0)))];
}

/** Parses the arguments into study options (throws UsageError). */
export function parseStudyArgs(argv: string[]): { study: StudyOptions; json: boolean; out: string | undefined; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        formats: { type: "string" },
        dims: { type: "string" },
        dist: { type: "string" },
        trials: { type: "string" },
        seed: { type: "string" },
        "large-dims": { type: "string" },
        json: { type: "boolean" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (cause) {
    throw new UsageError((cause as Error).message);
  }
  const v = parsed.values;
  const trials = integer("trials", v.trials, 1, 100_000, DEFAULT_STUDY.trials);
  const study: StudyOptions = {
    formats: FORMATS.filter((f) => list("formats", v.formats, FORMATS, DEFAULT_STUDY.formats).includes(f)),
    dims: dimList("dims", v.dims, DEFAULT_STUDY.dims),
    dists: list<Distribution>("dist", v.dist, DISTRIBUTIONS, DEFAULT_STUDY.dists),
    trials,
    seed: integer("seed", v.seed, 0, 0xffffffff, DEFAULT_STUDY.seed),
    eps: DEFAULT_STUDY.eps,
    largeDims: dimList("large-dims", v["large-dims"], DEFAULT_STUDY.largeDims),
    largeTrials: Math.min(trials, DEFAULT_STUDY.largeTrials),
  };
  return { study, json: v.json === true, out: v.out, help: v.help === true };
}

/** Runs `iterl2norm precision` with the arguments after the subcommand; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseStudyArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`iterl2norm precision: ${err.message}\nRun iterl2norm precision --help for the options.\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }

  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: "precision [{bar}] {value}/{total} {what}", hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : undefined;
  const start = performance.now();
  let result;
  try {
    result = runStudy(args.study, (done, total, what) => {
      if (!bar) return;
      if (done === 0) bar.start(total, 0, { what });
      else bar.update(done, { what });
    });
  } finally {
    bar?.stop();
  }
  const meta: RunMeta = {
    command: ["iterl2norm precision", ...argv].join(" "),
    date: new Date().toISOString(),
    machine: machineDescription(),
    seconds: (performance.now() - start) / 1000,
  };

  if (args.out !== undefined) {
    const chartDir = join(args.out, "precision");
    mkdirSync(chartDir, { recursive: true });
    const charts = await renderCharts(result);
    for (const [name, svg] of Object.entries(charts)) writeFileSync(join(chartDir, name), svg);
    writeFileSync(join(chartDir, "results.json"), `${JSON.stringify({ meta, ...result }, null, 1)}\n`);
    writeFileSync(join(args.out, "precision.md"), markdownReport(result, meta, Object.keys(charts), "precision"));
    if (!args.json) process.stderr.write(`wrote ${join(args.out, "precision.md")} and ${Object.keys(charts).length} charts in ${chartDir}\n`);
  }
  if (args.json) process.stdout.write(`${JSON.stringify({ meta, ...result })}\n`);
  else process.stdout.write(`${terminalReport(result, meta)}\n`);
  return 0;
}
