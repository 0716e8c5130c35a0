/**
 * Public option types, their defaults, and validation. Options are checked once,
 * here, at the API boundary; everything past this file trusts a resolved spec.
 * Every failure is a TypeError (wrong kind of value) or RangeError (right kind,
 * out of range) whose message names the argument, the value and what was expected.
 */
import {
  BF16_MAGIC, DEFAULT_FISR_STEPS, DEFAULT_ITERATIONS, FP16_MAGIC, KADLEC_MAGIC, LOMONT_MAGIC,
  MAX_DIM, MAX_ITERATIONS, QUAKE_MAGIC, WALCZYK_MAGIC,
} from "./constants.js";
import { fromBF16, fromFP16 } from "./formats.js";

/** Named settings of the iteration. */
export type Preset = "paper" | "precise";
/** Update-rate policy as given by the caller: a name, or c in λ = c·2^(−e). */
export type LambdaOption = "paper" | "pow2" | "newton" | number;
/** Update-rate policy after resolution ('custom' carries c). */
export type LambdaPolicy = "paper" | "pow2" | "newton" | "custom";
/** How a ≈ 1/√m is found: IterL2Norm, f32 sqrt + division, or fast inverse square root. */
export type Method = "iter" | "sqrt" | "fisr";

/** Working format of the datapath: every arithmetic result is rounded to it (DESIGN.md §2). */
export type Format = "fp32" | "bf16" | "fp16";
/** Where the reductions accumulate: f32 with one rounding to the format, or the format itself. */
export type Accumulate = "fp32" | "native";
/**
 * FISR variant: the Newton step and its default magic. 'quake' (all formats),
 * 'lomont', 'walczyk', 'kadlec' (FP32 only; see docs/precision.md for sources).
 */
export type FisrVariant = "quake" | "lomont" | "walczyk" | "kadlec";

/** FISR settings. */
export interface FisrOptions {
  /**
   * Magic constant: 32-bit for FP32, applied to the 16-bit pattern for BF16/FP16.
   * @default the variant's: 0x5f3759df (quake), 0x5f375a86 (lomont), 0x5f376908 (walczyk),
   * 0x5f1ffff9 (kadlec); 0x5f37 for BF16, 0x59bb for FP16
   */
  magic?: number;
  /** Newton steps after the magic seed. @default 1 */
  steps?: number;
  /** Newton step form and default magic. @default 'quake' */
  variant?: FisrVariant;
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
  /** Working format: 'fp32', or 'bf16' / 'fp16' emulated bit-accurately. @default 'fp32' */
  format?: Format;
}

/** Options of layerNorm and l2Normalize. */
export interface NormalizeOptions extends InverseNormOptions {
  /** Row length d; x holds x.length / d whole rows. Required. */
  dim: number;
  /** Per-column scale γ (length dim; Uint16Array = raw bits of opts.format). LayerNorm only. @default all ones */
  gamma?: Float32Array | Uint16Array;
  /** Per-column shift β (length dim; Uint16Array = raw bits of opts.format). LayerNorm only. @default all zeros */
  beta?: Float32Array | Uint16Array;
  /** Added to the variance (LayerNorm, torch semantics var + ε) or to Σx² (L2). @default 1e-5 (LayerNorm), 0 (L2) */
  eps?: number;
  /** Destination (same type and length as x; may be x itself). @default a new array of x's type */
  out?: Float32Array | Uint16Array;
  /** Reductions in f32 rounded once to the format, or in the format ('native'). BF16/FP16 only. @default 'fp32' */
  accumulate?: Accumulate;
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
  /** Working format; absent means 'fp32'. */
  readonly format?: Format;
  /** FISR variant; absent means 'quake'. */
  readonly variant?: FisrVariant;
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
  /** Working format (also spec.inverse.format). */
  readonly format: Format;
  /** Accumulation of the reductions (meaningful for BF16/FP16). */
  readonly accumulate: Accumulate;
  /** x and out hold raw 16-bit patterns of the format (Uint16Array) instead of f32 values. */
  readonly bits: boolean;
  /** x as given (Float32Array, or Uint16Array when bits). */
  readonly input: Float32Array | Uint16Array;
  /** out as given (same type as x), or undefined. */
  readonly output: Float32Array | Uint16Array | undefined;
}

