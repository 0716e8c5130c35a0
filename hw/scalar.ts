/**
 * The iteration controller: a scalar FP32 multiplier and adder (results rounded
 * to the working format F), the exponent unit, and the digit-recurrence sqrt and
 * divide units of the 'sqrt' method. It runs small dataflow programs: each cycle
 * every unit issues the oldest operation whose operands are ready, so the timing
 * follows from the dependences and the pipeline depths.
 *
 * IterL2Norm (docs/design.md §1 steps 4–7), per step in this order, each one rounded op:
 *
 *   t = a·a ─► t = m·t ─► t = 1 − t ─┐
 *   u = lm·a (in parallel) ──────────┴► u = u·t ─► a = a + u      critical path 3·mul + 2·add
 *
 * The exponent unit normalises m to m' = m·2^(−2j) ∈ [1, 4) with j = ⌊e/2⌋ (exact),
 * forms a₀ and λ from the exponent, and scales the result back by 2^(−j) (exact).
 * In FP32 this gives the bits of the library's rsqrt (which scales only outside
 * e ∈ [−64, 63]) because scaling by even powers of two commutes with every
 * rounded step while values stay normal; tests/hw-scalar.test.ts checks it.
 */
import { PAPER_C } from "../js/constants.js";
import { bf16BitsFromF32Bits, bf16Value } from "../js/formats.js";
import { f32Bits, f32FromBits } from "../js/bits.js";
import { exponentOf, initialA, pow2 } from "../js/reference/rsqrt.js";
import { rounder, toF32, type Round } from "./arith.js";
import type { MacroConfig, MacroLambda } from "./config.js";
import { Pipe } from "./pipe.js";

/** The scalar units an operation can use. */
export type ScalarUnitName = "exp" | "mul" | "add" | "sqrt" | "div";

/** What the exponent unit hands to the iteration: m' ∈ [1, 4), a₀, λ and the scale 2^(−j). */
export interface Normalized {
  readonly mPrime: number;
  readonly a0: number;
  /** λ for the policy, or undefined for 'newton' (λ·m = 1/2 without a product). */
  readonly lambda: number | undefined;
  readonly j: number;
  /** The result when m is not a positive finite number: 0 for m = 0 or +∞ (row rules), NaN otherwise. */
  readonly special: number | undefined;
}

type Value = number | Normalized;

/** One operation: its unit, the earlier operations it reads, and its rounded result. */
export interface ScalarOp {
  readonly unit: ScalarUnitName;
  readonly deps: readonly number[];
  readonly run: (args: readonly Value[]) => Value;
}

const num = (v: Value | undefined): number => v as number;
const norm = (v: Value | undefined): Normalized => v as Normalized;

/** The exponent unit's normalisation of m for the λ policy, in format F. */
export function normalizeM(m: number, lambda: MacroLambda, R: Round): Normalized {
  if (!(m > 0) || m === Infinity) {
    const special = m === 0 || m === Infinity ? 0 : NaN;
    return { mPrime: NaN, a0: NaN, lambda: NaN, j: 0, special };
  }
  const e0 = exponentOf(m);
  const j = e0 >> 1;
  const e = e0 - 2 * j;
  const mPrime = m * 2 ** (-2 * j);
  const a0 = R(initialA(e));
  let lam: number | undefined;
  if (lambda === "newton") lam = undefined;
  else if (lambda === "pow2") lam = pow2(-(e + 1));
  else lam = R(lambda === "paper" ? PAPER_C : Math.fround(lambda)) * pow2(-e);
  return { mPrime, a0, lambda: lam, j, special: undefined };
}

/** The FISR seed from the bit pattern of x in F: magic − (bits >> 1), on 32 bits (FP32) or 16 bits (BF16). */
export function fisrSeed(x: number, magic: number, format: MacroConfig["format"]): number {
  if (format === "fp32") return f32FromBits(((magic | 0) - ((f32Bits(x) | 0) >> 1)) | 0);
  const h = (bf16BitsFromF32Bits(f32Bits(x)) << 16) >> 16;
  return bf16Value(((magic | 0) - (h >> 1)) & 0xffff);
}

/**
 * The inverse-norm program of the configured method: from m (in F) to
 * s = scale·a, where scale is √d (LayerNorm) or 1 (L2, and the scalar path alone).
 * m = 0 or +∞ gives a = 0 (the row rule of docs/design.md §4); the method's bits otherwise.
 */
