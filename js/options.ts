/**
 * Public option types, their defaults, and validation. Options are checked once,
 * here, at the API boundary; everything past this file trusts a resolved spec.
 * Every failure is a TypeError (wrong kind of value) or RangeError (right kind,
 * out of range) whose message names the argument, the value and what was expected.
 */
import {
  DEFAULT_FISR_STEPS, DEFAULT_ITERATIONS, MAX_DIM, MAX_ITERATIONS, QUAKE_MAGIC,
} from "./constants.js";

/** Named settings of the iteration. */
export type Preset = "paper" | "precise";
/** Update-rate policy as given by the caller: a name, or c in λ = c·2^(−e). */
export type LambdaOption = "paper" | "pow2" | "newton" | number;
/** Update-rate policy after resolution ('custom' carries c). */
export type LambdaPolicy = "paper" | "pow2" | "newton" | "custom";
/** How a ≈ 1/√m is found: IterL2Norm, f32 sqrt + division, or fast inverse square root. */
export type Method = "iter" | "sqrt" | "fisr";

/** FISR settings. */
export interface FisrOptions {
  /** Magic constant (32-bit unsigned integer). @default 0x5f3759df (Quake III) */
  magic?: number;
  /** Newton steps after the magic seed. @default 1 */
  steps?: number;
}

/** Options of the scalar path (rsqrt, and the row functions). */
export interface InverseNormOptions {
  /** 'paper': λ = 0.345·2^(−e), 5 steps. 'precise': Newton step (λ·m = 1/2), 5 steps. @default 'paper' */
  preset?: Preset;
  /** Update steps of the iteration (0 gives a₀). @default 5 */
  iterations?: number;
  /** Update-rate policy; a number c means λ = c·2^(−e), 0 < c ≤ 1. @default from preset */
  lambda?: LambdaOption;
  /** Method that turns m into a. @default 'iter' */
  method?: Method;
  /** FISR magic and steps, for method 'fisr'. */
  fisr?: FisrOptions;
}

/** Options of layerNorm and l2Normalize. */
export interface NormalizeOptions extends InverseNormOptions {
  /** Row length d; x holds x.length / d whole rows. Required. */
  dim: number;
  /** Per-column scale γ (length dim). LayerNorm only. @default all ones */
  gamma?: Float32Array;
  /** Per-column shift β (length dim). LayerNorm only. @default all zeros */
  beta?: Float32Array;
  /** Added to the variance (LayerNorm, torch semantics var + ε) or to Σx² (L2). @default 1e-5 (LayerNorm), 0 (L2) */
  eps?: number;
  /** Destination (same length as x; may be x itself). @default a new Float32Array */
  out?: Float32Array;
}

/** The scalar path after resolution. */
export interface InverseNormSpec {
  readonly method: Method;
  readonly policy: LambdaPolicy;
  /** λ constant c (the paper's 0.345 for 'paper'; unused by 'pow2' and 'newton'). */
  readonly c: number;
  /** Iteration steps (iter) or Newton steps (fisr). */
  readonly steps: number;
  /** FISR magic constant. */
  readonly magic: number;
}

/** A layerNorm / l2Normalize call after resolution. */
export interface NormalizeSpec {
  readonly inverse: InverseNormSpec;
  readonly dim: number;
  readonly rows: number;
  readonly eps: number;
  readonly gamma: Float32Array | undefined;
  readonly beta: Float32Array | undefined;
  readonly out: Float32Array | undefined;
}

const PRESETS: Readonly<Record<Preset, { policy: LambdaPolicy; steps: number }>> = {
  paper: { policy: "paper", steps: DEFAULT_ITERATIONS },
  precise: { policy: "newton", steps: DEFAULT_ITERATIONS },
};

const SCALAR_KEYS = ["preset", "iterations", "lambda", "method", "fisr"] as const;
const ROW_KEYS = [...SCALAR_KEYS, "dim", "gamma", "beta", "eps", "out"] as const;

/** Short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as { length?: number }).length ?? value.byteLength})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === "function") return "a function";
  return Object.prototype.toString.call(value);
}

function typeError(name: string, value: unknown, expected: string): TypeError {
  return new TypeError(`${name} must be ${expected}; got ${describe(value)}`);
}

function rangeError(name: string, value: unknown, expected: string): RangeError {
  return new RangeError(`${name} must be ${expected}; got ${describe(value)}`);
}

/** An integer in [lo, hi], or the fallback when undefined. */
export function integerIn(name: string, value: unknown, lo: number, hi: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number") throw typeError(name, value, `an integer from ${lo} to ${hi}`);
  if (!Number.isInteger(value) || value < lo || value > hi) throw rangeError(name, value, `an integer from ${lo} to ${hi}`);
  return value;
}

function plainObject(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw typeError(name, value, "an options object");
  return value as Record<string, unknown>;
}

