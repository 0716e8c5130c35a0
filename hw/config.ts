/**
 * The macro's configuration as data (MacroConfig), its defaults, and validation.
 * A configuration is checked once, here; the simulator, the closed form and the
 * cost model trust a value returned by checkMacroConfig or defineMacro.
 *
 * DEFAULT_MACRO is the microarchitecture of docs/hardware.md: 64 lanes, FP units
 * with 2-cycle pipelines, 1.5·L element adders in two ranks (the centring), a 64-input
 * adder tree reused for the cross-chunk sum, and a 1-cycle controller turn-around
 * fitted to the paper's two latencies.
 */
import { BF16_MAGIC, MAX_ITERATIONS, QUAKE_MAGIC } from "../js/constants.js";
import { checkKeys, integerIn, numberIn, objectOf, oneOf, rangeError } from "../js/validate.js";
import {
  DIGIT_RECURRENCE_EXTRA_CYCLES,
  MAX_ITERATIVE,
  MAX_LANES,
  MAX_MACRO_DIM,
  MAX_PIPELINE,
  PAPER_CLOCK_MHZ,
  PAPER_MAX_DIM,
  PAPER_VOLTAGE,
  SIGNIFICAND_BITS,
} from "./constants.js";

/** Working format of the datapath. Reductions accumulate in FP32 in both (docs/design.md §3). */
export type MacroFormat = "fp32" | "bf16";
/** How the inverse norm a ≈ 1/√m is found: IterL2Norm, magic seed + Newton steps, or sqrt then divide. */
export type MacroMethod = "iter" | "fisr" | "sqrt";
/** λ policy of the iteration (docs/design.md §1 step 6); a number c means λ = c·2^(−e). */
export type MacroLambda = "paper" | "pow2" | "newton" | number;

/** Pipeline depths in cycles: a result issued in cycle t is usable in cycle t + depth. */
export interface MacroLatencies {
  /** FP adder; also each level of the adder tree. @default 2 */
  readonly add: number;
  /** FP multiplier. @default 2 */
  readonly mul: number;
  /** SRAM buffer read. @default 1 */
  readonly read: number;
  /** Exponent unit: running max of exponents, prescale k, a₀, λ, range scaling, FISR seed. @default 1 */
  readonly exponent: number;
  /** Output register in front of the output port (write-back). @default 1 */
  readonly write: number;
  /** Controller turn-around between two phases (fitted to the paper's latencies, docs/hardware.md). @default 1 */
  readonly phaseSwitch: number;
  /** Square-root unit, radix-2 digit recurrence: significand bits + 3. @default 27 (FP32), 11 (BF16) */
  readonly sqrt: number;
  /** Divider, radix-2 digit recurrence: significand bits + 3. @default 27 (FP32), 11 (BF16) */
  readonly divide: number;
}

/** FISR settings of the 'fisr' method. */
export interface MacroFisr {
  /** Magic constant: 32-bit for FP32, 16-bit (on the BF16 pattern) for BF16. @default 0x5f3759df / 0x5f37 */
  readonly magic: number;
  /** Newton steps after the seed. @default 1 */
  readonly steps: number;
}

/** A macro instance: everything the simulator, the latency formula and the cost model need. */
export interface MacroConfig {
  /** Working format. @default 'fp32' */
  readonly format: MacroFormat;
  /** Elements per cycle of the streaming passes (a power of two); the output pass runs at lanes/2. @default 64 */
  readonly lanes: number;
  /** Largest vector length: the input, γ and β buffers hold this many words each. @default 1024 */
  readonly maxDim: number;
  /** Clock frequency in MHz (power and time figures). @default 100 */
  readonly clockMHz: number;
  /** Supply voltage in volts (energy scaling). @default 1.05 */
  readonly voltage: number;
  /** Inverse-norm method. @default 'iter' */
  readonly method: MacroMethod;
  /** IterL2Norm update steps (method 'iter'). @default 5 */
  readonly iterations: number;
  /** λ policy (method 'iter'). @default 'paper' */
  readonly lambda: MacroLambda;
  /** FISR magic and steps (method 'fisr'). */
  readonly fisr: MacroFisr;
  /** Pipeline depths. */
  readonly latency: MacroLatencies;
}

