#!/usr/bin/env node
// The whole vitest suite on the other Node releases the package supports: the pinned Node 22 and
// 24 binaries of tests/hosts (npm ci --prefix tests/hosts). Each run is
// `<node> node_modules/vitest/vitest.mjs run` with the JSON reporter writing DIR/node<N>.json (the
// numbers scripts/test-summary.js adds up) and its console output in DIR/node<N>.log, printed when
// the run ends. The Node under test comes first on PATH, so the `node` and `npm` that tests spawn
// are that release too. The Verilog and Yosys tests are left to the main run (ITERL2NORM_TEST_HDL=0,
// vitest.config.ts): the Node release does not change them.
//   usage: node scripts/test-nodes.js DIR [--jobs N]
// --jobs: runs at the same time (default 2: vitest gives a run cores − 1 workers, one on a 2-core
// machine, so runs side by side share the cores instead of queuing; .ci/run has the timings).
// Exits 1 if any run fails.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NODES = [22, 24];

const args = process.argv.slice(2);
const jobsAt = args.indexOf("--jobs");
const jobs = jobsAt === -1 ? 2 : Number(args.splice(jobsAt, 2)[1]);
const dir = args[0];
if (!dir || args.length !== 1 || !Number.isInteger(jobs) || jobs < 1) {
  console.error("usage: node scripts/test-nodes.js DIR [--jobs N]   (N: a whole number ≥ 1)");
  process.exit(2);
}
mkdirSync(dir, { recursive: true });

/** One full run on Node `version`; resolves to its exit code (1 when the binary is missing). */
function run(version) {
  const node = join(root, "tests", "hosts", "node_modules", `node${version}`, "bin", "node");
  const json = join(dir, `node${version}.json`);
  const log = join(dir, `node${version}.log`);
  if (!existsSync(node)) {
    console.error(`test-nodes: ${node} is missing (npm ci --prefix tests/hosts --ignore-scripts)`);
    return Promise.resolve({ version, code: 1, seconds: 0, log });
  }
  const started = Date.now();
  const out = createWriteStream(log);
  const child = spawn(
    node,
    ["node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${json}`],
    {
      cwd: root,
      // the hardware description's tests run once, in the main run (vitest.config.ts HDL_TESTS)
      env: {
        ...process.env,
        PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ""}`,
        FORCE_COLOR: "0",
        ITERL2NORM_TEST_HDL: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  return new Promise((done) => {
    child.on("close", (code, signal) => {
      out.end(() => done({ version, code: code ?? (signal ? 1 : 0), seconds: (Date.now() - started) / 1000, log }));
    });
  });
}

/** Runs the versions `jobs` at a time; prints each run's output as it ends. */
async function all() {
  const queue = [...NODES];
  const results = [];
  const worker = async () => {
    for (let v = queue.shift(); v !== undefined; v = queue.shift()) {
      const r = await run(v);
      console.log(`\n=== vitest on Node ${v}: exit ${r.code}, ${r.seconds.toFixed(0)} s ===`);
      if (existsSync(r.log)) process.stdout.write(readFileSync(r.log, "utf8"));
      results.push(r);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, NODES.length) }, worker));
  return results;
}

const results = await all();
process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;
