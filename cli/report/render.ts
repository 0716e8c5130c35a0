/**
 * The report in three forms: a short terminal summary, report.md, and a
 * self-contained index.html (inline CSS and SVG, no scripts, no external files),
 * all from one list of tables and charts.
 */
import { VEGA_LITE_SCHEMA, renderSvg, type ChartSpec } from "../charts.js";
import { targetState, targetThreshold, targetValue } from "../bench/report.js";
import { renderCharts } from "../precision/charts.js";
import { winRows } from "../precision/report.js";
import type { Comparison } from "iterl2norm/hw";
import type { ReportData } from "./collect.js";
import { bold } from "../common.js";
import { NONE, fixed, sci, seconds } from "../numbers.js";
import { escapeHtml, tableHtml, tableMarkdown, tableText, type Table } from "../table.js";

const verdict = (a: boolean | null): string => (a === null ? NONE : a ? "agrees" : "differs");

/** The claim-by-claim summary table. */
export function claimsTable(r: ReportData): Table {
  return {
    caption: "The paper's claims next to this run",
    headers: ["claim", "paper", "measured here", "verdict"],
    rows: r.claims.map((c) => [c.topic, c.paper, c.measured, verdict(c.agrees)]),
    align: ["l", "l", "l", "l"],
  };
}

function winsTable(r: ReportData): Table {
  return {
    caption: "IterL2Norm paper preset (5 steps) beats FISR with 1 Newton step at how many OPT widths",
    headers: ["rows", "format", "by mean |error|", "by max |error|", "paper"],
    rows: winRows(r.precision),
    align: ["l", "l"],
  };
}

function errorTable(r: ReportData, format: string): Table {
  const dist = r.precision.options.dists[0]!;
  const byD = r.precision.precision[dist]![format]!;
  const ds = Object.keys(byD);
  const algos = ["iter-paper", "iter-precise", "fisr-1", "fisr-2", "sqrt"].filter((a) => byD[ds[0]!]![a] !== undefined);
  return {
    caption:
      `Mean |out − float64 truth|, ${format.toUpperCase()}, ${dist} rows, ` +
      `${r.precision.options.trials} rows per width`,
    headers: ["d", ...algos],
    rows: ds.map((d) => [d, ...algos.map((a) => sci(byD[d]![a]!.meanAbs))]),
  };
}

function convergenceTable(r: ReportData): Table {
  const conv = r.precision.convergence.fp32!;
  const policies = Object.keys(conv);
  const steps = conv[policies[0]!]!.map((p) => p.step);
  return {
    caption: "Worst relative error of a after n steps, FP32 (every f32 of [1, 4))",
    headers: ["step", ...policies.map((p) => `λ ${p}`)],
    rows: steps.map((s) => [String(s), ...policies.map((p) => sci(conv[p]!.find((q) => q.step === s)!.max))]),
  };
}

function latencyTable(r: ReportData): Table {
  return {
    caption: "Macro latency in cycles at 100 MHz (default macro; only d = 64 and 1024 are published)",
    headers: ["d", "model", "published"],
    rows: r.hardware.latency.map((l) => [
      String(l.d),
      String(l.cycles),
      l.published === null ? NONE : String(l.published),
    ]),
  };
}

function comparisonTable(c: Comparison): Table {
  return {
    caption: `Inverse-norm method on the same ${c.format.toUpperCase()} datapath: latency (cycles), area and precision`,
    headers: ["design", ...c.dims.map((d) => `d=${d}`), "area mm²", "energy nJ d=768", "max |a·√m − 1|"],
    rows: c.rows.map((row) => {
      const i768 = c.dims.indexOf(768);
      return [
        row.name,
        ...row.cycles.map(String),
        fixed(row.areaMm2, 4),
        i768 >= 0 ? fixed(row.energyPj[i768]! / 1000) : NONE,
        sci(row.precision.maxRelError, 1),
      ];
    }),
  };
}

function targetsTable(r: ReportData): Table | undefined {
  if (!r.bench || r.bench.targets.length === 0) return undefined;
  return {
    caption: "Speed targets, measured in one process (ratios of throughput; latency in ns)",
    headers: ["target", "measured", "threshold", "met"],
    rows: r.bench.targets.map((t) => [t.name, targetValue(t), targetThreshold(t), targetState(t)]),
  };
}

function latencyChart(r: ReportData): ChartSpec {
  const values = r.hardware.fp32.rows.flatMap((row) =>
    row.cycles.map((cycles, i) => ({ design: row.name, d: r.hardware.fp32.dims[i]!, cycles })),
  );
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: "Macro latency against d (FP32, default datapath)",
    width: 420,
    height: 240,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "d", type: "quantitative", title: "d", scale: { type: "log", base: 2 } },
      y: { field: "cycles", type: "quantitative", title: "cycles" },
      color: { field: "design", type: "nominal" },
    },
  };
}

function targetsChart(r: ReportData): ChartSpec | undefined {
  const lines = r.bench?.targets.filter((t) => t.unit === "×" && t.relation === ">=") ?? [];
  if (lines.length === 0) return undefined;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: "Measured throughput ratios (bar) against their targets (tick)",
    width: 420,
    height: { step: 26 },
    data: {
      values: lines.map((t) => ({ target: t.name.replace(/, d=.*$/, ""), value: t.value, threshold: t.threshold })),
    },
    layer: [
      {
        mark: "bar",
        encoding: {
          y: { field: "target", type: "nominal", title: null },
          x: { field: "value", type: "quantitative", title: "ratio (×)", scale: { type: "log" } },
        },
      },
      {
        mark: { type: "tick", color: "black", thickness: 2 },
        encoding: { y: { field: "target", type: "nominal" }, x: { field: "threshold", type: "quantitative" } },
      },
    ],
  };
}

