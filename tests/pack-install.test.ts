// `npm pack` of both packages → install into empty projects → use them the ways a
// user would. The library alone: its footprint, ESM import, CommonJS require
// (Node ≥ 20.19), the hw, kernel and .wasm subpaths, both builds and how one is
// forced, and the type declarations. The tools package next to it: the bin and the report.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { packLibrary } from "./pack.js";

const root = new URL("..", import.meta.url).pathname;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
let app = "";
let tarball = "";
let toolsApp = "";
let toolsTarball = "";

function run(cmd: string, args: string[], cwd = app): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip", npm_config_audit: "false", npm_config_fund: "false" },
  });
}

/** An empty project in `dir` with the given tarballs installed. */
function installInto(dir: string, tarballs: string[]): string {
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", private: true, version: "1.0.0" }));
  run(npm, ["install", "--prefer-offline", "--ignore-scripts", ...tarballs], dir);
  return dir;
}

/** The installed packages of a project: every package.json under node_modules that npm's lockfile lists. */
function installedPackages(dir: string): string[] {
  const lock = JSON.parse(readFileSync(join(dir, "node_modules", ".package-lock.json"), "utf8")) as {
    packages: Record<string, unknown>;
  };
  return Object.keys(lock.packages).filter((p) => p.startsWith("node_modules/"));
}

/** Writes an ES module of `lines` into the library's project and runs it; its stdout, trimmed. */
function script(name: string, lines: string[]): string {
  writeFileSync(join(app, name), lines.join("\n"));
  return run(process.execPath, [name]).trim();
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "iterl2norm-pack-"));
  const pack = (args: string[]): string => {
    const packed = JSON.parse(run(npm, ["pack", "--json", "--pack-destination", dir, ...args], root)) as {
      filename: string;
    }[];
    return join(dir, packed[0]!.filename);
  };
  tarball = await packLibrary();
  toolsTarball = pack(["--workspace", "cli"]);
  app = installInto(join(dir, "app"), [tarball]);
  toolsApp = installInto(join(dir, "tools"), [tarball, toolsTarball]);
}, 480_000);

/** A TypeScript user's strict compiler options (NodeNext resolution, the package's own .d.ts checked). */
const USER_TS_OPTIONS = {
  module: "NodeNext",
  moduleResolution: "NodeNext",
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  lib: ["ES2022", "DOM"],
  types: [],
};

