// A native C host (examples/c): each build turned into C by wasm2c, called through the ABI,
// compared bit for bit with the same build run by Node. The scalar build goes through Debian's
// wasm2c; the SIMD build through wasm2c 1.0.36 (tests/hosts' npm wabt) with its runtime sources
// (scripts/fetch-wasm2c-runtime.sh) and SIMDe for the vector operations.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { l2Normalize, layerNorm, reference } from "iterl2norm";
import { aBound, firstBitDifference, layerNormBound, normalRows, worstExcess } from "./helpers.js";

const root = new URL("..", import.meta.url).pathname;
/** Runs where wasm2c and cc are installed, and always under CI (.ci/run installs them). */
const RUN = (existsSync("/usr/bin/wasm2c") && existsSync("/usr/bin/cc")) || process.env.CI === "true";
/** The SIMD host's tools: npm wabt 1.0.36, its runtime sources and SIMDe; always under CI. */
const SIMD_TOOLS = [
  join(root, "tests/hosts/node_modules/.bin/wasm2c"),
  join(root, "tests/hosts/node_modules/.cache/wasm2c-runtime-1.0.36/wasm-rt-mem-impl.c"),
  "/usr/include/simde/wasm/simd128.h",
  "/usr/bin/cc",
];
const RUN_SIMD = SIMD_TOOLS.every((p) => existsSync(p)) || process.env.CI === "true";
if (!RUN_SIMD) {
  const missing = SIMD_TOOLS.filter((p) => !existsSync(p)).join(", ");
  console.warn(`host-c: the SIMD C host is skipped; missing ${missing} (see examples/c/build.sh)`);
}
const dir = mkdtempSync(join(tmpdir(), "iterl2norm-c-"));
const exes = { scalar: "", simd: "" };
type Build = keyof typeof exes;
const WASM = { scalar: "iterl2norm/wasm-scalar", simd: "iterl2norm/wasm" } as const;

/** A build run by Node through the same ABI calls as layernorm.c. */
function nodeRun(build: Build, x: Float32Array, dim: number, preset: "paper" | "precise", l2: boolean): Float32Array {
  const path = createRequire(import.meta.url).resolve(WASM[build]);
  const e = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {}).exports as Record<string, unknown>;
  const k = (n: string): number => (e[n] as WebAssembly.Global).value as number;
  const call = (n: string, ...a: number[]): number => (e[n] as (...a: number[]) => number)(...a);
  const ptr = call("alloc", x.byteLength);
  new Float32Array((e.memory as WebAssembly.Memory).buffer, ptr, x.length).set(x);
  const policy = k(preset === "precise" ? "LAMBDA_NEWTON" : "LAMBDA_PAPER");
  const status = l2
    ? call("l2_normalize", ptr, ptr, x.length / dim, dim, 0, k("METHOD_ITER"), policy, 0, 5, 0, k("FISR_QUAKE"))
    : call(
        "layer_norm",
        ptr,
        ptr,
        0,
        0,
        x.length / dim,
        dim,
        Math.fround(1e-5),
        k("METHOD_ITER"),
        policy,
        0,
        5,
        0,
        k("FISR_QUAKE"),
      );
  expect(status).toBe(k("STATUS_OK"));
  return new Float32Array((e.memory as WebAssembly.Memory).buffer, ptr, x.length).slice();
}

/** The scalar build run by Node through the same ABI calls as layernorm.c. */
function nodeScalar(x: Float32Array, dim: number, preset: "paper" | "precise", l2: boolean): Float32Array {
  return nodeRun("scalar", x, dim, preset, l2);
}

function runExe(exe: string, x: Float32Array, dim: number, preset: string, l2: boolean): Float32Array {
  const input = join(dir, "in.f32");
  const output = join(dir, "out.f32");
  writeFileSync(input, x);
  execFileSync(exe, [input, output, String(dim), preset, ...(l2 ? ["l2"] : [])]);
  const b = readFileSync(output);
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4).slice();
}

function runC(x: Float32Array, dim: number, preset: string, l2: boolean): Float32Array {
  return runExe(exes.scalar, x, dim, preset, l2);
}