/** A section: heading, prose, tables and charts (SVG strings). */
interface Section {
  readonly title: string;
  readonly text: string;
  readonly tables: Table[];
  readonly charts: { name: string; svg: string }[];
}

async function sections(r: ReportData): Promise<Section[]> {
  const precisionCharts = await renderCharts(r.precision);
  const pick = (names: string[]) =>
    names
      .filter((n) => precisionCharts[`${n}.svg`] !== undefined)
      .map((n) => ({ name: n, svg: precisionCharts[`${n}.svg`]! }));
  const dist = r.precision.options.dists[0]!;
  const out: Section[] = [
    {
      title: "Precision",
      text:
        `LayerNorm in FP32, BF16 and FP16 against the float64 truth of the same (rounded) rows, ` +
        `seed ${r.precision.options.seed}, ${r.precision.options.trials} rows per width. ` +
        `Full study: \`iterl2norm precision\` and docs/precision.md.`,
      tables: [winsTable(r), errorTable(r, "fp32"), errorTable(r, "bf16"), convergenceTable(r)],
      charts: pick([`precision-${dist}`, "convergence", "lambda-sweep"]),
    },
    {
      title: "Hardware macro model",
      text:
        `Default macro: area ${fixed(r.hardware.areaMm2, 3)} mm² at 28 nm, ` +
        `leakage ${fixed(r.hardware.leakageMw)} mW, dynamic ${fixed(r.hardware.dynamicMw, 1)} mW at 100 MHz, ` +
        `${fixed(r.hardware.energyNjD768)} nJ per vector of d = 768. ` +
        `Sources and assumptions: docs/hardware.md (\`iterl2norm hw\`).`,
      tables: [latencyTable(r), comparisonTable(r.hardware.fp32), comparisonTable(r.hardware.bf16)],
      charts: [{ name: "macro-latency", svg: await renderSvg(latencyChart(r)) }],
    },
  ];
  const targets = targetsTable(r);
  if (targets) {
    const spec = targetsChart(r);
    out.push({
      title: "Speed",
      text:
        `Benchmark on this machine (${r.bench!.environment.cpu}, ${r.bench!.environment.cores} cores, ` +
        `Node ${r.bench!.environment.node})${r.bench!.quick ? ", quick settings" : ""}. ` +
        `Full suites: \`npm run bench\` and docs/performance.md.` +
        (r.bench!.notes.length ? ` Notes: ${r.bench!.notes.join("; ")}.` : ""),
      tables: [targets],
      charts: spec ? [{ name: "speed-targets", svg: await renderSvg(spec) }] : [],
    });
  }
  return out;
}

function header(r: ReportData): string[] {
  return [
    `Command: ${r.meta.command}`,
    `Date: ${r.meta.date}`,
    `Machine: ${r.meta.machine}`,
    `Run time: ${seconds(r.meta.seconds)} (${r.meta.full ? "full" : "quick"} settings)`,
  ];
}

/** The terminal summary: the claims table and where the files are. */
export function terminalSummary(r: ReportData): string {
  return [
    bold("iterl2norm report: IterL2Norm (arXiv 2412.04778) reproduced on this machine"),
    ...header(r),
    "",
    tableText(claimsTable(r)),
  ].join("\n");
}

/** report.md, with the charts as files next to it (charts/NAME.svg). */
export async function renderMarkdown(r: ReportData): Promise<{ markdown: string; charts: Record<string, string> }> {
  const charts: Record<string, string> = {};
  const parts = ["# iterl2norm report", "", ...header(r).map((l) => `- ${l}`), "", tableMarkdown(claimsTable(r))];
  for (const s of await sections(r)) {
    parts.push("", `## ${s.title}`, "", s.text);
    for (const t of s.tables) parts.push("", tableMarkdown(t));
    for (const c of s.charts) {
      charts[c.name] = c.svg;
      parts.push("", `![${c.name}](charts/${c.name}.svg)`);
    }
  }
  return { markdown: `${parts.join("\n")}\n`, charts };
}

const CSS = `body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border:1px solid #ccc;padding:.25em .5em}th{background:#f3f3f3}\
td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0;overflow-x:auto}ul.meta{color:#555}`;

/** index.html: one file, tables and SVG charts inline. */
export async function renderHtml(r: ReportData): Promise<string> {
  const body: string[] = [
    "<h1>iterl2norm report</h1>",
    `<ul class="meta">${header(r)
      .map((l) => `<li>${escapeHtml(l)}</li>`)
      .join("")}</ul>`,
    tableHtml(claimsTable(r)),
  ];
  for (const s of await sections(r)) {
    body.push(`<section><h2>${escapeHtml(s.title)}</h2><p>${escapeHtml(s.text)}</p>`);
    for (const t of s.tables) body.push(tableHtml(t));
    for (const c of s.charts) body.push(`<figure data-chart="${escapeHtml(c.name)}">${c.svg}</figure>`);
    body.push("</section>");
  }
  return (
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>iterl2norm report</title>\n` +
    `<link rel="icon" href="data:,">\n<style>${CSS}</style>\n</head>\n<body>\n${body.join("\n")}\n</body>\n</html>\n`
  );
}
