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
import type { RsqrtResult } from "../../bench/suite-rsqrt.js";
import { NONE, fixed, nanoseconds, ratio, sci } from "../numbers.js";
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

/** A result of the rsqrt suite (bench/suite-rsqrt.ts: throughput, or latency of a dependent chain). */
function isRsqrt(r: ThroughputResult): r is RsqrtResult {
  return (r.suite === "rsqrt" || r.suite === "rsqrt-latency") && "method" in r;
}

/**
 * The rsqrt microbenchmark: one line per method with its worst relative error, its throughput
 * (ns and cycles per independent element) and latency (ns and cycles per step of a dependent
 * chain), each as the kernel's scalar loop and in f32x4 lanes; then the public calls on the
 * same array against the JS 1/Math.sqrt loop.
 */
export function rsqrtTable(results: readonly ThroughputResult[]): string {
  const mine = results.filter(isRsqrt);
  if (mine.length === 0) return "";
  const { clockGHz } = mine[0]!;
  const n = mine.find((r) => r.measure === "throughput")?.rows ?? NaN;
  const steps = mine.find((r) => r.measure === "latency")?.rows ?? NaN;
  const cell = (r: RsqrtResult | undefined): string =>
    r === undefined ? NONE : `${fixed(r.nsPerRow, r.nsPerRow < 10 ? 2 : 1)} (${fixed(r.cycles, 1)})`;
  const find = (method: string, measure: RsqrtResult["measure"], vector: boolean): RsqrtResult | undefined =>
    mine.find(
      (r) => r.method === method && r.measure === measure && r.form !== "api" && (r.form === "f32x4") === vector,
    );
  const methods = [...new Set(mine.filter((r) => r.form !== "api").map((r) => r.method))];
  const table = tableMarkdown({
    headers: [
      "method",
      "max rel. error",
      "scalar: ns (cycles) / element",
      "f32x4: ns (cycles) / element",
      "scalar latency: ns (cycles)",
      "f32x4 latency: ns (cycles)",
    ],
    rows: methods.map((method) => [
      method,
      sci(mine.find((r) => r.method === method)!.maxRelError, 1),
      cell(find(method, "throughput", false)),
      cell(find(method, "throughput", true)),
      cell(find(method, "latency", false)),
      cell(find(method, "latency", true)),
    ]),
    align: ["l"],
  });
  // The JS 1/Math.sqrt loop into an existing array (the main table's row) and into a new one.
  const isJs = (r: RsqrtResult): boolean => r.method.startsWith("JS 1/Math.sqrt") && r.measure === "throughput";
  const jsOut = mine.find((r) => isJs(r) && r.form === "js");
  const jsNew = mine.find((r) => isJs(r) && r.form === "api");
  const vs = (js: RsqrtResult | undefined, r: RsqrtResult): string =>
    js === undefined ? NONE : ratio(js.nsPerRow / r.nsPerRow);
  const calls = mine.filter((r) => r.form === "api");
  const api =
    calls.length === 0
      ? ""
      : "\n\nThe public API on the same array (copy: m copied into wasm memory and the results out; " +
        "zero-copy: a Workspace's buffers as m and opts.out), with its throughput relative to the JS " +
        "1/Math.sqrt loop writing into an existing array (the table's row above) and into a new array per call " +
        `(as rsqrt(m) returns one):\n\n${tableMarkdown({
          headers: [
            "call",
            "data",
            "ns (cycles) / element",
            "vs JS loop into an existing array",
            "vs JS loop into a new array",
          ],
          rows: calls.map((r) => [r.impl, r.api, cell(r), vs(jsOut, r), vs(jsNew, r)]),
          align: ["l", "l"],
        })}`;
  return (
    `${n} values of m, log-uniform over [2^−20, 2^20); cycles at ${fixed(clockGHz, 2)} GHz, the clock measured ` +
    `in the same process; latency: ${steps} dependent steps m ← a(m) per call, per step ` +
    `(f32x4: four lanes per step). Error: max |a·√m − 1| over the same m.\n\n${table}${api}`
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
  if (rs) parts.push(`## a ≈ 1/√m: throughput, latency and error per method\n\n${rs}`);
  const pr = precisionTables(run.precision);
  if (pr) parts.push(`## Precision of the row statistics\n\n${pr}`);
  if (run.notes.length > 0) parts.push(`## Notes\n\n${run.notes.map((n) => `- ${n}`).join("\n")}`);
  return `${parts.join("\n\n")}\n`;
}
