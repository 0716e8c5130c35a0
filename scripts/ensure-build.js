#!/usr/bin/env node
// Builds what is missing or older than its sources, so `npm test` and `npm start`
// work on a fresh clone: the wasm builds, their embedded copies (js/generated/), the
// library (dist/), the tools (cli/dist/).
import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function newest(dir, exts) {
  let t = 0;
  const p = join(root, dir);
  if (!existsSync(p)) return t;
  for (const entry of readdirSync(p, { withFileTypes: true, recursive: true })) {
    const parent = entry.parentPath ?? entry.path;
    if (!entry.isFile() || !exts.some((e) => entry.name.endsWith(e))) continue;
    if (parent.includes("/dist") || parent.includes("/node_modules")) continue;
    t = Math.max(t, statSync(join(parent, entry.name)).mtimeMs);
  }
  return t;
}

function mtime(file) {
  const p = join(root, file);
  return existsSync(p) ? statSync(p).mtimeMs : -1;
}

const configs = Math.max(...["asconfig.json", "tsconfig.base.json", "tsconfig.build.json", "package.json"].map(mtime));
const WASM = ["build/iterl2norm.wasm", "build/iterl2norm.relaxed.wasm", "build/iterl2norm.scalar.wasm"];
// the builds as base64 modules the library imports (scripts/embed-wasm.js, part of npm run asbuild)
const EMBEDDED = ["js/generated/wasm-simd.ts", "js/generated/wasm-scalar.ts"];

// Each check runs after the steps before it, whose output it reads.
if (Math.min(...WASM.map(mtime)) < Math.max(newest("assembly", [".ts"]), configs)) {
  execSync("npm run asbuild", { cwd: root, stdio: "inherit" });
} else if (Math.min(...EMBEDDED.map(mtime)) < Math.max(...WASM.map(mtime))) {
  execSync("node scripts/embed-wasm.js", { cwd: root, stdio: "inherit" });
}
const libStale = mtime("dist/js/index.js") < Math.max(newest("js", [".ts"]), newest("hw", [".ts"]), configs);
const toolsStale =
  libStale ||
  mtime("cli/dist/cli/main.js") <
    Math.max(
      newest("cli", [".ts", ".json"]),
      newest("bench", [".ts"]),
      mtime("cli/tsconfig.json"),
      mtime("cli/package.json"),
      configs,
    );

if (libStale) execSync("npx tsc -p tsconfig.build.json", { cwd: root, stdio: "inherit" });
if (toolsStale) execSync("npx tsc -p cli/tsconfig.json", { cwd: root, stdio: "inherit" });
