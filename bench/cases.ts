/**
 * The LayerNorm and L2 implementations under test at one shape, as callables
 * over shared data: the wasm kernel through the public API (zero-copy on a
 * workspace, and copying from ordinary Float32Arrays), the naive and the tuned
 * JS baselines, onnxruntime-node, and a memcpy of the same bytes. Each case can
 * also check its own output against the float64 truth before it is timed.
 */
import { createWorkspace, l2Normalize, layerNorm, reference, type NormalizeOptions, type Workspace } from "iterl2norm";
import { fillAffine, fillRows } from "./data.js";
import { l2NormalizeJs, layerNormJs } from "./js-baselines.js";
import { ortLayerNorm, type OrtLayerNorm, type OrtThreads } from "./ort.js";
import type { Api } from "./results.js";

/** LayerNorm ε of every case: torch.nn.LayerNorm's default 1e-5. */
export const LAYERNORM_EPS = 1e-5;
/** Seed of the benchmark rows; γ/β use SEED + 1. */
export const SEED = 20241206;

export type Op = "layernorm" | "l2";

/** One implementation at one shape. */
export interface Case {
  readonly impl: string;
  readonly api: Api;
  readonly async: boolean;
  /** One call. */
  readonly run: () => unknown;
  /** The output of the last call (for the correctness check), or undefined (memcpy). */
  readonly output: () => Float32Array | undefined;
  /** Allowed max |out − exact| for this implementation, derived from its method (see toleranceOf). */
  readonly tolerance: number;
}

/** The data and resources of one shape; `dispose` frees the workspace and the onnxruntime session. */
export interface Shape {
  readonly op: Op;
  readonly dim: number;
  readonly rows: number;
  readonly x: Float32Array;
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly cases: Case[];
  /** Why a peer is missing at this shape (e.g. onnxruntime-node not installed), if it is. */
  readonly skipped: string[];
  /** The wasm-memory buffers of the zero-copy cases. */
  readonly workspace: Workspace;
  dispose(): Promise<void>;
}

/**
 * Error bounds of the correctness check (outputs are O(1): |γ| ≈ 1, |β| ≈ 0.1,
 * normalised values mostly within ±4). The paper preset's a has a relative error
 * up to 3.5e-3 (docs/design.md §1.1), which scales outputs up to |y/σ| ≈ 6 → 2.1e-2; take
 * 3e-2. FISR with one Newton step: relative error ≤ 1.8e-3 (Lomont 2003) → 1.1e-2;
 * take 2e-2. Everything else (precise, sqrt, JS in float64, onnxruntime) is limited
 * by f32 rounding of the statistics and outputs, well under 1e-4 for d ≤ 12288
 * (γ_k·|y/σ| with depth k < 500): take 1e-3, loose enough for any summation order
 * and tight enough to catch a wrong formula.
 */
function toleranceOf(impl: string): number {
  if (impl.includes("paper")) return 3e-2;
  if (impl.includes("fisr")) return 2e-2;
  return 1e-3;
}

/** Which implementations a run includes. */
export interface CaseSelection {
  /** Also time precise, sqrt and FISR (zero-copy) besides the paper preset. */
  readonly methods: boolean;
  /** Time onnxruntime-node on one thread (LayerNorm only). */
  readonly ort: boolean;
  /** Also time onnxruntime-node with its default threads, every core ("onnxruntime all cores"). */
  readonly ortAllCores?: boolean;
}

