/**
 * The precision study (docs/precision.md): IterL2Norm against FISR and sqrt/division in
 * FP32, BF16 and FP16, against the float64 LayerNorm truth, over the OPT widths;
 * convergence per step, a λ sweep, widths up to 65536, and the FISR constants.
 * Pure computation: no printing (report.ts, charts.ts and cli.ts present it).
 */
import { OPT_DIMS, PAPER_WINS } from "../paper.js";
import {
  roundBF16,
  roundFP16,
  layerNorm,
  reference,
  type Accumulate,
  type Format,
  type InverseNormOptions,
  type NormalizeOptions,
  rsqrt,
} from "iterl2norm";
import { sampleRow, type Distribution } from "./data.js";
import {
  FISR_TABLE,
  fisrError,
  forEachPeriodValue,
  iterError,
  magicHex,
  periodError,
  type ErrorStats,
} from "./fisr.js";

/** What to run. */
export interface StudyOptions {
  readonly formats: readonly Format[];
  readonly dims: readonly number[];
  readonly dists: readonly Distribution[];
  /** Rows per (distribution, width, format). */
  readonly trials: number;
  readonly seed: number;
  /** LayerNorm ε (torch's default 1e-5). */
  readonly eps: number;
  /** Widths of the large-d section. */
  readonly largeDims: readonly number[];
  /** Rows per width in the large-d section. */
  readonly largeTrials: number;
}

/** The defaults: all formats, the nine OPT widths, U(−1, 1), 20 rows, seed 1. */
export const DEFAULT_STUDY: StudyOptions = Object.freeze({
  formats: ["fp32", "bf16", "fp16"] as Format[],
  dims: OPT_DIMS,
  dists: ["uniform"] as Distribution[],
  trials: 20,
  seed: 1,
  eps: 1e-5,
  largeDims: [1024, 4096, 16384, 65536],
  largeTrials: 5,
});

/** One compared algorithm: its options in a format. */
export interface Algorithm {
  readonly id: string;
  readonly label: string;
  /** Formats it runs in (all when absent). */
  readonly formats?: readonly Format[];
  readonly options: InverseNormOptions & { accumulate?: Accumulate };
}

/** The algorithms of the main tables. FISR is Quake's (or its 16-bit magic) unless named. */
export const ALGORITHMS: readonly Algorithm[] = Object.freeze([
  { id: "iter-paper", label: "IterL2Norm paper (λ = 0.345·2^−e, 5 steps)", options: { preset: "paper" } },
  { id: "iter-precise", label: "IterL2Norm precise (Newton λ·m = 1/2, 5 steps)", options: { preset: "precise" } },
  { id: "fisr-1", label: "FISR, 1 Newton step", options: { method: "fisr", fisr: { steps: 1 } } },
  { id: "fisr-2", label: "FISR, 2 Newton steps", options: { method: "fisr", fisr: { steps: 2 } } },
  { id: "sqrt", label: "sqrt + division", options: { method: "sqrt" } },
  {
    id: "fisr-1-walczyk",
    label: "FISR Walczyk, 1 step",
    formats: ["fp32"],
    options: { method: "fisr", fisr: { steps: 1, variant: "walczyk" } },
  },
  {
    id: "fisr-1-kadlec",
    label: "FISR Kadlec, 1 step",
    formats: ["fp32"],
    options: { method: "fisr", fisr: { steps: 1, variant: "kadlec" } },
  },
] as Algorithm[]);

/** The large-d section adds IterL2Norm precise with native (in-format) accumulation. */
export const LARGE_ALGORITHMS: readonly Algorithm[] = Object.freeze([
  ALGORITHMS[0]!,
  ALGORITHMS[1]!,
  ALGORITHMS[2]!,
  ALGORITHMS[4]!,
  {
    id: "iter-precise-native",
    label: "IterL2Norm precise, native accumulation",
    formats: ["bf16", "fp16"],
    options: { preset: "precise", accumulate: "native" },
  },
] as Algorithm[]);

