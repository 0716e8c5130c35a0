/**
 * Options → specs: the checks of every public option and the defaults they take.
 * Options are checked here, at the API boundary, once per call (layerNorm,
 * l2Normalize, rsqrt, fisr) or once per prepared normaliser (createLayerNorm,
 * createL2Normalize); everything past this file trusts a spec (docs/design.md §7).
 */
import {
  BF16_MAGIC,
  DEFAULT_FISR_STEPS,
  DEFAULT_ITERATIONS,
  FP16_MAGIC,
  KADLEC_MAGIC,
  LOMONT_MAGIC,
  MAX_DIM,
  MAX_ITERATIONS,
  QUAKE_MAGIC,
  WALCZYK_MAGIC,
} from "./constants.js";
import { fromBF16, fromFP16 } from "./formats.js";
import {
  ACCUMULATES,
  FISR_KEYS,
  FISR_VARIANTS,
  FORMATS,
  L2_KEYS,
  LAMBDA_NAMES,
  METHODS,
  PRESET_NAMES,
  ROW_KEYS,
  SCALAR_KEYS,
  type Accumulate,
  type FisrVariant,
  type Format,
  type InverseNormSpec,
  type LambdaPolicy,
  type Method,
  type NormalizeSpec,
  type Preset,
  type RowSpec,
} from "./options.js";
import { checkKeys, describe, floatArray, integerIn, oneOf, plainObject, rangeError, typeError } from "./validate.js";
import { checkedLength, isFloat32, isUint16, liveLength } from "./views.js";

const PRESETS: Readonly<Record<Preset, { policy: LambdaPolicy; steps: number }>> = {
  paper: { policy: "paper", steps: DEFAULT_ITERATIONS },
  precise: { policy: "newton", steps: DEFAULT_ITERATIONS },
};

const VARIANT_MAGIC: Readonly<Record<FisrVariant, number>> = {
  quake: QUAKE_MAGIC,
  lomont: LOMONT_MAGIC,
  walczyk: WALCZYK_MAGIC,
  kadlec: KADLEC_MAGIC,
};

const ITER_ONLY = ["preset", "lambda", "iterations"] as const;

/**
 * Resolves FISR options for a format: the variant (16-bit formats have the Quake
 * step only), its magic (32-bit, or 16-bit for BF16/FP16) and the step count.
 */
export function resolveFisr(
  name: string,
  options: unknown,
  format: Format,
): { variant: FisrVariant; magic: number; steps: number } {
  const fo = plainObject(name, options);
  checkKeys(name, fo, FISR_KEYS);
  const variant = oneOf<FisrVariant>(`${name}.variant`, fo.variant, FISR_VARIANTS, "quake");
  if (format !== "fp32" && variant !== "quake") {
    const expected = `"quake" for format ${JSON.stringify(format)} (the other variants' constants are FP32-only)`;
    throw rangeError(`${name}.variant`, variant, expected);
  }
  const magic =
    format === "fp32"
      ? integerIn(`${name}.magic`, fo.magic, 0, 0xffffffff, VARIANT_MAGIC[variant])
      : integerIn(`${name}.magic`, fo.magic, 0, 0xffff, format === "bf16" ? BF16_MAGIC : FP16_MAGIC);
  const steps = integerIn(`${name}.steps`, fo.steps, 0, MAX_ITERATIONS, DEFAULT_FISR_STEPS);
  return { variant, magic, steps };
}

/** Resolves a format option (default 'fp32'). */
export function resolveFormat(name: string, value: unknown): Format {
  return oneOf<Format>(name, value, FORMATS, "fp32");
}

