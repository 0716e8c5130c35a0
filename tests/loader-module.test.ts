// globalThis.ITERL2NORM_WASM_MODULE: a compiled module of the kernel's ABI handed to the loader
// instead of the package's builds (docs/design.md §8), here the repository's relaxed-SIMD build and
// the scalar build, each loaded by a fresh evaluation of the package's modules; and the errors of a
// value that is not such a module.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RELAXED_SIMD_PROBE_HEX, validatesHex } from "../bench/probes.js";
import { firstBitDifference, normalRows } from "./helpers.js";

// Node 20 (V8 11.3) has relaxed SIMD behind this flag; it must be set before the first compile that needs it.
if (!validatesHex(RELAXED_SIMD_PROBE_HEX)) setFlagsFromString("--experimental-wasm-relaxed-simd");

const resolve = createRequire(import.meta.url).resolve;
/** A rejection as [class name, message]. */
const named = (e: unknown): [string, string] => [(e as Error).constructor.name, (e as Error).message];
const compile = (path: string): WebAssembly.Module => new WebAssembly.Module(readFileSync(path));

/** The package's modules evaluated afresh with `module` handed in. */
async function loadWith(module: unknown) {
  vi.resetModules();
  globalThis.ITERL2NORM_WASM_MODULE = module as WebAssembly.Module;
  try {
    const [api, kernel] = await Promise.all([import("iterl2norm"), import("iterl2norm/kernel")]);
    return { api, kernel };
  } finally {
    globalThis.ITERL2NORM_WASM_MODULE = undefined;
  }
}

afterEach(() => {
  globalThis.ITERL2NORM_WASM_MODULE = undefined;
  globalThis.ITERL2NORM_WASM = undefined;
});

describe("globalThis.ITERL2NORM_WASM_MODULE", () => {
  const x = normalRows(5, 7, 300, 1, 2);

  it("loads a module handed in, names its build by its flags, and wins over ITERL2NORM_WASM", async () => {
    const { api: plain } = await loadWith(undefined);
    const want = plain.layerNorm(x, { dim: 300 });
    globalThis.ITERL2NORM_WASM = "simd";
    const relaxed = await loadWith(compile(new URL("../build/iterl2norm.relaxed.wasm", import.meta.url).pathname));
    expect(relaxed.kernel.build).toBe("relaxed");
    expect(firstBitDifference(relaxed.api.layerNorm(x, { dim: 300 }), want)).toBe(-1);
    const scalar = await loadWith(compile(resolve("iterl2norm/wasm-scalar")));
    expect([scalar.kernel.build, scalar.kernel.constants.HAS_SIMD]).toEqual(["scalar", 0]);
    expect(firstBitDifference(scalar.api.layerNorm(x, { dim: 300 }), want)).toBe(-1);
  });

  it("rejects what is not a module of the kernel's ABI, naming the setting", async () => {
    expect(await loadWith("simd").catch(named)).toEqual([
      "TypeError",
      'globalThis.ITERL2NORM_WASM_MODULE must be a WebAssembly.Module; got "simd"',
    ]);
    // (module (import "env" "f" (func)))
    const importing = new WebAssembly.Module(
      Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 9, 1, 3, 101, 110, 118, 1, 102, 0, 0]),
    );
    expect(await loadWith(importing).catch(named)).toEqual([
      "RangeError",
      "globalThis.ITERL2NORM_WASM_MODULE must import nothing, as the kernel's builds do (docs/ABI.md); " +
        "it imports env.f",
    ]);
    // (module): no exports at all
    const empty = new WebAssembly.Module(Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0]));
    expect(await loadWith(empty).catch(named)).toEqual([
      "Error",
      "iterl2norm: globalThis.ITERL2NORM_WASM_MODULE lacks the exported global ABI_VERSION; rebuild with npm run build",
    ]);
  });
});
