/**
 * The kernel as .wasm modules the host compiles (the "workerd" condition of package.json
 * "imports" #kernel-source). workerd refuses to compile WebAssembly from bytes at run time
 * ("Wasm code generation disallowed by embedder"); it and the bundlers that target it
 * (wrangler) turn an imported .wasm file into a WebAssembly.Module instead. The specifiers
 * are the package's own exports ending in .wasm, so wrangler's rule for .wasm files matches
 * them, and a workerd config without a bundler names the two modules exactly so
 * (docs/design.md §8). With no bytes at hand, SIMD support is the validation of a tiny SIMD
 * module, which workerd allows.
 */
import scalar from "iterl2norm/build/iterl2norm.scalar.wasm";
import simd from "iterl2norm/build/iterl2norm.wasm";
import { FILES } from "./files.js";
import type { KernelSource } from "./kernel-source.js";

// (module (func (param v128 v128) (result v128) local.get 0 local.get 1 f32x4.add))
const SIMD_PROBE = Uint8Array.from(
  "0061736d0100000001070160027b7b017b030201000a0b01090020002001fde4010b".match(/../g)!,
  (h) => Number.parseInt(h, 16),
);

export const source: KernelSource = {
  validates: (build) => build === "scalar" || WebAssembly.validate(SIMD_PROBE),
  module: (build) => (build === "simd" ? simd : scalar),
  origin: (build) => `the module iterl2norm/${FILES[build]}`,
};
