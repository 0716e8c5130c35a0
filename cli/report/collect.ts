/**
 * The report's data: a precision study, the macro model's tables and a
 * benchmark, each on built-in seeded data, plus the paper's claims next to what
 * this machine measured. Pure gathering: render.ts presents it.
 */
import {
  DEFAULT_MACRO,
  DEFAULT_MACRO_BF16,
  PAPER_LATENCY,
  TABLE_DIMS,
  compareMacros,
  macroCost,
  macroEnergy,
  macroLatency,
  type Comparison,
} from "iterl2norm/hw";
import { parseBenchArgs, runBench } from "../bench/cli.js";
import type { RunResults } from "../../bench/results.js";
import { ratio, sci } from "../numbers.js";
import { PAPER_WINS } from "../paper.js";
import { machineDescription } from "../precision/report.js";
import { DEFAULT_STUDY, runStudy, type StudyOptions, type StudyResult } from "../precision/study.js";

/** How much to run. */
export interface ReportOptions {
  /** The long versions: every distribution, more rows, the layernorm throughput grid. */
  readonly full: boolean;
  /** Skip the benchmark (the precision and hardware parts are deterministic). */
  readonly bench: boolean;
}

/** One line of the summary: what the paper says and what this run measured. */
export interface Claim {
  readonly topic: string;
  readonly paper: string;
  readonly measured: string;
  /** true / false when the claim can be checked here; null for context without a paper claim. */
  readonly agrees: boolean | null;
  readonly source: string;
}

/** The hardware part: the default macro in FP32 and BF16. */
export interface HardwarePart {
  readonly latency: { d: number; cycles: number; published: number | null }[];
  readonly fp32: Comparison;
  readonly bf16: Comparison;
  readonly areaMm2: number;
  readonly leakageMw: number;
  readonly dynamicMw: number;
  readonly energyNjD768: number;
}

/** Everything the report shows. */
export interface ReportData {
  readonly meta: { command: string; date: string; machine: string; seconds: number; full: boolean };
  readonly claims: Claim[];
  readonly precision: StudyResult;
  readonly hardware: HardwarePart;
  readonly bench: RunResults | null;
}

/** Progress: fraction done in [0, 1] and what runs now. */
export type ReportProgress = (fraction: number, what: string) => void;

/** Study settings: quick = uniform rows and a shorter large-d section; full = all four distributions. */
export function studyOptions(full: boolean): StudyOptions {
  return full
    ? { ...DEFAULT_STUDY, dists: ["uniform", "uniform01", "normal", "llm"] }
    : { ...DEFAULT_STUDY, largeDims: [1024, 16384], largeTrials: 2 };
}

