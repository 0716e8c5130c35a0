/**
 * iterl2norm: LayerNorm and L2 normalisation with IterL2Norm (arXiv 2412.04778)
 * in WebAssembly SIMD. This file only re-exports.
 */
// The loader first: it loads the kernel, and its declaration file types globalThis.ITERL2NORM_WASM
// (docs/design.md §8), which this import carries into the entry's declarations.
import "./wasm.js";

export { layerNorm, l2Normalize } from "./normalize.js";
export { createLayerNorm, createL2Normalize, type Normalizer } from "./prepared.js";
export { rsqrt, fisr, type FisrCallOptions, type RsqrtOptions } from "./scalar.js";
export { createWorkspace, type Workspace } from "./workspace.js";
export { toBF16, fromBF16, toFP16, fromFP16, roundBF16, roundFP16, bf16Value, fp16Value } from "./formats.js";
export * as reference from "./reference/index.js";
export type {
  Accumulate,
  FisrOptions,
  FisrVariant,
  Format,
  InverseNormOptions,
  LambdaOption,
  Method,
  NormalizeOptions,
  Preset,
  PreparedL2NormalizeOptions,
  PreparedLayerNormOptions,
} from "./options.js";
export {
  PAPER_C,
  QUAKE_MAGIC,
  LOMONT_MAGIC,
  WALCZYK_MAGIC,
  WALCZYK_K1,
  WALCZYK_K2,
  KADLEC_MAGIC,
  KADLEC_K1,
  KADLEC_K2,
  BF16_MAGIC,
  BF16_MAGIC_ALT,
  FP16_MAGIC,
  FP16_MAGIC_ALT,
  DEFAULT_ITERATIONS,
  DEFAULT_FISR_STEPS,
  MAX_DIM,
  MAX_ITERATIONS,
} from "./constants.js";