/** Errors of one (distribution, width, format, algorithm) cell over all its rows. */
export interface CellMetrics {
  /** Mean |out − truth| over every element. */
  readonly meanAbs: number;
  /** Max |out − truth|. */
  readonly maxAbs: number;
  /** Mean over rows of |ŝ/s − 1|, ŝ = Σ out·truth / Σ truth² (least-squares scale of the output). */
  readonly scaleRelMean: number;
  /** Max over rows of |ŝ/s − 1|. */
  readonly scaleRelMax: number;
}

/** Win count of IterL2Norm paper over FISR 1 step in one (distribution, format). */
export interface WinCount {
  readonly format: Format;
  /** Widths where IterL2Norm paper's mean |error| is below FISR 1 step's. */
  readonly wins: number;
  /** The same by max |error|. */
  readonly winsByMax: number;
  readonly of: number;
  /** The paper's count (FP32 6/9, BF16 5/9), null where it reports none. */
  readonly paper: number | null;
}

/** Scalar-path statistics over one exponent period of a format (see fisr.ts). */
export interface ScalarRow {
  readonly format: Format;
  readonly label: string;
  readonly magic: string | null;
  readonly steps: number;
  readonly source: string;
  readonly max: number;
  readonly mean: number;
  readonly count: number;
}

/** Everything the study measured. */
export interface StudyResult {
  readonly options: StudyOptions;
  readonly algorithms: readonly { id: string; label: string; formats: readonly Format[] }[];
  /** precision[dist][format][d][algorithmId] */
  readonly precision: Record<string, Record<string, Record<string, Record<string, CellMetrics>>>>;
  /** wins[dist] */
  readonly wins: Record<string, WinCount[]>;
  /**
   * rowM[dist][d]: mean over the rows of m = Σ(x − μ)² + d·ε (float64, FP32 rows) and the
   * significand of that mean in [1, 2): IterL2Norm's error depends on m's significand.
   */
  readonly rowM: Record<string, Record<string, { m: number; significand: number }>>;
  /** FISR constants and the IterL2Norm scalar path, exhaustive over [1, 4). */
  readonly scalar: ScalarRow[];
  /** convergence[format][policy][step] = error stats of a after `step` steps. */
  readonly convergence: Record<string, Record<string, { step: number; max: number; mean: number }[]>>;
  /** λ sweep, 5 steps: per format, c from 0.20 to 0.70 plus the named policies, and the best c. */
  readonly lambdaSweep: Record<
    string,
    {
      points: { c: number; max: number; mean: number }[];
      named: Record<string, { max: number; mean: number }>;
      best: { c: number; max: number; mean: number };
    }
  >;
  /** largeD[format][d][algorithmId] on the first distribution. */
  readonly largeD: Record<string, Record<string, Record<string, CellMetrics>>>;
}

/** Progress callback: units done, units in all, what runs now. */
export type Progress = (done: number, total: number, what: string) => void;

const ROUND: Readonly<Record<Format, (x: number) => number>> = { fp32: Math.fround, bf16: roundBF16, fp16: roundFP16 };

