/**
 * simulateMacro: the macro run cycle by cycle (docs/hardware.md, "Schedule").
 *
 *   LOAD      input beats of L words → input buffer; running max of exponent fields
 *             → prescale k (exponent unit)
 *   SUM_X     read rows ─► ×2^k (Mul block, written back) ─► −x₀ (Add rank 1) ─► adder tree
 *             chunk sums → partial-sum row; more than one: the row goes through the
 *             same pipeline again (element stages bypassed) → S; δ = S·(1/d), c = x₀ + δ
 *   SUM_SQ    read rows ─► −c (rank 1) ─► square ─► adder tree (same reuse) → q = Σ R(x − c)²;
 *             meanwhile the scalar unit forms err = (x₀ + δ) − c (TwoSum) and P = d·err²;
 *             the comparator sets two = P > q·2^−42; m = (q − P′) + ε·4^k, P′ = two ? P : +0
 *   INV_NORM  iteration controller: a ≈ 1/√m, s = √d·a (scalar.ts)
 *   OUTPUT    beats of L/2 words ─► −c (rank 1) ─► −err′ (rank 2) ─► ×s ─► ×γ ─► +β ─► output register ─► port
 *
 * The centring is the library's rule (docs/design.md §1 step 2): Σy² is taken about the rounded
 * mean c in one pass; a row whose err is large against its spread (two shifts) has P = d·err²
 * taken off q, which is Σ(y − err)² up to 2·err·r (r the residual of δ, negligible), and its
 * outputs centred by y = R(R(x − c) − err). Otherwise err′ = +0 and x − (+0) = x for every x
 * (−0 and NaN included): rank 2 is operand-isolated and the schedule is the same in both modes.
 *
 * with a controller turn-around of `phaseSwitch` cycles between phases. Every
 * unit is a Pipe; each cycle the simulator ticks all units, routes what completed
 * to the next stage, lets the controller issue, and counts the cycle against the
 * current phase. Values are computed bit-accurately in the configured format with
 * the tree's summation order (arith.ts).
 */
import { bf16BitsFromF32Bits, bf16Value } from "../js/formats.js";
import { DEFAULT_L2_EPS, DEFAULT_LAYERNORM_EPS } from "../js/constants.js";
import { describe } from "../js/validate.js";
import { f32Bits } from "../js/bits.js";
import { exponentOf } from "../js/reference/rsqrt.js";
import { mapRow, rounder, toF32, treeLevel, treeLevelAdds, type Round, type Row } from "./arith.js";
import { DEFAULT_MACRO, checkMacroConfig, type MacroConfig } from "./config.js";
import type { CentringShifts, MacroActivity } from "./activity.js";
import type { MacroPhases } from "./latency.js";
import { Pipe } from "./pipe.js";
import {
  CENTRING_ERR_OP,
  MEAN_DELTA_OP,
  ScalarUnit,
  TWO_SHIFT_SCALE,
  centringProgram,
  inverseNormProgram,
  mProgram,
  meanProgram,
} from "./scalar.js";

/** Per-call inputs besides the vector. */
export interface SimulateOptions {
  /** LayerNorm (centre, scale by √d·a, then γ, β) or L2 (scale by a). @default 'layernorm' */
  mode?: "layernorm" | "l2";
  /** γ, d values (rounded to the format; raw bits as a Uint16Array in BF16). LayerNorm only. @default all ones */
  gamma?: Float32Array | Uint16Array;
  /** β, d values. LayerNorm only. @default none (all −0, which leaves every value unchanged) */
  beta?: Float32Array | Uint16Array;
  /** ε: added to the variance (LayerNorm, as d·ε) or to Σx² (L2). @default 1e-5 (LayerNorm), 0 (L2) */
  eps?: number;
  /** Log the controller's state changes in `result.events` (what the RTL is compared against). @default false */
  events?: boolean;
}

/** A controller state: the five phases, the turn-around between two of them, and done. */
export type MacroState = "load" | "switch" | "sumX" | "sumSq" | "inverseNorm" | "output" | "done";

/**
 * One state change of the controller: from `cycle` on (counted from the first input beat, 0) the
 * cycles count against `state` ("switch": the turn-around, counted as control; "done": the cycle
 * of the last output beat, counted as output, after which the macro is idle).
 */