/** The executable examples/c/build.sh built for `build` (it prints the path last). */
function buildHost(which: Build): string {
  return execFileSync("bash", [join(root, "examples/c/build.sh"), which, dir], { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
}

/** Two arrays' f32 bit patterns: the first index where they differ (NaN payloads included), or −1. */
function firstRawBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.findIndex((v, i) => v !== ub[i]);
}

/** Rows that take the edge rules (docs/design.md §4): zero, constant, NaN, −∞, huge, subnormal. */
function edgeRows(dim: number): Float32Array {
  const x = normalRows(17, 6, dim);
  x.fill(0, 0, dim);
  x.fill(3.5, dim, 2 * dim);
  x[2 * dim + 3] = Number.NaN;
  x[3 * dim + 1] = -Infinity;
  for (let i = 4 * dim; i < 5 * dim; i++) x[i]! *= 1e36;
  for (let i = 5 * dim; i < 6 * dim; i++) x[i]! *= 1e-41;
  return x;
}

const CASES = [
  [768, "paper", false],
  [1027, "precise", false],
  [5, "paper", false],
  [384, "precise", true],
] as const;

beforeAll(() => {
  if (RUN) exes.scalar = buildHost("scalar");
  if (RUN_SIMD) exes.simd = buildHost("simd");
}, 180_000);

describe.skipIf(!RUN)("C host through wasm2c (examples/c; needs Debian's wabt and a C compiler)", () => {
  it("is the scalar build", () => {
    expect(execFileSync(exes.scalar, ["--build"], { encoding: "utf8" })).toMatch(/^ABI \d+, scalar build\n$/);
  });

  it.each(CASES)("d = %i, %s, l2 = %s: the same bits as Node running the scalar build", (dim, preset, l2) => {
    const x = normalRows(dim, 7, dim, 1, 3);
    const c = runC(x, dim, preset, l2);
    expect(firstBitDifference(c, nodeScalar(x, dim, preset, l2))).toBe(-1);
    if (!l2) expect(firstBitDifference(c, reference.layerNormIter(x, { dim, preset }))).toBe(-1);
  });

  it("agrees with the SIMD build used by the package within the summation-order bound", () => {
    const dim = 768;
    const x = normalRows(3, 5, dim, 0, 2);
    const c = runC(x, dim, "paper", false);
    const simd = layerNorm(x, { dim });
    for (let r = 0; r < 5; r++) {
      const bound = layerNormBound(x.subarray(r * dim, (r + 1) * dim), 1e-5, aBound("paper")).map((v) => 2 * v);
      expect(worstExcess(c, simd, bound, r * dim)).toBeLessThanOrEqual(0);
    }
  });

  it.each([false, true])("edge rows (zero, constant, NaN, −∞, huge, subnormal), l2 = %s: the same bits", (l2) => {
    const dim = 33;
    const x = edgeRows(dim);
    expect(firstRawBitDifference(runC(x, dim, "paper", l2), nodeScalar(x, dim, "paper", l2))).toBe(-1);
  });
});

describe.skipIf(!RUN_SIMD)(
  "C host of the SIMD build (examples/c; needs tests/hosts' wabt 1.0.36, its runtime, libsimde-dev, cc)",
  () => {
    it("is the SIMD build", () => {
      expect(execFileSync(exes.simd, ["--build"], { encoding: "utf8" })).toMatch(/^ABI \d+, SIMD build\n$/);
    });

    it.each(CASES)("d = %i, %s, l2 = %s: the same bits as Node running the SIMD build", (dim, preset, l2) => {
      const x = normalRows(dim, 7, dim, 1, 3);
      const c = runExe(exes.simd, x, dim, preset, l2);
      expect(firstRawBitDifference(c, nodeRun("simd", x, dim, preset, l2))).toBe(-1);
      const api = l2 ? l2Normalize(x, { dim, preset }) : layerNorm(x, { dim, preset });
      expect(firstRawBitDifference(c, api)).toBe(-1);
    });

    it.each([false, true])("edge rows (zero, constant, NaN, −∞, huge, subnormal), l2 = %s: the same bits", (l2) => {
      const dim = 33;
      const x = edgeRows(dim);
      const c = runExe(exes.simd, x, dim, "paper", l2);
      expect(firstRawBitDifference(c, nodeRun("simd", x, dim, "paper", l2))).toBe(-1);
    });
  },
);
