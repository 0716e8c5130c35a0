#!/usr/bin/env node
// `npm run bench`: the benchmark command (cli/dist/cli/main.js bench) with the arguments given,
// plus --nodes naming the Node 22 and 24 binaries of tests/hosts (npm ci --prefix tests/hosts
// --ignore-scripts installs them) when they are there and --nodes was not given, so that one
// command reports the targets on every Node release the package supports.
//   usage: node scripts/bench.js [bench arguments]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const nodes = [22, 24]
  .map((v) => join(root, "tests", "hosts", "node_modules", `node${v}`, "bin", "node"))
  .filter((p) => existsSync(p))
  // relative to the working directory, as the report records the command line
  .map((p) => relative(process.cwd(), p));
if (!args.some((a) => a === "--nodes" || a.startsWith("--nodes=")) && !args.some((a) => a === "-h" || a === "--help")) {
  if (nodes.length > 0) args.push("--nodes", nodes.join(","));
  else console.error("bench: Node 22 and 24 not found in tests/hosts (npm ci --prefix tests/hosts --ignore-scripts)");
}
const r = spawnSync(process.execPath, [join(root, "cli", "dist", "cli", "main.js"), "bench", ...args], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