const PRESETS: Readonly<Record<Preset, { policy: LambdaPolicy; steps: number }>> = {
  paper: { policy: "paper", steps: DEFAULT_ITERATIONS },
  precise: { policy: "newton", steps: DEFAULT_ITERATIONS },
};

const SCALAR_KEYS = ["preset", "iterations", "lambda", "method", "fisr", "format"] as const;
const ROW_KEYS = [...SCALAR_KEYS, "dim", "gamma", "beta", "eps", "out", "accumulate"] as const;
const L2_KEYS: readonly string[] = ROW_KEYS.filter((k) => k !== "gamma" && k !== "beta");

/** The formats, accumulate modes and FISR variants by name. */
export const FORMATS: readonly Format[] = ["fp32", "bf16", "fp16"];
export const ACCUMULATES: readonly Accumulate[] = ["fp32", "native"];
export const FISR_VARIANTS: readonly FisrVariant[] = ["quake", "lomont", "walczyk", "kadlec"];

const VARIANT_MAGIC: Readonly<Record<FisrVariant, number>> = {
  quake: QUAKE_MAGIC, lomont: LOMONT_MAGIC, walczyk: WALCZYK_MAGIC, kadlec: KADLEC_MAGIC,
};

/**
 * Resolves FISR options for a format: the variant (16-bit formats have the Quake
 * step only), its magic (32-bit, or 16-bit for BF16/FP16) and the step count.
 */
export function resolveFisr(name: string, options: unknown, format: Format): { variant: FisrVariant; magic: number; steps: number } {
  const fo = plainObject(name, options);
  checkKeys(name, fo, ["magic", "steps", "variant"]);
  const variant = oneOf<FisrVariant>(`${name}.variant`, fo.variant, FISR_VARIANTS, "quake");
  if (format !== "fp32" && variant !== "quake") {
    throw rangeError(`${name}.variant`, variant, `"quake" for format ${JSON.stringify(format)} (the other variants' constants are FP32-only)`);
  }
  const magic = format === "fp32"
    ? integerIn(`${name}.magic`, fo.magic, 0, 0xffffffff, VARIANT_MAGIC[variant])
    : integerIn(`${name}.magic`, fo.magic, 0, 0xffff, format === "bf16" ? BF16_MAGIC : FP16_MAGIC);
  const steps = integerIn(`${name}.steps`, fo.steps, 0, MAX_ITERATIONS, DEFAULT_FISR_STEPS);
  return { variant, magic, steps };
}

/** Resolves a format option (default 'fp32'). */
export function resolveFormat(name: string, value: unknown): Format {
  return oneOf<Format>(name, value, FORMATS, "fp32");
}

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

/** Throws on an own enumerable key that is not allowed; returns the keys (Object.keys order). */
function checkKeys(name: string, obj: Record<string, unknown>, allowed: readonly string[]): string[] {
  const keys = Object.keys(obj);
  for (const key of keys) {
    if (!allowed.includes(key)) throw new TypeError(`${name} has an unknown option ${JSON.stringify(key)}; expected one of ${allowed.join(", ")}`);
  }
  return keys;
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
  return inverseNormOf(o, name);
}

/** The option values the scalar path reads. */
interface ScalarValues {
  readonly preset?: unknown;
  readonly iterations?: unknown;
  readonly lambda?: unknown;
  readonly method?: unknown;
  readonly fisr?: unknown;
  readonly format?: unknown;
}

const METHODS: readonly Method[] = ["iter", "sqrt", "fisr"];
const PRESET_NAMES: readonly Preset[] = ["paper", "precise"];
const LAMBDA_NAMES: readonly LambdaPolicy[] = ["paper", "pow2", "newton"];
const ITER_ONLY = ["preset", "lambda", "iterations"] as const;

