/** Charts of the precision study as SVG (cli/charts.ts renders them with vega-lite + vega). */
import { VEGA_LITE_SCHEMA, renderSvg as render, type ChartSpec as VlSpec } from "../charts.js";
import type { StudyResult } from "./study.js";

type Row = Record<string, string | number>;

const logY = (title: string): Record<string, unknown> => ({
  field: "error",
  type: "quantitative",
  title,
  scale: { type: "log" },
});

/** Lines with points, one 220 × 220 panel per format (FP32, BF16, FP16 from left to right). */
function panelsByFormat(title: string, values: Row[], encoding: Record<string, unknown>): VlSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    data: { values },
    facet: { column: { field: "format", type: "nominal", sort: ["fp32", "bf16", "fp16"] } },
    spec: { width: 220, height: 220, mark: { type: "line", point: true }, encoding },
  };
}

/** Mean |error| per algorithm against d (log–log), one panel per format, from byFormat[format][d][algorithm]. */
function errorByDSpec(title: string, byFormat: StudyResult["largeD"]): VlSpec {
  const values: Row[] = [];
  for (const [format, byD] of Object.entries(byFormat)) {
    for (const [d, byAlgo] of Object.entries(byD)) {
      for (const [algo, m] of Object.entries(byAlgo))
        if (m.meanAbs > 0) values.push({ format, d: Number(d), algorithm: algo, error: m.meanAbs });
    }
  }
  return {
    ...panelsByFormat(title, values, {
      x: { field: "d", type: "quantitative", scale: { type: "log", base: 2 }, title: "d" },
      y: logY("mean absolute error"),
      color: { field: "algorithm", type: "nominal" },
    }),
    resolve: { scale: { y: "independent" } },
  };
}

/** Mean |error| of every algorithm against d, one panel per format. */
function precisionSpec(r: StudyResult, dist: string): VlSpec {
  return errorByDSpec(`Mean |out − truth| of LayerNorm, ${dist} rows`, r.precision[dist] ?? {});
}

/** Max relative error of a against the step count, per λ policy, one panel per format. */
function convergenceSpec(r: StudyResult): VlSpec {
  const values: Row[] = [];
  for (const [format, byPolicy] of Object.entries(r.convergence)) {
    for (const [policy, points] of Object.entries(byPolicy)) {
      for (const p of points) values.push({ format, policy, step: p.step, error: Math.max(p.max, 1e-9) });
    }
  }
  return panelsByFormat("Convergence: max |a·√m − 1| over every m of [1, 4) (FP32: every 256th)", values, {
    x: { field: "step", type: "quantitative", title: "iteration step" },
    y: logY("max relative error (floored at 1e-9)"),
    color: { field: "policy", type: "nominal", title: "λ policy" },
  });
}

/** Max relative error after 5 steps against c of λ = c·2^−e, per format. */
function sweepSpec(r: StudyResult): VlSpec {
  const values: Row[] = [];
  for (const [format, s] of Object.entries(r.lambdaSweep))
    for (const p of s.points) values.push({ format, c: p.c, error: p.max });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: "λ sweep: max |a·√m − 1| after 5 steps, λ = c·2^−e",
    data: { values },
    width: 420,
    height: 260,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "c", type: "quantitative", title: "c" },
      y: logY("max relative error"),
      color: { field: "format", type: "nominal", sort: ["fp32", "bf16", "fp16"] },
    },
  };
}

/** Mean |error| against d up to the largest width, per format. */
function largeSpec(r: StudyResult): VlSpec {
  return errorByDSpec(`Large d: mean |out − truth|, ${r.options.dists[0]} rows`, r.largeD);
}

/** The study's charts as SVG strings, keyed by file name. */
export async function renderCharts(r: StudyResult): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const dist of r.options.dists) out[`precision-${dist}.svg`] = await render(precisionSpec(r, dist));
  out["convergence.svg"] = await render(convergenceSpec(r));
  out["lambda-sweep.svg"] = await render(sweepSpec(r));
  out["large-d.svg"] = await render(largeSpec(r));
  return out;
}
