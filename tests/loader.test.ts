// The loader of docs/design.md §8 as a host without Node's modules sees it. The built entries
// (dist/js/index.js, dist/js/kernel.js, dist/hw/index.js) bundle with esbuild for browsers and for
// neutral platforms, pulling in no Node built-in; the bundle runs in a bare V8 context (no process,
// no require) and picks its build by WebAssembly.validate, by globalThis.ITERL2NORM_WASM, or by
// ITERL2NORM_WASM where a process.env exists, never reading the environment under Deno. Under the
// "workerd" condition the entry imports the two .wasm files as modules instead of embedding them.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { layerNorm } from "iterl2norm";
import { SCALAR_WASM_BASE64 } from "../js/generated/wasm-scalar.js";
import { SIMD_WASM_BASE64 } from "../js/generated/wasm-simd.js";
import { firstBitDifference, normalRows } from "./helpers.js";

const root = new URL("..", import.meta.url).pathname;
const resolve = createRequire(import.meta.url).resolve;
const esbuild = join(root, "tests", "hosts", "node_modules", ".bin", "esbuild");
/** Runs where the pinned esbuild of tests/hosts is installed, and always under CI (a missing one fails there). */
const RUN = existsSync(esbuild) || process.env.CI === "true";

/** The bundles' entry: the built files themselves, as the package's exports name them. */
const ENTRY = [
  'export { layerNorm } from "./dist/js/index.js";',
  'export { build, constants } from "./dist/js/kernel.js";',
  'export { macroLatency } from "./dist/hw/index.js";',
].join("\n");

interface Metafile {
  inputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
  outputs: Record<string, { imports: { path: string; external?: boolean }[]; bytes: number }>;
}

/** esbuild over `entry` (read from stdin, resolved from the repository root): the code and its metafile. */
function bundle(entry: string, args: string[]): { code: string; meta: Metafile } {
  const dir = mkdtempSync(join(tmpdir(), "iterl2norm-bundle-"));
  const out = join(dir, "out.js");
  execFileSync(esbuild, ["--bundle", "--log-level=error", `--outfile=${out}`, `--metafile=${out}.json`, ...args], {
    cwd: root,
    input: entry,
  });
  return { code: readFileSync(out, "utf8"), meta: JSON.parse(readFileSync(`${out}.json`, "utf8")) as Metafile };
}

/** Every module a bundle took in, and every import it made of a Node built-in. */
function inputsAndBuiltins(meta: Metafile): { inputs: string[]; builtins: string[] } {
  const builtins = Object.values(meta.inputs)
    .flatMap((i) => i.imports.map((m) => m.path))
    .filter((p) => p.startsWith("node:") || ["fs", "module", "path", "url", "process"].includes(p));
  return { inputs: Object.keys(meta.inputs), builtins };
}

const X = normalRows(12, 3, 97, 0.5, 2);
const want = layerNorm(X, { dim: 97 });

interface Loaded {
  /** typeof process, require and module in the context, joined. */
  host: string;
  build: string;
  hasSimd: number;
  out: number[];
  latency: number;
  validated: number[];
}

/**
 * Runs an IIFE bundle in a fresh V8 context holding only the globals given (plus atob, which every
 * target has); `before` runs there first (a host's setup). Returns what the bundle loaded and computed,
 * and the byte lengths WebAssembly.validate was called with.
 */
function runIn(code: string, globals: Record<string, unknown>, before = "", options?: vm.CreateContextOptions): Loaded {
  const context = vm.createContext({ atob, input: Array.from(X), ...globals }, options);
  vm.runInContext(
    `${before}
    globalThis.validated = [];
    const validate = WebAssembly.validate;
    WebAssembly.validate = (bytes) => (validated.push(bytes.byteLength), validate(bytes));`,
    context,
  );
  vm.runInContext(code, context);
  return vm.runInContext(
    `({ host: [typeof process, typeof require, typeof module].join(),
        build: lib.build, hasSimd: lib.constants.HAS_SIMD, validated, latency: lib.macroLatency(64),
        out: Array.from(lib.layerNorm(Float32Array.from(input), { dim: 97 })) })`,
    context,
  ) as Loaded;
}