/** The inverse-norm part of options whose keys are already checked. */
function inverseNormOf(o: ScalarValues, name: string): InverseNormSpec {
  const method = oneOf<Method>(`${name}.method`, o.method, METHODS, "iter");
  const format = resolveFormat(`${name}.format`, o.format);
  if (method !== "iter") {
    for (const key of ITER_ONLY) {
      if (o[key] !== undefined) throw new TypeError(`${name}.${key} applies to method "iter" only; got ${name}.method = ${JSON.stringify(method)}`);
    }
  }
  if (method !== "fisr" && o.fisr !== undefined) {
    throw new TypeError(`${name}.fisr applies to method "fisr" only; got ${name}.method = ${JSON.stringify(method)}`);
  }
  if (method === "fisr") {
    const { variant, magic, steps } = resolveFisr(`${name}.fisr`, o.fisr, format);
    return { method, policy: "paper", c: 0, steps, magic, format, variant };
  }
  if (method === "sqrt") return { method, policy: "paper", c: 0, steps: 0, magic: 0, format, variant: "quake" };

  const preset = PRESETS[oneOf<Preset>(`${name}.preset`, o.preset, PRESET_NAMES, "paper")];
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
    policy = oneOf<LambdaPolicy>(`${name}.lambda`, o.lambda, LAMBDA_NAMES, "paper");
  }
  return { method, policy, c, steps, magic: 0, format, variant: "quake" };
}

function floatArray(name: string, value: unknown, length: number | undefined, lengthOf = "opts.dim"): Float32Array {
  if (!(value instanceof Float32Array)) throw typeError(name, value, "a Float32Array");
  if (length !== undefined && value.length !== length) throw rangeError(`${name}.length`, value.length, `${length} (${lengthOf})`);
  return value;
}

/** A Float32Array, or (16-bit formats) a Uint16Array of raw bits, of the given length. */
function paramArray(name: string, value: unknown, length: number, format: Format): Float32Array | Uint16Array {
  if (value instanceof Uint16Array && format !== "fp32") {
    if (value.length !== length) throw rangeError(`${name}.length`, value.length, `${length} (opts.dim)`);
    return value;
  }
  if (value instanceof Uint16Array) throw typeError(name, value, "a Float32Array (a Uint16Array of raw bits needs opts.format \"bf16\" or \"fp16\")");
  return floatArray(name, value, length);
}

/**
 * The values of the twelve option names of layerNorm / l2Normalize, each read
 * once: a call is resolved from these, so what the cache below compares is
 * exactly what the spec was computed from.
 */
class RowValues {
  readonly dim: unknown;
  readonly gamma: unknown;
  readonly beta: unknown;
  readonly eps: unknown;
  readonly out: unknown;
  readonly accumulate: unknown;
  readonly preset: unknown;
  readonly iterations: unknown;
  readonly lambda: unknown;
  readonly method: unknown;
  readonly fisr: unknown;
  readonly format: unknown;

  constructor(o: Record<string, unknown>) {
    this.dim = o.dim;
    this.gamma = o.gamma;
    this.beta = o.beta;
    this.eps = o.eps;
    this.out = o.out;
    this.accumulate = o.accumulate;
    this.preset = o.preset;
    this.iterations = o.iterations;
    this.lambda = o.lambda;
    this.method = o.method;
    this.fisr = o.fisr;
    this.format = o.format;
  }
}

/** A resolved call with what it was resolved from: the option values and the own keys. */
interface ResolvedCall {
  readonly spec: NormalizeSpec;
  readonly values: RowValues;
  readonly keys: readonly string[];
}

/** Resolves and checks a layerNorm / l2Normalize call. */
export function resolveNormalize(x: unknown, options: unknown, defaultEps: number, affine: boolean): NormalizeSpec {
  return resolveCall(x, options, defaultEps, affine).spec;
}

