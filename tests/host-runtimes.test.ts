// The package entry on the server-side runtimes of the host matrix: Bun, Deno and workerd, the pinned
// binaries of tests/hosts. Each runs the conformance check through `import ... from "iterl2norm"`
// (tests/hosts/runtimes/) in a project with the packed library installed, on both builds, and its bits
// must equal Node's running the same build (this process, the package aliased to the source). Bun
// also loads it by require() and takes ITERL2NORM_WASM; Deno runs it with no permission flag, so the
// loader must read neither a file nor the environment there; workerd imports the two .wasm files as
// modules under the "workerd" condition (docs/design.md §8). The wall time of every host run is
// printed at the end.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as api from "iterl2norm";
import { build as loadedBuild } from "iterl2norm/kernel";
import { CASES, type ConformanceResult, runPackage } from "./hosts/conformance.js";
import { firstDifference, type HostResult } from "./hosts/runtimes/first-difference.js";
import { installLibrary } from "./pack.js";

const root = new URL("..", import.meta.url).pathname;
const hosts = join(root, "tests", "hosts");
const bin = join(hosts, "node_modules");
const FIXTURES = join(hosts, "runtimes");

type Build = "simd" | "scalar";

/** One run's output: the build the loader chose, the module's HAS_SIMD and the conformance bits. */
interface HostRun {
  build: Build;
  hasSimd: number;
  bits: ConformanceResult;
}

