// `iterl2norm report`: runs on built-in data, prints the claims, writes a
// self-contained index.html that renders in headless Chromium without errors.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { RUN_BROWSER_TESTS, launchChromium, openPage } from "./browser.js";

const CLI = new URL("../cli/dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "iterl2norm-report-"));
let stdout = "";
let browser: Browser | undefined;

beforeAll(() => {
  stdout = execFileSync(process.execPath, [CLI, "report", "--out", dir], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

describe("iterl2norm report", () => {
  it("prints the paper's claims next to the measurements", () => {
    for (const claim of [
      "5 steps, paper λ",
      "beats FISR (1 step), FP32",
      "beats FISR (1 step), BF16",
      "macro latency, d = 64",
      "macro latency, d = 1024",
      "speed vs onnxruntime-node",
    ]) {
      expect(stdout).toContain(claim);
    }
    expect(stdout).toMatch(/116 cycles \(100 MHz\)\s+116 cycles/);
    expect(stdout).toMatch(/227 cycles \(100 MHz\)\s+227 cycles/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the ESC of an ANSI colour code is what is looked for
    expect(stdout).not.toMatch(/\x1b\[/); // no colour codes when not a terminal (and with NO_COLOR)
  });

  it("writes index.html, report.md, report.json and the charts", () => {
    for (const f of ["index.html", "report.md", "report.json", "charts/macro-latency.svg", "charts/convergence.svg"])
      expect(existsSync(join(dir, f)), f).toBe(true);
    const data = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as {
      claims: unknown[];
      precision: { wins: object };
    };
    expect(data.claims.length).toBeGreaterThanOrEqual(7);
    expect(Object.keys(data.precision.wins)).toContain("uniform");
  });

  it("index.html is self-contained: no scripts, no external references", () => {
    const html = readFileSync(join(dir, "index.html"), "utf8");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(?!data:|#)/i);
  });

  it.skipIf(!RUN_BROWSER_TESTS)(
    "renders its tables and charts in headless Chromium with no errors (needs Debian's chromium)",
    async () => {
      browser = await launchChromium();
      const errors: string[] = [];
      const page = await openPage(browser, `file://${join(dir, "index.html")}`, errors);
      const tables = await page.$$eval("table", (ts) =>
        ts.map((t) => ({ rows: t.querySelectorAll("tbody tr").length, h: t.getBoundingClientRect().height })),
      );
      expect(tables.length).toBeGreaterThanOrEqual(8);
      for (const t of tables) {
        expect(t.rows).toBeGreaterThan(0);
        expect(t.h).toBeGreaterThan(20);
      }
      const charts = await page.$$eval("figure svg", (ss) =>
        ss.map((s) => {
          const r = s.getBoundingClientRect();
          return { w: r.width, h: r.height, marks: s.querySelectorAll("path, rect, line").length };
        }),
      );
      expect(charts.length).toBeGreaterThanOrEqual(4);
      for (const c of charts) {
        expect(c.w).toBeGreaterThan(100);
        expect(c.h).toBeGreaterThan(100);
        expect(c.marks).toBeGreaterThan(10);
      }
      expect(errors).toEqual([]);
    },
    60_000,
  );
});
