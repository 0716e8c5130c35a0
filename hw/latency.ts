/**
 * The closed form of the macro's schedule: cycles per phase as a function of d
 * and the configuration (docs/hardware.md derives each term). simulateMacro
 * steps the same schedule cycle by cycle; tests/hw-latency.test.ts checks that
 * both agree for every d from 1 to maxDim.
 *
 * With L lanes, C = ⌈d/L⌉ rows, B = ⌈d/(L/2)⌉ output beats, D = log₂L tree levels
 * and the latencies a (add), μ (mul), r (read), x (exponent), w (write), p (switch):
 *
 *   P        = r + μ + a + D·a                     one row through a reduction pass
 *   R(C)     = (C − 1) + P + Σ over recirculations [1 + (⌈n/L⌉ − 1) + P], n = C, ⌈C/L⌉, … > 1
 *   load     = C − 1 + 2x                          beats, running max, prescale k
 *   sumX     = R(C) + μ + a                        Σ(x − x₀), then δ = S·(1/d), c = x₀ + δ
 *   sumSq    = max(R(C), T) + a + a                 q = Σ R(x − c)²; meanwhile the scalar unit's
 *                                                  err (TwoSum, 4 dependent adds) and P = d·err²
 *                                                  (2 muls), T = max(4a, 3a + 2) + 2μ; then
 *                                                  q − P′ and + ε
 *   invNorm  = 2x + n(3μ + 2a) + μ                 iter: normalise, n steps, scale back, ×√d
 *            = x + μ (k = 0) or max(μ, x) + k(3μ + a) + μ      fisr
 *            = sqrt + divide + μ                    sqrt
 *   output   = B + r + 3a + 2μ + w                 −c, −err′, ×s, ×γ, +β
 *   control  = 4p
 *
 * The centring (docs/design.md §1 step 2; docs/hardware.md §1) issues q − P′ and the output's
 * second adder rank on every row whichever mode the comparator picks (P′ = err′ = +0 on a
 * one-shift row), so the schedule does not depend on the data. The centring program waits for
 * nothing but c and δ; it is off the critical path when R(C) ≥ T (every d with
 * DEFAULT_MACRO: R(1) = 17 ≥ 12), and the pass waits for it otherwise (few lanes, d ≤ L).
 */
import { DEFAULT_MACRO, checkMacroConfig, type MacroConfig } from "./config.js";

/** Cycles per phase; their sum is the latency. */
export interface MacroPhases {
  /** Input beats into the buffer and the prescale exponent. */
  readonly load: number;
  /** Prescale pass, S = Σ(x − x₀), δ and the rounded mean c. */
  readonly sumX: number;
  /** q = Σ R(x − c)², the centring's err and P alongside, m (the library's rule). */
  readonly sumSq: number;
  /** a ≈ 1/√m by the configured method, and s = √d·a. */
  readonly inverseNorm: number;
  /** Output pass to the last beat on the port. */
  readonly output: number;
  /** Controller turn-arounds between the five phases. */
  readonly control: number;
}

function checkDim(d: unknown, config: MacroConfig): number {
  if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > config.maxDim) {
    const err = typeof d === "number" ? RangeError : TypeError;
    throw new err(
      `d must be an integer from 1 to config.maxDim = ${config.maxDim}; got ${typeof d === "number" ? d : typeof d}`,
    );
  }
  return d;
}

/** Cycles from the first row issue of a reduction pass to its single sum, C rows (recirculation included). */
export function reductionCycles(rows: number, config: MacroConfig): number {
  const { lanes: L, latency: l } = config;
  const pass = l.read + l.mul + l.add + Math.log2(L) * l.add;
  let t = rows - 1 + pass;
  let n = rows;
  while (n > 1) {
    const next = Math.ceil(n / L);
    t += 1 + (next - 1) + pass;
    n = next;
  }
  return t;
}

/**
 * Cycles of the centring program from the start of SUM_SQ to P (scalar.ts centringProgram): the
 * TwoSum's four dependent adds, then err·err and ·d. The one scalar adder issues b = c − x₀ at 0,
 * c − b at a and δ − b at a + 1; x₀ − (c − b) at 2a, or at a + 2 when a = 1 (δ − b, the older
 * operation, takes cycle 2), so err is ready at max(4a, 3a + 2).
 */
export function centringCycles(config: MacroConfig): number {
  const a = config.latency.add;
  return Math.max(4 * a, 3 * a + 2) + 2 * config.latency.mul;
}

/** Cycles of the inverse-norm phase (from m to s = √d·a) for the configured method. */
export function inverseNormCycles(config: MacroConfig): number {
  const l = config.latency;
  if (config.method === "sqrt") return l.sqrt + l.divide + l.mul;
  if (config.method === "fisr") {
    const k = config.fisr.steps;
    return k === 0 ? l.exponent + l.mul : Math.max(l.mul, l.exponent) + k * (3 * l.mul + l.add) + l.mul;
  }
  return 2 * l.exponent + config.iterations * (3 * l.mul + 2 * l.add) + l.mul;
}

/** Cycles per phase for a vector of length d (1 ≤ d ≤ config.maxDim). */
export function macroPhases(d: number, config: MacroConfig = DEFAULT_MACRO): MacroPhases {
  const cfg = checkMacroConfig(config);
  checkDim(d, cfg);
  const l = cfg.latency;
  const rows = Math.ceil(d / cfg.lanes);
  const beats = Math.ceil(d / (cfg.lanes / 2));
  const reduction = reductionCycles(rows, cfg);
  return {
    load: rows - 1 + 2 * l.exponent,
    sumX: reduction + l.mul + l.add,
    sumSq: Math.max(reduction, centringCycles(cfg)) + 2 * l.add,
    inverseNorm: inverseNormCycles(cfg),
    output: beats + l.read + 3 * l.add + 2 * l.mul + l.write,
    control: 4 * l.phaseSwitch,
  };
}

/**
 * Latency in cycles of one vector of length d, first input beat to last output
 * beat: the closed form of the schedule simulateMacro steps. DEFAULT_MACRO gives
 * 116 at d = 64 and 227 at d = 1024, the paper's two published figures.
 *
 * @example
 * macroLatency(768)                                   // DEFAULT_MACRO
 * macroLatency(768, defineMacro({ method: "sqrt" }))  // sqrt + divide instead of the iteration
 */
export function macroLatency(d: number, config: MacroConfig = DEFAULT_MACRO): number {
  const p = macroPhases(d, config);
  return p.load + p.sumX + p.sumSq + p.inverseNorm + p.output + p.control;
}