/** The version tests/hosts/package.json pins for a host. */
function pinned(name: string): string {
  const pkg = JSON.parse(readFileSync(join(hosts, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  return pkg.devDependencies[name]!;
}

const BUN = join(bin, "@oven", `bun-${process.platform}-${process.arch}`, "bin", "bun");
const DENO = join(bin, ".bin", "deno");
const ESBUILD = join(bin, ".bin", "esbuild");
// the platform package's binary itself: .bin/workerd is a Node script that spawns it
const WORKERD_PLATFORM = join(
  bin,
  "@cloudflare",
  `workerd-${process.platform}-${process.arch === "x64" ? "64" : process.arch}`,
  "bin",
  "workerd",
);
const WORKERD = existsSync(WORKERD_PLATFORM) ? WORKERD_PLATFORM : join(bin, ".bin", "workerd");

/**
 * Whether a host runs: where its binaries are installed (npm ci --prefix tests/hosts), and always under
 * CI, where a missing one then fails (CI skips nothing). Elsewhere a missing host is skipped, saying so.
 */
function available(host: string, paths: string[]): boolean {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0 && process.env.CI !== "true") {
    console.warn(`host-runtimes: ${missing.join(", ")} not found, ${host} skipped (npm ci --prefix tests/hosts)`);
    return false;
  }
  return true;
}

/** The wall time of every host run, printed after the file's tests. */
const timings: { host: string; run: string; ms: number }[] = [];
/** The project with the packed library installed and the fixtures copied in. */
let app = "";
/** Node's bits of each build: the reference. */
const reference = {} as Record<Build, ConformanceResult>;

beforeAll(async () => {
  app = await installLibrary();
  for (const f of readdirSync(FIXTURES)) if (!f.endsWith(".d.ts")) copyFileSync(join(FIXTURES, f), join(app, f));
  copyFileSync(join(hosts, "conformance.js"), join(app, "conformance.js"));
  reference[loadedBuild as Build] = runPackage(api); // never "relaxed": it is loaded only when forced
  // the other build: the package's modules evaluated afresh with the build forced (docs/design.md §8)
  const other: Build = loadedBuild === "simd" ? "scalar" : "simd";
  vi.resetModules();
  globalThis.ITERL2NORM_WASM = other;
  try {
    const [fresh, kernel] = await Promise.all([import("iterl2norm"), import("iterl2norm/kernel")]);
    expect(kernel.build).toBe(other);
    reference[other] = runPackage(fresh);
  } finally {
    globalThis.ITERL2NORM_WASM = undefined;
  }
}, 120_000);

afterAll(() => {
  if (app !== "") rmSync(app, { recursive: true, force: true });
  if (timings.length === 0) return;
  const width = Math.max(...timings.map((t) => `${t.host} ${t.run}`.length));
  const lines = timings.map((t) => `  ${`${t.host} ${t.run}`.padEnd(width)}  ${t.ms.toFixed(0).padStart(5)} ms`);
  console.log(["host-runtimes: wall time of each host run", ...lines].join("\n"));
});

/**
 * Runs `cmd args` in the project, timed; fails with its stderr unless it exits 0. `env` is added to this
 * process's environment without its ITERL2NORM_WASM (a key set to undefined is left out).
 */
function spawnTimed(
  host: string,
  run: string,
  cmd: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): { stdout: string; stderr: string } {
  const start = performance.now();
  const r = spawnSync(cmd, args, {
    cwd: app,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, ITERL2NORM_WASM: undefined, NO_COLOR: "1", ...env },
  });
  timings.push({ host, run, ms: performance.now() - start });
  if (r.error) throw r.error;
  expect(r.status, `${host} ${run} exited with ${r.status}:\n${r.stderr}`).toBe(0);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** The last line a run printed, parsed as JSON (a host may log before it). */
function lastJson<T>(stdout: string): T {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/** A run of a fixture that prints a HostRun: its output, parsed. */
function hostRun(...args: Parameters<typeof spawnTimed>): HostRun {
  return lastJson<HostRun>(spawnTimed(...args).stdout);
}

/** Checks that a host loaded `build` and computed Node's bits of that build, naming the first difference. */
function expectNodeBits(r: HostRun, build: Build): void {
  expect([r.build, r.hasSimd]).toEqual([build, build === "simd" ? 1 : 0]);
  expect(Object.keys(r.bits)).toEqual(CASES.map((c) => c.name));
  const difference = firstDifference(r, { build, bits: reference[build] });
  if (difference !== undefined) expect.fail(`differs from Node's ${build} build: ${difference}`);
}

describe("Node, the reference", () => {
  it("is this process: SIMD chosen here, the scalar build when forced, the same bits (docs/design.md §2.1)", () => {
    expect(loadedBuild).toBe("simd");
    expect(reference.scalar).toEqual(reference.simd);
  });

  it("runs the fixtures on the packed package with the bits of the source", () => {
    const node = (run: string, args: string[], env?: Record<string, string>): HostRun =>
      hostRun("node", run, process.execPath, args, env);
    expectNodeBits(node("import", ["run.js"]), "simd");
    expectNodeBits(node("import, ITERL2NORM_WASM=scalar", ["run.js"], { ITERL2NORM_WASM: "scalar" }), "scalar");
    expectNodeBits(node("import, globalThis scalar", ["run-scalar.js"]), "scalar");
  });
});

const runBun = available("Bun", [BUN]);

describe.skipIf(!runBun)(`Bun ${pinned("bun")} (tests/hosts: bun)`, () => {
  // --no-install: the package comes from the project's node_modules, never from Bun's auto-install
  const bun = (run: string, script: string, env?: Record<string, string>): HostRun =>
    hostRun("bun", run, BUN, ["--no-install", script], env);

  it("is the pinned version", () => {
    expect(execFileSync(BUN, ["--version"], { encoding: "utf8" }).trim()).toBe(pinned("bun"));
  });

  it("imports the package: the SIMD build, Node's bits", () => {
    expectNodeBits(bun("import", "run.js"), "simd");
  });

  it("takes the scalar build from ITERL2NORM_WASM and from globalThis (which wins), Node's bits", () => {
    expectNodeBits(bun("import, ITERL2NORM_WASM=scalar", "run.js", { ITERL2NORM_WASM: "scalar" }), "scalar");
    expectNodeBits(bun("import, globalThis scalar", "run-scalar.js"), "scalar");
    const both = bun("import, globalThis scalar, ITERL2NORM_WASM=simd", "run-scalar.js", { ITERL2NORM_WASM: "simd" });
    expectNodeBits(both, "scalar");
  });

  it("requires the package from CommonJS, both builds", () => {
    expectNodeBits(bun("require", "require.cjs"), "simd");
    expectNodeBits(bun("require, ITERL2NORM_WASM=scalar", "require.cjs", { ITERL2NORM_WASM: "scalar" }), "scalar");
  });
});

const runDeno = available("Deno", [DENO]);

describe.skipIf(!runDeno)(`Deno ${pinned("deno")} (tests/hosts: deno)`, () => {
  /**
   * No permission flag: --no-prompt turns every permission request into a NotCapable error. The package
   * resolves from the project's node_modules (npm's layout, "manual"); --cached-only and an empty
   * DENO_DIR show that nothing is fetched or taken from a cache.
   */
  const FLAGS = ["run", "--no-prompt", "--node-modules-dir=manual", "--cached-only"];
  const deno = (run: string, script: string, env: Record<string, string> = {}): { stdout: string; stderr: string } =>
    spawnTimed("deno", run, DENO, [...FLAGS, script], {
      DENO_DIR: join(app, ".deno"),
      DENO_NO_UPDATE_CHECK: "1",
      ...env,
    });
  const denoRun = (...args: Parameters<typeof deno>): HostRun => lastJson<HostRun>(deno(...args).stdout);

  it("is the pinned version, run with no permission: reading the environment or a file is refused", () => {
    expect(execFileSync(DENO, ["--version"], { encoding: "utf8" }).split("\n")[0]).toMatch(
      new RegExp(`^deno ${pinned("deno").replaceAll(".", "\\.")} `),
    );
    expect(FLAGS.filter((f) => /^-A$|^--allow-|^--deny-|^--permission-set/.test(f))).toEqual([]);
    const refused = JSON.parse(deno("control: env and file reads", "deno-denied.js").stdout) as Record<string, string>;
    expect(refused).toEqual({ env: "NotCapable", file: "NotCapable" });
  });

  it("imports the package with no permission: the SIMD build, Node's bits", () => {
    const r = deno("import", "run.js");
    expect(r.stderr).toBe("");
    expectNodeBits(JSON.parse(r.stdout) as HostRun, "simd");
  });

  it("takes the scalar build from globalThis, Node's bits", () => {
    expectNodeBits(denoRun("import, globalThis scalar", "run-scalar.js"), "scalar");
  });

  it("never reads ITERL2NORM_WASM (a read would need --allow-env): the variable does not switch the build", () => {
    expectNodeBits(denoRun("import, ITERL2NORM_WASM=scalar", "run.js", { ITERL2NORM_WASM: "scalar" }), "simd");
    // a bad value is not read either: no RangeError
    expectNodeBits(denoRun("import, ITERL2NORM_WASM=sse", "run.js", { ITERL2NORM_WASM: "sse" }), "simd");
  });
});

const runWorkerd = available("workerd", [WORKERD, ESBUILD]);

describe.skipIf(!runWorkerd)(`workerd ${pinned("workerd")} (tests/hosts: workerd, esbuild)`, () => {
  /**
   * Bundles `entry` with esbuild into a worker (the .wasm files and expected.json left as imports) and
   * writes the workerd config naming its modules, the two .wasm files by the package's specifiers
   * (docs/design.md §8): the config's path. `expected`: Node's result, which the worker compares with.
   */
  function worker(name: string, entry: string, conditions: string, expected?: HostResult): string {
    const dir = join(app, name);
    mkdirSync(dir);
    if (expected) writeFileSync(join(dir, "expected.json"), JSON.stringify(expected));
    const start = performance.now();
    execFileSync(
      ESBUILD,
      [
        entry,
        "--bundle",
        "--format=esm",
        `--conditions=${conditions}`,
        "--external:*.wasm",
        "--external:./expected.json",
        "--log-level=warning",
        `--outfile=${join(dir, "worker.js")}`,
      ],
      { cwd: app },
    );
    timings.push({ host: "esbuild", run: `bundle ${name}`, ms: performance.now() - start });
    const modules = [
      `(name = "worker.js", esModule = embed "${name}/worker.js")`,
      ...(expected ? [`(name = "expected.json", json = embed "${name}/expected.json")`] : []),
      ...["iterl2norm.wasm", "iterl2norm.scalar.wasm"].map(
        (f) => `(name = "iterl2norm/build/${f}", wasm = embed "node_modules/iterl2norm/build/${f}")`,
      ),
    ];
    const config = join(app, `${name}.capnp`);
    writeFileSync(
      config,
      [
        'using Workerd = import "/workerd/workerd.capnp";',
        'const config :Workerd.Config = (services = [(name = "main", worker = .worker)]);',
        "const worker :Workerd.Worker = (",
        `  modules = [\n    ${modules.join(",\n    ")},\n  ],`,
        '  compatibilityDate = "2025-01-01",',
        ");",
      ].join("\n"),
    );
    return config;
  }

  /** `workerd test` of a config (no socket; fails with workerd's stderr): the worker's log line, parsed. */
  function workerdTest(run: string, config: string): { build: Build; hasSimd: number; cases: number } {
    return lastJson(spawnTimed("workerd", run, WORKERD, ["test", config]).stdout);
  }

  it("is the pinned version", () => {
    const date = pinned("workerd")
      .split(".")[1]!
      .replace(/^(\d{4})(\d\d)(\d\d)$/, "$1-$2-$3");
    expect(execFileSync(WORKERD, ["--version"], { encoding: "utf8" }).trim()).toBe(`workerd ${date}`);
  });

  for (const build of ["simd", "scalar"] as const) {
    const how = build === "simd" ? "the SIMD build" : "the scalar build forced by globalThis";
    it(`imports the package with its .wasm files as modules: ${how}, Node's bits`, () => {
      const entry = build === "simd" ? "worker.js" : "worker-scalar.js";
      const config = worker(build, entry, "workerd,worker,browser", { build, bits: reference[build] });
      // the worker throws naming the first difference from Node's bits (then workerd exits 1, stderr says it)
      expect(workerdTest(build, config)).toEqual({ build, hasSimd: build === "simd" ? 1 : 0, cases: CASES.length });
    });
  }

  it('says why without the "workerd" condition: workerd refuses to compile the embedded bytes', () => {
    const config = worker("no-condition", "run.js", "worker,browser");
    const r = spawnSync(WORKERD, ["test", config], { cwd: app, encoding: "utf8", timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      "Uncaught Error: iterl2norm: this host does not compile WebAssembly from bytes; where it imports .wasm files " +
        'as modules (workerd), resolve the package with the "workerd" condition (docs/design.md §8). ' +
        "WebAssembly.Module(): Wasm code generation disallowed by embedder",
    );
  });
});
