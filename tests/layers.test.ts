// The layers of docs/design.md §10 point one way: assembly ← js (the library) ← hw, bench (the model
// and the suites) ← cli (the tools). Every import of every source file is checked against the rules of
// its folder, so a lower layer importing a higher one, the suites reaching into the library's files
// instead of its package names, or a package that its layer's npm package does not declare, fails here.
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");

interface Manifest {
  readonly exports?: Record<string, unknown>;
  readonly imports?: Record<string, unknown>;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}
const manifest = (path: string): Manifest => JSON.parse(readFileSync(join(root, path), "utf8")) as Manifest;
const declared = (m: Manifest): string[] => [
  ...Object.keys(m.dependencies ?? {}),
  ...Object.keys(m.peerDependencies ?? {}),
];
const library = manifest("package.json");
const tools = manifest("cli/package.json");

/** What a folder may import: folders by relative path, and bare specifiers (packages and their subpaths). */
interface Rule {
  readonly folders: readonly string[];
  readonly packages: readonly string[];
  readonly builtins: boolean;
}

const LIBRARY_SUBPATHS = ["iterl2norm", "iterl2norm/hw", "iterl2norm/kernel", "iterl2norm/pool"];
// The library's loader reaches its own files through package.json: the "imports" entries (#kernel-source)
// and the .wasm files it exports, imported as modules where bytes cannot be compiled (docs/design.md §8).
const LIBRARY_OWN = [
  ...Object.keys(library.imports ?? {}),
  ...Object.keys(library.exports ?? {})
    .filter((p) => p.endsWith(".wasm"))
    .map((p) => `iterl2norm${p.slice(1)}`),
];
const RULES: Readonly<Record<string, Rule>> = {
  // the kernel: AssemblyScript only, no imports from outside assembly/ (the .wasm imports nothing)
  assembly: { folders: ["assembly"], packages: [], builtins: false },
  // the library: its own files and its declared runtime dependencies; no Node built-in, as it runs on
  // every JavaScript host (docs/design.md §8)
  js: { folders: ["js"], packages: [...declared(library), ...LIBRARY_OWN], builtins: false },
  // the model: the library's files (it ships in the same package) and the library's dependencies
  hw: { folders: ["hw", "js"], packages: declared(library), builtins: false },
  // the suites: the library through its package names only (they ship in the tools package)
  bench: {
    folders: ["bench"],
    packages: [
      ...declared(tools).filter((p) => p !== "iterl2norm"),
      "iterl2norm",
      "iterl2norm/kernel",
      "iterl2norm/pool",
    ],
    builtins: true,
  },
  // the tools: themselves, the suites, and the library through its package names
  cli: { folders: ["cli", "bench"], packages: [...declared(tools), ...LIBRARY_SUBPATHS], builtins: true },
};

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name))
    .filter(
      (p) =>
        !relative(root, p)
          .split(sep)
          .some((part) => part === "dist" || part === "node_modules"),
    );
}

/** Module specifiers of static imports, re-exports and dynamic imports with a literal argument. */
function specifiers(code: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /^\s*import\s*["']([^"']+)["']/gm,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]!);
  return found;
}

/** Why `spec`, imported by `file` of `folder`, breaks the folder's rule; undefined when it does not. */
function violation(folder: string, file: string, spec: string): string | undefined {
  const rule = RULES[folder]!;
  if (spec.startsWith(".")) {
    const target = relative(root, resolve(file, "..", spec)).split(sep)[0]!;
    if (rule.folders.includes(target)) return undefined;
    const allowed = rule.folders.map((f) => `${f}/`).join(", ");
    return `imports ${spec} from ${target}/; ${folder}/ may import only ${allowed} by relative path`;
  }
  if (spec.startsWith("node:") || builtinModules.includes(spec)) {
    return rule.builtins ? undefined : `imports the Node built-in ${spec}; ${folder}/ may not`;
  }
  const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
  if (name === "iterl2norm" ? rule.packages.includes(spec) : rule.packages.includes(name)) return undefined;
  return `imports the package ${spec}; ${folder}/ may import only ${rule.packages.join(", ") || "no package"}`;
}

describe("layers point one way", () => {
  for (const folder of Object.keys(RULES)) {
    it(`${folder}/ imports only what its layer allows`, () => {
      const files = sources(folder);
      expect(files.length).toBeGreaterThan(0);
      const problems: string[] = [];
      for (const file of files) {
        for (const spec of specifiers(readFileSync(file, "utf8"))) {
          const why = violation(folder, file, spec);
          if (why !== undefined) problems.push(`${relative(root, file)} ${why}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it("the library package declares no runtime dependency", () => {
    expect(declared(library)).toEqual([]);
  });

  it("the checker sees every kind of import it is meant to catch", () => {
    const code = [
      'import { a } from "../cli/x.js";',
      'export {\n  b,\n} from "./y.js";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text holding a template literal
      'const s = `not ${x} from "a-string"`;',
      'const m = await import("vega-lite");',
      'import "../bench/side-effect.js";',
      'import type { T } from "iterl2norm/hw";',
    ].join("\n");
    expect(specifiers(code).sort()).toEqual([
      "../bench/side-effect.js",
      "../cli/x.js",
      "./y.js",
      "iterl2norm/hw",
      "vega-lite",
    ]);
    const file = join(root, "hw", "probe.ts");
    expect(violation("hw", file, "../cli/main.js")).toMatch(/from cli\//);
    expect(violation("hw", file, "../js/index.js")).toBeUndefined();
    expect(violation("js", join(root, "js", "probe.ts"), "vega")).toMatch(/package vega/);
    expect(violation("bench", join(root, "bench", "probe.ts"), "../js/wasm.js")).toMatch(/from js\//);
    expect(violation("bench", join(root, "bench", "probe.ts"), "iterl2norm/hw")).toMatch(/package iterl2norm\/hw/);
    expect(violation("assembly", join(root, "assembly", "probe.ts"), "node:fs")).toMatch(/built-in/);
    expect(violation("js", join(root, "js", "probe.ts"), "node:fs")).toMatch(/built-in/);
    expect(violation("js", join(root, "js", "probe.ts"), "#kernel-source")).toBeUndefined();
    expect(violation("bench", join(root, "bench", "probe.ts"), "#kernel-source")).toMatch(/package #kernel-source/);
  });
});
