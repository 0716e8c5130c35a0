// The raw module in a JavaScript engine's own shell (SpiderMonkey's js, JavaScriptCore's jsc):
// each build read with the shell's read(path, "binary"), validated, instantiated with no imports
// and run through the conformance check's raw ABI calls. Prints one JSON line:
//   { build: { valid, hasSimd, bits } }, or { build: { valid: false } } where the engine rejects it.
// Run as a module; the builds come in a global set by an -e before it (the shells differ in how
// they pass arguments to a module):
//   js102 -e 'globalThis.WASM_PATHS = { "simd": "build/iterl2norm.wasm" }' -m tests/hosts/shell-raw.js
//   jsc   -e 'globalThis.WASM_PATHS = { "simd": "build/iterl2norm.wasm" }' -m tests/hosts/shell-raw.js
import { runRaw } from "./conformance.js";

const result = {};
for (const [build, path] of Object.entries(globalThis.WASM_PATHS)) {
  const bytes = read(path, "binary");
  const valid = WebAssembly.validate(bytes);
  if (!valid) {
    result[build] = { valid };
    continue;
  }
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  result[build] = { valid, hasSimd: exports.HAS_SIMD.value, bits: runRaw(exports) };
}
print(JSON.stringify(result));
