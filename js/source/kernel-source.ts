/**
 * Where the loader (js/wasm.ts) gets the kernel's compiled module: the package.json
 * "imports" entry #kernel-source picks one of two sources by host (docs/design.md §8):
 * embedded bytes compiled at load (bytes.ts, the default) or .wasm modules the host
 * compiled itself (workerd.ts, the "workerd" condition). Both export a `source` of this shape.
 */
import type { CarriedBuild } from "../wasm.js";

export interface KernelSource {
  /** True when this engine accepts the instructions of a build (`WebAssembly.validate`). */
  validates(build: CarriedBuild): boolean;
  /** The compiled module of a build. */
  module(build: CarriedBuild): WebAssembly.Module;
  /** Where a build's module came from, for error messages. */
  origin(build: CarriedBuild): string;
}
