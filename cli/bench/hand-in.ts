/**
 * Preload of the targets runs on a build the package does not carry (`node --import` of this file,
 * cli/bench/nodes.ts): compiles the .wasm named by ITERL2NORM_BENCH_MODULE and hands it to the
 * library's loader (globalThis.ITERL2NORM_WASM_MODULE, docs/design.md §8) before the library is
 * first imported.
 */
import { readFileSync } from "node:fs";

const path = process.env.ITERL2NORM_BENCH_MODULE;
if (path !== undefined && path !== "") {
  globalThis.ITERL2NORM_WASM_MODULE = new WebAssembly.Module(readFileSync(path));
}
