/**
 * Test helper: serve a folder on 127.0.0.1 and open a page of it in headless
 * Chromium (Debian's package, driven by playwright-core) or Firefox ESR (Debian's
 * package, driven by puppeteer-core over WebDriver BiDi), collecting console
 * errors and page errors.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/** Chromium binary: $CHROMIUM_PATH or Debian's /usr/bin/chromium (installed by .ci/run). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Browser tests run when Chromium is installed, and always under CI (where a
 * missing browser is a failure, not a skip: .ci/run installs it).
 */
export const RUN_BROWSER_TESTS = existsSync(CHROMIUM) || process.env.CI === "true";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".css": "text/css",
};

/** Serves files under `root` (GET only, no directory listing). */
export async function serveFolder(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)));
    if (!path.startsWith(root) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Launches headless Chromium with the flags this closed-network machine needs, and `extraArgs`. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
}

/** Opens `url` and records console errors and uncaught page errors into `errors`. */
export async function openPage(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  await page.goto(url);
  return page;
}

/** Firefox binary: $FIREFOX_PATH or Debian's /usr/bin/firefox-esr (installed by .ci/run). */
export const FIREFOX = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";

/**
 * puppeteer-core's entry, pinned in tests/hosts (npm ci --prefix tests/hosts): it drives Debian's Firefox
 * ESR over WebDriver BiDi. playwright-core does not (it wants its own patched Firefox builds, and its BiDi
 * client sends a command that Firefox ESR 153 does not know).
 */
export const PUPPETEER_CORE = new URL(
  "hosts/node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js",
  import.meta.url,
).pathname;

/** Firefox tests run when Firefox and puppeteer-core are installed, and always under CI (missing = failure). */
export const RUN_FIREFOX_TESTS = (existsSync(FIREFOX) && existsSync(PUPPETEER_CORE)) || process.env.CI === "true";

/** What a page reported: the value of the global it sets when done, and its console errors and uncaught errors. */
export interface PageOutcome {
  value: unknown;
  errors: string[];
}

/** A headless browser of either driver, reduced to what the host tests do with one. */
export interface HeadlessBrowser {
  /**
   * Opens `url` in a new page, waits until the page sets `globalThis[name]` (at most `timeout` ms),
   * returns that value (through JSON) with the page's errors, and closes the page. Pages of one browser
   * may be open at the same time.
   */
  outcome(url: string, name: string, timeout?: number): Promise<PageOutcome>;
  close(): Promise<void>;
}

/** The page methods both drivers have with these shapes (playwright-core's Page, puppeteer-core's Page). */
interface DriverPage {
  goto(url: string): Promise<unknown>;
  evaluate(expression: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Waits for `globalThis[name]` in a page, reads it as JSON, closes the page. */
async function settle(
  page: DriverPage,
  url: string,
  name: string,
  wait: (expression: string) => Promise<unknown>,
  errors: string[],
): Promise<PageOutcome> {
  const global = `globalThis[${JSON.stringify(name)}]`;
  try {
    await page.goto(url);
    await wait(`${global} !== undefined`);
    return { value: JSON.parse(String(await page.evaluate(`JSON.stringify(${global})`))), errors };
  } finally {
    await page.close();
  }
}

/** Headless Chromium (launchChromium with `extraArgs`) as a HeadlessBrowser. */
export async function launchChromiumHost(extraArgs: readonly string[] = []): Promise<HeadlessBrowser> {
  const browser = await launchChromium(extraArgs);
  // one context for every page: a page of its own context each (browser.newPage) takes longer to open
  const context = await browser.newContext();
  return {
    async outcome(url, name, timeout = 30_000) {
      const errors: string[] = [];
      const page = await context.newPage();
      page.on("console", (msg) => {
        if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
      });
      page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
      return settle(page, url, name, (e) => page.waitForFunction(e, undefined, { timeout, polling: 50 }), errors);
    },
    close: () => browser.close(),
  };
}

/** The part of puppeteer-core's API used here (its types live in tests/hosts, which may not be installed). */
interface Puppeteer {
  launch(options: { browser: "firefox"; executablePath: string; headless: boolean }): Promise<{
    newPage(): Promise<
      DriverPage & {
        on(event: "console", listener: (msg: { type(): string; text(): string }) => void): unknown;
        on(event: "pageerror", listener: (err: unknown) => void): unknown;
        waitForFunction(expression: string, options: { timeout: number; polling: number }): Promise<unknown>;
      }
    >;
    close(): Promise<void>;
  }>;
}

/**
 * Headless Firefox ESR driven by puppeteer-core over WebDriver BiDi. A launch takes 4–5 s: launch
 * once and open every page in that browser.
 */
export async function launchFirefox(): Promise<HeadlessBrowser> {
  // checked first: puppeteer-core writes a profile into the temporary folder before it looks for the binary
  if (!existsSync(FIREFOX)) {
    throw new Error(`no Firefox at ${FIREFOX} (apt-get install firefox-esr, or set FIREFOX_PATH)`);
  }
  const { default: puppeteer } = (await import(pathToFileURL(PUPPETEER_CORE).href)) as { default: Puppeteer };
  const browser = await puppeteer.launch({ browser: "firefox", executablePath: FIREFOX, headless: true });
  return {
    async outcome(url, name, timeout = 30_000) {
      const errors: string[] = [];
      const page = await browser.newPage();
      page.on("console", (msg) => {
        if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
      });
      page.on("pageerror", (err) => errors.push(`pageerror: ${err instanceof Error ? err.message : String(err)}`));
      return settle(page, url, name, (e) => page.waitForFunction(e, { timeout, polling: 50 }), errors);
    },
    close: () => browser.close(),
  };
}
