/** Plain-TS reference implementations (the `reference` namespace of the package). */
export { layerNormExact, l2NormalizeExact } from "./exact.js";
export { layerNormNaive, l2NormalizeNaive } from "./naive.js";
export { layerNormIter, l2NormalizeIter, rsqrtIter, fisr, inverseNormBits } from "./iter.js";
export { iterRsqrtBits, fisrBits, fisrVariantBits, iterRsqrtFormat, fisrFormat, sqrtFormat } from "./rsqrt.js";
export { kernelSum, summationDepth, chunkOf, addF32, SUM_CHUNK } from "./sum.js";
export { centreRow, meanError, shiftCost, twoShiftCorrection, type RowCentring } from "./centre.js";