function resolveCall(x: unknown, options: unknown, defaultEps: number, affine: boolean): ResolvedCall {
  if (!(x instanceof Float32Array) && !(x instanceof Uint16Array)) {
    throw typeError("x", x, "a Float32Array holding whole rows (or a Uint16Array of raw BF16/FP16 bits with opts.format)");
  }
  if (options === undefined) throw new TypeError("opts must be an options object with opts.dim (the row length); got undefined");
  const keys = checkKeys("opts", plainObject("opts", options), affine ? ROW_KEYS : L2_KEYS);
  const o = new RowValues(options as Record<string, unknown>);
  const dim = integerIn("opts.dim", o.dim, 1, MAX_DIM);
  if (x.length % dim !== 0) throw rangeError("x.length", x.length, `a multiple of opts.dim = ${dim}`);
  const format = resolveFormat("opts.format", o.format);
  const bits = x instanceof Uint16Array;
  if (bits && format === "fp32") {
    throw new TypeError(`x is a Uint16Array of raw 16-bit patterns, which needs opts.format "bf16" or "fp16"; got opts.format = ${describe(o.format)}`);
  }
  const accumulate = oneOf<Accumulate>("opts.accumulate", o.accumulate, ACCUMULATES, "fp32");
  const gammaIn = o.gamma === undefined ? undefined : paramArray("opts.gamma", o.gamma, dim, format);
  const betaIn = o.beta === undefined ? undefined : paramArray("opts.beta", o.beta, dim, format);
  let output: Float32Array | Uint16Array | undefined;
  if (o.out !== undefined) {
    if (bits) {
      if (!(o.out instanceof Uint16Array)) throw typeError("opts.out", o.out, "a Uint16Array (the type of x)");
      if (o.out.length !== x.length) throw rangeError("opts.out.length", o.out.length, `${x.length} (x.length)`);
      output = o.out;
    } else {
      output = floatArray("opts.out", o.out, x.length, "x.length");
    }
  }
  const gamma = gammaIn instanceof Uint16Array ? bitsToF32(gammaIn, format) : gammaIn;
  const beta = betaIn instanceof Uint16Array ? bitsToF32(betaIn, format) : betaIn;
  const out = output instanceof Float32Array ? output : undefined;
  let eps = defaultEps;
  if (o.eps !== undefined) {
    if (typeof o.eps !== "number") throw typeError("opts.eps", o.eps, "a finite number ≥ 0");
    if (!(o.eps >= 0) || !Number.isFinite(Math.fround(o.eps))) throw rangeError("opts.eps", o.eps, "a number ≥ 0 that is finite in f32");
    eps = o.eps;
  }
  const inverse = inverseNormOf(o, "opts"); // keys checked above, against a superset of SCALAR_KEYS
  const spec: NormalizeSpec = {
    inverse, dim, rows: x.length / dim, eps: Math.fround(eps), gamma, beta, out,
    format, accumulate, bits, input: x, output,
  };
  return { spec, values: o, keys };
}

/** Exact f32 values of raw BF16/FP16 bits (γ and β given as Uint16Array). */
function bitsToF32(h: Uint16Array, format: Format): Float32Array {
  return format === "bf16" ? fromBF16(h) : fromFP16(h);
}

// ── Resolved options cached per options object ──────────────────────────────
// Options are validated by resolveNormalize on every call unless the same
// options object comes back unchanged. "Unchanged" covers everything a
// resolution reads: the twelve option values (SameValue; a nested `fisr` object
// is never cached, as its fields could change unseen), the own enumerable keys
// (an unknown key added later must still throw), and the type and length of γ,
// β and out (a view detached by memory growth has length 0). The checks that
// involve x (its type, x.length % dim, out.length) run on every call. Whatever
// differs sends the call through resolveNormalize again, which throws exactly
// as it always did: the cache never throws and never answers for values it has
// not seen resolve.

/** The options part of an FP32 call spec: independent of x, so it can be kept across calls. */
export type RowOptionsSpec = Pick<NormalizeSpec, "inverse" | "dim" | "eps" | "gamma" | "beta" | "out">;

/** The option values read now are those of `v` (SameValue: -0 and 0 differ, so eps = -0 stays -0). */
function unchanged(o: Record<string, unknown>, v: RowValues): boolean {
  return Object.is(o.dim, v.dim) && o.gamma === v.gamma && o.beta === v.beta && Object.is(o.eps, v.eps) &&
    o.out === v.out && o.accumulate === v.accumulate && o.preset === v.preset &&
    Object.is(o.iterations, v.iterations) && Object.is(o.lambda, v.lambda) && o.method === v.method &&
    o.fisr === v.fisr && o.format === v.format;
}

/**
 * for-in visits exactly `keys`, in order. for-in also visits inherited enumerable
 * keys, so equality with an Object.keys list that passed checkKeys proves that no
 * own key outside the allowed names has appeared; anything else reads as a change.
 */
