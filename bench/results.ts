/** The record types every suite produces and the report, JSON and chart consume. */
import type { Environment } from "./env.js";

/** How the data reaches the implementation. */
export type Api = "zero-copy" | "copy" | "native";

/** One timed implementation at one shape. */
export interface ThroughputResult {
  /** Suite that produced it: 'layernorm', 'l2' or 'rsqrt'. */
  readonly suite: string;
  /** Implementation, e.g. "wasm paper", "js naive", "onnxruntime", "memcpy". */
  readonly impl: string;
  /** zero-copy: data already in wasm memory (workspace); copy: ordinary Float32Arrays; native: a JS or native peer. */
  readonly api: Api;
  /** Row length (rsqrt: 1). */
  readonly dim: number;
  /** Rows per call (rsqrt: values per call). */
  readonly rows: number;
  /** Time of one call (the fastest round's median sample), ns. */
  readonly nsPerCall: number;
  /** Time of one call in the median round, ns. */
  readonly medianNsPerCall: number;
  /** Elements (rows·dim) per second, in 10⁹. */
  readonly gElemPerS: number;
  /** nsPerCall / rows. */
  readonly nsPerRow: number;
  /** Noise: (max − min)/min of the per-round times in percent (tinybench's rme when one round). */
  readonly spread: number;
}

/** One speed target (docs/performance.md): a measured value against a threshold. */
export interface TargetLine {
  readonly name: string;
  /** Measured value (a ratio, or ns for the latency target). */
  readonly value: number;
  /** "≥" or "≤". */
  readonly relation: ">=" | "<=";
  readonly threshold: number;
  /** Unit of value and threshold: "×" (ratio) or "ns". */
  readonly unit: "×" | "ns";
  readonly met: boolean;
  /** How it was measured (the operands). */
  readonly detail: string;
}

/** A reported figure without a threshold (e.g. BF16 cost relative to FP32). */
export interface InfoLine {
  readonly name: string;
  readonly value: string;
  readonly detail: string;
}

/** Error of one form or implementation on one family of rows against the float64 truth. */
export interface PrecisionResult {
  readonly family: string;
  readonly dim: number;
  readonly rows: number;
  /** e.g. "m: two-pass (kernel)" or "out: kernel precise". */
  readonly impl: string;
  /** "m": max relative error of m over the rows; "output": max |out − exact| over all elements. */
  readonly metric: "m" | "output";
  /** The error in units of u = 2⁻²⁴. */
  readonly error: number;
}

/** One part of the time of a LayerNorm call (bench/suite-breakdown.ts). */
export interface BreakdownLine {
  readonly shape: string;
  readonly part: string;
  /** ns per row (a difference of two measured calls, so it can come out slightly negative under noise). */
  readonly nsPerRow: number;
  /** Which measurements it is derived from. */
  readonly how: string;
}

/** The targets suite run in another process: another Node binary or kernel build (`bench --nodes`). */
export interface TargetRun {
  readonly environment: Environment;
  readonly targets: TargetLine[];
  readonly info: InfoLine[];
  readonly notes: string[];
}

/** Everything one run produced. */
export interface RunResults {
  readonly environment: Environment;
  readonly quick: boolean;
  readonly suites: readonly string[];
  readonly throughput: ThroughputResult[];
  readonly targets: TargetLine[];
  readonly info: InfoLine[];
  /** The targets suite under other Node binaries and kernel builds, each in its own process. */
  readonly targetRuns: TargetRun[];
  readonly precision: PrecisionResult[];
  readonly breakdown: BreakdownLine[];
  /** Explanatory notes printed with the tables (e.g. skipped peers). */
  readonly notes: string[];
}

/** Builds a ThroughputResult from a time per call. */
export function throughputResult(
  suite: string,
  impl: string,
  api: Api,
  dim: number,
  rows: number,
  timing: { nsPerCall: number; medianNsPerCall: number; spread: number },
): ThroughputResult {
  const { nsPerCall, medianNsPerCall, spread } = timing;
  return {
    suite,
    impl,
    api,
    dim,
    rows,
    nsPerCall,
    medianNsPerCall,
    spread,
    gElemPerS: (rows * dim) / nsPerCall,
    nsPerRow: nsPerCall / rows,
  };
}
