/**
 * Activity of one vector: how many operations each kind of unit performs and how
 * many words the buffers move. The energy model (cost.ts) multiplies these by
 * per-operation energies; simulateMacro counts the same quantities while it runs,
 * and tests/hw-cost.test.ts checks that the two agree.
 *
 * The activity depends on the data in one place: the centring (docs/design.md §1 step 2). A
 * one-shift row (|c| ≤ |δ|, rows about 0, and every L2 row) leaves the second adder rank
 * operand-isolated; a two-shift row (rows about a large offset, constant rows) uses it for −δ
 * in the Σy² pass and in the output pass, 2d more element adds.
 */
import { describe } from "../js/validate.js";
import { DEFAULT_MACRO, checkMacroConfig, type MacroConfig } from "./config.js";
import { macroPhases } from "./latency.js";

/** The centring of a row: 1, y = x − c; 2, y = (x − x₀) − δ (docs/design.md §1 step 2). */
export type CentringShifts = 1 | 2;

/** Checks a shifts argument (1 or 2). */
export function checkShifts(shifts: unknown): CentringShifts {
  if (shifts !== 1 && shifts !== 2) {
    const err = typeof shifts === "number" ? RangeError : TypeError;
    throw new err(
      "shifts must be 1 (centred by the rounded mean) or 2 (by x₀, then δ; docs/design.md §1 step 2); " +
        `got ${describe(shifts)}`,
    );
  }
  return shifts;
}

/** Operation and access counts of one vector. */
export interface MacroActivity {
  /** Element multiplies in the Mul block (format F): ×2^k, y², ×s, ×γ. */
  readonly elementMul: number;
  /** Element adds in the Add block (format F): −x₀, −base (twice), +β; −δ (twice) on two-shift rows. */
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
  /** Scalar multiplies (δ, λ·m, the iteration or FISR steps, √d·a). */
  readonly scalarMul: number;
  /** Scalar adds (c = x₀ + δ, ε, the iteration or FISR steps). */
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

/** Scalar-path operation counts of the configured method (the δ, c, ε and k operations excluded). */
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

/**
 * The activity of one vector of length d, in closed form, for a row centred with `shifts`
 * (simulateMacro reports a row's in trace.shifts).
 */
export function macroActivity(
  d: number,
  config: MacroConfig = DEFAULT_MACRO,
  shifts: CentringShifts = 1,
): MacroActivity {
  const cfg = checkMacroConfig(config);
  macroPhases(d, cfg); // validates d
  const offsetAdds = checkShifts(shifts) === 2 ? 2 * d : 0;
  const rows = Math.ceil(d / cfg.lanes);
  const s = inverseNormOps(cfg);
  return {
    elementMul: 4 * d,
    elementAdd: 4 * d + offsetAdds,
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
