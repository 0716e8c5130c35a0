/**
 * `iterl2norm precision`: runs the precision study and prints a terminal table, or
 * JSON only (--json), and with --out DIR writes DIR/precision.md plus the charts and
 * results.json under DIR/precision/. A progress bar goes to stderr when stderr is a TTY.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import cliProgress from "cli-progress";
import {
  choiceListFlag,
  intFlag,
  intListFlag,
  HELP_FLAG,
  parseCommandLine,
  switches,
  valueFlags,
  withUsageErrors,
} from "../flags.js";
import { MAX_DIM, type Format } from "iterl2norm";
import { renderCharts } from "./charts.js";
import { DISTRIBUTIONS, DISTRIBUTION_TEXT, type Distribution } from "./data.js";
import { machineDescription, markdownReport, terminalReport, type RunMeta } from "./report.js";
import { DEFAULT_STUDY, runStudy, type StudyOptions } from "./study.js";

const FORMATS: readonly Format[] = ["fp32", "bf16", "fp16"];

const DEFAULT_DIMS = DEFAULT_STUDY.dims;
const DEFAULT_DIMS_TEXT = `the ${DEFAULT_DIMS.length} OPT widths from ${DEFAULT_DIMS[0]} to ${DEFAULT_DIMS.at(-1)}`;

const HELP = `Usage: iterl2norm precision [options]

Compares IterL2Norm (paper and precise presets), FISR (1 and 2 Newton steps) and
sqrt/division against the float64 LayerNorm truth, in FP32, BF16 and FP16, over the
OPT embedding widths; adds convergence per step, a λ sweep, widths up to 65536, and
the FISR constants' errors. Reports IterL2Norm's win count over FISR (paper: 6/9 FP32,
5/9 BF16).

Options:
  --formats LIST   comma-separated formats among fp32, bf16, fp16 (default: all)
  --dims LIST      comma-separated row widths (default: ${DEFAULT_DIMS_TEXT})
  --dist LIST      comma-separated input distributions (default: ${DEFAULT_STUDY.dists.join(",")}):
${DISTRIBUTIONS.map((d) => `                     ${d}: ${DISTRIBUTION_TEXT[d]}`).join("\n")}
  --trials N       rows per (distribution, width, format) (default: ${DEFAULT_STUDY.trials})
  --seed N         seed of the input generator (default: ${DEFAULT_STUDY.seed})
  --large-dims L   widths of the large-d section (default: ${DEFAULT_STUDY.largeDims.join(",")})
  --json           print the results as JSON only, on stdout
  --out DIR        write DIR/precision.md, DIR/precision/*.svg and DIR/precision/results.json
  -h, --help       this text

Exit codes: 0 done, 1 failure (e.g. an output that cannot be written), 2 bad command line.

Examples:
  iterl2norm precision                                   # uniform rows, all formats, terminal tables
  iterl2norm precision --trials 20 --json > study.json   # every number as JSON
  iterl2norm precision --dist uniform,uniform01,normal,llm --trials 20 --seed 1 --out docs
  iterl2norm precision --formats bf16 --dims 768,4096 --dist llm
`;

/** Parses the arguments into study options (throws UsageError). */
export function parseStudyArgs(argv: string[]): {
  study: StudyOptions;
  json: boolean;
  out: string | undefined;
  help: boolean;
} {
  const v = parseCommandLine(argv, {
    ...valueFlags("formats", "dims", "dist", "trials", "seed", "large-dims", "out"),
    ...switches("json"),
    ...HELP_FLAG,
  }).values;
  const trials = intFlag("trials", v.trials, 1, 100_000) ?? DEFAULT_STUDY.trials;
  const formats = choiceListFlag("formats", v.formats, FORMATS) ?? DEFAULT_STUDY.formats;
  const study: StudyOptions = {
    formats: FORMATS.filter((f) => formats.includes(f)),
    dims: intListFlag("dims", v.dims, 1, MAX_DIM) ?? [...DEFAULT_STUDY.dims],
    dists: choiceListFlag<Distribution>("dist", v.dist, DISTRIBUTIONS) ?? [...DEFAULT_STUDY.dists],
    trials,
    seed: intFlag("seed", v.seed, 0, 0xffffffff) ?? DEFAULT_STUDY.seed,
    eps: DEFAULT_STUDY.eps,
    largeDims: intListFlag("large-dims", v["large-dims"], 1, MAX_DIM) ?? [...DEFAULT_STUDY.largeDims],
    largeTrials: Math.min(trials, DEFAULT_STUDY.largeTrials),
  };
  return { study, json: v.json === true, out: v.out, help: v.help === true };
}

/** Runs `iterl2norm precision` with the arguments after the subcommand; returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return withUsageErrors("precision", () => run(argv));
}

async function run(argv: string[]): Promise<number> {
  const args = parseStudyArgs(argv);
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }

  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: "precision [{bar}] {value}/{total} {what}",
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const start = performance.now();
  let result: ReturnType<typeof runStudy>;
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
    if (!args.json)
      process.stderr.write(
        `wrote ${join(args.out, "precision.md")} and ${Object.keys(charts).length} charts in ${chartDir}\n`,
      );
  }
  if (args.json) process.stdout.write(`${JSON.stringify({ meta, ...result })}\n`);
  else process.stdout.write(`${terminalReport(result, meta)}\n`);
  return 0;
}
