/** The file of each build the package carries (build/), for messages and the hosts that import .wasm modules. */
import type { CarriedBuild } from "../wasm.js";

export const FILES: Readonly<Record<CarriedBuild, string>> = {
  simd: "build/iterl2norm.wasm",
  scalar: "build/iterl2norm.scalar.wasm",
};