function checkKeys(name: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new TypeError(`${name} has an unknown option ${JSON.stringify(key)}; expected one of ${allowed.join(", ")}`);
  }
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    const expected = `one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
    throw typeof value === "string" ? rangeError(name, value, expected) : typeError(name, value, expected);
  }
  return value as T;
}

/** Resolves the scalar-path options (rsqrt, and the inverse-norm part of the row functions). */
export function resolveInverseNorm(options: unknown, name = "opts", keys: readonly string[] = SCALAR_KEYS): InverseNormSpec {
  const o = plainObject(name, options);
  checkKeys(name, o, keys);
  const method = oneOf<Method>(`${name}.method`, o.method, ["iter", "sqrt", "fisr"], "iter");
  if (method !== "iter") {
    for (const key of ["preset", "lambda", "iterations"] as const) {
      if (o[key] !== undefined) throw new TypeError(`${name}.${key} applies to method "iter" only; got ${name}.method = ${JSON.stringify(method)}`);
    }
  }
  if (method !== "fisr" && o.fisr !== undefined) {
    throw new TypeError(`${name}.fisr applies to method "fisr" only; got ${name}.method = ${JSON.stringify(method)}`);
  }
  if (method === "fisr") {
    const fo = plainObject(`${name}.fisr`, o.fisr);
    checkKeys(`${name}.fisr`, fo, ["magic", "steps"]);
    const magic = integerIn(`${name}.fisr.magic`, fo.magic, 0, 0xffffffff, QUAKE_MAGIC);
    const steps = integerIn(`${name}.fisr.steps`, fo.steps, 0, MAX_ITERATIONS, DEFAULT_FISR_STEPS);
    return { method, policy: "paper", c: 0, steps, magic };
  }
  if (method === "sqrt") return { method, policy: "paper", c: 0, steps: 0, magic: 0 };

  const preset = PRESETS[oneOf<Preset>(`${name}.preset`, o.preset, ["paper", "precise"], "paper")];
  const steps = integerIn(`${name}.iterations`, o.iterations, 0, MAX_ITERATIONS, preset.steps);
  let policy = preset.policy;
  let c = 0;
  if (typeof o.lambda === "number") {
    if (!Number.isFinite(o.lambda) || o.lambda <= 0 || o.lambda > 1) {
      throw rangeError(`${name}.lambda`, o.lambda, "a number c with 0 < c ≤ 1 (λ = c·2^(−e); the iteration converges for c < 0.5), or \"paper\", \"pow2\", \"newton\"");
    }
    policy = "custom";
    c = Math.fround(o.lambda);
  } else if (o.lambda !== undefined) {
    policy = oneOf<LambdaPolicy>(`${name}.lambda`, o.lambda, ["paper", "pow2", "newton"], "paper");
  }
  return { method, policy, c, steps, magic: 0 };
}

function floatArray(name: string, value: unknown, length: number | undefined): Float32Array {
  if (!(value instanceof Float32Array)) throw typeError(name, value, "a Float32Array");
  if (length !== undefined && value.length !== length) throw rangeError(`${name}.length`, value.length, `${length} (opts.dim)`);
  return value;
}

/** Resolves and checks a layerNorm / l2Normalize call. */
export function resolveNormalize(x: unknown, options: unknown, defaultEps: number, affine: boolean): NormalizeSpec {
  if (!(x instanceof Float32Array)) throw typeError("x", x, "a Float32Array holding whole rows");
  if (options === undefined) throw new TypeError("opts must be an options object with opts.dim (the row length); got undefined");
  const o = plainObject("opts", options);
  const keys = affine ? ROW_KEYS : ROW_KEYS.filter((k) => k !== "gamma" && k !== "beta");
  checkKeys("opts", o, keys);
  const dim = integerIn("opts.dim", o.dim, 1, MAX_DIM);
  if (x.length % dim !== 0) throw rangeError("x.length", x.length, `a multiple of opts.dim = ${dim}`);
  const gamma = o.gamma === undefined ? undefined : floatArray("opts.gamma", o.gamma, dim);
  const beta = o.beta === undefined ? undefined : floatArray("opts.beta", o.beta, dim);
  const out = o.out === undefined ? undefined : floatArray("opts.out", o.out, x.length);
  let eps = defaultEps;
  if (o.eps !== undefined) {
    if (typeof o.eps !== "number") throw typeError("opts.eps", o.eps, "a finite number ≥ 0");
    if (!(o.eps >= 0) || !Number.isFinite(Math.fround(o.eps))) throw rangeError("opts.eps", o.eps, "a number ≥ 0 that is finite in f32");
    eps = o.eps;
  }
  const inverse = resolveInverseNorm(o, "opts", keys);
  return { inverse, dim, rows: x.length / dim, eps: Math.fround(eps), gamma, beta, out };
}
