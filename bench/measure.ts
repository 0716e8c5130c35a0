/**
 * Timing through tinybench. Each task is one call of the code under test; a
 * sample runs it `reps` times back to back (reps chosen so a sample lasts about
 * SAMPLE_NS, far above the timer's resolution), and the time per call is the
 * median sample divided by reps. The median resists the interruptions of a
 * shared machine better than the mean.
 */
import { Bench } from "tinybench";

/** One thing to time: `fn` performs exactly one call (returns a promise when async). */
export interface TaskSpec {
  readonly name: string;
  readonly fn: () => unknown;
  readonly async?: boolean;
}

/** Time per call of one task. */
export interface Timing {
  /** Median time of one call, in nanoseconds. */
  readonly nsPerCall: number;
  /** Relative margin of error of the sample mean, percent (tinybench's rme). */
  readonly rme: number;
  /** Samples taken. */
  readonly samples: number;
  /** Calls per sample. */
  readonly reps: number;
}

/** Budget of one measurement. */
export interface MeasureOptions {
  /** Time budget per task, ms. */
  readonly timeMs: number;
  /** Warm-up budget per task, ms. */
  readonly warmupMs: number;
  /** Minimum samples per task. */
  readonly minSamples: number;
}

/** Target duration of one sample: 50 µs, some 1000× the resolution of performance.now(). */
const SAMPLE_NS = 50_000;
/** Upper bound of calls per sample. */
const MAX_REPS = 1 << 20;

async function callOnce(task: TaskSpec): Promise<void> {
  if (task.async) await task.fn();
  else task.fn();
}

/** Calls per sample for a task: time a few calls, scale up to SAMPLE_NS. */
async function calibrate(task: TaskSpec): Promise<number> {
  await callOnce(task);
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await callOnce(task);
    const ns = (performance.now() - t0) * 1e6;
    if (ns >= SAMPLE_NS / 4 || reps >= MAX_REPS) {
      return Math.max(1, Math.min(MAX_REPS, Math.round((reps * SAMPLE_NS) / Math.max(ns, 1))));
    }
    reps *= 4;
  }
}

/** Times every task (one after another) and returns the time per call by task name. */
export async function measure(tasks: readonly TaskSpec[], options: MeasureOptions): Promise<Map<string, Timing>> {
  const reps = new Map<string, number>();
  const bench = new Bench({
    time: options.timeMs,
    warmupTime: options.warmupMs,
    iterations: options.minSamples,
    warmupIterations: 2,
    throws: true,
  });
  for (const task of tasks) {
    const n = await calibrate(task);
    reps.set(task.name, n);
    const f = task.fn;
    if (task.async) {
      bench.add(task.name, async () => {
        for (let i = 0; i < n; i++) await f();
      });
    } else {
      bench.add(task.name, () => {
        for (let i = 0; i < n; i++) f();
      });
    }
  }
  await bench.run();
  const out = new Map<string, Timing>();
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== "completed") throw new Error(`benchmark task ${task.name} did not complete (state ${r.state})`);
    const n = reps.get(task.name)!;
    out.set(task.name, {
      nsPerCall: (r.latency.p50 * 1e6) / n,
      rme: r.latency.rme,
      samples: r.latency.samplesCount,
      reps: n,
    });
  }
  return out;
}

/** Time per call over rounds, and how far the rounds spread. */
export interface RoundTiming {
  /** The fastest round's time per call (each round's value is its median sample), ns. */
  readonly nsPerCall: number;
  /** The median round's time per call, ns (how it usually went on this machine). */
  readonly medianNsPerCall: number;
  /** (max − min)/min of the per-round times, percent (one round: tinybench's rme). */
  readonly spread: number;
}

/**
 * Times the tasks in `rounds` rounds (each round times every task once, one after
 * another) and keeps each task's fastest round. On a shared machine other work
 * only ever adds time, so the fastest of several short rounds is the best estimate
 * of what the code costs; and since all tasks run in every round, a burst of load
 * cannot favour one side of a ratio for long.
 */
export async function measureRounds(
  tasks: readonly TaskSpec[],
  options: MeasureOptions,
  rounds: number,
): Promise<Map<string, RoundTiming>> {
  const times = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
  let last = new Map<string, Timing>();
  for (let r = 0; r < rounds; r++) {
    last = await measure(tasks, options);
    for (const t of tasks) times.get(t.name)!.push(last.get(t.name)!.nsPerCall);
  }
  const out = new Map<string, RoundTiming>();
  for (const [name, list] of times) {
    const sorted = [...list].sort((a, b) => a - b);
    const best = sorted[0]!;
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    const spread = rounds === 1 ? last.get(name)!.rme : (100 * (sorted[sorted.length - 1]! - best)) / best;
    out.set(name, { nsPerCall: best, medianNsPerCall: median, spread });
  }
  return out;
}
