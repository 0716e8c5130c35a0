/**
 * The command line of every command: parsing (node:util parseArgs, strict), flag
 * values (integers, numbers, words, comma-separated lists) and how a usage error is
 * reported. A bad flag throws UsageError naming the flag, the value and what was expected.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT, UsageError } from "./common.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
/** What parseArgs returns for these options (values typed from them). */
type Parsed<O extends Options, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: P }>
>;

/**
 * Parses argv strictly against `options` (unknown flags and, unless allowed,
 * positionals are errors); parseArgs' own errors become UsageErrors.
 */
export function parseCommandLine<const O extends Options, const P extends boolean = false>(
  argv: readonly string[],
  options: O,
  allowPositionals?: P,
): Parsed<O, P> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: (allowPositionals ?? false) as P });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Flags that take a value, by name (`--name value`); parsed further by the *Flag functions below. */
export function valueFlags<const N extends string>(...names: N[]): { [K in N]: { type: "string" } } {
  return Object.fromEntries(names.map((n) => [n, { type: "string" }])) as { [K in N]: { type: "string" } };
}

/** Flags without a value, by name (`--name`). */
export function switches<const N extends string>(...names: N[]): { [K in N]: { type: "boolean" } } {
  return Object.fromEntries(names.map((n) => [n, { type: "boolean" }])) as { [K in N]: { type: "boolean" } };
}

/** -h, --help: every command has it. */
export const HELP_FLAG = { help: { type: "boolean", short: "h" } } as const;

/** Writes a usage error of `iterl2norm <command>` to stderr; returns the usage exit code. */
export function reportUsageError(command: string, message: string): number {
  process.stderr.write(`iterl2norm ${command}: ${message}\nRun "iterl2norm ${command} --help" for usage.\n`);
  return EXIT.usage;
}

/**
 * Runs the body of `iterl2norm <command>`: a UsageError it throws is reported on stderr
 * (with a pointer to --help) and becomes the usage exit code.
 */
export async function withUsageErrors(command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) return reportUsageError(command, e.message);
    throw e;
  }
}

/** The usage error of a bad flag value: "--name must <expected>; got "<value>"". */
function badValue(name: string, expected: string, value: string): UsageError {
  return new UsageError(`--${name} must ${expected}; got ${JSON.stringify(value)}`);
}

/** The items of a comma-separated list, trimmed, empty items dropped. */
function splitList(name: string, value: string, what: string): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) throw badValue(name, `be a comma-separated list of ${what}`, value);
  return items;
}

/** The integer of decimal text in [lo, hi], or undefined when it is not one. */
function integerIn(text: string, lo: number, hi: number): number | undefined {
  const n = Number(text);
  return /^[+-]?\d+$/.test(text.trim()) && Number.isSafeInteger(n) && n >= lo && n <= hi ? n : undefined;
}

/** Whether value is one of the allowed words. */
function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

/** An integer flag value in [lo, hi], or undefined when the flag is absent. */
export function intFlag(name: string, value: string | undefined, lo: number, hi: number): number | undefined {
  if (value === undefined) return undefined;
  const n = integerIn(value, lo, hi);
  // "one integer" answers a list given where a single value belongs
  const article = value.includes(",") ? "one" : "an";
  if (n === undefined) throw badValue(name, `be ${article} integer from ${lo} to ${hi}`, value);
  return n;
}

/** A finite number flag ≥ lo, or undefined when absent. */
export function numberFlag(name: string, value: string | undefined, lo: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < lo) throw badValue(name, `be a finite number ≥ ${lo}`, value);
  return n;
}

/** One of the allowed words, or the fallback when absent. */
export function choiceFlag<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!isOneOf(value, allowed)) throw badValue(name, `be one of ${allowed.join(", ")}`, value);
  return value;
}

/** A comma-separated list of integers in [lo, hi] (repeats dropped), or undefined when absent. */
export function intListFlag(name: string, value: string | undefined, lo: number, hi: number): number[] | undefined {
  if (value === undefined) return undefined;
  const what = `integers from ${lo} to ${hi}`;
  return [
    ...new Set(
      splitList(name, value, what).map((item) => {
        const n = integerIn(item, lo, hi);
        if (n === undefined) throw badValue(name, `hold ${what}`, item);
        return n;
      }),
    ),
  ];
}

/** A comma-separated list of allowed words (repeats dropped), or undefined when absent. */
export function choiceListFlag<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T[] | undefined {
  if (value === undefined) return undefined;
  const what = `values from ${allowed.join(", ")}`;
  return [
    ...new Set(
      splitList(name, value, what).map((item) => {
        if (!isOneOf(item, allowed)) throw badValue(name, `hold ${what}`, item);
        return item;
      }),
    ),
  ];
}
