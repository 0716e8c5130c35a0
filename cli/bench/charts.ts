/**
 * Chart specifications of a bench run (../charts.ts renders them to SVG):
 *
 *   throughput chart: G elements/s against d (log scales), colour = implementation,
 *                     dash = how the data is passed, one panel per row count
 *   rsqrt chart:      ns per element per implementation (bars)
 */
import type { ThroughputResult } from "../../bench/results.js";
import { VEGA_LITE_SCHEMA, type ChartSpec } from "../charts.js";

/** Spec of the throughput chart of one suite ('layernorm' or 'l2'). */
export function throughputSpec(results: readonly ThroughputResult[], suite: string, title: string): ChartSpec {
  const values = results
    .filter((r) => r.suite === suite)
    .map((r) => ({
      implementation: r.impl,
      data: r.api === "native" ? "JS / native" : r.api,
      d: r.dim,
      rows: `rows = ${r.rows}`,
      rowCount: r.rows,
      gElemPerS: r.gElemPerS,
    }));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    data: { values },
    facet: { column: { field: "rows", type: "ordinal", sort: { field: "rowCount" }, title: null } },
    spec: {
      width: 220,
      height: 220,
      mark: { type: "line", strokeWidth: 2 },
      encoding: {
        x: { field: "d", type: "quantitative", scale: { type: "log", base: 2 }, title: "row length d" },
        y: { field: "gElemPerS", type: "quantitative", scale: { type: "log" }, title: "G elements/s" },
        color: { field: "implementation", type: "nominal", title: "implementation" },
        strokeDash: { field: "data", type: "nominal", title: "data", sort: ["zero-copy", "copy", "JS / native"] },
        detail: [{ field: "implementation" }, { field: "data" }],
      },
    },
    config: { legend: { orient: "bottom", direction: "horizontal", columns: 4, labelLimit: 240 } },
  };
}

/** Spec of the rsqrt chart: ns per element, fastest first. */
export function rsqrtSpec(results: readonly ThroughputResult[]): ChartSpec {
  const values = results
    .filter((r) => r.suite === "rsqrt")
    .map((r) => ({ implementation: r.impl, nsPerElement: r.nsPerRow }));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: "a ≈ 1/√m per element (lower is better)",
    data: { values },
    width: 420,
    mark: "bar",
    encoding: {
      y: { field: "implementation", type: "nominal", sort: "x", title: null, axis: { labelLimit: 320 } },
      x: { field: "nsPerElement", type: "quantitative", title: "ns per element" },
    },
  };
}
