/**
 * The targets suite under other Node binaries and kernel builds (`iterl2norm bench --nodes`): each
 * combination runs `<node> <this command> bench targets --json` in a process of its own, and its
 * results come back as JSON. Each Node gets the SIMD build (forced by ITERL2NORM_WASM), and the
 * relaxed-SIMD build where it validates relaxed SIMD without a flag and the repository has built it
 * (build/iterl2norm.relaxed.wasm next to the library's package.json: the package does not carry it,
 * so hand-in.ts hands it to the loader, docs/design.md §8); this process's own Node gets the
 * relaxed build only (its SIMD run is this one).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RELAXED_SIMD_PROBE_HEX } from "../../bench/probes.js";
import type { RunResults, TargetRun } from "../../bench/results.js";

/** A Node binary's version and whether it validates relaxed SIMD, or why it cannot be run. */
export function probeNode(node: string): { version: string; relaxed: boolean } | string {
  const script =
    `const b=Uint8Array.from(${JSON.stringify(RELAXED_SIMD_PROBE_HEX)}.match(/../g),h=>parseInt(h,16));` +
    "console.log(process.version+' '+WebAssembly.validate(b))";
  const r = spawnSync(node, ["-e", script], { encoding: "utf8" });
  if (r.error !== undefined || r.status !== 0) {
    return `${node} did not run (${r.error?.message ?? r.stderr.trim().split("\n")[0] ?? `exit ${r.status}`})`;
  }
  const [version, relaxed] = r.stdout.trim().split(" ");
  return { version: version!, relaxed: relaxed === "true" };
}

/** The repository's relaxed build next to the library's package.json, if it was built there. */
function relaxedBuild(): string | undefined {
  const path = join(dirname(createRequire(import.meta.url).resolve("iterl2norm/package.json")), RELAXED_FILE);
  return existsSync(path) ? path : undefined;
}
const RELAXED_FILE = "build/iterl2norm.relaxed.wasm";

/** One child run of the targets suite; rejects with its stderr tail when it fails. */
function runChild(
  node: string,
  build: string,
  args: readonly string[],
  progress: (line: string) => void,
  label: string,
): Promise<TargetRun> {
  return new Promise((resolve, reject) => {
    const relaxed = build === "relaxed" ? relaxedBuild() : undefined;
    const preload = relaxed === undefined ? [] : ["--import", fileURLToPath(new URL("./hand-in.js", import.meta.url))];
    const child = spawn(node, [...preload, process.argv[1]!, "bench", "targets", "--json", ...args], {
      // a child never runs other Nodes itself (CHILD_ENV), whatever its own Node validates
      env: {
        ...process.env,
        [CHILD_ENV]: "1",
        ...(relaxed === undefined ? { ITERL2NORM_WASM: build } : { ITERL2NORM_BENCH_MODULE: relaxed }),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
      for (const line of d.split("\n")) if (line.trim() !== "") progress(`[${label}] ${line.replace(/^bench: /, "")}`);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(
          new Error(`targets under ${label} exited with ${code}: ${err.trim().split("\n").slice(-3).join(" / ")}`),
        );
        return;
      }
      const run = JSON.parse(out) as RunResults;
      resolve({ environment: run.environment, targets: run.targets, info: run.info, notes: run.notes });
    });
  });
}

/** Set in the environment of a child run. */
const CHILD_ENV = "ITERL2NORM_BENCH_CHILD";

/**
 * Runs the targets suite under each Node of `nodes` (paths) and build, one process at a time (so
 * that they do not share the cores), passing `args` (the time budget) on; nothing when `nodes` is
 * empty or this process is itself such a run. A Node that cannot be run becomes a note.
 */
export async function targetsOnNodes(
  nodes: readonly string[],
  args: readonly string[],
  progress: (line: string) => void,
  notes: string[],
): Promise<TargetRun[]> {
  const runs: TargetRun[] = [];
  if (nodes.length === 0 || process.env[CHILD_ENV] === "1") return runs;
  const plan: [string, string, string][] = [];
  const relaxed = relaxedBuild() !== undefined;
  const here = probeNode(process.execPath);
  if (!relaxed) {
    notes.push(`the relaxed-SIMD build is not timed: ${RELAXED_FILE} was not built (npm run asbuild)`);
  }
  if (relaxed && typeof here !== "string" && here.relaxed) {
    plan.push([process.execPath, "relaxed", `${here.version} relaxed`]);
  }
  for (const node of nodes) {
    const probe = probeNode(node);
    if (typeof probe === "string") {
      notes.push(`--nodes: ${probe}`);
      continue;
    }
    plan.push([node, "simd", `${probe.version} simd`]);
    if (relaxed && probe.relaxed) plan.push([node, "relaxed", `${probe.version} relaxed`]);
  }
  for (const [node, build, label] of plan) runs.push(await runChild(node, build, args, progress, label));
  return runs;
}
