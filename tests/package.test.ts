// The package as a user sees it: self-reference through `exports`, the .wasm
// with no imports, type declarations next to the JS.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const require = createRequire(import.meta.url);

describe("package surface", () => {
  it("imports every public name through the package's own exports (ESM)", () => {
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "import {layerNorm, l2Normalize, rsqrt, fisr, createWorkspace, reference} from 'iterl2norm';" +
          "console.log([layerNorm, l2Normalize, rsqrt, fisr, createWorkspace].map((f) => typeof f).join(), " +
          "typeof reference.rsqrtIter)",
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(out.trim()).toBe("function,function,function,function,function function");
  });

  it("build/iterl2norm.wasm imports nothing and is reachable as iterl2norm/wasm", () => {
    const path = require.resolve("iterl2norm/wasm");
    expect(path).toBe(`${root}build/iterl2norm.wasm`);
    const module = new WebAssembly.Module(readFileSync(path));
    expect(WebAssembly.Module.imports(module)).toEqual([]);
    const names = WebAssembly.Module.exports(module).map((e) => e.name);
    for (const name of [
      "memory",
      "alloc",
      "free",
      "layer_norm",
      "l2_normalize",
      "rsqrt_iter",
      "rsqrt_fisr",
      "rsqrt_batch",
      "ABI_VERSION",
    ]) {
      expect(names).toContain(name);
    }
  });

  it("ships type declarations for the entry point", () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as {
      exports: Record<string, { types: string }>;
    };
    expect(existsSync(`${root}${pkg.exports["."]!.types}`)).toBe(true);
  });
});