export interface MacroEvent {
  readonly state: MacroState;
  readonly cycle: number;
}

/** Internal values of a run, in the prescaled units (x·2^k). */
export interface MacroTrace {
  /** Prescale exponent: the row was multiplied by 2^k before any arithmetic. */
  readonly k: number;
  /** S = Σ R(x·2^k − x₀·2^k) in the tree's order, FP32. */
  readonly sum: number;
  /** c = R(x₀ + δ), the rounded mean of the prescaled row (0 in L2 mode). */
  readonly mean: number;
  /** δ = R(S·(1/d)), the mean of the prescaled row less x₀ (0 in L2 mode). */
  readonly delta: number;
  /** err = (x₀ + δ) − c exactly (TwoSum in F), the rounding of the mean (0 in L2 mode). */
  readonly err: number;
  /**
   * The centring (docs/design.md §1 step 2): 2 when P = fl32(fl32(err²)·d) > fl32(q·2^−42), then
   * m = R(fl32(q − P) + ε-term) and y = R(R(x − c) − err) in the output; 1 otherwise (always in L2
   * mode), m = R(q + ε-term) and y = R(x − c).
   */
  readonly shifts: CentringShifts;
  /** q = Σ R(x − c)² in the tree's order, FP32 (one shift in every row), before P and ε. */
  readonly sumSq: number;
  /** m = R(fl32(q − P′) + ε-term·4^k), P′ = P on a two-shift row, else 0: the input of the scalar path. */
  readonly m: number;
  /** s = √d·a (LayerNorm) or a (L2), a from the scalar path. */
  readonly scale: number;
  /** True when the row held NaN or ±∞ (its output is NaN). */
  readonly nanRow: boolean;
}

/** The result of one simulated vector. */
export interface MacroResult {
  /** Normalised vector: values in the format (Float32Array), or raw BF16 bits when x was a Uint16Array. */
  readonly output: Float32Array | Uint16Array;
  /** Cycles from the first input beat to the last output beat, both included. */
  readonly cycles: number;
  /** Cycles spent in each phase; they sum to `cycles`. */
  readonly phases: MacroPhases;
  /** Operation and access counts (the energy model's activity). */
  readonly activity: MacroActivity;
  readonly trace: MacroTrace;
  /** With options.events: every state change in order, the first { state: "load", cycle: 0 }. */
  readonly events?: readonly MacroEvent[];
}

type State = MacroState;

interface Token {
  readonly row: Row;
  readonly route: Route;
  readonly at: number;
}

interface Stage {
  readonly pipe: Pipe<Token>;
  readonly op: (row: Row) => Row;
}

interface Route {
  readonly stages: readonly Stage[];
  readonly sink: (row: Row, cycle: number) => void;
}

function vectorArg(name: string, v: unknown, d: number | undefined, format: MacroConfig["format"]): Float64Array {
  const bits = v instanceof Uint16Array;
  if (!(v instanceof Float32Array) && !bits)
    throw new TypeError(`${name} must be a Float32Array (or a Uint16Array of BF16 bits); got ${describe(v)}`);
  if (bits && format !== "bf16")
    throw new TypeError(`${name} is a Uint16Array of raw bits, which needs config.format "bf16"; got "${format}"`);
  if (d !== undefined && v.length !== d)
    throw new RangeError(`${name}.length must be ${d} (x.length); got ${v.length}`);
  const R = rounder(format);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = bits ? bf16Value(v[i]!) : R(v[i]!);
  return out;
}

/**
 * Runs one vector x (1 ≤ d ≤ config.maxDim) through the macro, cycle by cycle.
 * The output is bit-accurate for the modelled datapath (format, tree order,
 * prescale); it agrees with layerNorm / l2Normalize within the tolerance of the
 * different summation order (tests/hw-simulate.test.ts derives it).
 *
 * @example
 * const { output, cycles, phases } = simulateMacro(x);   // DEFAULT_MACRO, LayerNorm, γ = 1, β = 0
 */
