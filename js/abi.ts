/** Maps resolved specs to the kernel's integer arguments (enum values from the module). */
import type { Accumulate, FisrVariant, Format, InverseNormSpec } from "./options.js";
import { constants } from "./wasm.js";

/** Kernel arguments of the scalar path. */
export interface InverseNormArgs {
  readonly method: number;
  readonly policy: number;
  readonly c: number;
  readonly steps: number;
  readonly magic: number;
  /** FORMAT_* of the spec's format. */
  readonly format: number;
  /** FISR_* of the spec's variant. */
  readonly variant: number;
}

const METHODS = { iter: constants.METHOD_ITER, sqrt: constants.METHOD_SQRT, fisr: constants.METHOD_FISR } as const;
const POLICIES = {
  paper: constants.LAMBDA_PAPER,
  pow2: constants.LAMBDA_POW2,
  newton: constants.LAMBDA_NEWTON,
  custom: constants.LAMBDA_CUSTOM,
} as const;

/** FORMAT_* by name. */
export const FORMAT_CODES: Readonly<Record<Format, number>> = {
  fp32: constants.FORMAT_FP32,
  bf16: constants.FORMAT_BF16,
  fp16: constants.FORMAT_FP16,
};
/** ACCUMULATE_* by name. */
export const ACCUMULATE_CODES: Readonly<Record<Accumulate, number>> = {
  fp32: constants.ACCUMULATE_FP32,
  native: constants.ACCUMULATE_NATIVE,
};
/** FISR_* by name. */
export const VARIANT_CODES: Readonly<Record<FisrVariant, number>> = {
  quake: constants.FISR_QUAKE,
  lomont: constants.FISR_LOMONT,
  walczyk: constants.FISR_WALCZYK,
  kadlec: constants.FISR_KADLEC,
};

/** The (method, policy, c, steps, magic, format, variant) arguments for a spec. */
export function inverseNormArgs(spec: InverseNormSpec): InverseNormArgs {
  return {
    method: METHODS[spec.method],
    policy: POLICIES[spec.policy],
    c: spec.c,
    steps: spec.steps,
    magic: spec.magic >>> 0,
    format: FORMAT_CODES[spec.format ?? "fp32"],
    variant: VARIANT_CODES[spec.variant ?? "quake"],
  };
}
