// The .wasm hosted by a static page in headless Chromium with plain
// WebAssembly.instantiate (examples/browser): same bits as the Node API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { layerNorm, reference } from "iterl2norm";
import { RUN_BROWSER_TESTS, launchChromium, openPage, serveFolder } from "./browser.js";
import { firstBitDifference, normalRows } from "./helpers.js";

const root = new URL("..", import.meta.url).pathname;
let server: Awaited<ReturnType<typeof serveFolder>>;
let browser: Browser;
const pages: Record<"simd" | "scalar" | "relaxed", Page> = {} as never;
const errors: string[] = [];
// the relaxed-SIMD build is the repository's (npm run asbuild), not the package's (docs/design.md §8)
const WASM = {
  simd: "../../build/iterl2norm.wasm",
  scalar: "../../build/iterl2norm.scalar.wasm",
  relaxed: "../../build/iterl2norm.relaxed.wasm",
} as const;

beforeAll(async () => {
  if (!RUN_BROWSER_TESTS) return;
  server = await serveFolder(root.replace(/\/$/, ""));
  browser = await launchChromium();
  for (const build of ["simd", "scalar", "relaxed"] as const) {
    const page = await openPage(browser, `${server.url}/examples/browser/index.html?wasm=${WASM[build]}`, errors);
    await page.waitForFunction(() => document.getElementById("status")?.textContent !== "loading…");
    pages[build] = page;
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.skipIf(!RUN_BROWSER_TESTS)("browser host (examples/browser; needs Debian's chromium)", () => {
  it("loads both builds with no imports and reports ready, without page errors", async () => {
    expect(await pages.simd.textContent("#status")).toMatch(/^ready \(ABI \d+, SIMD build\)$/);
    expect(await pages.scalar.textContent("#status")).toMatch(/^ready \(ABI \d+, scalar build\)$/);
    expect(errors).toEqual([]);
  });

  it.each(["paper", "precise"] as const)(
    "normalises rows with the same bits as Node: SIMD build as the package, scalar build as the reference (%s)",
    async (preset) => {
      const dim = 77;
      const x = normalRows(31, 9, dim, 2, 3);
      const gamma = normalRows(32, 1, dim);
      const beta = normalRows(33, 1, dim);
      const run = (page: Page) =>
        page.evaluate(
          ([xs, g, b, d, p]) => {
            const il2n = (
              window as unknown as { iterl2norm: { layerNorm(x: Float32Array, dim: number, o: object): Float32Array } }
            ).iterl2norm;
            return Array.from(
              il2n.layerNorm(new Float32Array(xs), d, {
                gamma: new Float32Array(g),
                beta: new Float32Array(b),
                preset: p,
              }),
            );
          },
          [Array.from(x), Array.from(gamma), Array.from(beta), dim, preset] as const,
        );
      expect(firstBitDifference(await run(pages.simd), layerNorm(x, { dim, gamma, beta, preset }))).toBe(-1);
      expect(
        firstBitDifference(await run(pages.scalar), reference.layerNormIter(x, { dim, gamma, beta, preset })),
      ).toBe(-1);
      expect(errors).toEqual([]);
    },
  );

  it("runs the relaxed-SIMD build (Chromium validates relaxed SIMD) with the SIMD build's bits", async () => {
    expect(await pages.relaxed.textContent("#status")).toMatch(/^ready \(ABI \d+, SIMD build\)$/);
    for (const dim of [1, 7, 64, 77, 513, 1024]) {
      const x = normalRows(dim + 40, 5, dim, -1, 2);
      const run = (page: Page) =>
        page.evaluate(
          ([xs, d]) => {
            const il2n = (
              window as unknown as { iterl2norm: { layerNorm(x: Float32Array, dim: number, o: object): Float32Array } }
            ).iterl2norm;
            return Array.from(il2n.layerNorm(new Float32Array(xs), d, { preset: "precise" }));
          },
          [Array.from(x), dim] as const,
        );
      expect(firstBitDifference(await run(pages.relaxed), await run(pages.simd)), `d=${dim}`).toBe(-1);
      expect(firstBitDifference(await run(pages.relaxed), layerNorm(x, { dim, preset: "precise" })), `d=${dim}`).toBe(
        -1,
      );
    }
    expect(errors).toEqual([]);
  });
});