/** Runs the algorithms on `trials` rows of width d in a format; the truth is float64 LayerNorm of the rounded rows. */
function measureCell(
  dist: Distribution,
  seed: number,
  d: number,
  trials: number,
  format: Format,
  eps: number,
  algorithms: readonly Algorithm[],
): Record<string, CellMetrics> {
  const R = ROUND[format];
  const x = new Float32Array(d * trials);
  for (let t = 0; t < trials; t++) x.set(sampleRow(dist, seed, d, t), t * d);
  for (let i = 0; i < x.length; i++) x[i] = R(x[i]!);
  const truth = reference.layerNormExact(x, { dim: d, eps });
  const out: Record<string, CellMetrics> = {};
  for (const algo of algorithms) {
    if (algo.formats && !algo.formats.includes(format)) continue;
    const y = layerNorm(x, { ...algo.options, dim: d, eps, format } as NormalizeOptions);
    let sumAbs = 0;
    let maxAbs = 0;
    let relSum = 0;
    let relMax = 0;
    for (let t = 0; t < trials; t++) {
      let dot = 0;
      let norm = 0;
      for (let i = t * d; i < (t + 1) * d; i++) {
        const e = Math.abs(y[i]! - truth[i]!);
        sumAbs += e;
        if (e > maxAbs || Number.isNaN(e)) maxAbs = e;
        dot += y[i]! * truth[i]!;
        norm += truth[i]! * truth[i]!;
      }
      const rel = norm > 0 ? Math.abs(dot / norm - 1) : 0;
      relSum += rel;
      if (rel > relMax || Number.isNaN(rel)) relMax = rel;
    }
    out[algo.id] = { meanAbs: sumAbs / x.length, maxAbs, scaleRelMean: relSum / trials, scaleRelMax: relMax };
  }
  return out;
}

/** The m grid of the convergence and λ studies: every F value in [1, 4) (FP32: every 256th, 65536 values). */
function mGrid(format: Format): Float32Array {
  const parts: Float32Array[] = [];
  forEachPeriodValue(format, (m) => {
    if (format !== "fp32") parts.push(m.slice());
    else parts.push(m.filter((_, i) => i % 256 === 0));
  });
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

function gridError(m: Float32Array, opts: InverseNormOptions): { max: number; mean: number } {
  const a = rsqrt(m, opts);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < m.length; i++) {
    const e = Math.abs(a[i]! * Math.sqrt(m[i]!) - 1);
    sum += e;
    if (e > max) max = e;
  }
  return { max, mean: sum / m.length };
}

/** λ constants of the sweep: 0.20, 0.21, …, 0.70. */
export const SWEEP_C: readonly number[] = Object.freeze(
  Array.from({ length: 51 }, (_, i) => Math.round((0.2 + i * 0.01) * 100) / 100),
);
/** λ policies of the convergence study. */
export const CONVERGENCE_POLICIES: readonly ("paper" | "pow2" | "newton")[] = ["paper", "pow2", "newton"];
/** Steps of the convergence study: 0 … 10. */
export const CONVERGENCE_STEPS = 10;

