/**
 * `iterl2norm bench` (also `npm run bench`): runs the benchmark suites and
 * prints a Markdown report (or JSON), optionally writing results.json, report.md
 * and SVG charts into a directory. Exit codes: 0 done, 1 a suite failed (e.g. an
 * implementation gave wrong results), 2 bad command line.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { UsageError } from "../common.js";
import { intFlag, intListFlag, HELP_FLAG, parseCommandLine, switches, valueFlags, withUsageErrors } from "../flags.js";
import { seconds } from "../numbers.js";
import { environment } from "../../bench/env.js";
import { renderSvg } from "../charts.js";
import { rsqrtSpec, throughputSpec } from "./charts.js";
import { targetsOnNodes } from "./nodes.js";
import { markdownReport } from "./report.js";
import type {
  BreakdownLine,
  RunResults,
  InfoLine,
  PrecisionResult,
  TargetLine,
  TargetRun,
  ThroughputResult,
} from "../../bench/results.js";
import { runBreakdown } from "../../bench/suite-breakdown.js";
import { runPrecision } from "../../bench/suite-precision.js";
import { runRsqrt } from "../../bench/suite-rsqrt.js";
import { runTargets } from "../../bench/suite-targets.js";
import { runThroughput } from "../../bench/suite-throughput.js";

/** Suites in the order they run. */
export const SUITES = ["targets", "breakdown", "layernorm", "l2", "rsqrt", "precision"] as const;
export type Suite = (typeof SUITES)[number];

export const USAGE = `Usage: iterl2norm bench [suite ...] [options]

Suites (default: all, in this order):
  targets     the speed targets (d=1024 rows=64, d=768 rows=1), met / NOT MET
  breakdown   where the time of a LayerNorm call goes (one part at a time)
  layernorm   LayerNorm throughput over d × rows: wasm (paper, precise, sqrt, FISR;
              zero-copy and copying), naive JS, tuned JS, onnxruntime-node, memcpy
  l2          the same for L2 normalisation (no onnxruntime peer)
  rsqrt       a ≈ 1/√m by every method (IterL2Norm, FISR variants, sqrt + div, JS), scalar
              and f32x4, throughput and latency, in ns and cycles, with each one's error
  precision   error of the fused statistics pass vs the two-pass reference and
              the float64 truth on ordinary and adversarial rows (no timing)

Options:
  --quick          smaller grid and time budget (all suites in well under 3 minutes)
  --json           print the results as JSON on stdout instead of the report
  --out <dir>      also write results.json, report.md and charts (*.svg) into <dir>
  --dims <list>    row lengths, comma separated (default 64,256,768,1024,4096,12288;
                   quick: 64,768,1024,4096)
  --rows <list>    row counts (default 1,8,64,1024; quick: 1,8,64)
  --time <ms>      time budget per timed task and round (default 50; quick: 40)
  --rounds <n>     rounds of the target and breakdown measurements (default 9; quick: 3)
  --grid-rounds <n>  rounds per shape of the layernorm, l2 and rsqrt suites (default 7; quick: 1)
  --nodes <list>   also run the targets suite under these Node binaries (paths, comma
                   separated), each with the SIMD build and, where it validates relaxed
                   SIMD, the repository's relaxed build, one process at a time, and this
                   Node with the relaxed build when it validates it. npm run bench passes
                   the Node 22 and 24 binaries of tests/hosts when they are installed
  -h, --help       this text

Progress goes to stderr. A time is the fastest round's median tinybench sample;
the implementations of one shape are timed in the same rounds (other work on a
shared machine only adds time). Every implementation is checked against the
float64 truth before it is timed.

Exit codes: 0 done (also when a target is not met: the report says so), 1 a measurement
failed, 2 bad command line.

Examples:
  npm run bench -- --quick               # every suite on a small grid (well under 3 minutes)
  iterl2norm bench targets               # the target lines only, met / NOT MET
  iterl2norm bench layernorm --dims 768 --rows 1,64 --json
  iterl2norm bench --out docs/performance
`;

export { UsageError };

/** Parsed options of one run. */
export interface BenchOptions {
  readonly suites: readonly Suite[];
  readonly quick: boolean;
  readonly json: boolean;
  readonly out: string | undefined;
  readonly dims: readonly number[];
  readonly rows: readonly number[];
  readonly timeMs: number;
  readonly rounds: number;
  /** Rounds per shape of the layernorm and l2 grids (quick: 1). */
  readonly matrixRounds: number;
  /** Other Node binaries to run the targets suite under. */
  readonly nodes: readonly string[];
}

