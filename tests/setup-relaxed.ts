// Setup of the vitest project "relaxed" (vitest.config.ts): hands the relaxed-SIMD build, which the
// repository builds (npm run asbuild) but the package does not carry, to the loader before the
// package is first imported (globalThis.ITERL2NORM_WASM_MODULE, docs/design.md §8), so the kernel
// suite runs on it. Node 20 needs the project's --experimental-wasm-relaxed-simd to compile it.
import { readFileSync } from "node:fs";

globalThis.ITERL2NORM_WASM_MODULE = new WebAssembly.Module(
  readFileSync(new URL("../build/iterl2norm.relaxed.wasm", import.meta.url)),
);
