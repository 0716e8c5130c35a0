// `npm pack` → install into an empty project → use it the ways a user would:
// ESM import, CommonJS require (Node ≥ 20.19), the bin, the hw subpath, the .wasm
// subpath, and the type declarations.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
let app = "";
let tarball = "";

function run(cmd: string, args: string[], cwd = app): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip", npm_config_audit: "false", npm_config_fund: "false" },
  });
}

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "iterl2norm-pack-"));
  const packed = JSON.parse(run(npm, ["pack", "--json", "--pack-destination", dir], root)) as { filename: string }[];
  tarball = join(dir, packed[0]!.filename);
  app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, version: "1.0.0" }));
  run(npm, ["install", "--prefer-offline", "--ignore-scripts", tarball]);
}, 240_000);

describe("the packed package installed into an empty project", () => {
  it("is small and ships only the runtime files", () => {
    expect(statSync(tarball).size).toBeLessThan(300_000);
    const files = run("tar", ["-tzf", tarball]).split("\n").filter(Boolean);
    expect(files).toContain("package/build/iterl2norm.wasm");
    expect(files).toContain("package/dist/js/index.js");
    expect(files).toContain("package/dist/js/index.d.ts");
    expect(files.some((f) => f.startsWith("package/tests/") || f.startsWith("package/assembly/") || f.endsWith(".ts") && !f.endsWith(".d.ts"))).toBe(false);
  });

  it("works from ESM", () => {
    const out = run(process.execPath, ["--input-type=module", "-e",
      "import { layerNorm, rsqrt } from 'iterl2norm'; const y = layerNorm(new Float32Array([1, 2, 3, 4]), { dim: 4 }); console.log(y.length, rsqrt(4, { preset: 'precise' }))"]);
    expect(out.trim()).toBe("4 0.5");
  });

  it("works from CommonJS through require(esm)", () => {
    const out = run(process.execPath, ["-e",
      "const { l2Normalize } = require('iterl2norm'); console.log(Array.from(l2Normalize(new Float32Array([3, 4]), { dim: 2, preset: 'precise' })).join(' '))"]);
    const [a, b] = out.trim().split(" ").map(Number);
    // precise preset: relative error of a ≤ 3e-7, plus one rounding of the product
    expect(Math.abs(a! / 0.6 - 1)).toBeLessThan(3.6e-7);
    expect(Math.abs(b! / 0.8 - 1)).toBeLessThan(3.6e-7);
  });

  it("exposes the hw subpath and the .wasm subpath", () => {
    writeFileSync(join(app, "subpaths.mjs"), [
      "import { readFileSync } from 'node:fs';",
      "import { createRequire } from 'node:module';",
      "import { macroLatency, DEFAULT_MACRO } from 'iterl2norm/hw';",
      "const wasm = new WebAssembly.Module(readFileSync(createRequire(import.meta.url).resolve('iterl2norm/wasm')));",
      "console.log(macroLatency(64, DEFAULT_MACRO), macroLatency(1024, DEFAULT_MACRO), WebAssembly.Module.imports(wasm).length);",
    ].join("\n"));
    expect(run(process.execPath, ["subpaths.mjs"]).trim()).toBe("116 227 0");
  });

  it("installs the iterl2norm bin", () => {
    const bins = readdirSync(join(app, "node_modules", ".bin"));
    expect(bins).toContain("iterl2norm");
    expect(run(join(app, "node_modules", ".bin", "iterl2norm"), ["--version"]).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("runs the report command from the installed package (the bench and hw code ship with it)", () => {
    const out = run(join(app, "node_modules", ".bin", "iterl2norm"), ["report", "--no-bench", "--out", join(app, "report")]);
    expect(out).toMatch(/116 cycles \(100 MHz\)\s+116 cycles/);
    expect(readdirSync(join(app, "report"))).toContain("index.html");
  });

  it("resolves its types for a TypeScript user", () => {
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
      compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: false, lib: ["ES2022", "DOM"], types: [] },
      files: ["use.ts"],
    }));
    writeFileSync(join(app, "use.ts"), [
      "import { layerNorm, createWorkspace, type NormalizeOptions } from 'iterl2norm';",
      "import { macroLatency } from 'iterl2norm/hw';",
      "const opts: NormalizeOptions = { dim: 4, preset: 'precise' };",
      "const y: Float32Array = layerNorm(new Float32Array(4), opts);",
      "const n: number = macroLatency(64);",
      "createWorkspace(1, 4).dispose();",
      "export { y, n };",
    ].join("\n"));
    run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "."]);
  });
});
