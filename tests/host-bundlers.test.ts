// The package as a web app gets it: packed (`npm pack`), installed from the tarball into an empty
// project, imported by a page and its module worker (tests/hosts/web), bundled by Vite and by esbuild
// with no configuration, and run in headless Chromium and Firefox. Each page runs the conformance
// check (tests/hosts/conformance.js) on the main thread and in the worker, on the build the loader
// picks and on the scalar build forced by globalThis.ITERL2NORM_WASM from a module imported before
// the package; every result must equal Node's bits on the same build (docs/design.md §8, §11).
import { execFile } from "node:child_process";
import { copyFileSync, cpSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  CHROMIUM,
  FIREFOX,
  type HeadlessBrowser,
  launchChromiumHost,
  launchFirefox,
  PUPPETEER_CORE,
  RUN_BROWSER_TESTS,
  RUN_FIREFOX_TESTS,
  serveFolder,
} from "./browser.js";
import { type ConformanceResult, runPackage } from "./hosts/conformance.js";
import { installLibrary } from "./pack.js";

const root = new URL("..", import.meta.url).pathname;
const hosts = join(root, "tests", "hosts");
const VITE = join(hosts, "node_modules", "vite", "bin", "vite.js");
const ESBUILD = join(hosts, "node_modules", ".bin", "esbuild");
const run = promisify(execFile);

const CI = process.env.CI === "true";
/** Runs where the pinned bundlers of tests/hosts are installed, and always under CI (missing = failure). */
const RUN_BUNDLERS = (existsSync(VITE) && existsSync(ESBUILD)) || CI;
const BROWSERS = {
  Chromium: { run: RUN_BROWSER_TESTS, needs: CHROMIUM },
  Firefox: { run: RUN_FIREFOX_TESTS, needs: `${FIREFOX} and ${PUPPETEER_CORE}` },
} as const;
type BrowserName = keyof typeof BROWSERS;
if (!RUN_BUNDLERS) console.warn(`host-bundlers: ${VITE} or ${ESBUILD} missing (npm ci --prefix tests/hosts): skipped`);
for (const [name, b] of Object.entries(BROWSERS)) {
  if (RUN_BUNDLERS && !b.run) console.warn(`host-bundlers: ${name} skipped, it needs ${b.needs}`);
}

/**
 * Chromium without wasm SIMD, as on an x64 CPU without SSE4.1: V8 has had no flag to turn wasm SIMD off
 * since it shipped (--no-experimental-wasm-simd is gone), but it enables wasm SIMD on x64 only with
 * SSE4.1, so with SSE4.1 turned off WebAssembly.validate rejects SIMD code. Firefox ESR 153 has no such
 * switch: its javascript.options.wasm_simd pref is gone (set to false, SIMD still validates), and the
 * CPU-feature options are the SpiderMonkey shell's only.
 */
const NO_SIMD_CHROMIUM = ["--js-flags=--no-enable-sse4-1"];

type Bundler = "Vite" | "esbuild";
type Build = "simd" | "scalar";
/** One context's report (tests/hosts/web): the build it loaded and its bits, or the error it hit. */
interface Run {
  build?: string;
  bits?: ConformanceResult;
  error?: string;
}
/** What a page sets as globalThis.result: the main thread's run, then its worker's. */
interface PageResult {
  main: Run;
  worker?: Run;
}

/** The app's folder (removed afterwards). */
let dir = "";
const servers: Partial<Record<Bundler, Awaited<ReturnType<typeof serveFolder>>>> = {};
const buildLogs: Partial<Record<Bundler, { stdout: string; stderr: string }>> = {};
/** The launched browsers: a launch that failed fails the tests of that browser only. */
const browsers: Partial<Record<BrowserName | "Chromium without SIMD", Promise<HeadlessBrowser>>> = {};
const node: Partial<Record<Build, ConformanceResult>> = {};

/** Node's conformance bits on `build`: the package (its TypeScript source here) imported afresh, the build forced. */
async function nodeBits(build: Build): Promise<ConformanceResult> {
  vi.resetModules();
  globalThis.ITERL2NORM_WASM = build;
  try {
    const api = await import("iterl2norm");
    const kernel = await import("iterl2norm/kernel");
    expect(kernel.build).toBe(build);
    return runPackage(api);
  } finally {
    globalThis.ITERL2NORM_WASM = undefined;
  }
}