/** Runs the whole study. */
export function runStudy(opts: StudyOptions, progress: Progress = () => {}): StudyResult {
  const { formats, dims, dists, trials, seed, eps } = opts;
  const cells = dists.length * dims.length * formats.length;
  const total = cells + formats.length * 3 + opts.largeDims.length * formats.length + 1;
  let done = 0;
  const tick = (what: string): void => progress(++done, total, what);
  progress(0, total, "starting");

  const precision: StudyResult["precision"] = {};
  const wins: StudyResult["wins"] = {};
  const rowM: StudyResult["rowM"] = {};
  for (const dist of dists) {
    rowM[dist] = {};
    for (const d of dims) {
      let sum = 0;
      for (let t = 0; t < trials; t++) {
        const x = sampleRow(dist, seed, d, t);
        let mu = 0;
        for (const v of x) mu += v;
        mu /= d;
        let m = d * eps;
        for (const v of x) m += (v - mu) ** 2;
        sum += m;
      }
      const m = sum / trials;
      rowM[dist][d] = { m, significand: m / 2 ** Math.floor(Math.log2(m)) };
    }
    const byFormat: Record<string, Record<string, Record<string, CellMetrics>>> = {};
    for (const format of formats) {
      const byD: Record<string, Record<string, CellMetrics>> = {};
      for (const d of dims) {
        byD[d] = measureCell(dist, seed, d, trials, format, eps, ALGORITHMS);
        tick(`${dist} ${format} d=${d}`);
      }
      byFormat[format] = byD;
    }
    precision[dist] = byFormat;
    wins[dist] = formats.map((format) => {
      let w = 0;
      let wm = 0;
      for (const d of dims) {
        const c = byFormat[format]![d]!;
        if (c["iter-paper"]!.meanAbs < c["fisr-1"]!.meanAbs) w++;
        if (c["iter-paper"]!.maxAbs < c["fisr-1"]!.maxAbs) wm++;
      }
      const paper = format === "fp32" || format === "bf16" ? PAPER_WINS[format] : null;
      return { format, wins: w, winsByMax: wm, of: dims.length, paper };
    });
  }

  const scalar: ScalarRow[] = [];
  for (const entry of FISR_TABLE) {
    if (!formats.includes(entry.format)) continue;
    for (const steps of [0, 1, 2]) {
      const s: ErrorStats = fisrError(entry, steps);
      scalar.push({
        format: entry.format,
        label: `FISR ${entry.label}`,
        magic: magicHex(entry),
        steps,
        source: entry.source,
        max: s.max,
        mean: s.mean,
        count: s.count,
      });
    }
  }
  for (const format of formats) {
    for (const [label, o, steps] of [
      ["IterL2Norm paper", { preset: "paper" }, 5],
      ["IterL2Norm precise", { preset: "precise" }, 5],
    ] as const) {
      const s = iterError(format, o);
      scalar.push({
        format,
        label,
        magic: null,
        steps,
        source: "this library (docs/design.md §1)",
        max: s.max,
        mean: s.mean,
        count: s.count,
      });
    }
    const s = periodError(format, (m) => rsqrt(m, { method: "sqrt", format }));
    scalar.push({
      format,
      label: "sqrt + division",
      magic: null,
      steps: 0,
      source: "correctly rounded sqrt and division in the format",
      max: s.max,
      mean: s.mean,
      count: s.count,
    });
  }
  tick("scalar paths");

  const convergence: StudyResult["convergence"] = {};
  const lambdaSweep: StudyResult["lambdaSweep"] = {};
  for (const format of formats) {
    const m = mGrid(format);
    const byPolicy: Record<string, { step: number; max: number; mean: number }[]> = {};
    for (const lambda of CONVERGENCE_POLICIES) {
      byPolicy[lambda] = [];
      for (let step = 0; step <= CONVERGENCE_STEPS; step++)
        byPolicy[lambda].push({ step, ...gridError(m, { format, lambda, iterations: step }) });
    }
    convergence[format] = byPolicy;
    tick(`convergence ${format}`);
    const points = SWEEP_C.map((c) => ({ c, ...gridError(m, { format, lambda: c, iterations: 5 }) }));
    const named: Record<string, { max: number; mean: number }> = {};
    for (const lambda of CONVERGENCE_POLICIES) named[lambda] = gridError(m, { format, lambda, iterations: 5 });
    let best = points[0]!;
    for (const p of points) if (p.max < best.max || (p.max === best.max && p.mean < best.mean)) best = p;
    lambdaSweep[format] = { points, named, best };
    tick(`λ sweep ${format}`);
    tick(`λ sweep ${format} done`);
  }

  const largeD: StudyResult["largeD"] = {};
  for (const format of formats) {
    const byD: Record<string, Record<string, CellMetrics>> = {};
    for (const d of opts.largeDims) {
      byD[d] = measureCell(dists[0]!, seed, d, opts.largeTrials, format, eps, LARGE_ALGORITHMS);
      tick(`large d ${format} d=${d}`);
    }
    largeD[format] = byD;
  }

  const algos = [...ALGORITHMS, ...LARGE_ALGORITHMS.filter((a) => !ALGORITHMS.includes(a))];
  return {
    options: opts,
    algorithms: algos.map((a) => ({ id: a.id, label: a.label, formats: a.formats ?? ["fp32", "bf16", "fp16"] })),
    precision,
    wins,
    rowM,
    scalar,
    convergence,
    lambdaSweep,
    largeD,
  };
}
