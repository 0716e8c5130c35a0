#!/usr/bin/env node
// Builds the wasm module and the TypeScript output when they are missing or older
// than their sources, so `npm test` and `npm start` work on a fresh clone.
import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function newest(dir, exts) {
  let t = 0;
  const p = join(root, dir);
  if (!existsSync(p)) return t;
  for (const entry of readdirSync(p, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !exts.some((e) => entry.name.endsWith(e))) continue;
    t = Math.max(t, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return t;
}

function mtime(file) {
  const p = join(root, file);
  return existsSync(p) ? statSync(p).mtimeMs : -1;
}

const configs = Math.max(mtime("asconfig.json"), mtime("tsconfig.json"), mtime("tsconfig.build.json"), mtime("package.json"));
const wasmStale = Math.min(mtime("build/iterl2norm.wasm"), mtime("build/iterl2norm.scalar.wasm")) < Math.max(newest("assembly", [".ts"]), configs);
const tsSources = Math.max(newest("js", [".ts"]), newest("hw", [".ts"]), newest("bench", [".ts"]), configs);
const tsStale = mtime("dist/js/index.js") < tsSources;

if (wasmStale) execSync("npm run asbuild", { cwd: root, stdio: "inherit" });
if (tsStale) execSync("npx tsc -p tsconfig.build.json", { cwd: root, stdio: "inherit" });
