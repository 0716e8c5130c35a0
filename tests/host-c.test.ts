// A native C host (examples/c): the scalar build turned into C by wasm2c, called
// through the ABI, compared bit for bit with the same build run by Node.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { layerNorm, reference } from "iterl2norm";
import { aBound, firstBitDifference, layerNormBound, normalRows, worstExcess } from "./helpers.js";

const root = new URL("..", import.meta.url).pathname;
/** Runs where wasm2c and cc are installed, and always under CI (.ci/run installs them). */
const RUN = (existsSync("/usr/bin/wasm2c") && existsSync("/usr/bin/cc")) || process.env.CI === "true";
const dir = mkdtempSync(join(tmpdir(), "iterl2norm-c-"));
let exe = "";

/** The scalar build run by Node through the same ABI calls as layernorm.c. */
function nodeScalar(x: Float32Array, dim: number, preset: "paper" | "precise", l2: boolean): Float32Array {
  const path = createRequire(import.meta.url).resolve("iterl2norm/wasm-scalar");
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

function runC(x: Float32Array, dim: number, preset: string, l2: boolean): Float32Array {
  const input = join(dir, "in.f32");
  const output = join(dir, "out.f32");
  writeFileSync(input, x);
  execFileSync(exe, [input, output, String(dim), preset, ...(l2 ? ["l2"] : [])]);
  const b = readFileSync(output);
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4).slice();
}

beforeAll(() => {
  if (!RUN) return;
  exe = execFileSync("bash", [join(root, "examples/c/build.sh"), dir], { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
}, 120_000);

describe.skipIf(!RUN)("C host through wasm2c (examples/c; needs Debian's wabt and a C compiler)", () => {
  it.each([
    [768, "paper", false],
    [1027, "precise", false],
    [5, "paper", false],
    [384, "precise", true],
  ] as const)("d = %i, %s, l2 = %s: the same bits as Node running the scalar build", (dim, preset, l2) => {
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
});
