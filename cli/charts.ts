/**
 * SVG charts of every command (bench, precision, report): a vega-lite specification
 * compiled and rendered by vega (renderer 'none' → toSVG). Both packages are ESM with
 * top-level await and large, so they are imported lazily, only when a chart is drawn.
 */

/** A vega-lite specification (kept loose: callers build plain objects). */
export type ChartSpec = Record<string, unknown>;

/** The vega-lite schema every specification names. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Renders a vega-lite spec to a standalone SVG string. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const [vl, vega] = await Promise.all([import("vega-lite"), import("vega")]);
  const compiled = vl.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
