#!/usr/bin/env node
// The line-length limit (120 columns, as biome.json's formatter) over source folders. Biome's
// formatter wraps code but not long strings and comments, and it cannot parse assembly/
// (AssemblyScript: decorators on functions are not TypeScript), so this holds the limit there.
// Usage: node scripts/check-lines.js DIR...; exits 1 and lists the lines over the limit.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const LIMIT = 120;
let over = 0;
for (const dir of process.argv.slice(2)) {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(ts|js)$/.test(entry.name) || entry.name.endsWith(".d.ts")) continue;
    const path = join(entry.parentPath, entry.name);
    if (/(^|\/)(dist|node_modules)(\/|$)/.test(path)) continue;
    readFileSync(path, "utf8")
      .split("\n")
      .forEach((line, i) => {
        const width = [...line].length;
        if (width > LIMIT) {
          over++;
          console.error(`${path}:${i + 1}: ${width} columns (limit ${LIMIT})`);
        }
      });
  }
}
process.exitCode = over > 0 ? 1 : 0;