function sameKeys(o: Record<string, unknown>, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in o) {
    if (k !== keys[i]) return false;
    i++;
  }
  return i === keys.length;
}

class CacheEntry<T> {
  constructor(public values: RowValues, public keys: readonly string[], public plan: T) {}
}

/** Slots of RecentObjects. */
const RECENT_SLOTS = 4;

/**
 * Options objects resolved during the current job without a cache entry. An
 * object gets an entry the second time it resolves, so a one-off options object
 * (a literal per call) costs a few comparisons rather than a WeakMap entry. The
 * references are strong but short-lived: a microtask empties the slots when the
 * current job ends, so nothing is kept alive past it.
 */
class RecentObjects {
  private readonly slots: (object | undefined)[] = new Array<object | undefined>(RECENT_SLOTS).fill(undefined);
  private next = 0;
  private emptying = false;
  private readonly empty = (): void => {
    this.slots.fill(undefined);
    this.emptying = false;
  };

  /** True when `o` was noted in this job; notes it otherwise. */
  seen(o: object): boolean {
    const slots = this.slots;
    for (let i = 0; i < RECENT_SLOTS; i++) if (slots[i] === o) return true;
    slots[this.next] = o;
    this.next = (this.next + 1) % RECENT_SLOTS;
    if (!this.emptying) {
      this.emptying = true;
      queueMicrotask(this.empty);
    }
    return false;
  }
}

/**
 * layerNorm / l2Normalize options resolved once per options object: `lookup` answers
 * from the cache without validating, `resolve` validates (resolveNormalize) and
 * keeps `derive(spec)` for the next call with the same, unchanged options. Only
 * FP32 calls without a nested `fisr` object are cached, each object from its
 * second resolution on; entries are weak (a WeakMap keyed by the options object).
 */
export class NormalizeCache<T> {
  private readonly entries = new WeakMap<object, CacheEntry<T>>();
  private readonly recent = new RecentObjects();

  constructor(
    private readonly defaultEps: number,
    private readonly affine: boolean,
    private readonly derive: (spec: RowOptionsSpec) => T,
  ) {}

  /**
   * The plan of `options` when they resolved before and still give the same FP32
   * spec for this x; undefined otherwise (then call `resolve`). Never throws.
   */
  lookup(x: unknown, options: unknown): T | undefined {
    if (!(x instanceof Float32Array)) return undefined;
    const e = this.entries.get(options as object); // undefined for anything that is not an object
    if (e === undefined) return undefined;
    const o = options as Record<string, unknown>;
    const v = e.values;
    if (!unchanged(o, v) || !sameKeys(o, e.keys)) return undefined;
    const dim = v.dim as number;
    const n = x.length;
    if (n % dim !== 0) return undefined;
    const { gamma, beta, out } = v;
    if (gamma !== undefined && (!(gamma instanceof Float32Array) || gamma.length !== dim)) return undefined;
    if (beta !== undefined && (!(beta instanceof Float32Array) || beta.length !== dim)) return undefined;
    if (out !== undefined && (!(out instanceof Float32Array) || out.length !== n)) return undefined;
    return e.plan;
  }

  /**
   * resolveNormalize(x, options) (throws as it does) and, for FP32, the spec's plan,
   * kept for the next call when the options object can be cached.
   */
  resolve(x: unknown, options: unknown): { spec: NormalizeSpec; plan: T | undefined } {
    const { spec, values, keys } = resolveCall(x, options, this.defaultEps, this.affine);
    if (spec.format !== "fp32") return { spec, plan: undefined };
    const plan = this.derive(spec);
    if (values.fisr === undefined) this.keep(options as Record<string, unknown>, values, keys, plan);
    return { spec, plan };
  }

  private keep(o: Record<string, unknown>, values: RowValues, keys: readonly string[], plan: T): void {
    const e = this.entries.get(o);
    if (e === undefined && !this.recent.seen(o)) return;
    if (!sameKeys(o, keys)) {
      // Inherited enumerable keys: no lookup could vouch for this object.
      this.entries.delete(o);
      return;
    }
    if (e === undefined) this.entries.set(o, new CacheEntry(values, keys, plan));
    else {
      e.values = values;
      e.keys = keys;
      e.plan = plan;
    }
  }
}