export function simulateMacro(
  x: Float32Array | Uint16Array,
  config: MacroConfig = DEFAULT_MACRO,
  options: SimulateOptions = {},
): MacroResult {
  const cfg = checkMacroConfig(config);
  if (typeof options !== "object" || options === null)
    throw new TypeError(`options must be an options object; got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!["mode", "gamma", "beta", "eps", "events"].includes(key))
      throw new TypeError(
        `options has an unknown field ${JSON.stringify(key)}; expected one of mode, gamma, beta, eps, events`,
      );
  }
  const mode = options.mode ?? "layernorm";
  if (mode !== "layernorm" && mode !== "l2")
    throw new RangeError(`options.mode must be "layernorm" or "l2"; got ${describe(mode)}`);
  if (!(x instanceof Float32Array) && !(x instanceof Uint16Array))
    throw new TypeError(`x must be a Float32Array (or a Uint16Array of BF16 bits); got ${describe(x)}`);
  const d = x.length;
  if (d < 1 || d > cfg.maxDim)
    throw new RangeError(`x.length must be from 1 to config.maxDim = ${cfg.maxDim}; got ${d}`);
  const layer = mode === "layernorm";
  if (!layer && (options.gamma !== undefined || options.beta !== undefined))
    throw new TypeError('options.gamma and options.beta apply to mode "layernorm" only');
  const eps = options.eps ?? (layer ? DEFAULT_LAYERNORM_EPS : DEFAULT_L2_EPS);
  if (typeof eps !== "number" || !(eps >= 0) || !Number.isFinite(Math.fround(eps)))
    throw new RangeError(`options.eps must be a number ≥ 0 that is finite in f32; got ${describe(eps)}`);
  const events = options.events ?? false;
  if (typeof events !== "boolean") throw new TypeError(`options.events must be true or false; got ${describe(events)}`);
  const input = vectorArg("x", x, undefined, cfg.format);
  const gamma = options.gamma === undefined ? undefined : vectorArg("options.gamma", options.gamma, d, cfg.format);
  const beta = options.beta === undefined ? undefined : vectorArg("options.beta", options.beta, d, cfg.format);
  return new Machine(cfg, input, layer, gamma, beta, Math.fround(eps), events).run(x instanceof Uint16Array);
}

/** The exponent field (0..255) of a value of the format: binary32 and bfloat16 share it. */
function exponentField(v: number): number {
  return (f32Bits(v) >>> 23) & 0xff;
}

const MAGNITUDE = 0x7fffffff;
const INFINITY_BITS = 0x7f800000;

/**
 * The controller's mode comparator, P > fl32(q·2^−42), combinational: q·2^−42 is q with 42 taken
 * off its exponent (denormalised, rounded to nearest even, below 2^−84: what fl32 gives), and
 * P, q ≥ 0 (squares and sums of squares, +0 included), so the order is the unsigned order of the
 * 31 magnitude bits; a NaN on either side gives false (one shift), as the library's comparison does.
 */
function twoShifts(p: number, q: number): boolean {
  const mp = f32Bits(p) & MAGNITUDE;
  const mt = f32Bits(toF32(q * TWO_SHIFT_SCALE)) & MAGNITUDE;
  return mp <= INFINITY_BITS && mt <= INFINITY_BITS && mp > mt;
}

class Machine {
  private readonly R: Round;
  private readonly L: number;
  private readonly H: number;
  private readonly d: number;
  private readonly rows: number;
  private readonly beats: number;
  // host constants of the call (per d, like the kernel's 1/d and √d)
  private readonly invD: number;
  private readonly sqrtD: number;
  private readonly epsTerm: number;
  private readonly kCap: number;
  // storage
  private readonly buffer: Float64Array;
  private readonly partials: number[] = [];
  private readonly out: Float64Array;
  // units
  private readonly maxUnit: Pipe<{ field: number; last: boolean }>;
  private readonly scalar: ScalarUnit;
  private readonly read: Pipe<Token>;
  private readonly mul: Pipe<Token>;
  private readonly add: Pipe<Token>;
  private readonly mul2: Pipe<Token>;
  private readonly add2: Pipe<Token>;
  private readonly addBeta: Pipe<Token>;
  private readonly outReg: Pipe<Token>;
  private readonly tree: Pipe<Token>[];
  private readonly vectorPipes: Pipe<Token>[];
  // controller
  private state: State = "load";
  /** The state changes, when logged (options.events). */
  private readonly log: MacroEvent[] | undefined;
  private next: State = "sumX";
  private switchUntil = 0;
  private runningMax = 0;
  private pending: { route: Route; rows: Row[]; from: number } | undefined;
  private expected = 0;
  private collected = 0;
  private k = 0;
  private factor = 1;
  private epsScaled = 0;
  private nanRow = false;
  private x0 = 0;
  private mean = 0;
  private delta = 0;
  private err = 0;
  private shifts: CentringShifts = 1;
  /** The output's second shift: err on a two-shift row, else +0. */
  private off = 0;
  /** P = d·err² from the centring program, while it is running or once it has finished. */
  private pShift = 0;
  /** The SUM_SQ scalar programs: the centring program, then m once q is in. */
  private centringRunning = false;
  private qReady = false;
  private mStarted = false;
  private sum = 0;
  private sumSq = 0;
  private m = 0;
  private s = 0;
  private written = 0;
  private readonly phases: Record<keyof MacroPhases, number> = {
    load: 0,
    sumX: 0,
    sumSq: 0,
    inverseNorm: 0,
    output: 0,
    control: 0,
  };
  private readonly act = {
    elementMul: 0,
    elementAdd: 0,
    treeAdd: 0,
    compare: 0,
    sramReadWords: 0,
    sramWriteWords: 0,
    paramReadWords: 0,
    partialWrites: 0,
  };

  constructor(
    private readonly cfg: MacroConfig,
    private readonly x: Float64Array,
    private readonly layer: boolean,
    private readonly gamma: Float64Array | undefined,
    private readonly beta: Float64Array | undefined,
    eps: number,
    events: boolean,
  ) {
    this.log = events ? [{ state: "load", cycle: 0 }] : undefined;
    this.R = rounder(cfg.format);
    this.L = cfg.lanes;
    this.H = cfg.lanes >> 1;
    this.d = x.length;
    this.rows = Math.ceil(this.d / this.L);
    this.beats = Math.ceil(this.d / this.H);
    const df = toF32(this.d);
    this.invD = toF32(1 / df);
    this.sqrtD = layer ? this.R(toF32(Math.sqrt(df))) : 1;
    this.epsTerm = layer ? toF32(df * eps) : eps;
    this.kCap = this.epsTerm > 0 ? Math.floor((126 - exponentOf(this.epsTerm)) / 2) : 126;
    this.buffer = new Float64Array(this.rows * this.L);
    this.out = new Float64Array(this.d);
    const l = cfg.latency;
    this.maxUnit = new Pipe<{ field: number; last: boolean }>("max-exponent unit", l.exponent);
    this.scalar = new ScalarUnit(cfg);
    this.read = new Pipe<Token>("buffer read port", l.read);
    this.mul = new Pipe<Token>("Mul block", l.mul);
    this.add = new Pipe<Token>("Add block, rank 1", l.add);
    this.mul2 = new Pipe<Token>("Mul block, second half (×γ)", l.mul);
    this.add2 = new Pipe<Token>("Add block, rank 2 (L/2 adders, output pass only)", l.add);
    this.addBeta = new Pipe<Token>("Add block, +β (rank 1's other L/2 adders)", l.add);
    this.outReg = new Pipe<Token>("output register", l.write);
    this.tree = [];
    for (let i = 0; i < Math.log2(this.L); i++) this.tree.push(new Pipe<Token>(`adder tree level ${i + 1}`, l.add));
    this.vectorPipes = [this.read, this.mul, this.add, this.mul2, this.add2, this.addBeta, this.outReg, ...this.tree];
  }

  run(bitsOut: boolean): MacroResult {
    let cycle = 0;
    for (; ; cycle++) {
      if (cycle > 10_000_000) throw new Error("simulateMacro: the schedule did not finish (a bug)");
      this.tickAll(cycle);
      this.control(cycle);
      const counted: keyof MacroPhases =
        this.state === "switch" ? "control" : this.state === "done" ? "output" : this.state;
      this.phases[counted]++;
      if (this.state === "done") break;
      this.issueRows(cycle);
      this.scalar.issue();
      this.endCycle();
    }
    const scalarAct = this.scalar.activity();
    const activity: MacroActivity = {
      ...this.act,
      scalarMul: scalarAct.mul,
      scalarAdd: scalarAct.add,
      exponentOps: scalarAct.exp,
      sqrtOps: scalarAct.sqrt,
      divideOps: scalarAct.div,
    };
    const output = bitsOut ? new Uint16Array(this.d) : new Float32Array(this.d);
    for (let i = 0; i < this.d; i++) output[i] = bitsOut ? bf16BitsFromF32Bits(f32Bits(this.out[i]!)) : this.out[i]!;
    return {
      output,
      cycles: cycle + 1,
      phases: { ...this.phases },
      activity,
      ...(this.log === undefined ? {} : { events: this.log }),
      trace: {
        k: this.k,
        sum: this.sum,
        mean: this.mean,
        delta: this.delta,
        err: this.err,
        shifts: this.shifts,
        sumSq: this.sumSq,
        m: this.m,
        scale: this.s,
        nanRow: this.nanRow,
      },
    };
  }

  // ── one cycle ──────────────────────────────────────────────────────────────

  private tickAll(cycle: number): void {
    const max = this.maxUnit.tick();
    if (max?.last) this.scalar.start([{ unit: "exp", deps: [], run: () => this.prescale(max.field) }]);
    this.scalar.tick();
    // Tick every unit first, then route: a result completing this cycle enters its next unit this cycle.
    const done: Token[] = [];
    for (const pipe of this.vectorPipes) {
      const t = pipe.tick();
      if (t !== undefined) done.push(t);
    }
    for (const t of done) {
      const nextAt = t.at + 1;
      if (nextAt < t.route.stages.length) {
        const stage = t.route.stages[nextAt]!;
        stage.pipe.issue({ row: stage.op(t.row), route: t.route, at: nextAt });
      } else {
        t.route.sink(t.row, cycle);
      }
    }
  }

  private control(cycle: number): void {
    if (this.state === "load" && this.scalar.ready) {
      this.k = this.scalar.take();
      this.enter("sumX", cycle);
    }
    if (this.state === "sumX" && this.scalar.ready) {
      const delta = this.scalar.resultOf(MEAN_DELTA_OP);
      this.centring(this.scalar.take(), delta);
      this.enter("sumSq", cycle);
    }
    if (this.state === "sumSq" && this.scalar.ready) {
      if (this.centringRunning) {
        this.err = this.scalar.resultOf(CENTRING_ERR_OP);
        this.pShift = this.scalar.take();
        this.centringRunning = false;
        this.startM();
      } else {
        this.m = this.scalar.take();
        this.enter("inverseNorm", cycle);
      }
    }
    if (this.state === "inverseNorm" && this.scalar.ready) {
      this.s = this.scalar.take();
      this.enter("output", cycle);
    }
    if (this.state === "switch" && cycle === this.switchUntil) this.begin(this.next, cycle);
    if (this.state === "output" && this.written === this.d && !this.anyBusy()) this.setState("done", cycle);
  }

  /**
   * The mean, set at the turn-around after SUM_X: c is rank 1's operand in SUM_SQ and OUTPUT.
   * L2 mode centres by nothing: c = δ = +0 (and the centring program runs on zeros: err = P = 0).
   */
  private centring(c: number, delta: number): void {
    if (!this.layer) return;
    this.mean = c;
    this.delta = delta;
  }

  /**
   * The centring rule (docs/design.md §1 step 2) once q and P are both in: the comparator sets
   * the mode, and m = R(fl32(q − P′) + ε-term) starts on the scalar adder (q − P′ on every row).
   */
  private startM(): void {
    if (!this.qReady || this.centringRunning || this.mStarted) return;
    this.mStarted = true;
    const two = this.layer && twoShifts(this.pShift, this.sumSq);
    this.shifts = two ? 2 : 1;
    this.off = two ? this.err : 0;
    this.scalar.start(mProgram(this.sumSq, two ? this.pShift : 0, this.epsScaled, this.R));
  }

  /** Every state change goes through here (the event log). */
  private setState(state: State, cycle: number): void {
    this.state = state;
    this.log?.push({ state, cycle });
  }

  private enter(next: State, cycle: number): void {
    if (this.cfg.latency.phaseSwitch === 0) {
      this.begin(next, cycle);
      return;
    }
    this.setState("switch", cycle);
    this.next = next;
    this.switchUntil = cycle + this.cfg.latency.phaseSwitch;
  }

  private begin(state: State, cycle: number): void {
    this.setState(state, cycle);
    if (state === "sumX") this.startSumX(cycle);
    else if (state === "sumSq") {
      // the TwoSum and P run on the scalar unit, idle during the pass (docs/hardware.md §1)
      const [x0, delta, c] = this.layer ? [this.x0, this.delta, this.mean] : [0, 0, 0];
      this.scalar.start(centringProgram(x0, delta, c, toF32(this.d), this.R));
      this.centringRunning = true;
      this.startSumSq(cycle);
    } else if (state === "inverseNorm") this.scalar.start(inverseNormProgram(this.m, this.cfg, this.sqrtD));
    else if (state === "output") this.startOutput(cycle);
  }

  private issueRows(cycle: number): void {
    if (this.state === "load" && cycle < this.rows) this.loadBeat(cycle);
    const p = this.pending;
    if (p === undefined || cycle < p.from) return;
    const row = p.rows.shift()!;
    this.read.issue({ row, route: p.route, at: 0 });
    if (p.rows.length === 0) this.pending = undefined;
  }

  private endCycle(): void {
    this.maxUnit.endCycle();
    this.scalar.endCycle();
    for (const pipe of this.vectorPipes) pipe.endCycle();
  }

  private anyBusy(): boolean {
    return this.vectorPipes.some((p) => p.busy);
  }

  // ── LOAD ───────────────────────────────────────────────────────────────────

  private loadBeat(r: number): void {
    const base = r * this.L;
    const valid = Math.min(this.L, this.d - base);
    let field = this.runningMax;
    for (let i = 0; i < valid; i++) {
      const v = this.x[base + i]!;
      this.buffer[base + i] = v;
      field = Math.max(field, exponentField(v));
    }
    this.act.compare += valid;
    this.act.sramWriteWords += valid;
    this.runningMax = field;
    this.maxUnit.issue({ field, last: r === this.rows - 1 });
  }

  /** k from the largest exponent field (exponent unit): |x·2^k| < 2, capped so ε·4^k stays finite. */
  private prescale(field: number): number {
    this.nanRow = field === 255;
    const e = field === 0 ? -126 : field - 127;
    const k = this.nanRow ? 0 : Math.min(Math.max(0 - e, -126), 126, this.kCap) + 0;
    this.factor = 2 ** k;
    this.epsScaled = toF32(toF32(this.epsTerm * this.factor) * this.factor);
    return k;
  }

  // ── the two reductions ─────────────────────────────────────────────────────

  private bufferRows(): Row[] {
    const rows: Row[] = [];
    for (let r = 0; r < this.rows; r++) {
      const base = r * this.L;
      const valid = Math.min(this.L, this.d - base);
      rows.push({ index: r, values: this.buffer.slice(base, base + this.L), valid });
    }
    return rows;
  }

  private treeStages(): Stage[] {
    return this.tree.map((pipe) => ({
      pipe,
      op: (row: Row) => {
        this.act.treeAdd += treeLevelAdds(row.valid);
        return treeLevel(row);
      },
    }));
  }

  /**
   * Streams rows through `elementStages` and the tree, then reduces the chunk sums with the tree until one
   * is left. The chunk sums pass the element stages unchanged (bypassed, the same depth as the rows).
   */
  private reduce(cycle: number, elementStages: Stage[], done: (sum: number, cycle: number) => void): void {
    const bypass: Stage[] = [
      { pipe: this.read, op: (row) => row },
      ...elementStages.map((st) => ({ pipe: st.pipe, op: (row: Row) => row })),
      ...this.treeStages(),
    ];
    const first: Stage[] = [{ pipe: this.read, op: (row) => row }, ...elementStages, ...this.treeStages()];
    const collect = (row: Row, at: number): void => {
      this.partials[row.index] = row.values[0]!;
      this.act.partialWrites++;
      this.collected++;
      if (this.collected < this.expected) return;
      const n = this.expected;
      if (n === 1) {
        done(this.partials[0]!, at);
        return;
      }
      const rows: Row[] = [];
      for (let r = 0; r * this.L < n; r++) {
        const values = new Float64Array(this.L);
        const valid = Math.min(this.L, n - r * this.L);
        for (let i = 0; i < valid; i++) values[i] = this.partials[r * this.L + i]!;
        rows.push({ index: r, values, valid });
      }
      this.expected = rows.length;
      this.collected = 0;
      this.pending = { route: { stages: bypass, sink: collect }, rows, from: at + 1 };
    };
    this.expected = this.rows;
    this.collected = 0;
    this.pending = { route: { stages: first, sink: collect }, rows: this.bufferRows(), from: cycle };
  }

  private startSumX(cycle: number): void {
    const R = this.R;
    const scale: Stage = {
      pipe: this.mul,
      op: (row) => {
        const scaled = mapRow(row, (v) => R(v * this.factor));
        if (row.index === 0) this.x0 = scaled.values[0]!;
        this.buffer.set(scaled.values.subarray(0, row.valid), row.index * this.L);
        this.act.elementMul += row.valid;
        this.act.sramReadWords += row.valid;
        this.act.sramWriteWords += row.valid;
        return scaled;
      },
    };
    const shift: Stage = {
      pipe: this.add,
      op: (row) => {
        this.act.elementAdd += row.valid;
        return mapRow(row, (v) => R(v - this.x0));
      },
    };
    this.reduce(cycle, [scale, shift], (sum) => {
      this.sum = sum;
      this.scalar.start(meanProgram(sum, this.x0, this.invD, R));
    });
  }

  /** −c on Add rank 1 (every element read from the buffer passes it). */
  private meanStage(): Stage {
    return {
      pipe: this.add,
      op: (row) => {
        this.act.elementAdd += row.valid;
        this.act.sramReadWords += row.valid;
        return mapRow(row, (v) => this.R(v - this.mean));
      },
    };
  }

  /**
   * −err on Add rank 2 (output pass only): performed on a two-shift row; otherwise off = +0, the
   * rank's adders are operand-isolated and the value passes through its pipeline registers
   * unchanged (x − (+0) = x for every x, so the bits are those of performing it).
   */
  private offStage(): Stage {
    return {
      pipe: this.add2,
      op: (row) => {
        if (this.shifts === 1) return row;
        this.act.elementAdd += row.valid;
        return mapRow(row, (v) => this.R(v - this.off));
      },
    };
  }

  private startSumSq(cycle: number): void {
    // The square of a format value goes to the FP32 tree rounded to FP32 (exact for BF16 operands).
    const square: Stage = {
      pipe: this.mul,
      op: (row) => {
        this.act.elementMul += row.valid;
        return mapRow(row, (y) => toF32(y * y));
      },
    };
    this.reduce(cycle, [this.meanStage(), square], (sum) => {
      this.sumSq = sum;
      this.qReady = true;
      this.startM();
    });
  }

  // ── OUTPUT ─────────────────────────────────────────────────────────────────

  private startOutput(cycle: number): void {
    const R = this.R;
    const H = this.H;
    const element = (row: Row, lane: number): number => row.index * H + lane;
    const stages: Stage[] = [
      { pipe: this.read, op: (row) => row },
      this.meanStage(),
      this.offStage(),
      {
        pipe: this.mul,
        op: (row) => {
          this.act.elementMul += row.valid;
          return mapRow(row, (y) => R(y * this.s));
        },
      },
      {
        pipe: this.mul2,
        op: (row) => {
          this.act.elementMul += row.valid;
          this.act.paramReadWords += row.valid;
          return mapRow(row, (v, lane) => R(v * (this.gamma ? this.gamma[element(row, lane)]! : 1)));
        },
      },
      {
        pipe: this.addBeta,
        op: (row) => {
          this.act.elementAdd += row.valid;
          this.act.paramReadWords += row.valid;
          return mapRow(row, (v, lane) => R(v + (this.beta ? this.beta[element(row, lane)]! : -0)));
        },
      },
      { pipe: this.outReg, op: (row) => row },
    ];
    const sink = (row: Row): void => {
      for (let i = 0; i < row.valid; i++) this.out[element(row, i)] = this.nanRow ? NaN : row.values[i]!;
      this.written += row.valid;
    };
    const rows: Row[] = [];
    for (let b = 0; b < this.beats; b++) {
      const base = b * H;
      const valid = Math.min(H, this.d - base);
      rows.push({ index: b, values: this.buffer.slice(base, base + H), valid });
    }
    this.pending = { route: { stages, sink }, rows, from: cycle };
  }
}
