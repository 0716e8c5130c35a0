/**
 * Activity of one vector: how many operations each kind of unit performs and how
 * many words the buffers move. The energy model (cost.ts) multiplies these by
 * per-operation energies; simulateMacro counts the same quantities while it runs,
 * and tests/hw-cost.test.ts checks that the two agree.
 *
 * The activity depends on the data in one place: the centring (docs/design.md §1 step 2). A
 * one-shift row (err²·d ≤ 2^−42·q: rows about 0, constant rows, every L2 row) leaves the output
 * pass's second adder rank operand-isolated; a two-shift row (rows about an offset large against
 * their spread) uses it for −err, d more element adds. The centring's scalar operations (TwoSum,
 * P, q − P′) run on every row.
 */
import { describe } from "../js/validate.js";
import { DEFAULT_MACRO, checkMacroConfig, type MacroConfig } from "./config.js";
import { macroPhases } from "./latency.js";

/** The centring of a row: 1, y = x − c; 2, y = (x − c) − err, m from q − d·err² (docs/design.md §1 step 2). */
export type CentringShifts = 1 | 2;

/** Checks a shifts argument (1 or 2). */
export function checkShifts(shifts: unknown): CentringShifts {
  if (shifts !== 1 && shifts !== 2) {
    const err = typeof shifts === "number" ? RangeError : TypeError;
    throw new err(
      "shifts must be 1 (centred by the rounded mean) or 2 (by c, then err; docs/design.md §1 step 2); " +
        `got ${describe(shifts)}`,
    );
  }
  return shifts;
}

/** Operation and access counts of one vector. */
export interface MacroActivity {
  /** Element multiplies in the Mul block (format F): ×2^k, y², ×s, ×γ. */
  readonly elementMul: number;
  /** Element adds in the Add block (format F): −x₀, −c (twice), +β; −err (output) on two-shift rows. */
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
  /** Scalar multiplies (δ, err·err and ·d of P, λ·m, the iteration or FISR steps, √d·a). */
  readonly scalarMul: number;
  /** Scalar adds (c = x₀ + δ, the TwoSum's five, q − P′, ε, the iteration or FISR steps). */
  readonly scalarAdd: number;
  /** Exponent-unit operations (prescale k, normalise / scale back, FISR seed). */
  readonly exponentOps: number;
  /** Square roots (method 'sqrt'). */
  readonly sqrtOps: number;
  /** Divisions (method 'sqrt'). */
  readonly divideOps: number;
}

/** The centring's scalar operations on every row (scalar.ts): TwoSum 5 adds, q − P′ 1; P 2 multiplies. */
const CENTRING_ADDS = 6;
const CENTRING_MULS = 2;

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

/** Scalar-path operation counts of the configured method (the mean, centring, ε and k operations excluded). */
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
  const offsetAdds = checkShifts(shifts) === 2 ? d : 0;
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
    scalarMul: 1 + CENTRING_MULS + s.mul,
    scalarAdd: 2 + CENTRING_ADDS + s.add,
    exponentOps: 1 + s.exp,
    sqrtOps: s.sqrt,
    divideOps: s.div,
  };
}
