/**
 * Precision of a configuration's inverse-norm method, measured with the library's
 * plain-TS scalar path (js/reference: bit-identical to the wasm rsqrt / fisr and to
 * the macro's scalar path, tests/hw-scalar.test.ts): the largest relative error
 * |a·√m − 1| over a grid of m covering [1, 4). Every method's relative error repeats
 * with period 4 in m (a₀ and λ depend on the exponent, FISR's seed on the bit
 * pattern), so [1, 4) is every case. Synchronous and pure: no wasm is loaded.
 */
import { inverseNormBits } from "../js/reference/iter.js";
import { resolveInverseNorm } from "../js/resolve.js";
import type { MacroConfig } from "./config.js";

/** Largest relative error of a over the grid, and the grid. */
export interface MethodPrecision {
  readonly maxRelError: number;
  readonly samples: number;
  readonly grid: string;
}

/** Grid points per binade in FP32 (2^15: every 256th significand). */
const FP32_PER_BINADE = 2 ** 15;
/** BF16 has 128 significands per binade: all of them. */
const BF16_PER_BINADE = 2 ** 7;

function grid(format: MacroConfig["format"]): Float32Array {
  const per = format === "fp32" ? FP32_PER_BINADE : BF16_PER_BINADE;
  const m = new Float32Array(2 * per);
  for (let e = 0; e < 2; e++) for (let i = 0; i < per; i++) m[e * per + i] = 2 ** e * (1 + i / per);
  return m;
}

/** The configuration's method on the grid, through the library's scalar path in plain TS. */
export function methodPrecision(config: MacroConfig): MethodPrecision {
  const m = grid(config.format);
  const format = config.format;
  const spec =
    config.method === "fisr"
      ? resolveInverseNorm({ method: "fisr", fisr: { magic: config.fisr.magic, steps: config.fisr.steps }, format })
      : config.method === "sqrt"
        ? resolveInverseNorm({ method: "sqrt", format })
        : resolveInverseNorm({ lambda: config.lambda, iterations: config.iterations, format });
  let worst = 0;
  for (let i = 0; i < m.length; i++) {
    worst = Math.max(worst, Math.abs(inverseNormBits(m[i]!, spec) * Math.sqrt(m[i]!) - 1));
  }
  const per = format === "fp32" ? FP32_PER_BINADE : BF16_PER_BINADE;
  return {
    maxRelError: worst,
    samples: m.length,
    grid:
      format === "fp32"
        ? `${m.length} FP32 values in [1, 4), ${per} per binade`
        : `all ${m.length} BF16 values in [1, 4)`,
  };
}