/** Overrides for defineMacro: any field, and any subset of latency and fisr. */
export interface MacroOverrides {
  readonly format?: MacroFormat;
  readonly lanes?: number;
  readonly maxDim?: number;
  readonly clockMHz?: number;
  readonly voltage?: number;
  readonly method?: MacroMethod;
  readonly iterations?: number;
  readonly lambda?: MacroLambda;
  readonly fisr?: Partial<MacroFisr>;
  readonly latency?: Partial<MacroLatencies>;
}

const FORMATS: readonly MacroFormat[] = ["fp32", "bf16"];
const METHODS: readonly MacroMethod[] = ["iter", "fisr", "sqrt"];
const LAMBDAS = ["paper", "pow2", "newton"] as const;
const CONFIG_KEYS = [
  "format",
  "lanes",
  "maxDim",
  "clockMHz",
  "voltage",
  "method",
  "iterations",
  "lambda",
  "fisr",
  "latency",
];
const LATENCY_KEYS: readonly (keyof MacroLatencies)[] = [
  "add",
  "mul",
  "read",
  "exponent",
  "write",
  "phaseSwitch",
  "sqrt",
  "divide",
];
const FISR_KEYS: readonly (keyof MacroFisr)[] = ["magic", "steps"];

/** Cycles of a radix-2 digit-recurrence sqrt or divide in a format: one per significand bit plus 3. */
export function digitRecurrenceCycles(format: MacroFormat): number {
  return SIGNIFICAND_BITS[format] + DIGIT_RECURRENCE_EXTRA_CYCLES;
}

function defaults(format: MacroFormat): MacroConfig {
  const iterative = digitRecurrenceCycles(format);
  return {
    format,
    lanes: 64,
    maxDim: PAPER_MAX_DIM,
    clockMHz: PAPER_CLOCK_MHZ,
    voltage: PAPER_VOLTAGE,
    method: "iter",
    iterations: 5,
    lambda: "paper",
    fisr: { magic: format === "fp32" ? QUAKE_MAGIC : BF16_MAGIC, steps: 1 },
    latency: { add: 2, mul: 2, read: 1, exponent: 1, write: 1, phaseSwitch: 1, sqrt: iterative, divide: iterative },
  };
}

// Checks by the package's validator kit (js/validate.ts); a configuration's names are "fields", and
// every field is required (integerIn without a fallback): defineMacro fills in the defaults.

function record(name: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  const o = objectOf(name, value, "an object");
  checkKeys(name, o, keys, "field");
  return o;
}

/**
 * Checks a complete configuration and returns a frozen copy. Throws a TypeError
 * (wrong kind of value, unknown or missing field) or a RangeError (value out of
 * range) naming the field, the value and what was expected.
 */
