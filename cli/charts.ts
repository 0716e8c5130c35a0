/**
 * SVG charts: a vega-lite specification compiled and rendered by vega (renderer
 * 'none' → toSVG). Both packages are ESM with top-level await, so they are
 * imported lazily: `require('iterl2norm')` never loads them.
 */

/** A vega-lite specification (kept loose: callers build plain objects). */
export type ChartSpec = Record<string, unknown>;

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
