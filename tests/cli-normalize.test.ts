// `iterl2norm normalize` end to end: round trips through every file kind, bit for
// bit equal to the API, and malformed inputs that fail cleanly without leaving files.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "npyjs";
import { beforeAll, describe, expect, it } from "vitest";
import { l2Normalize, layerNorm, fromFP16, toFP16 } from "iterl2norm";
import { npyHeader } from "../cli/io/npy.js";
import { firstBitDifference, normalRows } from "./helpers.js";

const CLI = new URL("../cli/dist/cli/main.js", import.meta.url).pathname;
let dir = "";

function cli(args: string[], input?: string | Uint8Array): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, input, maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

function npyBytes(dtype: "float32" | "float16" | "float64", shape: number[], data: ArrayBufferView): Uint8Array {
  const h = npyHeader(dtype, shape);
  const out = new Uint8Array(h.length + data.byteLength);
  out.set(h);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), h.length);
  return out;
}

function readNpy(name: string): { data: ArrayLike<number>; shape: number[]; dtype: string } {
  const b = readFileSync(join(dir, name));
  return parse(b.buffer.slice(b.byteOffset, b.byteOffset + b.length), { convertFloat16: false }) as never;
}

const rows = 37;
const dim = 24;
const x = normalRows(5, rows, dim, 1, 2);
const gamma = normalRows(6, 1, dim, 1, 0.2);
const beta = normalRows(7, 1, dim, 0, 0.2);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "iterl2norm-cli-"));
});

describe("round trips, equal to the API bit for bit", () => {
  it(".npy float32 (2-D) with γ and β from .npy, in chunks of 5 rows", () => {
    writeFileSync(join(dir, "x.npy"), npyBytes("float32", [rows, dim], x));
    writeFileSync(join(dir, "g.npy"), npyBytes("float32", [dim], gamma));
    writeFileSync(join(dir, "b.npy"), npyBytes("float32", [dim], beta));
    const r = cli([
      "normalize",
      "x.npy",
      "-o",
      "y.npy",
      "--gamma",
      "g.npy",
      "--beta",
      "b.npy",
      "--chunk-rows",
      "5",
      "-q",
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const y = readNpy("y.npy");
    expect(y.dtype).toBe("f4");
    expect(y.shape).toEqual([rows, dim]);
    expect(firstBitDifference(y.data, layerNorm(x, { dim, gamma, beta }))).toBe(-1);
  });

  it(".npy float16 in, float16 out (computed in fp32, rounded once to fp16)", () => {
    const h = toFP16(x);
    writeFileSync(join(dir, "h.npy"), npyBytes("float16", [rows, dim], h));
    const r = cli(["normalize", "h.npy", "-o", "hy.npy", "--preset", "precise", "-q"]);
    expect(r.status).toBe(0);
    const y = readNpy("hy.npy");
    expect(y.dtype).toBe("f2");
    const want = toFP16(layerNorm(fromFP16(h), { dim, preset: "precise" }));
    expect(Array.from(y.data as Uint16Array)).toEqual(Array.from(want));
  });

  it(".npy float64 in, float64 out (the values are the f32 results)", () => {
    writeFileSync(join(dir, "d.npy"), npyBytes("float64", [rows, dim], Float64Array.from(x)));
    expect(cli(["normalize", "d.npy", "-o", "dy.npy", "--mode", "l2", "-q"]).status).toBe(0);
    const y = readNpy("dy.npy");
    expect(y.dtype).toBe("f8");
    expect(firstBitDifference(y.data, l2Normalize(x, { dim }))).toBe(-1);
  });

  it(".f32 raw with --dim, and .f32 → .json by the output's extension", () => {
    writeFileSync(join(dir, "x.f32"), x);
    expect(cli(["normalize", "x.f32", "-o", "y.f32", "--dim", String(dim), "-q"]).status).toBe(0);
    const raw = readFileSync(join(dir, "y.f32"));
    const y = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
    expect(firstBitDifference(y, layerNorm(x, { dim }))).toBe(-1);
    expect(cli(["normalize", "x.f32", "-o", "y.json", "--dim", String(dim), "-q"]).status).toBe(0);
    const rowsJson = JSON.parse(readFileSync(join(dir, "y.json"), "utf8")) as number[][];
    expect(rowsJson.length).toBe(rows);
    expect(firstBitDifference(Float32Array.from(rowsJson.flat()), layerNorm(x, { dim }))).toBe(-1);
  });

  it("JSON rows through stdin and stdout", () => {
    const json = JSON.stringify(Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * dim, (r + 1) * dim))));
    const r = cli(["normalize", "-", "-o", "-", "--mode", "l2", "--preset", "precise"], json);
    expect(r.status).toBe(0);
    const y = Float32Array.from((JSON.parse(r.stdout.toString()) as number[][]).flat());
    expect(firstBitDifference(y, l2Normalize(x, { dim, preset: "precise" }))).toBe(-1);
  });

  it("--json prints a machine-readable summary", () => {
    const r = cli(["normalize", "x.f32", "-o", "s.f32", "--dim", String(dim), "--json"]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({
      rows,
      dim,
      mode: "layernorm",
      preset: "paper",
      inKind: "f32",
      outKind: "f32",
    });
  });
});

