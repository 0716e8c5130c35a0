/**
 * Human-readable report of a run: Markdown tables (also printed as is on the
 * terminal) for throughput (G elements/s and ns/row), the rsqrt microbenchmark,
 * the precision study, and the target lines marked met / NOT MET.
 */
import type { Environment } from "../../bench/env.js";
import type { BreakdownLine, InfoLine, PrecisionResult, RunResults, TargetLine, ThroughputResult } from "../../bench/results.js";

/** A Markdown table with columns padded to equal width. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], alignRight: (col: number) => boolean = (c) => c > 0): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, c) => (alignRight(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, c) => (alignRight(c) ? `${"-".repeat(w + 1)}:` : `:${"-".repeat(w + 1)}`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Fixed decimals with a few significant digits for small values. */
export function formatNumber(v: number, decimals = 2): string {
  if (!Number.isFinite(v)) return "–";
  if (v !== 0 && Math.abs(v) < 10 ** -decimals) return v.toPrecision(2);
  return v.toFixed(decimals);
}

function columnName(r: ThroughputResult): string {
  return r.api === "native" ? r.impl : `${r.impl} (${r.api})`;
}

/** Two tables (G elements/s, ns per row) of a LayerNorm or L2 suite: one line per (d, rows), one column per implementation. */
export function throughputTables(results: readonly ThroughputResult[], suite: string): string {
  const mine = results.filter((r) => r.suite === suite);
  if (mine.length === 0) return "";
  const columns = [...new Set(mine.map(columnName))];
  const shapes = [...new Set(mine.map((r) => `${r.dim}×${r.rows}`))];
  const cell = (shape: string, col: string, f: (r: ThroughputResult) => string): string => {
    const r = mine.find((x) => `${x.dim}×${x.rows}` === shape && columnName(x) === col);
    return r === undefined ? "–" : f(r);
  };
  const build = (f: (r: ThroughputResult) => string): string =>
    markdownTable(["d × rows", ...columns], shapes.map((s) => [s, ...columns.map((c) => cell(s, c, f))]));
  return [
    `G elements/s (higher is better):\n\n${build((r) => formatNumber(r.gElemPerS))}`,
    `ns per row (lower is better):\n\n${build((r) => formatNumber(r.nsPerRow, r.nsPerRow < 10 ? 2 : 0))}`,
  ].join("\n\n");
}

/** The rsqrt microbenchmark: ns per element, G elements/s, and time relative to the fastest. */
export function rsqrtTable(results: readonly ThroughputResult[]): string {
  const mine = results.filter((r) => r.suite === "rsqrt");
  if (mine.length === 0) return "";
  const best = Math.min(...mine.map((r) => r.nsPerRow));
  const sorted = [...mine].sort((a, b) => a.nsPerRow - b.nsPerRow);
  return markdownTable(
    ["implementation", "data", "ns/element", "G elements/s", "time vs fastest"],
    sorted.map((r) => [r.impl, r.api, formatNumber(r.nsPerRow, 3), formatNumber(r.gElemPerS), `${formatNumber(r.nsPerRow / best)}×`]),
    (c) => c >= 2,
  );
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
      return [family, dim, ...impls.map((i) => formatNumber(of.find((r) => r.impl === i)?.error ?? NaN, 1))];
    });
    return markdownTable(["rows", "d", ...impls.map((i) => i.replace(/^(m|out): /, ""))], rows, (c) => c >= 1);
  };
  const n = results[0]!.rows;
  return [
    `Relative error of m = Σ(x − μ)² against float64, worst of ${n} rows, in units of 2⁻²⁴ (f32 forms in the kernel's summation order; the two-pass column is the kernel's form, checked bit for bit against the kernel's outputs):\n\n${table("m")}`,
    `LayerNorm output error, max |out − exact| over ${n} rows, in units of 2⁻²⁴ (ε = 0, γ = 1, β = 0):\n\n${table("output")}`,
  ].join("\n\n");
}

/** Where the time goes: one table per shape, ns per row per part. */
export function breakdownTables(lines: readonly BreakdownLine[]): string {
  const shapes = [...new Set(lines.map((l) => l.shape))];
  return shapes.map((shape) => {
    const mine = lines.filter((l) => l.shape === shape);
    return `${shape}:\n\n${markdownTable(["part", "ns/row", "from"], mine.map((l) => [l.part, formatNumber(l.nsPerRow, 1), l.how]), (c) => c === 1)}`;
  }).join("\n\n");
}

/** One line per target: met / NOT MET / NOT MEASURED, value, threshold, how. */
export function targetLines(targets: readonly TargetLine[]): string {
  return targets.map((t) => {
    const state = Number.isNaN(t.value) ? "NOT MEASURED" : t.met ? "met" : "NOT MET";
    const value = t.unit === "ns" ? `${formatNumber(t.value, 0)} ns` : `${formatNumber(t.value)}×`;
    const limit = t.unit === "ns" ? `${t.threshold} ns` : `${t.threshold}×`;
    return `[${state}] ${t.name}: ${value} (target ${t.relation === ">=" ? "≥" : "≤"} ${limit}) — ${t.detail}`;
  }).join("\n");
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
    `- WebAssembly SIMD: ${env.wasmSimd ? "yes" : "no"}; relaxed SIMD: ${env.wasmRelaxedSimd ? "yes" : "no"}`,
  ].join("\n");
}

/** The whole report as Markdown. */
export function markdownReport(run: RunResults): string {
  const parts: string[] = [`## Environment\n\n${environmentLines(run.environment)}`];
  if (run.targets.length > 0) parts.push(`## Targets (issue 5)\n\n\`\`\`\n${targetLines(run.targets)}\n\`\`\`\n\n${infoLines(run.info)}`);
  if (run.breakdown.length > 0) parts.push(`## Where the time goes (zero-copy, fastest rounds)\n\n${breakdownTables(run.breakdown)}`);
  const ln = throughputTables(run.throughput, "layernorm");
  if (ln) parts.push(`## LayerNorm (γ, β, ε = 1e-5)\n\n${ln}`);
  const l2 = throughputTables(run.throughput, "l2");
  if (l2) parts.push(`## L2 normalisation\n\n${l2}`);
  const rs = rsqrtTable(run.throughput);
  if (rs) parts.push(`## Scalar rsqrt, per element (arrays of ${run.throughput.find((r) => r.suite === "rsqrt")!.rows} values of m)\n\n${rs}`);
  const pr = precisionTables(run.precision);
  if (pr) parts.push(`## Precision of the row statistics\n\n${pr}`);
  if (run.notes.length > 0) parts.push(`## Notes\n\n${run.notes.map((n) => `- ${n}`).join("\n")}`);
  return `${parts.join("\n\n")}\n`;
}
