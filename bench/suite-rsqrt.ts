/**
 * The rsqrt microbenchmark: a ≈ 1/√m for an array of m by every method the library
 * has — IterL2Norm (paper and precise presets), FISR (Quake, Lomont, Walczyk–Moroz,
 * Kadlec; 1 and 2 Newton steps) and sqrt + divide — each as the kernel's scalar loop
 * (rsqrt_batch_format) and in f32x4 lanes (rsqrt_array, SIMD build), against JS
 * 1/Math.sqrt, JS Q_rsqrt and the JS IterL2Norm port. Every method is timed twice:
 *
 *   throughput  independent elements, the whole array per call: ns per element;
 *   latency     a dependent chain m ← a(m) (rsqrt_chain, or a JS loop): ns per step,
 *               the time from one m to its a when nothing else can run meanwhile.
 *
 * Times are also given in cycles at the clock measured in the same process (bench/clock.ts),
 * with each method's worst relative error over the same m. The public API is timed on the
 * same array as a user calls it: rsqrt(m) / fisr(m) (copies and a new array), with opts.out,
 * and zero-copy on a Workspace's buffers.
 */
import { createWorkspace, fisr, reference, rsqrt } from "iterl2norm";
import { build, constants, kernel } from "iterl2norm/kernel";
import { measureClockGHz } from "./clock.js";
import { logUniform } from "./data.js";
import { invSqrtChainJs, invSqrtJs, iterRsqrtChainJs, iterRsqrtJs, qRsqrtChainJs, qRsqrtJs } from "./js-baselines.js";
import { measureRounds, type MeasureOptions } from "./measure.js";
import { throughputResult, type ThroughputResult } from "./results.js";

/** Values per call: 65 536 f32 (256 KiB each for m and a: both stay in a 1 MiB or larger L2 cache). */
export const RSQRT_COUNT = 65536;
/** Dependent steps per call of a latency measurement. */
export const CHAIN_STEPS = 4096;
/** Seed of the m values. */
const SEED = 7;
/** Iteration steps of the IterL2Norm rows: the paper's five. */
const STEPS = 5;
/** Start of every chain (it converges to the method's fixed point near 1). */
const CHAIN_START = 2;

/** How a row's code runs: the kernel's scalar loop, its f32x4 lanes, plain JS, or the public API. */
export type RsqrtForm = "scalar" | "f32x4" | "js" | "api";

/** One timed implementation of the rsqrt suite (a ThroughputResult with what the table needs). */
export interface RsqrtResult extends ThroughputResult {
  /** The method: one row of the table (e.g. "FISR Quake, 1 step"). */
  readonly method: string;
  readonly form: RsqrtForm;
  /** 'throughput' (suite 'rsqrt', nsPerRow = ns per element) or 'latency' (suite 'rsqrt-latency', ns per step). */
  readonly measure: "throughput" | "latency";
  /** The clock measured before the run, GHz (cycles per ns). */
  readonly clockGHz: number;
  /** nsPerRow in cycles at clockGHz. */
  readonly cycles: number;
  /** Largest |a − 1/√m|·√m over the benchmark's m (float64 truth). */
  readonly maxRelError: number;
}

/** True for a result of this suite (throughput or latency). */
export function isRsqrtResult(r: ThroughputResult): r is RsqrtResult {
  return (r.suite === "rsqrt" || r.suite === "rsqrt-latency") && "method" in r;
}

/** A kernel method: its rsqrt_* arguments after the format, and the error bound its outputs are checked against. */
interface KernelMethod {
  readonly name: string;
  readonly args: readonly [method: number, policy: number, c: number, steps: number, magic: number, variant: number];
  /**
   * Max relative error allowed (checkOutputs): IterL2Norm paper 3.52e-3 after 5 steps
   * (docs/design.md §1.1) → 4e-3; FISR after one Newton step ≤ 1.7522e-3 (Lomont 2003; the other
   * variants are tighter) → 2e-3, after two ≤ 4.7e-6 (docs/hardware.md §5) → 1e-5; the precise
   * preset and sqrt + divide are f32-rounding limited (≤ 2 ulp) → 3e-7.
   */
  readonly tolerance: number;
}

function kernelMethods(): KernelMethod[] {
  const c = constants;
  const fisrRows: [string, number, number][] = [
    ["Quake", c.FISR_QUAKE, c.QUAKE_MAGIC],
    ["Lomont", c.FISR_LOMONT, c.LOMONT_MAGIC],
    ["Walczyk–Moroz", c.FISR_WALCZYK, c.WALCZYK_MAGIC],
    ["Kadlec", c.FISR_KADLEC, c.KADLEC_MAGIC],
  ];
  return [
    {
      name: `IterL2Norm paper (${STEPS} steps)`,
      args: [c.METHOD_ITER, c.LAMBDA_PAPER, 0, STEPS, 0, c.FISR_QUAKE],
      tolerance: 4e-3,
    },
    {
      name: `IterL2Norm precise (${STEPS} Newton steps)`,
      args: [c.METHOD_ITER, c.LAMBDA_NEWTON, 0, STEPS, 0, c.FISR_QUAKE],
      tolerance: 3e-7,
    },
    ...fisrRows.flatMap(([name, variant, magic]): KernelMethod[] => [
      { name: `FISR ${name}, 1 step`, args: [c.METHOD_FISR, 0, 0, 1, magic >>> 0, variant], tolerance: 2e-3 },
      { name: `FISR ${name}, 2 steps`, args: [c.METHOD_FISR, 0, 0, 2, magic >>> 0, variant], tolerance: 1e-5 },
    ]),
    { name: "sqrt + divide (f32)", args: [c.METHOD_SQRT, 0, 0, 0, 0, c.FISR_QUAKE], tolerance: 3e-7 },
  ];
}