export function inverseNormProgram(m: number, config: MacroConfig, scale: number): ScalarOp[] {
  const R = rounder(config.format);
  const ops: ScalarOp[] = [];
  const push = (unit: ScalarUnitName, deps: readonly number[], run: (args: readonly Value[]) => Value): number => {
    ops.push({ unit, deps, run });
    return ops.length - 1;
  };
  const rowRule = m === 0 || m === Infinity;
  const final = (aIdx: number): void => {
    push("mul", [aIdx], ([a]) => (rowRule ? 0 : R(scale * num(a))));
  };

  if (config.method === "sqrt") {
    const r = push("sqrt", [], () => R(Math.sqrt(m)));
    const a = push("div", [r], ([root]) => R(1 / num(root)));
    final(a);
    return ops;
  }

  if (config.method === "fisr") {
    const { magic, steps } = config.fisr;
    let x2 = -1;
    if (steps > 0) x2 = push("mul", [], () => R(m * 0.5));
    let y = push("exp", [], () => fisrSeed(m, magic, config.format));
    for (let i = 0; i < steps; i++) {
      const t1 = push("mul", [x2, y], ([h, yy]) => R(num(h) * num(yy)));
      const t2 = push("mul", [t1, y], ([t, yy]) => R(num(t) * num(yy)));
      const t3 = push("add", [t2], ([t]) => R(1.5 - num(t)));
      y = push("mul", [y, t3], ([yy, t]) => R(num(yy) * num(t)));
    }
    final(y);
    return ops;
  }

  // IterL2Norm
  const n = config.iterations;
  const e = push("exp", [], () => normalizeM(m, config.lambda, R));
  let a = e;
  let lm = -1;
  for (let i = 0; i < n; i++) {
    const aPrev = a;
    const read = (v: Value | undefined): number => (aPrev === e ? norm(v).a0 : num(v));
    const t1 = push("mul", [aPrev], ([av]) => R(read(av) * read(av)));
    if (lm < 0 && config.lambda !== "newton") lm = push("mul", [e], ([nv]) => R(norm(nv).lambda! * norm(nv).mPrime));
    const u1 =
      lm < 0
        ? push("mul", [aPrev], ([av]) => R(0.5 * read(av))) // newton: λ·m = 1/2, a constant
        : push("mul", [lm, aPrev], ([l, av]) => R(num(l) * read(av)));
    const t2 = push("mul", [e, t1], ([nv, t]) => R(norm(nv).mPrime * num(t)));
    const t3 = push("add", [t2], ([t]) => R(1 - num(t)));
    const u2 = push("mul", [u1, t3], ([u, t]) => R(num(u) * num(t)));
    a = push("add", [aPrev, u2], ([av, u]) => R(read(av) + num(u)));
  }
  const last = a;
  const back = push("exp", [e, last], ([nv, av]) => {
    const nm = norm(nv);
    if (nm.special !== undefined) return nm.special;
    const aPrime = last === e ? nm.a0 : num(av);
    return R(aPrime * 2 ** -nm.j);
  });
  final(back);
  return ops;
}

/**
 * The mean of a row shifted by x₀ (docs/design.md §1 step 1): operation 0 is δ = R(S·(1/d)),
 * operation 1 (the program's result) the rounded mean c = R(x₀ + δ). The controller reads
 * both (ScalarUnit.resultOf) to choose the centring (docs/design.md §1 step 2).
 */
export function meanProgram(sum: number, x0: number, invD: number, R: Round): ScalarOp[] {
  return [
    { unit: "mul", deps: [], run: () => R(sum * invD) },
    { unit: "add", deps: [0], run: ([p]) => R(x0 + num(p)) },
  ];
}

/** Index of δ in meanProgram's operations. */
export const MEAN_DELTA_OP = 0;

/** 2^−42: the two-shift threshold of P = d·err² against q (docs/design.md §1 step 2). */
export const TWO_SHIFT_SCALE = 2 ** -42;

/**
 * The error of the rounded mean and what the second shift would take off Σy² (docs/design.md §1
 * step 2), run during the Σy² pass: err = (x₀ + δ) − c exactly, by TwoSum with every add rounded
 * to F (b = R(c − x₀), err = R(R(x₀ − R(c − b)) + R(δ − b)): five adds, four dependent), then
 * P = fl32(fl32(err·err)·D), D = f32(d), in FP32 in both formats (two multiplies). The program's
 * result is P; operation CENTRING_ERR_OP is err. Critical path 4·add + 2·mul: δ − b issues one
 * cycle after c − b on the same adder and is ready before x₀ − (c − b).
 */
export function centringProgram(x0: number, delta: number, c: number, dF32: number, R: Round): ScalarOp[] {
  return [
    { unit: "add", deps: [], run: () => R(c - x0) }, // b
    { unit: "add", deps: [0], run: ([b]) => R(c - num(b)) },
    { unit: "add", deps: [0], run: ([b]) => R(delta - num(b)) },
    { unit: "add", deps: [1], run: ([cb]) => R(x0 - num(cb)) },
    { unit: "add", deps: [3, 2], run: ([xe, db]) => R(num(xe) + num(db)) }, // err
    { unit: "mul", deps: [4], run: ([e]) => toF32(num(e) * num(e)) },
    { unit: "mul", deps: [5], run: ([e2]) => toF32(num(e2) * dF32) }, // P
  ];
}

/** Index of err in centringProgram's operations. */
export const CENTRING_ERR_OP = 4;

/**
 * m from q = Σ R(x − c)² (FP32): q′ = fl32(q − P′), P′ = P on a two-shift row and +0 otherwise
 * (q − 0 = q exactly, so the add is issued on every row and the schedule does not depend on the
 * data), then m = R(q′ + ε-term) in F. Two dependent adds.
 */
