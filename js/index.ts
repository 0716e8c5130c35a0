/**
 * iterl2norm: LayerNorm and L2 normalisation with IterL2Norm (arXiv 2412.04778)
 * in WebAssembly SIMD. This file only re-exports.
 */
export { layerNorm, l2Normalize } from "./normalize.js";
export { rsqrt, fisr, type FisrCallOptions } from "./scalar.js";
export { createWorkspace, type Workspace } from "./workspace.js";
export { toBF16, fromBF16, toFP16, fromFP16, roundBF16, roundFP16 } from "./formats.js";
export * as reference from "./reference/index.js";
export type {
  Accumulate, FisrOptions, FisrVariant, Format, InverseNormOptions, LambdaOption, Method, NormalizeOptions, Preset,
} from "./options.js";
export { PAPER_C, QUAKE_MAGIC, DEFAULT_ITERATIONS, MAX_DIM } from "./constants.js";