/** Builds the data and cases of one shape. */
export async function buildShape(op: Op, dim: number, rows: number, select: CaseSelection): Promise<Shape> {
  const n = rows * dim;
  const x = fillRows(new Float32Array(n), dim, SEED);
  const gamma = new Float32Array(dim);
  const beta = new Float32Array(dim);
  fillAffine(gamma, beta, SEED + 1);
  const outCopy = new Float32Array(n);
  const outJs = new Float32Array(n);
  const src = new Float32Array(n);
  const dst = new Float32Array(n);
  const layer = op === "layernorm";
  const eps = layer ? LAYERNORM_EPS : 0;

  // Copying call first: it reserves the scratch region, which may grow wasm memory.
  const copyOpts: NormalizeOptions = layer ? { dim, gamma, beta, out: outCopy } : { dim, out: outCopy };
  const copyPrecise: NormalizeOptions = { ...copyOpts, preset: "precise" };
  const normalize = layer ? layerNorm : l2Normalize;
  normalize(x, copyOpts);

  const ws: Workspace = createWorkspace(rows, dim);
  ws.input.set(x);
  ws.gamma.set(gamma);
  ws.beta.set(beta);
  // Views are taken after every allocation of this shape; `fresh` re-takes them if memory grew since.
  const zeroCopy = (extra: Partial<NormalizeOptions>): (() => NormalizeOptions) => {
    let opts: NormalizeOptions | undefined;
    return () => {
      if (opts === undefined || opts.out!.length === 0) {
        opts = layer
          ? { dim, gamma: ws.gamma, beta: ws.beta, out: ws.output, ...extra }
          : { dim, out: ws.output, ...extra };
      }
      return opts;
    };
  };
  const input = (): Float32Array => ws.input;

  const cases: Case[] = [];
  const skipped: string[] = [];
  const add = (
    impl: string,
    api: Api,
    run: () => unknown,
    output: () => Float32Array | undefined,
    async = false,
  ): void => {
    cases.push({ impl, api, async, run, output, tolerance: toleranceOf(impl) });
  };

  add(
    "memcpy",
    "native",
    () => dst.set(src),
    () => undefined,
  );
  const zPaper = zeroCopy({});
  add(
    "wasm paper",
    "zero-copy",
    () => normalize(input(), zPaper()),
    () => ws.output,
  );
  add(
    "wasm paper",
    "copy",
    () => normalize(x, copyOpts),
    () => outCopy,
  );
  if (select.methods) {
    const zPrecise = zeroCopy({ preset: "precise" });
    const zSqrt = zeroCopy({ method: "sqrt" });
    const zFisr = zeroCopy({ method: "fisr" });
    add(
      "wasm precise",
      "zero-copy",
      () => normalize(input(), zPrecise()),
      () => ws.output,
    );
    add(
      "wasm precise",
      "copy",
      () => normalize(x, copyPrecise),
      () => outCopy,
    );
    add(
      "wasm sqrt",
      "zero-copy",
      () => normalize(input(), zSqrt()),
      () => ws.output,
    );
    add(
      "wasm fisr",
      "zero-copy",
      () => normalize(input(), zFisr()),
      () => ws.output,
    );
  }
  if (layer) {
    const naiveOpts: NormalizeOptions = { dim, gamma, beta, out: outJs };
    add(
      "js naive",
      "native",
      () => reference.layerNormNaive(x, naiveOpts),
      () => outJs,
    );
    add(
      "js tuned",
      "native",
      () => layerNormJs(x, outJs, dim, gamma, beta, eps),
      () => outJs,
    );
  } else {
    const naiveOpts = { dim, out: outJs };
    add(
      "js naive",
      "native",
      () => reference.l2NormalizeNaive(x, naiveOpts),
      () => outJs,
    );
    add(
      "js tuned",
      "native",
      () => l2NormalizeJs(x, outJs, dim, eps),
      () => outJs,
    );
  }

  const sessions: OrtLayerNorm[] = [];
  const peers: [boolean | undefined, OrtThreads, string][] = [
    [select.ort, "one", "onnxruntime"],
    [select.ortAllCores, "default", "onnxruntime all cores"],
  ];
  for (const [wanted, threads, impl] of peers) {
    if (!layer || wanted !== true) continue;
    const made = await ortLayerNorm(dim, gamma, beta, eps, threads);
    if (typeof made === "string") {
      if (!skipped.includes(made)) skipped.push(made);
      continue;
    }
    sessions.push(made);
    const outOrt = new Float32Array(n);
    add(
      impl,
      "native",
      () => made.run(x, outOrt),
      () => outOrt,
      true,
    );
  }

  return {
    op,
    dim,
    rows,
    x,
    gamma,
    beta,
    cases,
    skipped,
    workspace: ws,
    async dispose() {
      ws.dispose();
      for (const session of sessions) await session.release();
    },
  };
}

/**
 * Runs every case once and compares its output with the float64 truth; throws
 * an Error naming the case when an output is not finite or off by more than the
 * case's tolerance. Guards against timing code that computes the wrong thing.
 */
export async function checkShape(shape: Shape): Promise<void> {
  const { op, dim, x, gamma, beta } = shape;
  const exact =
    op === "layernorm"
      ? reference.layerNormExact(x, { dim, gamma, beta, eps: LAYERNORM_EPS })
      : reference.l2NormalizeExact(x, { dim });
  for (const c of shape.cases) {
    if (c.async) await c.run();
    else c.run();
    const out = c.output();
    if (out === undefined) continue;
    let worst = 0;
    let at = -1;
    for (let i = 0; i < exact.length; i++) {
      const e = Math.abs(out[i]! - exact[i]!);
      if (!(e <= worst)) {
        worst = e;
        at = i;
        if (Number.isNaN(e)) break;
      }
    }
    if (!(worst <= c.tolerance)) {
      throw new Error(
        `${op} ${c.impl} (${c.api}) d=${dim} rows=${shape.rows}: max |out − exact| = ${worst} ` +
          `at index ${at} exceeds ${c.tolerance}`,
      );
    }
  }
}