export function mProgram(sumSq: number, pShift: number, epsTerm: number, R: Round): ScalarOp[] {
  return [
    { unit: "add", deps: [], run: () => toF32(sumSq - pShift) },
    { unit: "add", deps: [0], run: ([q]) => R(num(q) + epsTerm) },
  ];
}

/**
 * The scalar units and their issue rule, clocked by the macro simulator: each
 * cycle `tick()` (completions), then `issue()` (each unit issues the oldest
 * operation whose operands have completed), then `endCycle()`. Operations carry
 * their index through the pipes; their results are computed at issue.
 */
export class ScalarUnit {
  readonly pipes: Readonly<Record<ScalarUnitName, Pipe<number>>>;
  private ops: readonly ScalarOp[] = [];
  private values: Value[] = [];
  private issued: boolean[] = [];
  private done: boolean[] = [];
  private finished = false;
  /** Lowest index not yet issued: the issue scan starts here. */
  private firstPending = 0;

  constructor(config: MacroConfig) {
    const l = config.latency;
    this.pipes = {
      exp: new Pipe<number>("exponent unit", l.exponent),
      mul: new Pipe<number>("scalar multiplier", l.mul),
      add: new Pipe<number>("scalar adder", l.add),
      sqrt: new Pipe<number>("square-root unit", l.sqrt),
      div: new Pipe<number>("divider", l.divide),
    };
  }

  /** Loads a program (the previous one must have finished); its last operation's result is the program's result. */
  start(ops: readonly ScalarOp[]): void {
    if (this.running) throw new Error("scalar unit: a program is still running");
    if (ops.length === 0) throw new Error("scalar unit: empty program");
    this.ops = ops;
    this.values = new Array<Value>(ops.length).fill(NaN);
    this.issued = new Array<boolean>(ops.length).fill(false);
    this.done = new Array<boolean>(ops.length).fill(false);
    this.finished = false;
    this.firstPending = 0;
  }

  /** True while a loaded program has not finished. */
  get running(): boolean {
    return this.ops.length > 0 && !this.finished;
  }

  /** True once the loaded program's last operation has completed. */
  get ready(): boolean {
    return this.ops.length > 0 && this.finished;
  }

  /** The result of operation `index` of the finished program (before take()). */
  resultOf(index: number): number {
    if (!this.ready) throw new Error("scalar unit: no finished program");
    return this.values[index] as number;
  }

  /** The finished program's result; unloads it. */
  take(): number {
    if (!this.ready) throw new Error("scalar unit: no finished program");
    const r = this.values[this.ops.length - 1] as number;
    this.ops = [];
    return r;
  }

  /** Tick phase: advances every scalar unit one cycle and records what completed. */
  tick(): void {
    for (const pipe of Object.values(this.pipes)) {
      const i = pipe.tick();
      if (i === undefined) continue;
      this.done[i] = true;
      if (i === this.ops.length - 1) this.finished = true;
    }
  }

  /** Issue phase: each unit issues the oldest not-yet-issued operation whose operands have completed. */
  issue(): void {
    const used = new Set<ScalarUnitName>();
    while (this.firstPending < this.ops.length && this.issued[this.firstPending]) this.firstPending++;
    for (let i = this.firstPending; i < this.ops.length; i++) {
      const op = this.ops[i]!;
      if (this.issued[i] || used.has(op.unit) || !op.deps.every((d) => this.done[d])) continue;
      this.values[i] = op.run(op.deps.map((d) => this.values[d]!));
      this.issued[i] = true;
      this.pipes[op.unit].issue(i);
      used.add(op.unit);
    }
  }

  /** End of cycle. */
  endCycle(): void {
    for (const pipe of Object.values(this.pipes)) pipe.endCycle();
  }

  /** Operations issued so far, per unit (activity counters). */
  activity(): Record<ScalarUnitName, number> {
    const a = {} as Record<ScalarUnitName, number>;
    for (const [name, pipe] of Object.entries(this.pipes) as [ScalarUnitName, Pipe<number>][]) a[name] = pipe.issued;
    return a;
  }
}

/**
 * The inverse-norm phase alone, cycle by cycle: a ≈ 1/√m from m in F, with the
 * configured method (the result the macro multiplies by √d). Returns a and the
 * cycles from the phase's start to a usable result (the final ×1 included, as the
 * macro's ×√d). m = 0 or +∞ give 0 (the row rule), not ±∞ as rsqrt.
 */
export function simulateInverseNorm(m: number, config: MacroConfig): { a: number; cycles: number } {
  const unit = new ScalarUnit(config);
  unit.start(inverseNormProgram(rounder(config.format)(m), config, 1));
  for (let cycle = 0; ; cycle++) {
    unit.tick();
    if (unit.ready) return { a: unit.take(), cycles: cycle };
    unit.issue();
    unit.endCycle();
    if (cycle > 1_000_000) throw new Error("scalar unit: program did not finish (a bug)");
  }
}
