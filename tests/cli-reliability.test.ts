// `iterl2norm normalize` under the conditions a shell creates: pipes, FIFOs and process
// substitution as input, streamed standard input, signals mid-run, outputs that exist
// (permissions, symbolic links, FIFOs), unwritable or closed outputs, options the
// library refuses, JSON's missing NaN, and .npy headers written by other writers.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { l2Normalize, layerNorm } from "iterl2norm";
import { npyHeader } from "../cli/io/npy.js";
import { firstBitDifference, normalRows } from "./helpers.js";

const CLI = new URL("../cli/dist/cli/main.js", import.meta.url).pathname;
let dir = "";

function cli(args: string[], input?: string | Uint8Array): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, input, maxBuffer: 64 << 20, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
}

/** Resolves with the exit code (or 128 + n when killed by signal n, as a shell reports it) and the output. */
function finished(child: ChildProcess): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (b: Buffer) => out.push(b));
  child.stderr?.on("data", (b: Buffer) => err.push(b));
  return new Promise((done) =>
    child.on("close", (code, signal) =>
      done({
        code: code ?? 128 + (signal === "SIGTERM" ? 15 : signal === "SIGINT" ? 2 : 0),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString(),
      }),
    ),
  );
}

async function until(what: string, test: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function f32(b: Buffer): Float32Array {
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function npyOf(header: Uint8Array, data: Float32Array): Uint8Array {
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header);
  out.set(bytesOf(data), header.length);
  return out;
}

/** A version 1.0 .npy header with the dict text given verbatim (padded to 64 bytes as NumPy pads). */
function headerOf(dict: string): Uint8Array {
  const padded = `${dict}${" ".repeat((64 - ((10 + dict.length + 1) % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + padded.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, padded.length, true);
  for (let i = 0; i < padded.length; i++) out[10 + i] = padded.charCodeAt(i);
  return out;
}

const tmpFiles = (): string[] => readdirSync(dir).filter((f) => f.endsWith(".tmp"));

const rows = 37;
const dim = 24;
const x = normalRows(11, rows, dim, 1, 2);
const want = layerNorm(x, { dim });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "iterl2norm-reliability-"));
  writeFileSync(join(dir, "x.f32"), x);
  writeFileSync(join(dir, "x.npy"), npyOf(npyHeader("float32", [rows, dim]), x));
});

describe("inputs that are not regular files are streamed", () => {
  it("a FIFO is read to its end, not taken as empty", () => {
    execFileSync("mkfifo", [join(dir, "fifo.f32")]);
    const writer = spawn("sh", ["-c", "cat x.f32 > fifo.f32"], { cwd: dir });
    const r = cli(["normalize", "fifo.f32", "-o", "fifo-out.f32", "--dim", String(dim), "-q"]);
    writer.kill();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(firstBitDifference(f32(readFileSync(join(dir, "fifo-out.f32"))), want)).toBe(-1);
  });

  it("process substitution <(cat x.npy) is read, its kind told by its first bytes", () => {
    const r = spawnSync("bash", ["-c", `"${process.execPath}" "${CLI}" normalize <(cat x.npy) -o ps.f32 -q`], {
      cwd: dir,
      timeout: 20_000,
    });
    expect(r.stderr.toString()).toBe("");
    expect(r.status).toBe(0);
    expect(firstBitDifference(f32(readFileSync(join(dir, "ps.f32"))), want)).toBe(-1);
  });

  // The first rows come out while standard input is still open: it is not buffered whole.
  it.each([
    ["raw .f32 with --dim", ["--in-type", "f32", "--dim", String(dim)], new Uint8Array(0)],
    [".npy (its kind from the magic string)", [], npyHeader("float32", [rows, dim])],
  ])("standard input is streamed in chunks of rows: %s", async (_name, flags, header) => {
    const child = start(["normalize", "-", "-o", "-", "--out-type", "f32", "--chunk-rows", "2", ...flags]);
    const result = finished(child);
    let got = 0;
    child.stdout!.on("data", (b: Buffer) => {
      got += b.length;
    });
    child.stdin!.write(header);
    child.stdin!.write(bytesOf(x.subarray(0, 4 * dim)));
    await until("the first rows on stdout", () => got >= 2 * dim * 4);
    child.stdin!.end(bytesOf(x.subarray(4 * dim)));
    const r = await result;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(firstBitDifference(f32(r.stdout), want)).toBe(-1);
  });

  it("a raw stream that ends inside a row fails with exit 1 and leaves no file", () => {
    const r = cli(["normalize", "-", "--in-type", "f32", "--dim", "4", "-o", "cut.f32"], bytesOf(new Float32Array(10)));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/standard input: 10 values is not a multiple of --dim 4/);
    expect(existsSync(join(dir, "cut.f32"))).toBe(false);
    expect(tmpFiles()).toEqual([]);
  });

  it("a raw stream to .npy gets the row count it turned out to have", () => {
    const r = cli(["normalize", "-", "--in-type", "f32", "--dim", String(dim), "-o", "s.npy", "-q"], bytesOf(x));
    expect(r.status).toBe(0);
    const b = readFileSync(join(dir, "s.npy"));
    expect(b.subarray(10, 80).toString("latin1")).toContain(`'shape': (${rows}, ${dim})`);
    expect(firstBitDifference(f32(b.subarray(b.length - rows * dim * 4)), want)).toBe(-1);
    const p = cli(
      ["normalize", "-", "--in-type", "f32", "--dim", String(dim), "-o", "-", "--out-type", "npy"],
      bytesOf(x),
    );
    expect(Buffer.compare(p.stdout, b)).toBe(0);
  });
});

describe("signals mid-run", () => {
  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("%s removes the temporary output and exits %i", async (signal, code) => {
    const big = join(dir, `big-${signal}.f32`);
    writeFileSync(big, new Float32Array(4 << 20).fill(1.5));
    const before = readdirSync(dir).sort();
    const child = start(["normalize", big, "-o", `big-${signal}.out.f32`, "--dim", "4", "--chunk-rows", "16", "-q"]);
    const result = finished(child);
    await until("the temporary output", () => tmpFiles().length > 0);
    child.kill(signal);
    const r = await result;
    expect(r.code).toBe(code);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(cli(["normalize", "--help"]).stdout.toString()).toContain(`${signal} (${code})`);
  });
});

describe("an existing output", () => {
  it("keeps its permission bits (0600 stays 0600)", () => {
    const out = join(dir, "private.f32");
    writeFileSync(out, "old");
    chmodSync(out, 0o600);
    expect(cli(["normalize", "x.f32", "-o", "private.f32", "--dim", String(dim), "-q"]).status).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(firstBitDifference(f32(readFileSync(out)), want)).toBe(-1);
  });

  it.skipIf(process.getuid?.() !== 0)("keeps its owner and group (where the process may set them: root)", () => {
    const out = join(dir, "owned.f32");
    writeFileSync(out, "old");
    chownSync(out, 12345, 23456);
    expect(cli(["normalize", "x.f32", "-o", "owned.f32", "--dim", String(dim), "-q"]).status).toBe(0);
    expect([statSync(out).uid, statSync(out).gid]).toEqual([12345, 23456]);
  });

  it("a symbolic link is written through: the link stays, its target gets the rows", () => {
    mkdirSync(join(dir, "real"));
    writeFileSync(join(dir, "real", "target.f32"), "old");
    symlinkSync(join("real", "target.f32"), join(dir, "link.f32"));
    symlinkSync(join("real", "new.f32"), join(dir, "dangling.f32"));
    expect(cli(["normalize", "x.f32", "-o", "link.f32", "--dim", String(dim), "-q"]).status).toBe(0);
    expect(cli(["normalize", "x.f32", "-o", "dangling.f32", "--dim", String(dim), "-q"]).status).toBe(0);
    for (const [link, target] of [
      ["link.f32", "target.f32"],
      ["dangling.f32", "new.f32"],
    ]) {
      expect(lstatSync(join(dir, link!)).isSymbolicLink()).toBe(true);
      expect(firstBitDifference(f32(readFileSync(join(dir, "real", target!))), want)).toBe(-1);
    }
  });

  it("a FIFO is written into, not replaced by a regular file", async () => {
    execFileSync("mkfifo", [join(dir, "out-fifo.f32")]);
    const reader = spawn("cat", ["out-fifo.f32"], { cwd: dir });
    const got = finished(reader);
    const r = cli(["normalize", "x.f32", "-o", "out-fifo.f32", "--dim", String(dim), "-q"]);
    // A successful run opened and closed the FIFO, so cat sees its end and exits with all the bytes;
    // killing it then could cut its copy short. Only a run that never opened the FIFO leaves cat waiting.
    if (r.status !== 0) reader.kill();
    expect(r.status).toBe(0);
    expect(lstatSync(join(dir, "out-fifo.f32")).isFIFO()).toBe(true);
    expect(firstBitDifference(f32((await got).stdout), want)).toBe(-1);
  });
});

describe("JSON round trips NaN and ±Infinity", () => {
  it('writes them as "NaN", "Infinity", "-Infinity" and reads those (and null) back', () => {
    const y = new Float32Array([1, Number.NaN, 3, 4, 1, 2, 3, 4]);
    writeFileSync(join(dir, "nan.f32"), y);
    const r = cli(["normalize", "nan.f32", "-o", "nan.json", "--dim", "4", "--mode", "l2", "-q"]);
    expect(r.status).toBe(0);
    const text = readFileSync(join(dir, "nan.json"), "utf8");
    expect(text).toContain('"NaN"');
    expect(text).not.toContain("null");
    const back = cli(["normalize", "nan.json", "-o", "nan2.f32", "--mode", "l2", "-q"]);
    expect(back.stderr).toBe("");
    expect(back.status).toBe(0);
    const twice = l2Normalize(l2Normalize(y, { dim: 4 }), { dim: 4 });
    expect(firstBitDifference(f32(readFileSync(join(dir, "nan2.f32"))), twice)).toBe(-1);

    const special = '[["Infinity", 1, "-Infinity", null], ["NaN", 2, 3, 4]]';
    const s = cli(["normalize", "-", "-o", "-", "--out-type", "f32", "--mode", "l2"], special);
    expect(s.status).toBe(0);
    const values = new Float32Array([Infinity, 1, -Infinity, Number.NaN, Number.NaN, 2, 3, 4]);
    expect(firstBitDifference(f32(s.stdout), l2Normalize(values, { dim: 4 }))).toBe(-1);
  });
});

describe("options are checked before the input is read", () => {
  it("--eps 1e39 (not finite in f32) exits 2 naming --eps, even on an input of 0 rows", () => {
    writeFileSync(join(dir, "empty.f32"), new Uint8Array(0));
    for (const input of ["empty.f32", "missing.f32"]) {
      const r = cli(["normalize", input, "-o", "e.f32", "--dim", "4", "--eps", "1e39"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^iterl2norm normalize: --eps must be a number ≥ 0 that is finite in f32; got 1e\+39\n/);
    }
    expect(existsSync(join(dir, "e.f32"))).toBe(false);
  });
});

describe("output errors: one line on stderr, before the input is read", () => {
  beforeAll(() => {
    mkdirSync(join(dir, "adir.f32"));
    writeFileSync(join(dir, "afile"), "");
  });

  it.each([
    [
      "a directory (EISDIR)",
      "adir.f32",
      /^iterl2norm normalize: adir\.f32: cannot write \(EISDIR: it is a directory\)\n$/,
    ],
    ["under a file (ENOTDIR)", "afile/y.f32", /^iterl2norm normalize: afile\/y\.f32: cannot write \(ENOTDIR: .*\)\n$/],
    ["in no directory (ENOENT)", "nodir/y.f32", /^iterl2norm normalize: nodir\/y\.f32: cannot write \(ENOENT: .*\)\n$/],
  ])("%s", (_name, out, message) => {
    // The input does not exist either: the output's error comes first, so no work is wasted.
    const r = cli(["normalize", "missing.f32", "-o", out, "--dim", "4"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it("a directory without write permission (EACCES)", (ctx) => {
    // Root may write anywhere: the command runs as "nobody" (65534) then, with the test's folder open to it.
    // That needs the checkout itself readable by nobody; a checkout inside a private folder (mode 700)
    // is not, and the test is skipped there rather than run as root, where no EACCES can occur.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const probe = spawnSync(process.execPath, ["-e", `require("fs").accessSync(${JSON.stringify(CLI)})`], {
        uid: 65534,
        gid: 65534,
      });
      if (probe.status !== 0) ctx.skip();
      chmodSync(dir, 0o755);
    }
    mkdirSync(join(dir, "locked"), 0o555);
    const r = spawnSync(process.execPath, [CLI, "normalize", "missing.f32", "-o", "locked/y.f32", "--dim", "4"], {
      cwd: dir,
      timeout: 20_000,
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toBe(
      "iterl2norm normalize: locked/y.f32: cannot write (EACCES: no permission to create files in locked)\n",
    );
  });

  it("standard output closed by its reader (-o - | head -c 10) ends quietly with exit 0", () => {
    writeFileSync(join(dir, "wide.f32"), new Float32Array(1 << 20).fill(2));
    const r = spawnSync(
      "bash",
      [
        "-c",
        `"${process.execPath}" "${CLI}" normalize wide.f32 --dim 64 --chunk-rows 16 -o - 2>err.txt | head -c 10 ` +
          '>/dev/null; echo "$PIPESTATUS"', // the exit code of the first command
      ],
      { cwd: dir, timeout: 20_000 },
    );
    expect(r.stdout.toString().trim()).toBe("0");
    expect(readFileSync(join(dir, "err.txt"), "utf8")).toBe("");
  });
});

describe(".npy headers as NumPy reads them; JSON sniffed past any whitespace", () => {
  it('a double-quoted "fortran_order": True is Fortran order, refused with a clear message', () => {
    const h = headerOf('{"descr": "<f4", "fortran_order": True, "shape": (2, 3)}');
    writeFileSync(join(dir, "fortran.npy"), npyOf(h, new Float32Array(6)));
    const r = cli(["normalize", "fortran.npy", "-o", "fortran-out.npy"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Fortran-order \.npy arrays .* are not supported/);
    expect(existsSync(join(dir, "fortran-out.npy"))).toBe(false);
  });

  it("double quotes, False and a trailing comma in the shape tuple read as NumPy reads them", () => {
    const h = headerOf(`{"descr": "<f4", "fortran_order": False, "shape": (${rows}, ${dim},), }`);
    writeFileSync(join(dir, "dq.npy"), npyOf(h, x));
    const r = cli(["normalize", "dq.npy", "-o", "dq.f32", "-q"]);
    expect(r.stderr).toBe("");
    expect(firstBitDifference(f32(readFileSync(join(dir, "dq.f32"))), want)).toBe(-1);
  });

  it.each([
    ["an unknown key", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", /malformed/],
    ["shape (3) without the comma of a tuple", "{'descr': '<f4', 'fortran_order': False, 'shape': (6)}", /tuple/],
    ["a big-endian dtype", "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3)}", /dtype ">f4"/],
  ])("refused: %s", (_name, dict, message) => {
    writeFileSync(join(dir, "odd.npy"), npyOf(headerOf(dict), new Float32Array(6)));
    const r = cli(["normalize", "odd.npy", "-o", "odd-out.npy", "--dim", "3"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it("JSON on standard input after 100 bytes of whitespace is recognised", () => {
    const json = `${" \n\t".repeat(34)}[[1, 2, 3, 4], [4, 3, 2, 1]]`;
    const r = cli(["normalize", "-", "-o", "-", "--mode", "l2"], json);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const got = Float32Array.from((JSON.parse(r.stdout.toString()) as number[][]).flat());
    expect(firstBitDifference(got, l2Normalize(new Float32Array([1, 2, 3, 4, 4, 3, 2, 1]), { dim: 4 }))).toBe(-1);
  });
});