/** One thing to time and how to read its result. */
interface Task {
  readonly method: string;
  readonly form: RsqrtForm;
  readonly measure: "throughput" | "latency";
  /** Implementation label (unique): the chart's bar and the JSON's impl. */
  readonly impl: string;
  readonly api: ThroughputResult["api"];
  readonly run: () => unknown;
  /** Elements (throughput) or dependent steps (latency) per call. */
  readonly count: number;
}

function status(s: number, what: string): void {
  if (s !== constants.STATUS_OK) throw new Error(`rsqrt suite: ${what} returned status ${s}`);
}

/** Largest |a − 1/√m|·√m. */
function maxRelError(m: Float32Array, a: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < m.length; i++) {
    const exact = 1 / Math.sqrt(m[i]!);
    worst = Math.max(worst, Math.abs(a[i]! - exact) / exact);
  }
  return worst;
}

/** Index of the first element where a and b differ in bits, or −1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** Plan of a run: the timing budget, rounds, and optionally the array size and a clock already measured. */
export type RsqrtPlan = MeasureOptions & {
  readonly rounds: number;
  /** Values per call (default RSQRT_COUNT). */
  readonly count?: number;
  /** Dependent steps per latency call (default CHAIN_STEPS). */
  readonly chainSteps?: number;
  /** The clock in GHz; measured (bench/clock.ts) when absent. */
  readonly clockGHz?: number;
};

/**
 * Runs the rsqrt suite. Before timing, every implementation is checked: the f32x4 lanes and
 * the public API give the scalar loop's bits, the chains the one-value path's, the JS port the
 * reference's, and every method stays within its error bound.
 */
