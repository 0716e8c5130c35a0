/**
 * Where the time of a LayerNorm call goes, from differences of calls that each
 * add one part (zero-copy, same data, timed in the same rounds):
 *
 *   L2, method sqrt                 Σx² pass + scaling pass (+ f32 sqrt and divide)
 *   LayerNorm sqrt, no γ/β          + the mean pass and the − μ of the output pass
 *   LayerNorm sqrt, γ/β             + two loads, a multiply and an add per element
 *   LayerNorm paper (IterL2Norm)    the 5-step iteration instead of sqrt + divide
 *   the same rows + 10⁷             two shifts instead of one (docs/design.md §1 step 2)
 *   memcpy of the same bytes        the floor
 */
import { createWorkspace, l2Normalize, layerNorm, type NormalizeOptions } from "iterl2norm";
import { fillAffine, fillRows } from "./data.js";
import { LAYERNORM_EPS, SEED } from "./cases.js";
import { measureRounds, type MeasureOptions } from "./measure.js";
import type { BreakdownLine } from "./results.js";

/** Shapes of the breakdown: the throughput target's shape and many short rows. */
export const BREAKDOWN_SHAPES: readonly (readonly [number, number])[] = [
  [1024, 64],
  [64, 1024],
];

/** Runs the breakdown; `rounds` as for the targets. */
export async function runBreakdown(
  plan: MeasureOptions & { readonly rounds: number },
  progress: (line: string) => void,
): Promise<BreakdownLine[]> {
  const lines: BreakdownLine[] = [];
  for (const [dim, rows] of BREAKDOWN_SHAPES) {
    progress(`breakdown d=${dim} rows=${rows}, ${plan.rounds} rounds`);
    const n = rows * dim;
    const x = fillRows(new Float32Array(n), dim, SEED);
    const src = new Float32Array(n);
    const dst = new Float32Array(n);
    const ws = createWorkspace(rows, dim);
    // The same rows about a common offset of 10⁷: centred in two shifts, (x − c) − err.
    const far = createWorkspace(rows, dim);
    try {
      ws.input.set(x);
      for (let i = 0; i < n; i++) far.input[i] = x[i]! + 1e7;
      fillAffine(ws.gamma, ws.beta, SEED + 1);
      const input = ws.input;
      const out = ws.output;
      // One options object per call kind, made once: every call pays the same validation.
      const affine: NormalizeOptions = { dim, out, gamma: ws.gamma, beta: ws.beta, eps: LAYERNORM_EPS };
      const farAffine: NormalizeOptions = { ...affine, out: far.output };
      const affineSqrt: NormalizeOptions = { ...affine, method: "sqrt" };
      const plainSqrt: NormalizeOptions = { dim, out, eps: LAYERNORM_EPS, method: "sqrt" };
      const l2Sqrt: NormalizeOptions = { dim, out, method: "sqrt" };
      const tasks = [
        { name: "memcpy", fn: () => dst.set(src) },
        { name: "l2 sqrt", fn: () => l2Normalize(input, l2Sqrt) },
        { name: "ln sqrt", fn: () => layerNorm(input, plainSqrt) },
        { name: "ln sqrt affine", fn: () => layerNorm(input, affineSqrt) },
        { name: "ln paper affine", fn: () => layerNorm(input, affine) },
        { name: "ln paper affine far", fn: () => layerNorm(far.input, farAffine) },
      ];
      const t = await measureRounds(tasks, plan, plan.rounds);
      const row = (k: string): number => t.get(k)!.nsPerCall / rows;
      const shape = `d=${dim} rows=${rows}`;
      const add = (part: string, ns: number, how: string): void => void lines.push({ shape, part, nsPerRow: ns, how });
      add("Σx² pass + scaling pass (L2, sqrt + divide)", row("l2 sqrt"), "L2 with method sqrt");
      add(
        "+ mean pass and the − μ in the output pass",
        row("ln sqrt") - row("l2 sqrt"),
        "LayerNorm sqrt without γ/β − L2 sqrt",
      );
      add(
        "+ γ and β (2 loads, ×, + per element)",
        row("ln sqrt affine") - row("ln sqrt"),
        "LayerNorm sqrt with γ/β − without",
      );
      add(
        "IterL2Norm 5 steps instead of sqrt + divide",
        row("ln paper affine") - row("ln sqrt affine"),
        "LayerNorm paper − sqrt, both with γ/β",
      );
      add("= LayerNorm, paper preset, γ/β", row("ln paper affine"), "zero-copy layerNorm");
      add(
        "rows about 10⁷: + the second shift (x − c) − err",
        row("ln paper affine far") - row("ln paper affine"),
        "the same rows + 10⁷ − the rows as they are",
      );
      add("memcpy of the same bytes", row("memcpy"), "Float32Array.set");
    } finally {
      far.dispose();
      ws.dispose();
    }
  }
  return lines;
}
