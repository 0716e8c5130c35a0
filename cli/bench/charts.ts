/**
 * SVG charts of a run with vega-lite → vega, both imported lazily (they are ESM
 * with top-level await, and only the report needs them).
 *
 *   throughput chart: G elements/s against d (log scales), colour = implementation,
 *                     dash = how the data is passed, one panel per row count
 *   rsqrt chart:      ns per element per implementation (bars)
 */
import type { TopLevelSpec } from "vega-lite";
import type { ThroughputResult } from "../../bench/results.js";

/** Renders a vega-lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vl, vega] = await Promise.all([import("vega-lite"), import("vega")]);
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Spec of the throughput chart of one suite ('layernorm' or 'l2'). */
export function throughputSpec(results: readonly ThroughputResult[], suite: string, title: string): TopLevelSpec {
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
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
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
  } as TopLevelSpec;
}

/** Spec of the rsqrt chart: ns per element, fastest first. */
export function rsqrtSpec(results: readonly ThroughputResult[]): TopLevelSpec {
  const values = results.filter((r) => r.suite === "rsqrt").map((r) => ({ implementation: r.impl, nsPerElement: r.nsPerRow }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "a ≈ 1/√m per element (lower is better)",
    data: { values },
    width: 420,
    mark: "bar",
    encoding: {
      y: { field: "implementation", type: "nominal", sort: "x", title: null, axis: { labelLimit: 320 } },
      x: { field: "nsPerElement", type: "quantitative", title: "ns per element" },
    },
  } as TopLevelSpec;
}