describe("the packed package installed into an empty project", () => {
  it("is small and ships only the runtime files", () => {
    expect(statSync(tarball).size).toBeLessThan(300_000);
    const files = run("tar", ["-tzf", tarball]).split("\n").filter(Boolean);
    expect(files).toContain("package/build/iterl2norm.wasm");
    expect(files).toContain("package/build/iterl2norm.scalar.wasm");
    expect(files).toContain("package/dist/js/index.js");
    // the sources of #kernel-source (package.json "imports") and the embedded builds the default one imports
    expect(files).toContain("package/dist/js/source/bytes.js");
    expect(files).toContain("package/dist/js/source/workerd.js");
    expect(files).toContain("package/dist/js/generated/wasm-simd.js");
    expect(files).toContain("package/dist/js/generated/wasm-scalar.js");
    expect(files).toContain("package/dist/js/index.d.ts");
    expect(
      files.some(
        (f) =>
          f.startsWith("package/tests/") ||
          f.startsWith("package/assembly/") ||
          (f.endsWith(".ts") && !f.endsWith(".d.ts")),
      ),
    ).toBe(false);
  });

  it("adds 1 package (it has no dependency) and at most 1 MB to an empty project", () => {
    expect(installedPackages(app).sort()).toEqual(["node_modules/iterl2norm"]);
    // `du -sk`: disk blocks, as `du -sh node_modules` reports them
    const kib = Number(run("du", ["-sk", join(app, "node_modules")]).split("\t")[0]);
    expect(kib).toBeLessThanOrEqual(1024);
  });

  it("works from ESM", () => {
    const out = run(process.execPath, [
      "--input-type=module",
      "-e",
      "import { layerNorm, rsqrt } from 'iterl2norm'; " +
        "const y = layerNorm(new Float32Array([1, 2, 3, 4]), { dim: 4 }); " +
        "console.log(y.length, rsqrt(4, { preset: 'precise' }))",
    ]);
    expect(out.trim()).toBe("4 0.5");
  });

  it("works from CommonJS through require(esm)", () => {
    const out = run(process.execPath, [
      "-e",
      "const { l2Normalize } = require('iterl2norm'); " +
        "console.log(Array.from(l2Normalize(new Float32Array([3, 4]), { dim: 2, preset: 'precise' })).join(' '))",
    ]);
    const [a, b] = out.trim().split(" ").map(Number);
    // precise preset: relative error of a ≤ 3e-7, plus one rounding of the product
    expect(Math.abs(a! / 0.6 - 1)).toBeLessThan(3.6e-7);
    expect(Math.abs(b! / 0.8 - 1)).toBeLessThan(3.6e-7);
  });

  it("exposes the kernel subpath: the low tier over the same module instance", () => {
    const out = script("kernel.mjs", [
      "import { createWorkspace } from 'iterl2norm';",
      "import { kernel, constants, build } from 'iterl2norm/kernel';",
      "const ws = createWorkspace(1, 4);",
      "ws.input.set([1, 2, 3, 4]);",
      "const { METHOD_SQRT, STATUS_OK } = constants;",
      "const s = kernel.l2_normalize(ws.input.byteOffset, ws.output.byteOffset, 1, 4, 0, METHOD_SQRT, 0, 0, 0, 0, 0);",
      "console.log(s === STATUS_OK, build, ws.output[0]);",
    ]);
    const [ok, build, first] = out.split(" ");
    expect([ok, build]).toEqual(["true", "simd"]);
    // f32 sqrt and division, each correctly rounded, and the product: within 3 f32 ulps of 1/√30
    expect(Math.abs(Number(first) * Math.sqrt(30) - 1)).toBeLessThan(3 * 2 ** -24);
  });

  it("exposes the hw subpath and the .wasm subpath", () => {
    const out = script("subpaths.mjs", [
      "import { readFileSync } from 'node:fs';",
      "import { createRequire } from 'node:module';",
      "import { macroLatency, DEFAULT_MACRO } from 'iterl2norm/hw';",
      "const wasm = new WebAssembly.Module(readFileSync(createRequire(import.meta.url).resolve('iterl2norm/wasm')));",
      "console.log(macroLatency(64, DEFAULT_MACRO), macroLatency(1024, DEFAULT_MACRO), " +
        "WebAssembly.Module.imports(wasm).length);",
    ]);
    expect(out).toBe("116 227 0");
  });

  it("loads either build, chosen by validation or forced by ITERL2NORM_WASM or globalThis; same bits", () => {
    const body = [
      "const x = Float32Array.from({ length: 2 * 97 }, (_, i) => Math.sin(i * 0.37) * 3 + 1);",
      "const y = new Uint32Array(layerNorm(x, { dim: 97 }).buffer);",
      "console.log(build, constants.HAS_SIMD, y.join(','));",
    ];
    const esm = ["import { layerNorm } from 'iterl2norm';", "import { build, constants } from 'iterl2norm/kernel';"];
    writeFileSync(join(app, "build.mjs"), [...esm, ...body].join("\n"));
    // a module evaluated before the package: the way to set the global ahead of static imports
    writeFileSync(join(app, "force-scalar.mjs"), "globalThis.ITERL2NORM_WASM = 'scalar';\n");
    writeFileSync(join(app, "build-global.mjs"), ["import './force-scalar.mjs';", ...esm, ...body].join("\n"));
    const cjs = [
      "const { layerNorm } = require('iterl2norm');",
      "const { build, constants } = require('iterl2norm/kernel');",
    ];
    const node = (args: string[], ITERL2NORM_WASM?: string): string[] => {
      const r = spawnSync(process.execPath, args, {
        cwd: app,
        encoding: "utf8",
        env: { ...process.env, ITERL2NORM_WASM },
      });
      expect(r.stderr).toBe("");
      return r.stdout.trim().split(" ");
    };
    const simd = node(["build.mjs"]);
    expect(simd.slice(0, 2)).toEqual(["simd", "1"]);
    const scalar = [
      node(["build.mjs"], "scalar"),
      node(["-e", [...cjs, ...body].join("\n")], "scalar"), // require(esm)
      node(["build-global.mjs"]),
      node(["build-global.mjs"], "simd"), // globalThis wins over the environment
    ];
    for (const r of scalar) {
      expect(r.slice(0, 2)).toEqual(["scalar", "0"]);
      // the builds are bit-identical (docs/design.md §2)
      expect(r[2]).toBe(simd[2]);
    }
  });

  it("rejects a bad ITERL2NORM_WASM at import with a RangeError naming it", () => {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", "import 'iterl2norm';"], {
      cwd: app,
      encoding: "utf8",
      env: { ...process.env, ITERL2NORM_WASM: "sse" },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      'RangeError: the environment variable ITERL2NORM_WASM must be "simd" or "scalar"; got "sse"',
    );
  });

  it("exports the .wasm files the workerd source imports as modules, by specifiers ending in .wasm", () => {
    const out = script("wasm-exports.mjs", [
      "import { readFileSync } from 'node:fs';",
      "for (const s of ['iterl2norm/build/iterl2norm.wasm', 'iterl2norm/build/iterl2norm.scalar.wasm']) {",
      "  const m = new WebAssembly.Module(readFileSync(new URL(import.meta.resolve(s))));",
      "  console.log(WebAssembly.Module.imports(m).length, WebAssembly.Module.exports(m).length > 0);",
      "}",
    ]);
    expect(out).toBe("0 true\n0 true");
  });

  it("has no bin: the command is the tools package's", () => {
    expect(readdirSync(join(app, "node_modules")).includes(".bin")).toBe(false);
  });

  it("resolves its types for a TypeScript user", () => {
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: USER_TS_OPTIONS,
        files: ["use.ts"],
      }),
    );
    writeFileSync(
      join(app, "use.ts"),
      [
        "import { layerNorm, createWorkspace, type NormalizeOptions } from 'iterl2norm';",
        "import { macroLatency } from 'iterl2norm/hw';",
        "const opts: NormalizeOptions = { dim: 4, preset: 'precise' };",
        "const y: Float32Array = layerNorm(new Float32Array(4), opts);",
        "const n: number = macroLatency(64);",
        "createWorkspace(1, 4).dispose();",
        "export { y, n };",
      ].join("\n"),
    );
    run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "."]);
  });

  it("types globalThis.ITERL2NORM_WASM for a TypeScript user of the package's entry", () => {
    writeFileSync(
      join(app, "tsconfig.global.json"),
      JSON.stringify({
        compilerOptions: USER_TS_OPTIONS,
        // the global is typed by the entry's declarations: any file of the program importing the package
        files: ["force-scalar.ts", "use-global.ts"],
      }),
    );
    writeFileSync(
      join(app, "force-scalar.ts"),
      [
        "globalThis.ITERL2NORM_WASM = 'scalar';",
        '// @ts-expect-error: only "simd" and "scalar" are builds',
        "globalThis.ITERL2NORM_WASM = 'avx';",
        "export {};",
      ].join("\n"),
    );
    writeFileSync(join(app, "use-global.ts"), "import { layerNorm } from 'iterl2norm';\nexport const f = layerNorm;\n");
    run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.global.json"]);
  });
});