/** Resolves the scalar-path options (rsqrt, and the inverse-norm part of the row functions). */
export function resolveInverseNorm(
  options: unknown,
  name = "opts",
  keys: readonly string[] = SCALAR_KEYS,
): InverseNormSpec {
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

/** The inverse-norm part of options whose keys are already checked. */
function inverseNormOf(o: ScalarValues, name: string): InverseNormSpec {
  const method = oneOf<Method>(`${name}.method`, o.method, METHODS, "iter");
  const format = resolveFormat(`${name}.format`, o.format);
  if (method !== "iter") {
    for (const key of ITER_ONLY) {
      if (o[key] !== undefined) {
        throw new TypeError(
          `${name}.${key} applies to method "iter" only; ` + `got ${name}.method = ${JSON.stringify(method)}`,
        );
      }
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
    // The kernel sees c rounded to f32: a c that rounds to 0 (below 2^−150) would leave a = a₀.
    c = Math.fround(o.lambda);
    if (!(c > 0 && c <= 1)) {
      throw rangeError(
        `${name}.lambda`,
        o.lambda,
        "a number c with 0 < c ≤ 1 after rounding to f32 (λ = c·2^(−e); the iteration converges " +
          'for c ≤ 0.5), or "paper", "pow2", "newton"',
      );
    }
    policy = "custom";
  } else if (o.lambda !== undefined) {
    policy = oneOf<LambdaPolicy>(`${name}.lambda`, o.lambda, LAMBDA_NAMES, "paper");
  }
  return { method, policy, c, steps, magic: 0, format, variant: "quake" };
}

/** A Float32Array, or (16-bit formats) a Uint16Array of raw bits, of the given length. */
function paramArray(name: string, value: unknown, length: number, format: Format): Float32Array | Uint16Array {
  if (isUint16(value) && format !== "fp32") {
    checkedLength(name, value, length, (n) => rangeError(`${name}.length`, n, `${length} (opts.dim)`));
    return value;
  }
  if (isUint16(value)) {
    throw typeError(name, value, 'a Float32Array (a Uint16Array of raw bits needs opts.format "bf16" or "fp16")');
  }
  return floatArray(name, value, length);
}

/** Exact f32 values of raw BF16/FP16 bits (γ and β given as Uint16Array). */
function bitsToF32(h: Uint16Array, format: Format): Float32Array {
  return format === "bf16" ? fromBF16(h) : fromFP16(h);
}

/**
 * γ or β as f32 values: raw bits converted, a Float32Array as given or (snapshot)
 * copied by the typed-array constructor, which reads the internal slots (never an
 * overridden slice or length).
 */
function paramValues(
  a: Float32Array | Uint16Array | undefined,
  format: Format,
  snapshot: boolean,
): Float32Array | undefined {
  if (a === undefined) return undefined;
  if (isUint16(a)) return bitsToF32(a, format);
  return snapshot ? new Float32Array(a) : a;
}

/** The values of the option names of layerNorm / l2Normalize, each read once (a getter runs once per call). */
interface RowValues extends ScalarValues {
  readonly dim: unknown;
  readonly gamma: unknown;
  readonly beta: unknown;
  readonly eps: unknown;
  readonly out: unknown;
  readonly accumulate: unknown;
}

function rowValues(o: Record<string, unknown>): RowValues {
  return {
    dim: o.dim,
    gamma: o.gamma,
    beta: o.beta,
    eps: o.eps,
    out: o.out,
    accumulate: o.accumulate,
    preset: o.preset,
    iterations: o.iterations,
    lambda: o.lambda,
    method: o.method,
    fisr: o.fisr,
    format: o.format,
  };
}

/**
 * The row options, checked in a fixed order; with x (a call of layerNorm /
 * l2Normalize, x's type already checked) also x against them and out, each check
 * at its place in that order, so a call reports the first problem it has.
 * `snapshot` copies γ and β given as Float32Array (a prepared normaliser keeps its own).
 */
function resolveRows(
  x: Float32Array | Uint16Array | undefined,
  n: number,
  options: unknown,
  defaultEps: number,
  keys: readonly string[],
  snapshot: boolean,
): { row: RowSpec; output: Float32Array | Uint16Array | undefined } {
  if (options === undefined) {
    throw new TypeError("opts must be an options object with opts.dim (the row length); got undefined");
  }
  checkKeys("opts", plainObject("opts", options), keys);
  const o = rowValues(options as Record<string, unknown>);
  const dim = integerIn("opts.dim", o.dim, 1, MAX_DIM);
  if (x !== undefined && n % dim !== 0) {
    throw rangeError("x.length", n, `a multiple of opts.dim = ${dim}`);
  }
  const format = resolveFormat("opts.format", o.format);
  const xBits = x !== undefined && isUint16(x);
  if (xBits && format === "fp32") {
    throw new TypeError(
      'x is a Uint16Array of raw 16-bit patterns, which needs opts.format "bf16" or "fp16"; ' +
        `got opts.format = ${describe(o.format)}`,
    );
  }
  const accumulate = oneOf<Accumulate>("opts.accumulate", o.accumulate, ACCUMULATES, "fp32");
  if (accumulate === "native" && format === "fp32") {
    // As the other conflicting options: FP32 has no narrower format to accumulate in (docs/design.md §3).
    throw new TypeError(
      'opts.accumulate "native" applies to opts.format "bf16" or "fp16" only; ' +
        `got opts.format = ${JSON.stringify(format)}`,
    );
  }
  const gammaIn = o.gamma === undefined ? undefined : paramArray("opts.gamma", o.gamma, dim, format);
  const betaIn = o.beta === undefined ? undefined : paramArray("opts.beta", o.beta, dim, format);
  let output: Float32Array | Uint16Array | undefined;
  if (x !== undefined && o.out !== undefined) {
    if (xBits) {
      if (!isUint16(o.out)) throw typeError("opts.out", o.out, "a Uint16Array (the type of x)");
      checkedLength("opts.out", o.out, n, (m) => rangeError("opts.out.length", m, `${n} (x.length)`));
      output = o.out;
    } else {
      output = floatArray("opts.out", o.out, n, "x.length");
    }
  }
  const gamma = paramValues(gammaIn, format, snapshot);
  const beta = paramValues(betaIn, format, snapshot);
  let eps = defaultEps;
  if (o.eps !== undefined) {
    if (typeof o.eps !== "number") throw typeError("opts.eps", o.eps, "a finite number ≥ 0");
    if (!(o.eps >= 0) || !Number.isFinite(Math.fround(o.eps))) {
      throw rangeError("opts.eps", o.eps, "a number ≥ 0 that is finite in f32");
    }
    eps = o.eps;
  }
  const inverse = inverseNormOf(o, "opts"); // keys checked above, against a superset of SCALAR_KEYS
  return { row: { inverse, dim, eps: Math.fround(eps), gamma, beta, format, accumulate }, output };
}

/** Resolves and checks a layerNorm / l2Normalize call (affine: layerNorm, which takes γ and β). */
export function resolveNormalize(x: unknown, options: unknown, defaultEps: number, affine: boolean): NormalizeSpec {
  if (!isFloat32(x) && !isUint16(x)) {
    throw typeError(
      "x",
      x,
      "a Float32Array holding whole rows (or a Uint16Array of raw BF16/FP16 bits with opts.format)",
    );
  }
  const n = liveLength("x", x);
  const { row, output } = resolveRows(x, n, options, defaultEps, affine ? ROW_KEYS : L2_KEYS, false);
  // Fields listed, not spread: an object spread here measured ~25 times slower (Node 20, V8 11).
  const { inverse, dim, eps, gamma, beta, format, accumulate } = row;
  return {
    inverse,
    dim,
    eps,
    gamma,
    beta,
    format,
    accumulate,
    rows: n / dim,
    out: output !== undefined && isFloat32(output) ? output : undefined,
    bits: isUint16(x),
    input: x,
    output,
  };
}

/**
 * Resolves the options of a prepared normaliser (createLayerNorm / createL2Normalize):
 * the options of layerNorm / l2Normalize but out, checked as those are, with γ and β
 * copied (Float32Array given) or converted (raw bits given) into arrays of its own.
 */
export function resolveRowOptions(options: unknown, defaultEps: number, keys: readonly string[]): RowSpec {
  if (typeof options === "object" && options !== null && Object.hasOwn(options, "out")) {
    throw new TypeError(
      "opts.out is not an option of a prepared normaliser: pass the destination with each call, " +
        `ln(x, out); got opts.out = ${describe((options as Record<string, unknown>).out)}`,
    );
  }
  return resolveRows(undefined, 0, options, defaultEps, keys, true).row;
}
