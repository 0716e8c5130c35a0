/**
 * `iterl2norm report` (what `npm start` runs): the paper reproduced on this
 * machine from built-in seeded data. Prints the claim-by-claim summary and writes
 * DIR/index.html (self-contained), DIR/report.md (+ DIR/charts/*.svg) and
 * DIR/report.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import cliProgress from "cli-progress";
import { EXIT } from "../common.js";
import { HELP_FLAG, parseCommandLine, switches, valueFlags, withUsageErrors } from "../flags.js";
import { collectReport, type ReportProgress } from "./collect.js";
import { renderHtml, renderMarkdown, terminalSummary } from "./render.js";

export const USAGE = `Usage: iterl2norm report [options]

Reproduces the paper's claims on this machine with built-in seeded data: a precision
study (IterL2Norm vs FISR vs sqrt in FP32/BF16/FP16), the hardware macro's latency,
area and energy, and a quick benchmark against onnxruntime-node and plain JS. Prints
the claims next to the measurements and writes the report files.

Options:
  --out DIR     where to write index.html, report.md, report.json, charts/ (default: report)
  --full        the long versions (all input distributions, more rows, throughput grids)
  --no-bench    skip the benchmark (everything else is deterministic)
  --json        print report.json on stdout instead of the summary
  -h, --help    this text

Exit codes: 0 done, 1 failure, 2 bad command line.

Examples:
  iterl2norm report                 # a few minutes; then open report/index.html
  iterl2norm report --full --out /tmp/il2n-report
`;

function progressBar(): { update: ReportProgress; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({
    format: "report [{bar}] {percentage}% {what}",
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(1000, 0, { what: "" });
  return {
    update: (fraction, what) => bar.update(Math.round(fraction * 1000), { what: what.slice(0, 50) }),
    stop: () => bar.stop(),
  };
}

/** Runs `iterl2norm report` with the arguments after the subcommand; returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return withUsageErrors("report", () => run(argv));
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(argv, {
    ...valueFlags("out"),
    ...switches("full", "no-bench", "json"),
    ...HELP_FLAG,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const dir = resolve(values.out ?? "report");
  const command = ["iterl2norm report", ...argv].join(" ");
  const bar = progressBar();
  let data: Awaited<ReturnType<typeof collectReport>>;
  try {
    data = await collectReport({ full: values.full === true, bench: values["no-bench"] !== true }, command, bar.update);
  } finally {
    bar.stop();
  }
  const { markdown, charts } = await renderMarkdown(data);
  mkdirSync(join(dir, "charts"), { recursive: true });
  writeFileSync(join(dir, "index.html"), await renderHtml(data));
  writeFileSync(join(dir, "report.md"), markdown);
  for (const [name, svg] of Object.entries(charts)) writeFileSync(join(dir, "charts", `${name}.svg`), svg);
  writeFileSync(join(dir, "report.json"), `${JSON.stringify(data, null, 2)}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(data)}\n`);
  else process.stdout.write(`${terminalSummary(data)}\n\nWrote ${join(dir, "index.html")}, report.md, report.json\n`);
  return EXIT.ok;
}
