/**
 * Human-readable report of a run: Markdown tables (../table.ts; also printed as is on the
 * terminal) for throughput (G elements/s and ns/row), the rsqrt microbenchmark,
 * the precision study, and the target lines marked met / NOT MET.
 */
import type { Environment } from "../../bench/env.js";
import type {
  BreakdownLine,
  InfoLine,
  PrecisionResult,
  RunResults,
  TargetLine,
  ThroughputResult,
} from "../../bench/results.js";
import { NONE, fixed, nanoseconds, ratio } from "../numbers.js";
import { tableMarkdown } from "../table.js";

function columnName(r: ThroughputResult): string {
  return r.api === "native" ? r.impl : `${r.impl} (${r.api})`;
}

/**
 * Two tables (G elements/s, ns per row) of a LayerNorm or L2 suite: one line per (d, rows), one
 * column per implementation.
 */
export function throughputTables(results: readonly ThroughputResult[], suite: string): string {
  const mine = results.filter((r) => r.suite === suite);
  if (mine.length === 0) return "";
  const columns = [...new Set(mine.map(columnName))];
  const shapes = [...new Set(mine.map((r) => `${r.dim}×${r.rows}`))];
  const cell = (shape: string, col: string, f: (r: ThroughputResult) => string): string => {
    const r = mine.find((x) => `${x.dim}×${x.rows}` === shape && columnName(x) === col);
    return r === undefined ? NONE : f(r);
  };
  const build = (f: (r: ThroughputResult) => string): string =>
    tableMarkdown({
      headers: ["d × rows", ...columns],
      rows: shapes.map((s) => [s, ...columns.map((c) => cell(s, c, f))]),
    });
  return [
    `G elements/s (higher is better):\n\n${build((r) => fixed(r.gElemPerS))}`,
    `ns per row (lower is better):\n\n${build((r) => fixed(r.nsPerRow, r.nsPerRow < 10 ? 2 : 0))}`,
  ].join("\n\n");
}

/** The rsqrt microbenchmark: ns per element, G elements/s, and time relative to the fastest. */
export function rsqrtTable(results: readonly ThroughputResult[]): string {
  const mine = results.filter((r) => r.suite === "rsqrt");
  if (mine.length === 0) return "";
  const best = Math.min(...mine.map((r) => r.nsPerRow));
  const sorted = [...mine].sort((a, b) => a.nsPerRow - b.nsPerRow);
  return tableMarkdown({
    headers: ["implementation", "data", "ns/element", "G elements/s", "time vs fastest"],
    rows: sorted.map((r) => [r.impl, r.api, fixed(r.nsPerRow, 3), fixed(r.gElemPerS), ratio(r.nsPerRow / best)]),
    align: ["l", "l"],
  });
}

/** The precision study: one table per metric, errors in units of 2⁻²⁴ per family, d and form. */
export function precisionTables(results: readonly PrecisionResult[]): string {
  if (results.length === 0) return "";
  const table = (metric: PrecisionResult["metric"]): string => {
    const mine = results.filter((r) => r.metric === metric);
    const impls = [...new Set(mine.map((r) => r.impl))];
    const keys = [...new Set(mine.map((r) => `${r.family}\u0000${r.dim}`))];
    const rows = keys.map((k) => {
      const [family, dim] = k.split("\u0000") as [string, string];
      const of = mine.filter((r) => r.family === family && String(r.dim) === dim);
      return [family, dim, ...impls.map((i) => fixed(of.find((r) => r.impl === i)?.error ?? NaN, 1))];
    });
    return tableMarkdown({ headers: ["rows", "d", ...impls.map((i) => i.replace(/^(m|out): /, ""))], rows });
  };
  const n = results[0]!.rows;
  return [
    `Relative error of m = Σ(x − μ)² against float64, worst of ${n} rows, in units of 2⁻²⁴ (f32 forms in the ` +
      `kernel's summation order; the two-pass column is the kernel's form, checked bit for bit against the kernel's ` +
      `outputs):\n\n${table("m")}`,
    `LayerNorm output error, max |out − exact| over ${n} rows, ` +
      `in units of 2⁻²⁴ (ε = 0, γ = 1, β = 0):\n\n${table("output")}`,
  ].join("\n\n");
}

