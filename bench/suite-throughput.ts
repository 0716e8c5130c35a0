/**
 * The LayerNorm and L2 throughput suites: every implementation of cases.ts over a
 * grid of row lengths × row counts, each shape checked against the float64 truth
 * and then timed.
 */
import { buildShape, checkShape, type Op } from "./cases.js";
import { measureRounds, type MeasureOptions } from "./measure.js";
import { throughputResult, type ThroughputResult } from "./results.js";

/** Grid and budget of a throughput suite. */
export interface ThroughputPlan extends MeasureOptions {
  readonly dims: readonly number[];
  readonly rows: readonly number[];
  /** Time precise, sqrt and FISR too. */
  readonly methods: boolean;
  /** Largest rows·dim timed for the naive JS baseline (slow; skipped above). */
  readonly naiveMaxElements: number;
  /** Rounds per shape (all implementations of a shape are timed once per round; the fastest round is kept). */
  readonly rounds: number;
}

/** Runs one suite; `progress` receives one line per shape. */
export async function runThroughput(
  op: Op,
  plan: ThroughputPlan,
  progress: (line: string) => void,
  notes: string[],
): Promise<ThroughputResult[]> {
  const results: ThroughputResult[] = [];
  for (const dim of plan.dims) {
    for (const rows of plan.rows) {
      progress(`${op} d=${dim} rows=${rows}`);
      const shape = await buildShape(op, dim, rows, { methods: plan.methods, ort: op === "layernorm" });
      try {
        for (const reason of shape.skipped) if (!notes.includes(reason)) notes.push(reason);
        const cases = shape.cases.filter((c) => c.impl !== "js naive" || rows * dim <= plan.naiveMaxElements);
        await checkShape({ ...shape, cases });
        const name = (i: number): string => `${op}:${cases[i]!.impl}:${cases[i]!.api}:d=${dim}:rows=${rows}`;
        const timings = await measureRounds(
          cases.map((c, i) => ({ name: name(i), fn: c.run, async: c.async })),
          plan,
          plan.rounds,
        );
        // The async peer (onnxruntime-node) is bimodal on a shared machine (see suite-targets.ts):
        // give it 4× as many short rounds of its own and keep its fastest.
        for (let i = 0; i < cases.length; i++) {
          if (!cases[i]!.async) continue;
          const extra = await measureRounds(
            [{ name: name(i), fn: cases[i]!.run, async: true }],
            { ...plan, timeMs: Math.max(5, plan.timeMs >> 2) },
            4 * plan.rounds,
          );
          const first = timings.get(name(i))!;
          const best = extra.get(name(i))!;
          if (best.nsPerCall < first.nsPerCall) timings.set(name(i), { ...first, nsPerCall: best.nsPerCall });
        }
        cases.forEach((c, i) => {
          const t = timings.get(name(i))!;
          results.push(throughputResult(op, c.impl, c.api, dim, rows, t));
        });
      } finally {
        await shape.dispose();
      }
    }
  }
  return results;
}
