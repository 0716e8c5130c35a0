/**
 * Where the loader (js/wasm.ts) gets the kernel's compiled module: the package.json
 * "imports" entry #kernel-source picks one of two sources by host (docs/design.md §8):
 * embedded bytes compiled at load (bytes.ts, the default) or .wasm modules the host
 * compiled itself (workerd.ts, the "workerd" condition). Both export a `source` of this shape.
 */
import type { Build } from "../wasm.js";

export interface KernelSource {
  /** True when this engine accepts WebAssembly SIMD (`WebAssembly.validate`). */
  simdValidates(): boolean;
  /** The compiled module of a build. */
  module(build: Build): WebAssembly.Module;
  /** Where a build's module came from, for error messages. */
  origin(build: Build): string;
}
