/** Maps a resolved InverseNormSpec to the kernel's integer arguments (enum values from the module). */
import type { InverseNormSpec } from "./options.js";
import { constants } from "./wasm.js";

/** Kernel arguments of the scalar path. */
export interface InverseNormArgs {
  readonly method: number;
  readonly policy: number;
  readonly c: number;
  readonly steps: number;
  readonly magic: number;
}

const METHODS = { iter: constants.METHOD_ITER, sqrt: constants.METHOD_SQRT, fisr: constants.METHOD_FISR } as const;
const POLICIES = {
  paper: constants.LAMBDA_PAPER, pow2: constants.LAMBDA_POW2,
  newton: constants.LAMBDA_NEWTON, custom: constants.LAMBDA_CUSTOM,
} as const;

/** The (method, policy, c, steps, magic) arguments for a spec. */
export function inverseNormArgs(spec: InverseNormSpec): InverseNormArgs {
  return {
    method: METHODS[spec.method],
    policy: POLICIES[spec.policy],
    c: spec.c,
    steps: spec.steps,
    magic: spec.magic >>> 0,
  };
}
