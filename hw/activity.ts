/**
 * Activity of one vector: how many operations each kind of unit performs and how
 * many words the buffers move. The energy model (cost.ts) multiplies these by
 * per-operation energies; simulateMacro counts the same quantities while it runs,
 * and tests/hw-cost.test.ts checks that the two agree.
 */
import { DEFAULT_MACRO, checkMacroConfig, type MacroConfig } from "./config.js";
import { macroPhases } from "./latency.js";

/** Operation and access counts of one vector. */
export interface MacroActivity {
  /** Element multiplies in the Mul block (format F): ×2^k, y², ×s, ×γ. */
  readonly elementMul: number;
  /** Element adds in the Add block (format F): −x₀, −μ (twice), +β. */
  readonly elementAdd: number;
  /** FP32 adds in the adder tree (both reductions, recirculation included). */
  readonly treeAdd: number;
  /** 8-bit exponent comparisons of the max-exponent unit. */
  readonly compare: number;
  /** Words read from the input buffer. */
  readonly sramReadWords: number;
  /** Words written to the input buffer (load and the prescaled write-back). */
  readonly sramWriteWords: number;
  /** Words read from the γ and β buffers. */
  readonly paramReadWords: number;
  /** FP32 chunk sums written to the partial-sum row. */
  readonly partialWrites: number;
  /** Scalar multiplies (μ, λ·m, the iteration or FISR steps, √d·a). */
  readonly scalarMul: number;
  /** Scalar adds (μ, ε, the iteration or FISR steps). */
  readonly scalarAdd: number;
  /** Exponent-unit operations (prescale k, normalise / scale back, FISR seed). */
  readonly exponentOps: number;
  /** Square roots (method 'sqrt'). */
  readonly sqrtOps: number;
  /** Divisions (method 'sqrt'). */
  readonly divideOps: number;
}

/** Chunk sums one reduction writes: the C row sums, then every recirculation's sums. */
function partialWrites(rows: number, lanes: number): number {
  let writes = rows;
  let n = rows;
  while (n > 1) {
    n = Math.ceil(n / lanes);
    writes += n;
  }
  return writes;
}

/** Scalar-path operation counts of the configured method (the μ, ε and k operations excluded). */
function inverseNormOps(config: MacroConfig): { mul: number; add: number; exp: number; sqrt: number; div: number } {
  if (config.method === "sqrt") return { mul: 1, add: 0, exp: 0, sqrt: 1, div: 1 };
  if (config.method === "fisr") {
    const k = config.fisr.steps;
    return { mul: (k > 0 ? 1 : 0) + 3 * k + 1, add: k, exp: 1, sqrt: 0, div: 0 };
  }
  const n = config.iterations;
  const lm = n > 0 && config.lambda !== "newton" ? 1 : 0;
  return { mul: lm + 4 * n + 1, add: 2 * n, exp: 2, sqrt: 0, div: 0 };
}

/** The activity of one vector of length d, in closed form. */
export function macroActivity(d: number, config: MacroConfig = DEFAULT_MACRO): MacroActivity {
  const cfg = checkMacroConfig(config);
  macroPhases(d, cfg); // validates d
  const rows = Math.ceil(d / cfg.lanes);
  const s = inverseNormOps(cfg);
  return {
    elementMul: 4 * d,
    elementAdd: 4 * d,
    treeAdd: 2 * (d - 1),
    compare: d,
    sramReadWords: 3 * d,
    sramWriteWords: 2 * d,
    paramReadWords: 2 * d,
    partialWrites: 2 * partialWrites(rows, cfg.lanes),
    scalarMul: 1 + s.mul,
    scalarAdd: 2 + s.add,
    exponentOps: 1 + s.exp,
    sqrtOps: s.sqrt,
    divideOps: s.div,
  };
}
