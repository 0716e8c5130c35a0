// The raw module in the engines' own shells: SpiderMonkey (js102, Firefox's engine) and
// JavaScriptCore (jsc, Safari's and Bun's engine) each run the conformance check's raw ABI calls
// (tests/hosts/shell-raw.js) on both builds, with their compilers and with SIMD turned off. Their
// bits are compared with Node running the same build, and with Node's package API, the reference of
// the host matrix. With SIMD off, the SIMD build must fail WebAssembly.validate (the loader's cue to
// fall back) and the scalar build must still give the same bits (docs/design.md §2.1, §8).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "iterl2norm";
import { type ConformanceResult, runPackage, runRaw } from "./hosts/conformance.js";

const root = new URL("..", import.meta.url).pathname;
const resolve = createRequire(import.meta.url).resolve;
const DRIVER = join(root, "tests", "hosts", "shell-raw.js");
const BUILDS = { simd: resolve("iterl2norm/wasm"), scalar: resolve("iterl2norm/wasm-scalar") };
type Build = keyof typeof BUILDS;

/** A shell's result for one build: rejected by validate, or run with HAS_SIMD and the bits. */
type ShellBuild = { valid: false } | { valid: true; hasSimd: number; bits: ConformanceResult };

/** The first executable `name` on PATH, or undefined. */
function onPath(name: string): string | undefined {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((p) => existsSync(p));
}

interface Run {
  label: string;
  flags: string[];
  /** Whether the SIMD build must validate: true, false, or either (the engine's choice, then recorded). */
  simd: boolean | "either";
}

const SHELLS: { engine: string; bin: string; install: string; runs: Run[] }[] = [
  {
    engine: "SpiderMonkey",
    bin: "js102",
    install: "Debian's libmozjs-102-dev",
    runs: [
      { label: "default tiers", flags: [], simd: true },
      { label: "baseline compiler only", flags: ["--wasm-compiler=baseline"], simd: true },
      { label: "optimising compiler (Ion) only", flags: ["--wasm-compiler=ion"], simd: true },
      { label: "SIMD off", flags: ["--no-wasm-simd"], simd: false },
    ],
  },
  {
    engine: "JavaScriptCore",
    bin: "jsc",
    install: "Debian's libjavascriptcoregtk-4.0-bin",
    runs: [
      { label: "default tiers", flags: [], simd: true },
      // No JIT (as in JIT-less embeddings): the in-place interpreter runs the module. WebKitGTK 2.50's
      // interpreter has no SIMD, so validate rejects the SIMD build; a later one may accept it.
      { label: "no JIT", flags: ["--useJIT=false"], simd: "either" },
      { label: "SIMD off", flags: ["--useWasmSIMD=false"], simd: false },
    ],
  },
];

/** Node running a build's raw module through the same calls. */
function nodeRaw(build: Build): ConformanceResult {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(BUILDS[build])), {});
  return runRaw(exports);
}

/** The shell running the driver on both builds, with `flags` before the script. */
function shellRun(bin: string, flags: string[]): Record<Build, ShellBuild> {
  const out = execFileSync(bin, [...flags, "-e", `globalThis.WASM_PATHS = ${JSON.stringify(BUILDS)};`, "-m", DRIVER], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return JSON.parse(out) as Record<Build, ShellBuild>;
}

describe("Node, the reference: the raw ABI calls of the check give the package's bits", () => {
  it.each(["simd", "scalar"] as const)("%s build", (build) => {
    expect(nodeRaw(build)).toEqual(runPackage(api));
  });
});

for (const shell of SHELLS) {
  const bin = onPath(shell.bin);
  /** Runs where the shell is installed, and always under CI (.ci/run installs it; missing fails there). */
  const run = bin !== undefined || process.env.CI === "true";
  if (!run) console.warn(`host-shells: ${shell.bin} not found on PATH, ${shell.engine} skipped (${shell.install})`);

  describe.skipIf(!run)(`${shell.engine} shell (${shell.bin}; needs ${shell.install})`, () => {
    it.each(shell.runs)("$label: the same bits as Node, raw and through the package", ({ flags, simd }) => {
      const got = shellRun(bin ?? shell.bin, flags);
      const pkg = runPackage(api);
      const scalar = got.scalar;
      expect(scalar.valid).toBe(true);
      if (!scalar.valid) return;
      expect(scalar.hasSimd).toBe(0);
      expect(scalar.bits).toEqual(nodeRaw("scalar"));
      expect(scalar.bits).toEqual(pkg);
      if (simd !== "either") expect(got.simd.valid).toBe(simd);
      if (got.simd.valid) {
        expect(got.simd.hasSimd).toBe(1);
        expect(got.simd.bits).toEqual(nodeRaw("simd"));
        expect(got.simd.bits).toEqual(pkg);
      }
    });
  });
}