/** Parses argv (the arguments after `bench`). Returns undefined for --help. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | undefined {
  const parsed = parseCommandLine(
    argv,
    {
      ...switches("quick", "json"),
      ...valueFlags("out", "dims", "rows", "time", "rounds", "grid-rounds", "nodes"),
      ...HELP_FLAG,
    },
    true,
  );
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  for (const p of positionals) {
    if (!(SUITES as readonly string[]).includes(p))
      throw new UsageError(`unknown suite ${JSON.stringify(p)}; expected any of ${SUITES.join(", ")}`);
  }
  const quick = values.quick === true;
  const suites = positionals.length === 0 ? [...SUITES] : SUITES.filter((s) => positionals.includes(s));
  return {
    suites,
    quick,
    json: values.json === true,
    out: values.out,
    dims:
      intListFlag("dims", values.dims, 1, 2 ** 24) ??
      (quick ? [64, 768, 1024, 4096] : [64, 256, 768, 1024, 4096, 12288]),
    rows: intListFlag("rows", values.rows, 1, 2 ** 20) ?? (quick ? [1, 8, 64] : [1, 8, 64, 1024]),
    timeMs: intFlag("time", values.time, 1, 600_000) ?? (quick ? 40 : 50),
    rounds: intFlag("rounds", values.rounds, 1, 100) ?? (quick ? 3 : 9),
    matrixRounds: intFlag("grid-rounds", values["grid-rounds"], 1, 100) ?? (quick ? 1 : 7),
    nodes: nodeList(values.nodes),
  };
}

/** The --nodes list: paths, comma separated (none when absent). */
function nodeList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const list = value.split(",").map((p) => p.trim());
  if (list.some((p) => p === ""))
    throw new UsageError(`--nodes must be paths separated by commas; got ${JSON.stringify(value)}`);
  return list;
}

/** How this process was started, for the report (e.g. "npm run bench -- --quick"). */
function commandLine(argv: readonly string[]): string {
  if (process.env.npm_lifecycle_event === "bench") return ["npm run bench --", ...argv].join(" ");
  const script = process.argv[1] === undefined ? "" : relative(process.cwd(), process.argv[1]);
  return ["node", script, ...process.argv.slice(2)].filter((s) => s.length > 0).join(" ");
}

/** Runs the selected suites. */
export async function runBench(
  options: BenchOptions,
  progress: (line: string) => void,
  argv: readonly string[],
): Promise<RunResults> {
  const throughput: ThroughputResult[] = [];
  let targets: TargetLine[] = [];
  let info: InfoLine[] = [];
  let targetRuns: TargetRun[] = [];
  let precision: PrecisionResult[] = [];
  let breakdown: BreakdownLine[] = [];
  const notes: string[] = [];
  const timing = { timeMs: options.timeMs, warmupMs: Math.max(5, Math.round(options.timeMs / 4)), minSamples: 8 };
  for (const suite of options.suites) {
    const started = performance.now();
    if (suite === "targets") {
      ({ targets, info } = await runTargets({ ...timing, rounds: options.rounds }, progress, notes));
      const budget = ["--time", String(options.timeMs), "--rounds", String(options.rounds)];
      targetRuns = await targetsOnNodes(options.nodes, budget, progress, notes);
    } else if (suite === "breakdown") breakdown = await runBreakdown({ ...timing, rounds: options.rounds }, progress);
    else if (suite === "layernorm" || suite === "l2") {
      throughput.push(
        ...(await runThroughput(
          suite,
          {
            ...timing,
            dims: options.dims,
            rows: options.rows,
            methods: true,
            naiveMaxElements: options.quick ? 1 << 20 : Infinity,
            rounds: options.quick ? 1 : options.matrixRounds,
          },
          progress,
          notes,
        )),
      );
    } else if (suite === "rsqrt")
      throughput.push(...(await runRsqrt({ ...timing, rounds: options.quick ? 1 : options.matrixRounds }, progress)));
    else
      precision = runPrecision(
        options.quick ? [64, 768, 4096] : [64, 768, 1024, 4096],
        options.quick ? 32 : 128,
        progress,
      );
    progress(`${suite} done in ${seconds((performance.now() - started) / 1000)}`);
  }
  if (options.quick && options.suites.some((s) => s === "layernorm" || s === "l2"))
    notes.push("--quick: naive JS is timed only up to 2^20 elements per call");
  return {
    environment: environment(commandLine(argv)),
    quick: options.quick,
    suites: options.suites,
    throughput,
    targets,
    info,
    targetRuns,
    precision,
    breakdown,
    notes,
  };
}

/** Writes results.json, report.md and the charts into dir. */
export async function writeOutputs(dir: string, run: RunResults): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    ["results.json", `${JSON.stringify(run, null, 2)}\n`],
    ["report.md", markdownReport(run)],
  ];
  if (run.throughput.some((r) => r.suite === "layernorm"))
    files.push([
      "layernorm.svg",
      await renderSvg(throughputSpec(run.throughput, "layernorm", "LayerNorm throughput (higher is better)")),
    ]);
  if (run.throughput.some((r) => r.suite === "l2"))
    files.push([
      "l2.svg",
      await renderSvg(throughputSpec(run.throughput, "l2", "L2 normalisation throughput (higher is better)")),
    ]);
  if (run.throughput.some((r) => r.suite === "rsqrt"))
    files.push(["rsqrt.svg", await renderSvg(rsqrtSpec(run.throughput))]);
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}

/** Entry point: returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return withUsageErrors("bench", () => run(argv));
}

async function run(argv: string[]): Promise<number> {
  const options = parseBenchArgs(argv);
  if (options === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
  const started = performance.now();
  let run: RunResults;
  try {
    run = await runBench(options, progress, argv);
  } catch (e) {
    process.stderr.write(`iterl2norm bench: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  progress(`all done in ${seconds((performance.now() - started) / 1000)}`);
  if (options.out !== undefined) for (const f of await writeOutputs(options.out, run)) progress(`wrote ${f}`);
  process.stdout.write(options.json ? `${JSON.stringify(run, null, 2)}\n` : markdownReport(run));
  return 0;
}