describe("the packed tools package installed next to the library", () => {
  it("ships the command, the suites and no sources", () => {
    const files = run("tar", ["-tzf", toolsTarball]).split("\n").filter(Boolean);
    expect(files).toContain("package/dist/cli/main.js");
    expect(files).toContain("package/dist/bench/suite-targets.js");
    expect(files.some((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toBe(false);
  });

  it("installs the iterl2norm bin", () => {
    const bins = readdirSync(join(toolsApp, "node_modules", ".bin"));
    expect(bins).toContain("iterl2norm");
    expect(run(join(toolsApp, "node_modules", ".bin", "iterl2norm"), ["--version"], toolsApp).trim()).toMatch(
      /^\d+\.\d+\.\d+$/,
    );
  });

  it("uses the installed library rather than a copy of its own", () => {
    expect(installedPackages(toolsApp).filter((p) => p.endsWith("/iterl2norm"))).toEqual(["node_modules/iterl2norm"]);
  });

  it("runs the report command (the bench and hw code ship with it)", () => {
    const out = run(
      join(toolsApp, "node_modules", ".bin", "iterl2norm"),
      ["report", "--no-bench", "--out", join(toolsApp, "report")],
      toolsApp,
    );
    expect(out).toMatch(/116 cycles \(100 MHz\)\s+116 cycles/);
    expect(readdirSync(join(toolsApp, "report"))).toContain("index.html");
  });
});