export function checkMacroConfig(config: unknown, name = "config"): MacroConfig {
  const o = record(name, config, CONFIG_KEYS);
  for (const key of CONFIG_KEYS) {
    if (o[key] === undefined) {
      throw new TypeError(
        `${name}.${key} is missing; a MacroConfig needs all of ${CONFIG_KEYS.join(", ")} ` +
          "(build one with defineMacro)",
      );
    }
  }
  const format = oneOf(`${name}.format`, o.format, FORMATS);
  const lanes = integerIn(`${name}.lanes`, o.lanes, 2, MAX_LANES, undefined, " that is a power of two");
  if ((lanes & (lanes - 1)) !== 0) {
    throw rangeError(`${name}.lanes`, lanes, `a power of two from 2 to ${MAX_LANES} (the adder tree is binary)`);
  }
  const maxDim = integerIn(`${name}.maxDim`, o.maxDim, 1, MAX_MACRO_DIM);
  const clockMHz = numberIn(`${name}.clockMHz`, o.clockMHz, 1, 10000, " (MHz)");
  const voltage = numberIn(`${name}.voltage`, o.voltage, 0.5, 1.5, " (volts; the energy model scales CV² from 0.9 V)");
  const method = oneOf(`${name}.method`, o.method, METHODS);
  const iterations = integerIn(`${name}.iterations`, o.iterations, 0, MAX_ITERATIONS);
  let lambda: MacroLambda;
  if (typeof o.lambda === "number") {
    if (!Number.isFinite(o.lambda) || o.lambda <= 0 || o.lambda > 1) {
      throw rangeError(
        `${name}.lambda`,
        o.lambda,
        'a number c with 0 < c ≤ 1 (λ = c·2^(−e)), or "paper", "pow2", "newton"',
      );
    }
    lambda = o.lambda;
  } else {
    lambda = oneOf(`${name}.lambda`, o.lambda, LAMBDAS);
  }
  const f = record(`${name}.fisr`, o.fisr, FISR_KEYS);
  const magicMax = format === "fp32" ? 0xffffffff : 0xffff;
  const fisr: MacroFisr = Object.freeze({
    magic: integerIn(
      `${name}.fisr.magic`,
      f.magic,
      0,
      magicMax,
      undefined,
      format === "fp32" ? " (32-bit pattern)" : " (16-bit pattern for BF16)",
    ),
    steps: integerIn(`${name}.fisr.steps`, f.steps, 0, MAX_ITERATIONS),
  });
  const l = record(`${name}.latency`, o.latency, LATENCY_KEYS);
  const lat = {} as Record<keyof MacroLatencies, number>;
  for (const key of LATENCY_KEYS) {
    const lo = key === "phaseSwitch" ? 0 : 1;
    const hi = key === "sqrt" || key === "divide" ? MAX_ITERATIVE : MAX_PIPELINE;
    if (l[key] === undefined) throw new TypeError(`${name}.latency.${key} is missing`);
    lat[key] = integerIn(`${name}.latency.${key}`, l[key], lo, hi, undefined, " cycles");
  }
  return Object.freeze({
    format,
    lanes,
    maxDim,
    clockMHz,
    voltage,
    method,
    iterations,
    lambda,
    fisr,
    latency: Object.freeze(lat),
  });
}

/**
 * A configuration from the defaults of `overrides.format` (FP32 unless given)
 * with the given fields replaced; latency and fisr may be partial. Validated.
 *
 * @example
 * defineMacro({ format: "bf16", lanes: 32 })
 * defineMacro({ method: "fisr", fisr: { steps: 2 } })
 */
export function defineMacro(overrides: MacroOverrides = {}): MacroConfig {
  const o = record("overrides", overrides, CONFIG_KEYS);
  const format = o.format === undefined ? "fp32" : oneOf("overrides.format", o.format, FORMATS);
  const base = defaults(format);
  const fisr = o.fisr === undefined ? {} : record("overrides.fisr", o.fisr, FISR_KEYS);
  const latency = o.latency === undefined ? {} : record("overrides.latency", o.latency, LATENCY_KEYS);
  const merged: Record<string, unknown> = { ...base };
  for (const key of CONFIG_KEYS) {
    if (key !== "fisr" && key !== "latency" && o[key] !== undefined) merged[key] = o[key];
  }
  merged.fisr = { ...base.fisr, ...dropUndefined(fisr) };
  merged.latency = { ...base.latency, ...dropUndefined(latency) };
  return checkMacroConfig(merged, "config");
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The default FP32 macro (docs/hardware.md): 116 cycles at d = 64, 227 at d = 1024. */
export const DEFAULT_MACRO: MacroConfig = defineMacro();

/** The same microarchitecture in BF16 (BF16 element units, FP32 reductions). */
export const DEFAULT_MACRO_BF16: MacroConfig = defineMacro({ format: "bf16" });
