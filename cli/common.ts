/** Shared pieces of the CLI commands: usage errors, number flags, colour policy. */
import { existsSync, readFileSync } from "node:fs";

/** A mistake in the command line: the CLI prints it with the command's usage and exits with 2. */
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
    if (dir.pathname === "/") throw new Error("iterl2norm: the package.json of iterl2norm-cli was not found above " + import.meta.url);
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

/** An integer flag value in [lo, hi], or undefined when the flag is absent. */
export function intFlag(name: string, value: string | undefined, lo: number, hi: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new UsageError(`--${name} must be an integer from ${lo} to ${hi}; got ${JSON.stringify(value)}`);
  return n;
}

/** A finite number flag ≥ lo, or undefined when absent. */
export function numberFlag(name: string, value: string | undefined, lo: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < lo) throw new UsageError(`--${name} must be a finite number ≥ ${lo}; got ${JSON.stringify(value)}`);
  return n;
}

/** One of the allowed words, or the fallback when absent. */
export function choiceFlag<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(", ")}; got ${JSON.stringify(value)}`);
  return value as T;
}