/** Where the time goes: one table per shape, ns per row per part. */
export function breakdownTables(lines: readonly BreakdownLine[]): string {
  const shapes = [...new Set(lines.map((l) => l.shape))];
  return shapes
    .map((shape) => {
      const mine = lines.filter((l) => l.shape === shape);
      const rows = mine.map((l) => [l.part, fixed(l.nsPerRow, 1), l.how]);
      return `${shape}:\n\n${tableMarkdown({ headers: ["part", "ns/row", "from"], rows, align: ["l", "r", "l"] })}`;
    })
    .join("\n\n");
}

/** A target's state: met, NOT MET, or NOT MEASURED when its value is missing. */
export function targetState(t: TargetLine): string {
  return Number.isNaN(t.value) ? "NOT MEASURED" : t.met ? "met" : "NOT MET";
}

/** A target's measured value with its unit: "812 ns" or "4.21×". */
export function targetValue(t: TargetLine): string {
  return t.unit === "ns" ? nanoseconds(t.value) : ratio(t.value);
}

/** A target's threshold with its relation: "≤ 1000 ns" or "≥ 4×". */
export function targetThreshold(t: TargetLine): string {
  return `${t.relation === ">=" ? "≥" : "≤"} ${t.threshold}${t.unit === "ns" ? " ns" : "×"}`;
}

/** One line per target: met / NOT MET / NOT MEASURED, value, threshold, how. */
export function targetLines(targets: readonly TargetLine[]): string {
  return targets
    .map((t) => `[${targetState(t)}] ${t.name}: ${targetValue(t)} (target ${targetThreshold(t)}) — ${t.detail}`)
    .join("\n");
}

function infoLines(info: readonly InfoLine[]): string {
  return info.map((i) => `- ${i.name}: ${i.value} (${i.detail})`).join("\n");
}

/** Where and with what the run happened. */
export function environmentLines(env: Environment): string {
  return [
    `- command: \`${env.command}\``,
    `- date: ${env.date}`,
    `- Node ${env.node} (V8 ${env.v8}), ${env.os}`,
    `- CPU: ${env.cpu} × ${env.cores} (os.cpus()), ${env.memoryGiB} GiB RAM`,
    `- WebAssembly SIMD: ${env.wasmSimd ? "yes" : "no"}; relaxed SIMD: ${env.wasmRelaxedSimd ? "yes" : "no"}; ` +
      `kernel build: ${env.build ?? "not recorded"}`,
  ].join("\n");
}

/** The whole report as Markdown. */
export function markdownReport(run: RunResults): string {
  const parts: string[] = [`## Environment\n\n${environmentLines(run.environment)}`];
  if (run.targets.length > 0) {
    const env = run.environment;
    parts.push(
      `## Targets: Node ${env.node}, ${env.build ?? "?"} build\n\n` +
        `\`\`\`\n${targetLines(run.targets)}\n\`\`\`\n\n${infoLines(run.info)}`,
    );
  }
  for (const other of run.targetRuns ?? []) {
    const env = other.environment;
    const notes = other.notes.length > 0 ? `\n\n${other.notes.map((n) => `- note: ${n}`).join("\n")}` : "";
    parts.push(
      `## Targets: Node ${env.node}, ${env.build} build (V8 ${env.v8}, its own process)\n\n` +
        `\`\`\`\n${targetLines(other.targets)}\n\`\`\`\n\n${infoLines(other.info)}${notes}`,
    );
  }
  if (run.breakdown.length > 0)
    parts.push(`## Where the time goes (zero-copy, fastest rounds)\n\n${breakdownTables(run.breakdown)}`);
  const ln = throughputTables(run.throughput, "layernorm");
  if (ln) parts.push(`## LayerNorm (γ, β, ε = 1e-5)\n\n${ln}`);
  const l2 = throughputTables(run.throughput, "l2");
  if (l2) parts.push(`## L2 normalisation\n\n${l2}`);
  const rs = rsqrtTable(run.throughput);
  if (rs)
    parts.push(
      `## Scalar rsqrt, per element ` +
        `(arrays of ${run.throughput.find((r) => r.suite === "rsqrt")!.rows} values of m)\n\n${rs}`,
    );
  const pr = precisionTables(run.precision);
  if (pr) parts.push(`## Precision of the row statistics\n\n${pr}`);
  if (run.notes.length > 0) parts.push(`## Notes\n\n${run.notes.map((n) => `- ${n}`).join("\n")}`);
  return `${parts.join("\n\n")}\n`;
}
