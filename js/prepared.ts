/**
 * Prepared normalisers: createLayerNorm / createL2Normalize check the options
 * once and return a function that checks only its x and out on each call, then
 * runs exactly what layerNorm / l2Normalize run with the same options (run.ts), so
 * the results are the same bits (docs/design.md §7).
 */
import { DEFAULT_L2_EPS, DEFAULT_LAYERNORM_EPS } from "./constants.js";
import {
  PREPARED_L2_KEYS,
  PREPARED_ROW_KEYS,
  type Format,
  type PreparedL2NormalizeOptions,
  type PreparedLayerNormOptions,
} from "./options.js";
import { resolveRowOptions } from "./resolve.js";
import { planOf, runF32, runFormat } from "./run.js";
import { rangeError, typeError } from "./validate.js";
import { checkedLength, isFloat32, isUint16, liveLength } from "./views.js";

/**
 * A prepared LayerNorm or L2 normalisation: `fn(x, out?)` normalises every row of x
 * (whole rows of `fn.dim` values) into out, which has x's type and length and may
 * be x itself, or into a new array; it returns the array written.
 */
export interface Normalizer {
  /** f32 values in and out (every format: BF16/FP16 round them to the format first). */
  (x: Float32Array, out?: Float32Array): Float32Array;
  /** Raw 16-bit patterns in and out: normalisers created with format 'bf16' or 'fp16' only. */
  (x: Uint16Array, out?: Uint16Array): Uint16Array;
  /** Row length d, as given in opts.dim. */
  readonly dim: number;
  /** Working format, as given in opts.format ('fp32' by default). */
  readonly format: Format;
}

function badX(x: unknown, format: Format): TypeError {
  if (isUint16(x)) {
    return new TypeError(
      "x is a Uint16Array of raw 16-bit patterns, which needs a normaliser created with " +
        `opts.format "bf16" or "fp16"; this one has format ${JSON.stringify(format)}`,
    );
  }
  const expected =
    format === "fp32"
      ? "a Float32Array holding whole rows"
      : `a Float32Array, or a Uint16Array of raw ${format.toUpperCase()} bits, holding whole rows`;
  return typeError("x", x, expected);
}

function badLength(n: number, dim: number): RangeError {
  return rangeError("x.length", n, `a multiple of dim = ${dim} (the normaliser's row length)`);
}

/** Throws unless out has x's type and length and a live buffer. */
function checkOut<T extends Float32Array | Uint16Array>(x: T, out: unknown, n: number): asserts out is T {
  const bits = isUint16(x);
  if (bits ? !isUint16(out) : !isFloat32(out)) {
    throw typeError("out", out, `a ${bits ? "Uint16Array" : "Float32Array"} (the type of x)`);
  }
  // A wrong length is a RangeError (a detached out reads as length 0); a detached out of
  // the right length (0) a TypeError.
  checkedLength("out", out as Float32Array, n, (m) => rangeError("out.length", m, `${n} (x.length)`));
}

function prepare(opts: unknown, center: boolean): Normalizer {
  const spec = center
    ? resolveRowOptions(opts, DEFAULT_LAYERNORM_EPS, PREPARED_ROW_KEYS)
    : resolveRowOptions(opts, DEFAULT_L2_EPS, PREPARED_L2_KEYS);
  const plan = planOf(spec);
  const { dim, format } = spec;
  // One closure per datapath, so a call tests only what its datapath accepts.
  const fn =
    format === "fp32"
      ? (x: unknown, out?: unknown): Float32Array => {
          if (!isFloat32(x)) throw badX(x, format);
          const n = liveLength("x", x);
          if (n % dim !== 0) throw badLength(n, dim);
          if (out !== undefined) checkOut(x, out, n);
          return runF32(x, out, plan, center);
        }
      : (x: unknown, out?: unknown): Float32Array | Uint16Array => {
          if (!isFloat32(x) && !isUint16(x)) throw badX(x, format);
          const n = liveLength("x", x);
          if (n % dim !== 0) throw badLength(n, dim);
          if (out !== undefined) checkOut(x, out, n);
          return runFormat(x, out as Float32Array | Uint16Array | undefined, plan, center);
        };
  Object.defineProperties(fn, {
    dim: { value: dim, enumerable: true },
    format: { value: format, enumerable: true },
  });
  return Object.freeze(fn) as unknown as Normalizer;
}

/**
 * A LayerNorm with fixed options, checked once here: the options of layerNorm but
 * `out` (dim is required), which each call takes instead. A call checks only x
 * (its type, and whole rows of dim) and out (its type and length), with the same
 * TypeError / RangeError conventions, and gives the same bits as layerNorm(x,
 * { ...opts, out }).
 *
 * γ and β are copied here (raw BF16/FP16 bits converted to their f32 values): the
 * normaliser keeps its own, so later writes to the arrays passed in (or memory
 * growth detaching a workspace's views) do not change it. To change γ or β,
 * create a new normaliser. Each call copies γ and β into the kernel's scratch
 * memory, as layerNorm does for arrays outside wasm memory.
 *
 * With opts.format 'bf16' or 'fp16' the normaliser takes f32 values (rounded to
 * the format on input, results as f32) or a Uint16Array of raw 16-bit patterns
 * (out a Uint16Array too); with 'fp32', Float32Array only.
 *
 * A call allocates nothing in JS but the result when out is omitted.
 *
 * @example
 * const ln = createLayerNorm({ dim: 768, gamma, beta });
 * for (const row of rows) ln(row, out);                 // out: a Float32Array(768)
 * ln(ws.input, ws.output);                              // zero-copy on a workspace
 * ln.dim                                                // 768
 */
export function createLayerNorm(opts: PreparedLayerNormOptions): Normalizer {
  return prepare(opts, true);
}

/**
 * An L2 normalisation with fixed options, checked once here: the options of
 * l2Normalize but `out`. Calls as for createLayerNorm.
 *
 * @example
 * const unit = createL2Normalize({ dim: 384 });
 * const y = unit(embeddings);                           // a new Float32Array
 * unit(embeddings, embeddings);                         // in place
 */
export function createL2Normalize(opts: PreparedL2NormalizeOptions): Normalizer {
  return prepare(opts, false);
}
