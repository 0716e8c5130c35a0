/** Shared pieces of the CLI commands: usage errors, exit codes, version, colour policy (flags: flags.ts). */
import { existsSync, readFileSync } from "node:fs";

/** A mistake in the command line: the CLI prints it with a pointer to --help and exits with 2. */
export class UsageError extends Error {}

/** Exit codes of every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * The version of the tools package: the nearest package.json named iterl2norm-cli
 * above this module (cli/ in the repository, the package root when installed).
 */
export function packageVersion(): string {
  for (let dir = new URL(".", import.meta.url); ; dir = new URL("..", dir)) {
    const file = new URL("package.json", dir);
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version: string };
      if (pkg.name === "iterl2norm-cli") return pkg.version;
    }
    if (dir.pathname === "/")
      throw new Error(`iterl2norm: the package.json of iterl2norm-cli was not found above ${import.meta.url}`);
  }
}

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !("NO_COLOR" in process.env && process.env.NO_COLOR !== "");
}

/** Bold text when colour is on. */
export function bold(text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return useColor(stream) ? `\x1b[1m${text}\x1b[22m` : text;
}