export async function runRsqrt(plan: RsqrtPlan, progress: (line: string) => void): Promise<RsqrtResult[]> {
  const n = plan.count ?? RSQRT_COUNT;
  const chainSteps = plan.chainSteps ?? CHAIN_STEPS;
  const clockGHz = plan.clockGHz ?? measureClockGHz();
  const simd = build === "simd";
  progress(`rsqrt n=${n}, clock ${clockGHz.toFixed(2)} GHz, ${simd ? "SIMD" : "scalar"} build`);
  const m = logUniform(n, -20, 20, SEED);
  const out = new Float32Array(n);
  rsqrt(m); // reserves the scratch region before the workspace views are taken
  const ws = createWorkspace(1, n);
  const chain = kernel.alloc(16);
  try {
    ws.input.set(m);
    const errors = new Map<string, number>();
    const tasks: Task[] = [];
    const fp32 = constants.FORMAT_FP32;

    // The kernel's methods: scalar loop and f32x4 lanes, throughput and latency.
    const outputs = new Map<string, Float32Array>();
    for (const km of kernelMethods()) {
      const array = (name: "rsqrt_batch_format" | "rsqrt_array") => () =>
        status(kernel[name](ws.input.byteOffset, ws.output.byteOffset, n, fp32, ...km.args), name);
      const chained = (lanes: number) => () => {
        const heap = new Float32Array(kernel.memory.buffer, chain, 4);
        heap.fill(CHAIN_START);
        status(kernel.rsqrt_chain(chain, lanes, chainSteps, fp32, ...km.args), "rsqrt_chain");
        return heap[0];
      };
      array("rsqrt_batch_format")();
      const scalarOut = ws.output.slice();
      outputs.set(km.name, scalarOut);
      const err = maxRelError(m, scalarOut);
      if (!(err <= km.tolerance)) throw new Error(`rsqrt suite: ${km.name}: relative error ${err} > ${km.tolerance}`);
      errors.set(km.name, err);
      let x = CHAIN_START;
      for (let i = 0; i < chainSteps; i++) x = kernel.rsqrt_format(x, fp32, ...km.args);
      const scalarChain = chained(1)();
      if (!Object.is(scalarChain, x)) throw new Error(`rsqrt suite: ${km.name}: chain ${scalarChain} ≠ ${x}`);
      const base = { method: km.name, api: "zero-copy" as const };
      tasks.push({
        ...base,
        form: "scalar",
        measure: "throughput",
        impl: `${km.name} · scalar`,
        run: array("rsqrt_batch_format"),
        count: n,
      });
      tasks.push({
        ...base,
        form: "scalar",
        measure: "latency",
        impl: `${km.name} · scalar chain`,
        run: chained(1),
        count: chainSteps,
      });
      if (simd) {
        array("rsqrt_array")();
        const d = firstDifference(ws.output, scalarOut);
        if (d >= 0) throw new Error(`rsqrt suite: ${km.name}: f32x4 lanes differ from the scalar loop at m = ${m[d]}`);
        const lanes = chained(4)();
        if (!Object.is(lanes, x)) throw new Error(`rsqrt suite: ${km.name}: f32x4 chain ${lanes} ≠ ${x}`);
        tasks.push({
          ...base,
          form: "f32x4",
          measure: "throughput",
          impl: `${km.name} · f32x4`,
          run: array("rsqrt_array"),
          count: n,
        });
        tasks.push({
          ...base,
          form: "f32x4",
          measure: "latency",
          impl: `${km.name} · f32x4 chain`,
          run: chained(4),
          count: chainSteps,
        });
      }
    }

    // Plain JS.
    const js: [string, (a: Float32Array, b: Float32Array) => unknown, (x: number) => number, number][] = [
      ["JS 1/Math.sqrt (float64)", invSqrtJs, (x) => invSqrtChainJs(x, chainSteps), 1e-7],
      ["JS Q_rsqrt (typed-array aliasing)", qRsqrtJs, (x) => qRsqrtChainJs(x, chainSteps), 2e-3],
      [
        `JS IterL2Norm paper (Math.fround, ${STEPS} steps)`,
        (a, b) => iterRsqrtJs(a, b, STEPS),
        (x) => iterRsqrtChainJs(x, chainSteps, STEPS),
        4e-3,
      ],
    ];
    for (const [name, loop, chainOf, tolerance] of js) {
      loop(m, out);
      const err = maxRelError(m, out);
      if (!(err <= tolerance)) throw new Error(`rsqrt suite: ${name}: relative error ${err} > ${tolerance}`);
      errors.set(name, err);
      const base = { method: name, form: "js" as const, api: "native" as const };
      tasks.push({ ...base, measure: "throughput", impl: name, run: () => loop(m, out), count: n });
      tasks.push({
        ...base,
        measure: "latency",
        impl: `${name} chain`,
        run: () => chainOf(CHAIN_START),
        count: chainSteps,
      });
    }
    iterRsqrtJs(m, out, STEPS);
    for (let i = 0; i < n; i++) {
      if (out[i] !== reference.iterRsqrtBits(m[i]!, "paper", 0, STEPS))
        throw new Error(`rsqrt suite: the JS IterL2Norm port differs from the reference at m = ${m[i]}`);
    }

    // The public API as a user calls it, and the JS loop the same way: into a new array per call.
    const jsName = "JS 1/Math.sqrt (float64)";
    tasks.push({
      method: jsName,
      form: "api",
      measure: "throughput",
      impl: "JS loop into a new array",
      api: "native",
      run: () => invSqrtJs(m, new Float32Array(n)),
      count: n,
    });
    const paper = `IterL2Norm paper (${STEPS} steps)`;
    const precise = `IterL2Norm precise (${STEPS} Newton steps)`;
    const quake = "FISR Quake, 1 step";
    const apiCalls: [string, string, ThroughputResult["api"], () => Float32Array][] = [
      ["rsqrt(m)", paper, "copy", () => rsqrt(m)],
      ["rsqrt(m, { preset: 'precise' })", precise, "copy", () => rsqrt(m, { preset: "precise" })],
      ["fisr(m)", quake, "copy", () => fisr(m)],
      ["rsqrt(m, { out })", paper, "copy", () => rsqrt(m, { out })],
      ["fisr(m, { out })", quake, "copy", () => fisr(m, { out })],
      ["rsqrt(ws.input, { out: ws.output })", paper, "zero-copy", () => rsqrt(ws.input, { out: ws.output })],
      ["fisr(ws.input, { out: ws.output })", quake, "zero-copy", () => fisr(ws.input, { out: ws.output })],
    ];
    for (const [call, method, api, run] of apiCalls) {
      ws.output.fill(0);
      if (firstDifference(run(), outputs.get(method)!) >= 0)
        throw new Error(`rsqrt suite: ${call} differs from the kernel`);
      tasks.push({ method, form: "api", measure: "throughput", impl: call, api, run, count: n });
    }

    const timings = await measureRounds(
      tasks.map((t) => ({ name: t.impl, fn: t.run })),
      plan,
      plan.rounds,
    );
    return tasks.map((t): RsqrtResult => {
      const suite = t.measure === "throughput" ? "rsqrt" : "rsqrt-latency";
      const r = throughputResult(suite, t.impl, t.api, 1, t.count, timings.get(t.impl)!);
      return {
        ...r,
        method: t.method,
        form: t.form,
        measure: t.measure,
        clockGHz,
        cycles: r.nsPerRow * clockGHz,
        maxRelError: errors.get(t.method)!,
      };
    });
  } finally {
    kernel.free(chain);
    ws.dispose();
  }
}
