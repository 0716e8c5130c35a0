// The thread pool in browsers (docs/design.md §7.1): iterl2norm/pool bundled by esbuild for the web and
// run by a page served cross-origin isolated (COOP same-origin, COEP require-corp) in headless Chromium
// and Firefox, where its workers are module Workers on Blob URLs: Node's bits, split over three threads,
// zero copy and copying. Served without those headers, the page gets createPool's error naming what is
// missing. The bundle is of the built package (dist/), resolved as a user's bundler would.
import { execFile } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { l2Normalize, layerNorm } from "iterl2norm";
import {
  type HeadlessBrowser,
  launchChromiumHost,
  launchFirefox,
  RUN_BROWSER_TESTS,
  RUN_FIREFOX_TESTS,
} from "./browser.js";

const root = new URL("..", import.meta.url).pathname;
const ESBUILD = join(root, "tests", "hosts", "node_modules", ".bin", "esbuild");
const HAVE_ESBUILD = existsSync(ESBUILD) || process.env.CI === "true";
const exec = promisify(execFile);

const ROWS = 512;
const DIM = 256; // 2^17 elements: four threads' worth (js/pool/pool.ts MIN_ELEMENTS_PER_THREAD); the pool has three

/** Seeded values in [-2, 4), the same in the page (which gets this function's text) and here. */
function data(seed: number, n: number): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 6 - 2;
  }
  return a;
}

/** The page's module: a pool of three threads, a zero-copy LayerNorm and a copying L2 normalisation. */
const PAGE = `import { createPool } from "iterl2norm/pool";
${data.toString()}
const bits = (a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
try {
  const pool = await createPool({ threads: 3 });
  const rows = ${ROWS}, dim = ${DIM};
  const x = data(1, rows * dim), gamma = data(2, dim), beta = data(3, dim);
  const ws = pool.createWorkspace(rows, dim);
  ws.input.set(x);
  ws.gamma.set(gamma);
  ws.beta.set(beta);
  await pool.layerNorm(ws.input, { dim, gamma: ws.gamma, beta: ws.beta, out: ws.output, preset: "precise" });
  const l2 = await pool.l2Normalize(x, { dim });
  const result = { isolated: crossOriginIsolated, threads: pool.threads, layerNorm: bits(ws.output), l2: bits(l2) };
  await pool.close();
  globalThis.poolResult = result;
} catch (e) {
  globalThis.poolResult = { error: String(e && e.message) };
}
`;

const HTML = '<!doctype html><meta charset="utf-8"><title>pool</title><script type="module" src="page.js"></script>';

/** Serves `dir`'s index.html and page.js: under /isolated/ with COOP and COEP, under /plain/ without. */
function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/favicon.ico") {
      res.writeHead(204).end(); // asked for by Chromium: no console error for it
      return;
    }
    const [, mode, file] = path.split("/");
    const type = file === "page.js" ? "text/javascript" : file === "index.html" ? "text/html" : undefined;
    if ((mode !== "isolated" && mode !== "plain") || type === undefined) {
      res.writeHead(404).end("not found");
      return;
    }
    const headers: Record<string, string> = { "content-type": `${type}; charset=utf-8` };
    if (mode === "isolated") {
      headers["cross-origin-opener-policy"] = "same-origin";
      headers["cross-origin-embedder-policy"] = "require-corp";
    }
    res.writeHead(200, headers);
    createReadStream(join(dir, file!)).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

const bitsOf = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

let dir = "";
let served: { server: Server; url: string } | undefined;

beforeAll(async () => {
  if (!HAVE_ESBUILD || !(RUN_BROWSER_TESTS || RUN_FIREFOX_TESTS)) return;
  dir = mkdtempSync(join(tmpdir(), "iterl2norm-pool-page-"));
  writeFileSync(join(dir, "entry.js"), PAGE);
  writeFileSync(join(dir, "index.html"), HTML);
  // NODE_PATH: the entry outside the repository resolves "iterl2norm/pool" from its node_modules
  // (where iterl2norm is the repository itself), through the package's "exports" as a user's would
  await exec(ESBUILD, ["entry.js", "--bundle", "--format=esm", "--platform=browser", "--outfile=page.js"], {
    cwd: dir,
    env: { ...process.env, NODE_PATH: join(root, "node_modules") },
  });
  served = await serve(dir);
}, 60_000);

afterAll(async () => {
  const server = served?.server;
  if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

interface PageResult {
  isolated?: boolean;
  threads?: number;
  layerNorm?: number[];
  l2?: number[];
  error?: string;
}

const browsers: [string, boolean, () => Promise<HeadlessBrowser>][] = [
  ["Chromium", RUN_BROWSER_TESTS, () => launchChromiumHost()],
  ["Firefox", RUN_FIREFOX_TESTS, launchFirefox],
];

describe.each(browsers)("iterl2norm/pool in %s (esbuild bundle of dist/)", (_name, run, launch) => {
  let browser: HeadlessBrowser | undefined;
  beforeAll(async () => {
    if (run && HAVE_ESBUILD) browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it.skipIf(!run || !HAVE_ESBUILD)("cross-origin isolated: three threads, Node's bits, no page error", async () => {
    const { value, errors } = await browser!.outcome(`${served!.url}/isolated/index.html`, "poolResult");
    const r = value as PageResult;
    expect(r.error).toBeUndefined();
    expect([r.isolated, r.threads]).toEqual([true, 3]);
    const x = data(1, ROWS * DIM);
    const gamma = data(2, DIM);
    const beta = data(3, DIM);
    expect(r.layerNorm).toEqual(bitsOf(layerNorm(x, { dim: DIM, gamma, beta, preset: "precise" })));
    expect(r.l2).toEqual(bitsOf(l2Normalize(x, { dim: DIM })));
    expect(errors).toEqual([]);
  });

  it.skipIf(!run || !HAVE_ESBUILD)("not isolated: createPool rejects saying what is missing", async () => {
    const { value } = await browser!.outcome(`${served!.url}/plain/index.html`, "poolResult");
    expect((value as PageResult).error).toMatch(/^iterl2norm\/pool: cannot start a pool: .*cross-origin isolated/);
  });
});