describe("malformed input: exit 1, a clear message, no output file left behind", () => {
  const cases: [string, string, Uint8Array | string, string[], RegExp][] = [
    [
      "bad .npy header",
      "bad.npy",
      new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 200, 0, 1, 2, 3]),
      [],
      /header length|malformed/,
    ],
    ["not a .npy file", "text.npy", "hello world, not numpy", [], /not a \.npy file/],
    [
      "wrong dtype (int32)",
      "int.npy",
      (() => {
        // "<f4" becomes "<i4" byte for byte: TextDecoder("latin1") is windows-1252, which turns the
        // magic byte 0x93 into U+201C on Node ≥ 22 (Node 20 decoded 0x80–0x9F as C1 controls).
        const h = npyHeader("float32", [2, 2]);
        const bytes = new Uint8Array(h.length + 16);
        bytes.set(h);
        bytes[Buffer.from(h).indexOf("<f4") + 1] = "i".charCodeAt(0);
        return bytes;
      })(),
      [],
      /unsupported \.npy dtype "<i4"/,
    ],
    [
      "truncated .npy data",
      "short.npy",
      npyBytes("float32", [4, 4], new Float32Array(10)),
      [],
      /needs 64 data bytes; the file has 40/,
    ],
    ["ragged JSON rows", "ragged.json", "[[1,2,3],[4,5]]", [], /ragged rows: row 1 has 2 values/],
    ["invalid JSON", "broken.json", "[[1,2,3],", [], /invalid JSON/],
    ["a string in JSON", "string.json", '[[1,"2"]]', [], /value 1 is "2"; expected a number/],
    [
      "size not a multiple of dim",
      "odd.f32",
      new Uint8Array(new Float32Array(10).buffer),
      ["--dim", "3"],
      /10 values is not a multiple of --dim 3/,
    ],
    [
      "size not whole f32 values",
      "odd2.f32",
      new Uint8Array(6),
      ["--dim", "1"],
      /6 bytes is not a whole number of f32 values/,
    ],
  ];

  it.each(cases)("%s", (_name, file, content, extra, message) => {
    writeFileSync(join(dir, file), content);
    const before = readdirSync(dir).sort();
    const out = `out-${file}`;
    const r = cli(["normalize", file, "-o", out, ...extra]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it("unreadable path", () => {
    const before = readdirSync(dir).sort();
    const r = cli(["normalize", "missing.npy", "-o", "m.npy"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/missing\.npy: cannot read \(ENOENT\)/);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it("γ of the wrong length", () => {
    writeFileSync(join(dir, "g3.json"), "[1,2,3]");
    const before = readdirSync(dir).sort();
    const r = cli(["normalize", "x.f32", "-o", "gy.f32", "--dim", String(dim), "--gamma", "g3.json"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a multiple of --dim 24|needs 24 values/);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it("bad command lines exit 2 with the reason", () => {
    expect(cli(["normalize", "x.f32"]).status).toBe(2);
    expect(cli(["normalize", "x.f32", "-o", "y.f32", "--dim", "0"]).stderr).toMatch(/--dim must be an integer from 1/);
    expect(cli(["normalize", "x.f32", "-o", "y.f32", "--mode", "l2", "--gamma", "g.npy"]).stderr).toMatch(
      /layernorm only/,
    );
    expect(cli(["normalize", "x.f32", "-o", "y.zip", "--dim", "4"]).stderr).toMatch(/unknown extension/);
    expect(cli(["frobnicate"]).status).toBe(2);
  });

  it("--help and --version exit 0", () => {
    const h = cli(["normalize", "--help"]);
    expect(h.status).toBe(0);
    expect(h.stdout.toString()).toMatch(/Examples:/);
    expect(cli(["--version"]).stdout.toString().trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
