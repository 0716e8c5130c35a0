/**
 * The RTL tests' simulators: a Verilator model built once per hash of its sources (RTL, harness,
 * parameters, Verilator's version) into node_modules/.cache/iterl2norm-rtl/<hash>, and Icarus
 * Verilog runs for the smoke checks on a second simulator. Test-only code (tests/rtl-*.test.ts).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";

export const ROOT = new URL("../..", import.meta.url).pathname;
export const RTL_DIR = join(ROOT, "hw/rtl");
export const TEST_RTL_DIR = join(ROOT, "tests/rtl");
const CACHE = join(ROOT, "node_modules/.cache/iterl2norm-rtl");

/** Whether `tool` is on the PATH. */
export function onPath(tool: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the RTL tests run: where Verilator and Icarus Verilog (and the C++ toolchain Verilator
 * builds with) are installed, and always under CI, where .ci/run installs them and a missing tool
 * fails the tests instead of skipping them (as the host tests do).
 */
export const RTL_TOOLS = ["verilator", "iverilog", "vvp", "g++", "make"] as const;
export const RUN_RTL = RTL_TOOLS.every(onPath) || process.env.CI === "true";
if (!RUN_RTL) {
  const missing = RTL_TOOLS.filter((t) => !onPath(t)).join(", ");
  console.warn(`rtl: the RTL tests are skipped; missing ${missing} (.ci/run installs them)`);
}

/** The parameter header the macro's modules include (hw/rtl-config.ts rtlParameters writes it). */
export const MACRO_HEADER = "macro-params.vh";

/**
 * The RTL sources of hw/rtl, sorted: every .v file with `macro`, else those that build without the
 * macro's parameter header (the units and the tree: the files that do not include it).
 */
export function rtlSources(options: { macro?: boolean } = {}): string[] {
  return readdirSync(RTL_DIR)
    .filter((f) => f.endsWith(".v"))
    .sort()
    .map((f) => join(RTL_DIR, f))
    .filter((f) => options.macro || !readFileSync(f, "utf8").includes(`\`include "${MACRO_HEADER}"`));
}

/** What a Verilator build needs. */
export interface VerilatorBuild {
  /** The top module. */
  readonly top: string;
  /** Verilog files (the test top and the RTL). */
  readonly sources: readonly string[];
  /** The C++ harness (its main reads stimulus files and writes results). */
  readonly harness: string;
  /** Top-level parameters, passed as -G. */
  readonly params?: Readonly<Record<string, number>>;
  /** Header files the sources `include (their directories are passed as -I; their text is hashed). */
  readonly includes?: readonly string[];
}

/** The harnesses' shared file I/O (`#include "harness-io.h"`, found next to them): hashed with each harness. */
const HARNESS_IO = join(TEST_RTL_DIR, "harness-io.h");

/** Verilator's warnings the RTL does not follow: its file names are kebab-case (docs/design.md §10). */
const VERILATOR_FLAGS = ["-Wall", "-Wno-DECLFILENAME", "-Wno-UNUSEDSIGNAL", "-Wno-UNUSEDPARAM"];

/**
 * The C++ optimisation of a build: -O1 for the model (its runs are short; -Os, Verilator's
 * default, doubled the compile time) and -O0 for Verilator's runtime library, which every build
 * compiles again and the runs barely use. An 8-lane macro built in 10 s instead of 20 s.
 */
const MAKE_FLAGS = "OPT_FAST=-O1 OPT_GLOBAL=-O0";

/** A build lock older than this belongs to a run that died: it is taken over. */
const STALE_LOCK_MS = 20 * 60_000;

/** Waits `ms` milliseconds, blocking (a test's beforeAll waiting for another run's build). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The path of the built model's executable: built when its hash is not in the cache (at most two
 * compile jobs: the machine's cores are shared), renamed into place atomically. Runs at the same
 * time (the suite on three Node releases in CI) build each model once: a lock directory per hash
 * makes the others wait for the build instead of repeating it. Returns the executable and the
 * build's wall time in ms (0 when another run built it).
 */
export function verilatorModel(build: VerilatorBuild): { exe: string; buildMs: number } {
  const version = execFileSync("verilator", ["--version"], { encoding: "utf8" }).trim();
  const params = Object.entries(build.params ?? {}).map(([k, v]) => `-G${k}=${v}`);
  const hash = createHash("sha256");
  hash.update(`${version}\n${build.top}\n${params.join(" ")}\n${VERILATOR_FLAGS.join(" ")}\n${MAKE_FLAGS}\n`);
  const includes = build.includes ?? [];
  for (const file of [...build.sources, build.harness, HARNESS_IO]) hash.update(`${file}\n`).update(readFileSync(file));
  for (const file of includes) hash.update(`${basename(file)}\n`).update(readFileSync(file));
  const key = hash.digest("hex").slice(0, 16);
  const dir = join(CACHE, `${build.top}-${key}`);
  const exe = join(dir, build.top);
  if (existsSync(exe)) return { exe, buildMs: 0 };
  mkdirSync(CACHE, { recursive: true });
  const lock = `${dir}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(exe)) return { exe, buildMs: 0 };
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // the lock went away between the two calls: try again
      }
      sleep(250);
    }
  }
  try {
    if (existsSync(exe)) return { exe, buildMs: 0 };
    return buildModel(build, params, dir, exe);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function buildModel(
  build: VerilatorBuild,
  params: readonly string[],
  dir: string,
  exe: string,
): { exe: string; buildMs: number } {
  const includes = build.includes ?? [];
  const work = mkdtempSync(join(CACHE, `${build.top}-build-`));
  const start = performance.now();
  try {
    execFileSync(
      "verilator",
      [
        "--cc",
        "--exe",
        "--build",
        "-j",
        "2",
        "-MAKEFLAGS",
        MAKE_FLAGS,
        ...VERILATOR_FLAGS,
        "--top-module",
        build.top,
        ...params,
        ...[...new Set(includes.map((f) => dirname(f)))].map((dir) => `-I${dir}`),
        "-Mdir",
        join(work, "obj"),
        "-o",
        join(work, build.top),
        ...build.sources,
        build.harness,
      ],
      { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 },
    );
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`verilator build of ${build.top} failed: ${err.stderr?.toString() ?? err.message}`);
  }
  const buildMs = performance.now() - start;
  rmSync(join(work, "obj"), { recursive: true, force: true });
  try {
    renameSync(work, dir);
  } catch {
    // another run put the same build in place first
    rmSync(work, { recursive: true, force: true });
  }
  return { exe, buildMs };
}

/**
 * Writes `text` as `name` into a directory of the cache named by the text's hash (one directory
 * per distinct header, shared by parallel runs); returns the file's path.
 */
export function cachedHeader(name: string, text: string): string {
  const dir = join(CACHE, "headers", createHash("sha256").update(text).digest("hex").slice(0, 16));
  const file = join(dir, name);
  if (existsSync(file) && readFileSync(file, "utf8") === text) return file;
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  return file;
}

/** Runs a built model on stimulus words; returns its result words. */
export function runModel(exe: string, stimulus: Uint32Array, args: readonly (string | number)[]): Uint32Array {
  const dir = mkdtempSync(join(tmpdir(), "iterl2norm-rtl-"));
  try {
    const input = join(dir, "stimulus.bin");
    const output = join(dir, "results.bin");
    writeFileSync(input, stimulus);
    execFileSync(exe, [input, output, ...args.map(String)], { stdio: ["ignore", "ignore", "pipe"] });
    const b = readFileSync(output);
    return new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Compiles and runs an Icarus Verilog testbench in a fresh directory holding stimulus.hex (one
 * line of hex words per record; `includes`: header files, their directories passed as -I);
 * returns results.hex's words, record after record.
 */
export function runIverilog(
  top: string,
  sources: readonly string[],
  params: Readonly<Record<string, number>>,
  stimulus: readonly (readonly number[])[],
  includes: readonly string[] = [],
): Uint32Array {
  const dir = mkdtempSync(join(tmpdir(), "iterl2norm-iverilog-"));
  try {
    const hex = (w: number): string => (w >>> 0).toString(16).padStart(8, "0");
    writeFileSync(join(dir, "stimulus.hex"), `${stimulus.map((r) => r.map(hex).join(" ")).join("\n")}\n`);
    const defs = Object.entries(params).flatMap(([k, v]) => ["-P", `${top}.${k}=${v}`]);
    const incs = [...new Set(includes.map((f) => dirname(f)))].map((d) => `-I${d}`);
    execFileSync("iverilog", ["-g2005", "-s", top, ...defs, ...incs, "-o", join(dir, "sim.vvp"), ...sources], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    execFileSync("vvp", ["-n", join(dir, "sim.vvp")], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const words = readFileSync(join(dir, "results.hex"), "utf8").trim().split(/\s+/);
    return Uint32Array.from(words, (w) => Number.parseInt(w, 16) >>> 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