/** The message of what the bundle throws while loading, with the error's class name. */
function loadError(...args: Parameters<typeof runIn>): string {
  try {
    runIn(...args);
  } catch (e) {
    const err = e as Error;
    return `${err.name}: ${err.message}`;
  }
  return "no error";
}

describe("the embedded builds", () => {
  it("are the bytes of build/iterl2norm.wasm and build/iterl2norm.scalar.wasm (npm run asbuild rewrites both)", () => {
    expect(Buffer.from(SIMD_WASM_BASE64, "base64").equals(readFileSync(resolve("iterl2norm/wasm")))).toBe(true);
    expect(Buffer.from(SCALAR_WASM_BASE64, "base64").equals(readFileSync(resolve("iterl2norm/wasm-scalar")))).toBe(
      true,
    );
    // atob, as the loader decodes them (it drops the line breaks that keep the source within 120 columns)
    expect(atob(SCALAR_WASM_BASE64).length).toBe(readFileSync(resolve("iterl2norm/wasm-scalar")).length);
  });
});

describe.skipIf(!RUN)("bundled by esbuild with no Node built-in (needs tests/hosts' esbuild)", () => {
  const bundles: Record<"browser" | "neutral", string> = { browser: "", neutral: "" };
  const simdSize = readFileSync(resolve("iterl2norm/wasm")).length;

  beforeAll(() => {
    for (const platform of ["browser", "neutral"] as const) {
      const { code, meta } = bundle(ENTRY, [`--platform=${platform}`, "--format=iife", "--global-name=lib"]);
      const { inputs, builtins } = inputsAndBuiltins(meta);
      expect(builtins).toEqual([]);
      // the default of #kernel-source: the embedded bytes
      expect(inputs).toContain("dist/js/source/bytes.js");
      expect(inputs).toContain("dist/js/generated/wasm-simd.js");
      expect(inputs).not.toContain("dist/js/source/workerd.js");
      bundles[platform] = code;
    }
  }, 60_000);

  for (const platform of ["browser", "neutral"] as const) {
    describe(`--platform=${platform}`, () => {
      it("runs in a context with no process and no require: SIMD where the engine validates it, Node's bits", () => {
        const r = runIn(bundles[platform], {});
        expect(r.host).toBe("undefined,undefined,undefined");
        expect([r.build, r.hasSimd, r.validated]).toEqual(["simd", 1, [simdSize]]);
        expect(firstBitDifference(r.out, want)).toBe(-1);
        expect(r.latency).toBe(116);
      });

      it("falls back to the scalar build where WebAssembly.validate rejects the SIMD build", () => {
        const r = runIn(bundles[platform], {}, "WebAssembly.validate = () => false;");
        expect([r.build, r.hasSimd]).toEqual(["scalar", 0]);
        expect(firstBitDifference(r.out, want)).toBe(-1);
      });

      it("takes globalThis.ITERL2NORM_WASM, before ITERL2NORM_WASM of a process.env, without validating", () => {
        const scalar = runIn(bundles[platform], { ITERL2NORM_WASM: "scalar" });
        expect([scalar.build, scalar.hasSimd, scalar.validated]).toEqual(["scalar", 0, []]);
        expect(firstBitDifference(scalar.out, want)).toBe(-1);
        const env = runIn(bundles[platform], { process: { env: { ITERL2NORM_WASM: "scalar" } } });
        expect([env.build, env.validated]).toEqual(["scalar", []]);
        const both = runIn(bundles[platform], {
          ITERL2NORM_WASM: "simd",
          process: { env: { ITERL2NORM_WASM: "scalar" } },
        });
        expect(both.build).toBe("simd");
        // an empty variable is unset, as a shell's `ITERL2NORM_WASM= cmd` means
        expect(runIn(bundles[platform], { process: { env: { ITERL2NORM_WASM: "" } } }).build).toBe("simd");
      });

      it("never reads the environment under Deno (a read asks for --allow-env there)", () => {
        let reads = 0;
        const process = {
          get env() {
            reads++;
            throw new Error('NotCapable: Requires env access to "ITERL2NORM_WASM", run again with --allow-env');
          },
        };
        expect(runIn(bundles[platform], { Deno: { version: {} }, process }).build).toBe("simd");
        expect(runIn(bundles[platform], { Deno: { version: {} }, process, ITERL2NORM_WASM: "scalar" }).build).toBe(
          "scalar",
        );
        expect(reads).toBe(0);
        // the same process elsewhere is read: the rule above is Deno's alone
        expect(loadError(bundles[platform], { process })).toMatch(/NotCapable/);
      });

      it("says why a host refuses to compile from bytes (as workerd does) or lacks a forced build's features", () => {
        expect(loadError(bundles[platform], {}, "", { codeGeneration: { strings: true, wasm: false } })).toBe(
          "Error: iterl2norm: this host does not compile WebAssembly from bytes; where it imports .wasm files as " +
            'modules (workerd), resolve the package with the "workerd" condition (docs/design.md §8). ' +
            "WebAssembly.Module(): Wasm code generation disallowed by embedder",
        );
        const noSimd = [
          "WebAssembly.validate = () => false;",
          'WebAssembly.Module = function () { throw new WebAssembly.CompileError("invalid SIMD opcode"); };',
        ].join("\n");
        expect(loadError(bundles[platform], { ITERL2NORM_WASM: "simd" }, noSimd)).toBe(
          "Error: iterl2norm: this engine cannot compile the simd build (docs/design.md §8). invalid SIMD opcode",
        );
      });

      it("rejects a bad setting with a RangeError naming it, the value and what is expected", () => {
        expect(loadError(bundles[platform], { ITERL2NORM_WASM: "avx" })).toBe(
          'RangeError: globalThis.ITERL2NORM_WASM must be "simd" or "scalar"; got "avx"',
        );
        expect(loadError(bundles[platform], { ITERL2NORM_WASM: 1 })).toBe(
          'RangeError: globalThis.ITERL2NORM_WASM must be "simd" or "scalar"; got 1',
        );
        expect(loadError(bundles[platform], { process: { env: { ITERL2NORM_WASM: "SIMD" } } })).toBe(
          'RangeError: the environment variable ITERL2NORM_WASM must be "simd" or "scalar"; got "SIMD"',
        );
      });
    });
  }

  it("is the two embedded builds and under 32 KB of the library's code, minified, for one layerNorm import", () => {
    const { code } = bundle('import { layerNorm } from "./dist/js/index.js"; globalThis.layerNorm = layerNorm;', [
      "--platform=browser",
      "--format=esm",
      "--minify",
    ]);
    const embedded = SIMD_WASM_BASE64.length + SCALAR_WASM_BASE64.length;
    expect(code.length).toBeGreaterThan(embedded);
    expect(code.length - embedded).toBeLessThan(32_768);
  });

  it('imports the two .wasm files as modules under the "workerd" condition, embedding no bytes', () => {
    const { code, meta } = bundle(ENTRY, [
      "--platform=neutral",
      "--format=esm",
      "--conditions=workerd,worker,browser",
      "--external:*.wasm",
    ]);
    const { inputs, builtins } = inputsAndBuiltins(meta);
    expect(builtins).toEqual([]);
    expect(inputs).toContain("dist/js/source/workerd.js");
    expect(inputs.filter((p) => p.includes("/generated/") || p.endsWith("/bytes.js"))).toEqual([]);
    const imports = Object.values(meta.outputs).flatMap((o) => o.imports);
    expect(imports.map((i) => [i.path, i.external]).sort()).toEqual([
      ["iterl2norm/build/iterl2norm.scalar.wasm", true],
      ["iterl2norm/build/iterl2norm.wasm", true],
    ]);
    expect(code.length).toBeLessThan(SCALAR_WASM_BASE64.length);
  });
});
