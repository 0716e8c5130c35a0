#!/usr/bin/env node
/**
 * The `iterl2norm` command: dispatches to one subcommand module, each loaded only
 * when used. Exit codes: 0 success, 1 failure (bad data, failed run), 2 bad command line.
 */
import { EXIT, UsageError, packageVersion } from "./common.js";
import { reportUsageError } from "./flags.js";
import { InputError } from "./io/tensor-file.js";

interface Command {
  readonly summary: string;
  readonly load: () => Promise<{ main(argv: string[]): Promise<number>; USAGE?: string }>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  report: {
    summary: "reproduce the paper on this machine; writes report/index.html (what npm start runs)",
    load: () => import("./report/cli.js"),
  },
  normalize: {
    summary: "normalise rows of a .npy / .f32 / .bf16 / .f16 / .json file",
    load: () => import("./normalize.js"),
  },
  precision: {
    summary: "precision study: IterL2Norm vs FISR and sqrt in FP32/BF16/FP16 (docs/precision.md)",
    load: () => import("./precision/cli.js"),
  },
  hw: {
    summary: "the IterL2Norm hardware macro model: latency, area, power, energy (docs/hardware.md)",
    load: () => import("./hw/cli.js"),
  },
  bench: {
    summary: "benchmarks: throughput, latency and the speed targets (docs/performance.md)",
    load: () => import("./bench/cli.js"),
  },
  demo: { summary: "a 2-second demo: both presets against float64 and naive JS", load: () => import("./demo.js") },
};

const HELP = `Usage: iterl2norm <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join("\n")}

Options:
  -h, --help       help (also: iterl2norm <command> --help)
  -v, --version    package version

Exit codes: 0 success, 1 failure (bad input data, failed run), 2 bad command line;
normalize: 128 + the signal when interrupted (130 SIGINT, 143 SIGTERM).
`;

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "-v" || name === "--version") {
    process.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`iterl2norm: unknown command ${JSON.stringify(name)}\n\n${HELP}`);
    return EXIT.usage;
  }
  const module = await command.load();
  try {
    return await module.main(rest);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof UsageError) return reportUsageError(name, err.message);
    // A system error (a file that cannot be read or written, …) is the user's to fix: one line, no stack.
    const system = typeof err.code === "string" && typeof (err as NodeJS.ErrnoException).syscall === "string";
    if (e instanceof InputError || e instanceof TypeError || e instanceof RangeError || system) {
      process.stderr.write(`iterl2norm ${name}: ${err.message}\n`);
      return EXIT.failure;
    }
    throw e;
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`iterl2norm: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = EXIT.failure;
  },
);