/** "a µs vs b µs per call" out of a target line's detail text. */
const callTimes = (detail: string): string => detail.replace(/^[^:]*: /, "").replace(/ \(median.*$/, "");

function claims(study: StudyResult, hw: HardwarePart, bench: RunResults | null): Claim[] {
  const conv = study.convergence.fp32!;
  const after = (policy: string, step: number): number => conv[policy]!.find((p) => p.step === step)!.max;
  const newtonSteps = conv.newton!.find((p) => p.max < 2 ** -22)?.step;
  const wins = study.wins[study.options.dists[0]!]!;
  const win = (f: "fp32" | "bf16"): string => {
    const w = wins.find((x) => x.format === f)!;
    return `${w.wins}/${w.of} (${w.winsByMax}/${w.of} by max error)`;
  };
  const winsOf = (f: "fp32" | "bf16"): number => wins.find((x) => x.format === f)!.wins;
  const out: Claim[] = [
    {
      topic: "5 steps, paper λ (FP32)",
      paper: "5 iteration steps suffice",
      measured:
        `worst relative error of a after 5 steps ${sci(after("paper", 5), 1)}, ` +
        `after 10 ${sci(after("paper", 10), 1)}`,
      agrees: null,
      source: "precision study, convergence",
    },
    {
      topic: "5 steps, Newton λ (FP32)",
      paper: "5 iteration steps suffice",
      measured:
        `worst relative error of a after 5 steps ${sci(after("newton", 5), 1)}` +
        (newtonSteps === undefined ? "" : ` (below 2^−22 from step ${newtonSteps})`),
      agrees: after("newton", 5) < 1e-6,
      source: "precision study, convergence",
    },
    {
      topic: "beats FISR (1 step), FP32",
      paper: `${PAPER_WINS.fp32}/9 OPT widths`,
      measured: win("fp32"),
      agrees: winsOf("fp32") >= PAPER_WINS.fp32,
      source: `precision study, ${study.options.dists[0]} rows, mean |error|`,
    },
    {
      topic: "beats FISR (1 step), BF16",
      paper: `${PAPER_WINS.bf16}/9 OPT widths`,
      measured: win("bf16"),
      agrees: winsOf("bf16") >= PAPER_WINS.bf16,
      source: `precision study, ${study.options.dists[0]} rows, mean |error|`,
    },
  ];
  for (const d of [64, 1024] as const) {
    const cycles = hw.latency.find((l) => l.d === d)!.cycles;
    out.push({
      topic: `macro latency, d = ${d}`,
      paper: `${PAPER_LATENCY[d]} cycles (100 MHz)`,
      measured: `${cycles} cycles (model calibrated to both published points)`,
      agrees: cycles === PAPER_LATENCY[d],
      source: "iterl2norm/hw macroLatency",
    });
  }
  const target = (prefix: string) => bench?.targets.find((t) => t.name.startsWith(prefix));
  const vsOrt = target("zero-copy LayerNorm vs onnxruntime");
  const vsJs = target("zero-copy LayerNorm vs naive JS");
  if (vsOrt) {
    out.push({
      topic: "speed vs onnxruntime-node (1 thread)",
      paper: "(no claim)",
      measured: `${ratio(vsOrt.value)} (${callTimes(vsOrt.detail)})`,
      agrees: null,
      source: "benchmark targets",
    });
  }
  if (vsJs) {
    out.push({
      topic: "speed vs naive JS",
      paper: "(no claim)",
      measured: `${ratio(vsJs.value, 1)} (${callTimes(vsJs.detail)})`,
      agrees: null,
      source: "benchmark targets",
    });
  }
  return out;
}

async function hardware(): Promise<HardwarePart> {
  const cost = macroCost(DEFAULT_MACRO);
  return {
    latency: TABLE_DIMS.map((d) => ({
      d,
      cycles: macroLatency(d, DEFAULT_MACRO),
      published: (PAPER_LATENCY as Record<number, number>)[d] ?? null,
    })),
    fp32: compareMacros(DEFAULT_MACRO, TABLE_DIMS),
    bf16: compareMacros(DEFAULT_MACRO_BF16, TABLE_DIMS),
    areaMm2: cost.areaMm2,
    leakageMw: cost.leakageMw,
    dynamicMw: cost.dynamicMw,
    energyNjD768: macroEnergy(768, DEFAULT_MACRO).totalPj / 1000,
  };
}

/** Runs every part; `command` is recorded as the command that produced the report. */
export async function collectReport(
  options: ReportOptions,
  command: string,
  progress: ReportProgress = () => {},
): Promise<ReportData> {
  const started = performance.now();
  progress(0, "precision study");
  const study = runStudy(studyOptions(options.full), (done, total, what) =>
    progress(0.4 * (done / total), `precision: ${what}`),
  );
  progress(0.4, "macro model");
  const hw = await hardware();
  let bench: RunResults | null = null;
  if (options.bench) {
    const argv = options.full ? ["targets", "layernorm", "rsqrt", "--quick"] : ["targets", "--quick"];
    const benchOptions = parseBenchArgs(argv)!;
    let lines = 0;
    progress(0.45, "benchmark");
    const onLine = (line: string) => progress(Math.min(0.99, 0.45 + 0.01 * ++lines), `bench: ${line}`);
    bench = await runBench(benchOptions, onLine, argv);
  }
  progress(1, "done");
  return {
    meta: {
      command,
      date: new Date().toISOString(),
      machine: machineDescription(),
      seconds: (performance.now() - started) / 1000,
      full: options.full,
    },
    claims: claims(study, hw, bench),
    precision: study,
    hardware: hw,
    bench,
  };
}
