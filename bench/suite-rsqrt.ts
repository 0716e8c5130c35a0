/**
 * The scalar rsqrt microbenchmark: a ≈ 1/√m for every value of an array of m,
 * per element, by Q_rsqrt in JS (typed-array aliasing) and in wasm, 1/Math.sqrt,
 * wasm f32.sqrt + division, and the IterL2Norm iteration (5 steps) in wasm and in
 * plain JS (Math.fround at every operation, bit-identical to the reference). The
 * wasm variants run on buffers in wasm memory through the kernel's rsqrt_batch
 * export (no copy), plus the public rsqrt(array), which copies in and out.
 */
import { createWorkspace, reference, rsqrt } from "iterl2norm";
import { constants, kernel } from "iterl2norm/kernel";
import { logUniform } from "./data.js";
import { invSqrtJs, iterRsqrtJs, qRsqrtJs } from "./js-baselines.js";
import { measureRounds, type MeasureOptions } from "./measure.js";
import { throughputResult, type ThroughputResult } from "./results.js";

/** Values per call: 4096 f32 (16 KiB each for m and a, so both stay in the L1 data cache). */
export const RSQRT_COUNT = 4096;
/** Seed of the m values. */
const SEED = 7;
/** Iteration steps of the IterL2Norm variants: the paper's five. */
const STEPS = 5;

/** One rsqrt implementation over the whole array per call. */
interface RsqrtCase {
  readonly impl: string;
  readonly api: "zero-copy" | "copy" | "native";
  readonly run: () => unknown;
  /** The a values of the last call. */
  readonly output: () => Float32Array;
  /** Max relative error allowed against 1/√m (see checkCases). */
  readonly tolerance: number;
  /** Must equal the reference iteration bit for bit (the JS port of the paper preset). */
  readonly bitExact?: boolean;
}

/**
 * Relative error bounds of the check: Q_rsqrt with one Newton step 1.8e-3 (Lomont
 * 2003) → 2e-3; IterL2Norm paper preset 3.5e-3 after 5 steps (docs/design.md §1.1) → 4e-3;
 * Newton step and sqrt + divide are f32-rounding limited (a few ulps) → 1e-6.
 */
function cases(m: Float32Array, out: Float32Array, wsIn: () => Float32Array, wsOut: () => Float32Array): RsqrtCase[] {
  const n = m.length;
  const batch = (method: number, policy: number, steps: number, magic: number) => () => {
    const status = kernel.rsqrt_batch(wsIn().byteOffset, wsOut().byteOffset, n, method, policy, 0, steps, magic);
    if (status !== constants.STATUS_OK) throw new Error(`rsqrt_batch returned status ${status}`);
  };
  return [
    {
      impl: "js Q_rsqrt (typed-array aliasing)",
      api: "native",
      run: () => qRsqrtJs(m, out),
      output: () => out,
      tolerance: 2e-3,
    },
    { impl: "js 1/Math.sqrt", api: "native", run: () => invSqrtJs(m, out), output: () => out, tolerance: 1e-6 },
    {
      impl: "js IterL2Norm paper (Math.fround)",
      api: "native",
      run: () => iterRsqrtJs(m, out, STEPS),
      output: () => out,
      tolerance: 4e-3,
      bitExact: true,
    },
    {
      impl: "wasm Q_rsqrt",
      api: "zero-copy",
      run: batch(constants.METHOD_FISR, 0, 1, constants.QUAKE_MAGIC),
      output: wsOut,
      tolerance: 2e-3,
    },
    {
      impl: "wasm f32.sqrt + div",
      api: "zero-copy",
      run: batch(constants.METHOD_SQRT, 0, 0, 0),
      output: wsOut,
      tolerance: 1e-6,
    },
    {
      impl: "wasm IterL2Norm paper",
      api: "zero-copy",
      run: batch(constants.METHOD_ITER, constants.LAMBDA_PAPER, STEPS, 0),
      output: wsOut,
      tolerance: 4e-3,
    },
    {
      impl: "wasm IterL2Norm precise",
      api: "zero-copy",
      run: batch(constants.METHOD_ITER, constants.LAMBDA_NEWTON, STEPS, 0),
      output: wsOut,
      tolerance: 1e-6,
    },
    {
      impl: "rsqrt(Float32Array) paper",
      api: "copy",
      tolerance: 4e-3,
      run: () => out.set(rsqrt(m)),
      output: () => out,
    },
  ];
}

function checkCases(list: readonly RsqrtCase[], m: Float32Array): void {
  for (const c of list) {
    c.run();
    const a = c.output();
    for (let i = 0; i < m.length; i++) {
      const exact = 1 / Math.sqrt(m[i]!);
      const rel = Math.abs(a[i]! - exact) / exact;
      if (!(rel <= c.tolerance))
        throw new Error(`rsqrt ${c.impl}: relative error ${rel} at m = ${m[i]} exceeds ${c.tolerance}`);
      if (c.bitExact && a[i] !== reference.iterRsqrtBits(m[i]!, "paper", 0, STEPS))
        throw new Error(`rsqrt ${c.impl}: a(${m[i]}) = ${a[i]} differs from the reference iteration`);
    }
  }
}

/** Runs the rsqrt suite; results have dim 1 and rows = values per call. */
export async function runRsqrt(
  plan: MeasureOptions & { readonly rounds: number },
  progress: (line: string) => void,
): Promise<ThroughputResult[]> {
  progress(`rsqrt n=${RSQRT_COUNT}`);
  const m = logUniform(RSQRT_COUNT, -20, 20, SEED);
  const out = new Float32Array(RSQRT_COUNT);
  rsqrt(m); // reserves the scratch region before the workspace views are taken
  const ws = createWorkspace(1, RSQRT_COUNT);
  try {
    ws.input.set(m);
    const list = cases(
      m,
      out,
      () => ws.input,
      () => ws.output,
    );
    checkCases(list, m);
    const timings = await measureRounds(
      list.map((c) => ({ name: c.impl, fn: c.run })),
      plan,
      plan.rounds,
    );
    return list.map((c) => {
      const t = timings.get(c.impl)!;
      return throughputResult("rsqrt", c.impl, c.api, 1, RSQRT_COUNT, t);
    });
  } finally {
    ws.dispose();
  }
}