/** The library packed and installed in an empty project (tests/pack.ts), the fixture added, built by both bundlers. */
async function buildApps(): Promise<void> {
  const app = await installLibrary();
  dir = app;
  cpSync(join(hosts, "web"), join(app, "web"), { recursive: true });
  copyFileSync(join(hosts, "conformance.js"), join(app, "conformance.js"));
  const web = join(app, "web");
  const esbuildOut = join(app, "esbuild");
  const [vite, esbuild] = await Promise.all([
    // `vite build` in the app's folder: index.html is the entry, the worker is found by its new URL(…)
    run(process.execPath, [VITE, "build"], { cwd: web }),
    // one bundle for the page and one for the worker, next to each other as the page's new URL(…) expects
    run(ESBUILD, ["main.js", "worker.js", "--bundle", "--format=esm", "--platform=browser", "--outdir=../esbuild"], {
      cwd: web,
    }),
  ]);
  copyFileSync(join(web, "index.html"), join(esbuildOut, "index.html"));
  buildLogs.Vite = vite;
  buildLogs.esbuild = esbuild;
  servers.Vite = await serveFolder(join(web, "dist"));
  servers.esbuild = await serveFolder(esbuildOut);
}

/** The page of a bundle in a browser, with `?wasm=` when a build is forced. */
async function open(browser: keyof typeof browsers, bundler: Bundler, wasm?: Build) {
  const query = wasm === undefined ? "" : `?wasm=${wasm}`;
  return (await browsers[browser]!).outcome(`${servers[bundler]!.url}/index.html${query}`, "result", 20_000);
}

/** The cases whose bits differ from Node's (or are missing, or extra). */
function mismatches(got: ConformanceResult | undefined, want: ConformanceResult): string[] {
  const names = new Set([...Object.keys(want), ...Object.keys(got ?? {})]);
  return [...names].filter((n) => got?.[n] !== want[n]);
}

/** A page's report holds `build` in both contexts, with Node's bits on that build, and the page logged no error. */
function expectRuns(outcome: { value: unknown; errors: string[] }, build: Build): void {
  const { main, worker } = outcome.value as PageResult;
  for (const [where, r] of [
    ["main thread", main],
    ["worker", worker],
  ] as const) {
    expect({ where, build: r?.build, error: r?.error }).toEqual({ where, build, error: undefined });
    expect(mismatches(r?.bits, node[build]!), `${where}: cases with bits other than Node's`).toEqual([]);
  }
  expect(outcome.errors).toEqual([]);
}

describe.skipIf(!RUN_BUNDLERS)("the packed package bundled for the web (Vite 8, esbuild; tests/hosts)", () => {
  beforeAll(async () => {
    // the browsers start while npm and the bundlers work
    if (BROWSERS.Chromium.run) browsers.Chromium = launchChromiumHost();
    if (BROWSERS.Chromium.run && process.arch === "x64") {
      browsers["Chromium without SIMD"] = launchChromiumHost(NO_SIMD_CHROMIUM);
    }
    if (BROWSERS.Firefox.run) browsers.Firefox = launchFirefox();
    const launches = Object.values(browsers);
    for (const b of launches) b.catch(() => {}); // awaited by the tests, which report a failed launch
    await buildApps();
    await Promise.allSettled(launches);
    node.simd = await nodeBits("simd");
    node.scalar = await nodeBits("scalar");
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(browsers).map(async (b) => (await b.catch(() => undefined))?.close()));
    await Promise.all(Object.values(servers).map((s) => s.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("builds with both bundlers' defaults and no warning", () => {
    // Vite logs its warnings (a Node built-in externalised for the browser, say) on stderr, esbuild all it has to say
    expect(buildLogs.Vite?.stderr).toBe("");
    expect(buildLogs.Vite?.stdout).toMatch(/built in/);
    expect(buildLogs.esbuild?.stderr).toMatch(/main\.js[\s\S]*worker\.js[\s\S]*Done in/);
    expect(buildLogs.esbuild?.stderr).not.toMatch(/warning|error/i);
  });

  for (const browser of ["Chromium", "Firefox"] as const) {
    describe.skipIf(!BROWSERS[browser].run)(`in ${browser}`, () => {
      for (const bundler of ["Vite", "esbuild"] as const) {
        it(`${bundler}: SIMD by default, scalar forced by a module run first; page, worker: Node's bits`, async () => {
          const [simd, scalar] = await Promise.all([open(browser, bundler), open(browser, bundler, "scalar")]);
          expectRuns(simd, "simd");
          expectRuns(scalar, "scalar");
        });
      }
    });
  }

  describe.skipIf(!BROWSERS.Chromium.run || process.arch !== "x64")(
    `in Chromium without wasm SIMD (${NO_SIMD_CHROMIUM.join(" ")}, x64 only)`,
    () => {
      for (const bundler of ["Vite", "esbuild"] as const) {
        it(`${bundler}: falls back to the scalar build by itself; forced SIMD fails to compile, named`, async () => {
          const [fallback, forced] = await Promise.all([
            open("Chromium without SIMD", bundler),
            open("Chromium without SIMD", bundler, "simd"),
          ]);
          expectRuns(fallback, "scalar");
          // the package's import throws before the page's module runs: the error handler of index.html reports it
          const message = "iterl2norm: this engine cannot compile the simd build (docs/design.md §8)";
          expect((forced.value as PageResult).main).toEqual({ error: expect.stringContaining(message) });
          expect(forced.errors).toEqual([expect.stringContaining(message)]);
        });
      }
    },
  );
});
