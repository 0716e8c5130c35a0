/**
 * The kernel from bytes inside the package (the default of package.json "imports"
 * #kernel-source): both builds as base64 in generated modules (js/generated/, written by
 * scripts/embed-wasm.js after asc), decoded with `atob` and compiled synchronously with
 * `new WebAssembly.Module`. Nothing is read from a file and no built-in is imported, so
 * Node, Bun, Deno (with no permission), browsers, workers and bundlers load the same code.
 * Synchronous compilation is allowed on a browser's main thread for modules up to 8 MB;
 * the builds are about 100 KB (docs/design.md §8).
 */
import { SCALAR_WASM_BASE64 } from "../generated/wasm-scalar.js";
import { SIMD_WASM_BASE64 } from "../generated/wasm-simd.js";
import { FILES } from "./files.js";
import type { CarriedBuild } from "../wasm.js";
import type { KernelSource } from "./kernel-source.js";

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const BASE64: Readonly<Record<CarriedBuild, string>> = {
  simd: SIMD_WASM_BASE64,
  scalar: SCALAR_WASM_BASE64,
};

// The last build decoded, kept from its validation to its compilation, then dropped: the module keeps what it needs.
let last: { build: CarriedBuild; bytes: Uint8Array<ArrayBuffer> } | undefined;
function bytesOf(build: CarriedBuild): Uint8Array<ArrayBuffer> {
  if (last?.build !== build) last = { build, bytes: decode(BASE64[build]) };
  return last.bytes;
}

/**
 * Compiles a build. A host that forbids compiling from bytes (workerd: "Wasm code generation
 * disallowed by embedder") still validates them, which tells its refusal from an engine that
 * lacks a feature of the build (the SIMD build forced where SIMD is missing).
 */
function compile(bytes: Uint8Array<ArrayBuffer>, build: CarriedBuild): WebAssembly.Module {
  try {
    return new WebAssembly.Module(bytes);
  } catch (e) {
    if (!(e instanceof WebAssembly.CompileError)) throw e;
    const why = WebAssembly.validate(bytes)
      ? "this host does not compile WebAssembly from bytes; where it imports .wasm files as modules " +
        '(workerd), resolve the package with the "workerd" condition'
      : `this engine cannot compile the ${build} build`;
    throw new Error(`iterl2norm: ${why} (docs/design.md §8). ${e.message}`, { cause: e });
  }
}

export const source: KernelSource = {
  // the build itself rather than a probe: it names every feature the kernel uses
  validates: (build) => WebAssembly.validate(bytesOf(build)),
  module(build) {
    const bytes = bytesOf(build);
    last = undefined;
    return compile(bytes, build);
  },
  origin: (build) => `the embedded copy of ${FILES[build]}`,
};
