/**
 * Tensor files for the CLI: .npy (float32, float16, float64), raw little-endian
 * .f32 / .bf16 / .f16, and JSON (an array of rows). Binary inputs — files, pipes,
 * FIFOs, standard input — are read in chunks of rows (bounded memory); JSON is
 * parsed whole. Outputs are written to a temporary file that is renamed into
 * place only when everything succeeded, so a failure never leaves a partial file.
 */
import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fromBF16, fromFP16, toBF16, toFP16 } from "iterl2norm";
import { type ByteSource, fileSource, readAll, stdinSource } from "./bytes.js";
import {
  NPY_PREAMBLE,
  isNpy,
  npyHeader,
  npyHeaderLength,
  npyReservedLength,
  parseNpyHeader,
  type NpyDtype,
} from "./npy.js";

/** File kinds, by extension. */
export type FileKind = "npy" | "f32" | "bf16" | "f16" | "json";
/** Element types stored in a file. */
export type ElementType = "f32" | "f16" | "bf16" | "f64";

export const FILE_KINDS: readonly FileKind[] = ["npy", "f32", "bf16", "f16", "json"];

const BYTES: Readonly<Record<ElementType, number>> = { f32: 4, f16: 2, bf16: 2, f64: 8 };
const NPY_ELEMENT: Readonly<Record<NpyDtype, ElementType>> = { float32: "f32", float16: "f16", float64: "f64" };
const RAW_ELEMENT: Readonly<Record<"f32" | "bf16" | "f16", ElementType>> = { f32: "f32", bf16: "bf16", f16: "f16" };

/** An error in the user's data or files (the CLI exits with code 1 and prints the message). */
export class InputError extends Error {}

/** The kind named by a path's extension, or undefined. */
export function kindOfPath(path: string): FileKind | undefined {
  const ext = extname(path).slice(1).toLowerCase();
  return (FILE_KINDS as readonly string[]).includes(ext) ? (ext as FileKind) : undefined;
}

/**
 * A tensor of rows × dim values, read in chunks of rows as f32. `rows` is known up
 * front for .npy, JSON and regular raw files; a raw stream says it only at its end.
 */
export interface TensorReader {
  readonly kind: FileKind;
  readonly element: ElementType;
  readonly rows: number | undefined;
  readonly dim: number;
  /**
   * The next rows, at most `count`, as f32 (f16/bf16 widen exactly; f64 rounds to nearest
   * f32); empty once all are read. Data that ends early or runs on throws InputError.
   */
  read(count: number): Promise<Float32Array>;
  close(): Promise<void>;
}

function toF32(bytes: Uint8Array, element: ElementType): Float32Array {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  switch (element) {
    case "f32":
      return new Float32Array(buf);
    case "f64":
      return Float32Array.from(new Float64Array(buf));
    case "f16":
      return fromFP16(new Uint16Array(buf));
    case "bf16":
      return fromBF16(new Uint16Array(buf));
  }
}

/** What a binary reader says when the data does not fit its shape; `bytes` is the data read so far. */
interface Misfit {
  short(bytes: number): string;
  long(): string;
}

function binaryReader(
  src: ByteSource,
  kind: FileKind,
  element: ElementType,
  rows: number | undefined,
  dim: number,
  what: string,
  misfit: Misfit,
): TensorReader {
  const rowBytes = dim * BYTES[element];
  let row = 0;
  let seen = 0;
  return {
    kind,
    element,
    rows,
    dim,
    async read(count) {
      const n = rows === undefined ? count : Math.min(count, rows - row);
      if (n === 0) {
        // A stream's size was not checked up front: it must end where the shape says.
        if (src.size === undefined && (await src.read(1)).length > 0) throw new InputError(`${what}: ${misfit.long()}`);
        return new Float32Array(0);
      }
      const bytes = await src.read(n * rowBytes);
      seen += bytes.length;
      // Fewer bytes than asked means the end: whole rows of a stream of unknown length are fine.
      if (bytes.length < n * rowBytes && (rows !== undefined || bytes.length % rowBytes !== 0))
        throw new InputError(`${what}: ${misfit.short(seen)}`);
      row += bytes.length / rowBytes;
      return toF32(bytes, element);
    },
    close: () => src.close(),
  };
}

function requireDim(dim: number | undefined, what: string): number {
  if (dim === undefined) throw new InputError(`${what}: --dim is required (the file does not say its row length)`);
  return dim;
}

function resolveDim(total: number, dim: number | undefined, what: string): number {
  const d = requireDim(dim, what);
  if (total % d !== 0) throw new InputError(`${what}: ${total} values is not a multiple of --dim ${d}`);
  return d;
}

async function npyReader(src: ByteSource, dim: number | undefined, what: string): Promise<TensorReader> {
  if (src.size !== undefined && src.size < NPY_PREAMBLE)
    throw new InputError(`${what}: too short for a .npy file (${src.size} bytes)`);
  let header: ReturnType<typeof parseNpyHeader>;
  try {
    const preamble = await src.read(NPY_PREAMBLE);
    if (preamble.length < NPY_PREAMBLE) throw new Error(`too short for a .npy file (${preamble.length} bytes)`);
    const length = npyHeaderLength(preamble);
    if (src.size !== undefined && length > src.size)
      throw new Error(`header length ${length} exceeds the file size ${src.size}`);
    const rest = await src.read(length - NPY_PREAMBLE);
    if (rest.length < length - NPY_PREAMBLE)
      throw new Error(`header length ${length} exceeds the input's ${NPY_PREAMBLE + rest.length} bytes`);
    const all = new Uint8Array(length);
    all.set(preamble);
    all.set(rest, NPY_PREAMBLE);
    header = parseNpyHeader(all);
  } catch (e) {
    throw new InputError(`${what}: ${(e as Error).message}`);
  }
  const element = NPY_ELEMENT[header.dtype];
  const total = header.shape.reduce((a, b) => a * b, 1);
  const needs = `shape (${header.shape.join(", ")}) of ${header.dtype} needs ${total * BYTES[element]} data bytes`;
  if (src.size !== undefined && src.size - header.dataOffset !== total * BYTES[element])
    throw new InputError(`${what}: ${needs}; the file has ${src.size - header.dataOffset}`);
  let d: number;
  if (header.shape.length === 2) {
    d = header.shape[1]!;
    if (dim !== undefined && dim !== d)
      throw new InputError(`${what}: --dim ${dim} contradicts the array's shape (${header.shape.join(", ")})`);
    if (d === 0) throw new InputError(`${what}: rows of length 0`);
  } else {
    d = resolveDim(total, dim, what);
  }
  return binaryReader(src, "npy", element, total / d, d, what, {
    short: (bytes) => `${needs}; the input ended after ${bytes}`,
    long: () => `${needs}; the input has more`,
  });
}

function rawReader(src: ByteSource, kind: "f32" | "bf16" | "f16", dim: number | undefined, what: string): TensorReader {
  const element = RAW_ELEMENT[kind];
  const size = BYTES[element];
  const wholeValues = (bytes: number): string =>
    bytes % size !== 0
      ? `${bytes} bytes is not a whole number of ${kind} values`
      : `${bytes / size} values is not a multiple of --dim ${dim}`;
  if (src.size === undefined) {
    // A stream: its length shows only at its end, where whole rows are checked.
    return binaryReader(src, kind, element, undefined, requireDim(dim, what), what, {
      short: wholeValues,
      long: () => "unreachable: a stream's row count is not fixed",
    });
  }
  if (src.size % size !== 0) throw new InputError(`${what}: ${wholeValues(src.size)}`);
  const total = src.size / size;
  const d = resolveDim(total, dim, what);
  return binaryReader(src, kind, element, total / d, d, what, {
    short: (bytes) => `${src.size} bytes expected; the file ended after ${bytes}`,
    long: () => "unreachable: a file's size was checked",
  });
}

/**
 * JSON's numbers have no NaN or ±Infinity: the strings "NaN", "Infinity" and
 * "-Infinity" stand for them (the writer writes those), and null reads as NaN
 * (JSON.stringify and most JSON writers turn NaN into null).
 */
const NON_FINITE: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Infinity, "-Infinity": -Infinity };

function jsonNumber(v: unknown, i: number, what: string): number {
  if (typeof v === "number") return v;
  if (v === null) return Number.NaN;
  if (typeof v === "string" && v in NON_FINITE) return NON_FINITE[v]!;
  throw new InputError(
    `${what}: value ${i} is ${JSON.stringify(v)}; expected a number (or "NaN", "Infinity", "-Infinity", null)`,
  );
}

function jsonReader(text: string, dim: number | undefined, what: string): TensorReader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${what}: invalid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(value)) throw new InputError(`${what}: expected a JSON array of rows (or of numbers with --dim)`);
  let flat: unknown[];
  let d: number;
  if (value.length > 0 && Array.isArray(value[0])) {
    d = (value[0] as unknown[]).length;
    if (d === 0) throw new InputError(`${what}: rows of length 0`);
    if (dim !== undefined && dim !== d) throw new InputError(`${what}: --dim ${dim} contradicts the rows' length ${d}`);
    flat = [];
    value.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== d) {
        throw new InputError(
          `${what}: ragged rows: row ${i} has ${Array.isArray(r) ? `${r.length} values` : "no array"}; row 0 has ${d}`,
        );
      }
      for (const v of r) flat.push(v);
    });
  } else {
    flat = value;
    d = resolveDim(flat.length, dim, what);
  }
  const data = Float32Array.from(flat, (v, i) => jsonNumber(v, i, what));
  let row = 0;
  return {
    kind: "json",
    element: "f32",
    rows: data.length / d,
    dim: d,
    async read(count) {
      const n = Math.min(count, data.length / d - row);
      const out = data.slice(row * d, (row + n) * d);
      row += n;
      return out;
    },
    async close() {},
  };
}

/** The kind of a stream from its first bytes: the .npy magic, or '[' after any whitespace for JSON. */
async function sniff(src: ByteSource): Promise<FileKind | undefined> {
  const seen: Uint8Array[] = [];
  let kind: FileKind | undefined;
  for (;;) {
    const piece = await src.read(seen.length === 0 ? NPY_PREAMBLE : 4096);
    if (piece.length === 0) break;
    seen.push(piece);
    if (seen.length === 1 && isNpy(piece)) {
      kind = "npy";
      break;
    }
    const at = piece.findIndex((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
    if (at >= 0) {
      kind = piece[at] === 0x5b ? "json" : undefined;
      break;
    }
  }
  for (const piece of seen.reverse()) src.unread(piece);
  return kind;
}

/**
 * Opens a tensor for reading. `path` '-' reads standard input. The kind comes from
 * `kind`, else the path's extension, else (standard input, a pipe, a FIFO) from the
 * first bytes. Binary data is streamed in chunks; JSON is read whole before parsing.
 */
export async function openReader(
  path: string,
  kind: FileKind | undefined,
  dim: number | undefined,
): Promise<TensorReader> {
  const what = path === "-" ? "standard input" : path;
  let src: ByteSource;
  if (path === "-") {
    src = stdinSource();
  } else {
    kind ??= kindOfPath(path);
    try {
      src = await fileSource(path);
    } catch (e) {
      throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  try {
    if (kind === undefined && src.size === undefined) kind = await sniff(src);
    if (kind === undefined) {
      throw new InputError(
        path === "-"
          ? "standard input: cannot tell its kind; pass --in-type npy|f32|bf16|f16|json"
          : `${path}: unknown extension; expected .npy, .f32, .bf16, .f16 or .json (or pass --in-type)`,
      );
    }
    if (kind === "json") return jsonReader(new TextDecoder().decode(await readAll(src)), dim, what);
    if (kind === "npy") return await npyReader(src, dim, what);
    return rawReader(src, kind, dim, what);
  } catch (e) {
    await src.close();
    throw e;
  }
}

/**
 * A destination for rows; `finish` makes the file appear, `abort` removes every trace
 * (synchronously, so a signal handler can call it just before the process exits).
 */
export interface TensorWriter {
  write(rows: Float32Array): Promise<void>;
  finish(): Promise<void>;
  abort(): void;
}

/** Standard output was closed by its reader (`… -o - | head`): the command stops quietly. */
export class BrokenPipe extends Error {}

function encode(values: Float32Array, element: ElementType): Uint8Array {
  switch (element) {
    case "f32":
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    case "f64": {
      const d = Float64Array.from(values);
      return new Uint8Array(d.buffer);
    }
    case "f16": {
      const h = toFP16(values);
      return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
    }
    case "bf16": {
      const h = toBF16(values);
      return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
    }
  }
}

/** The element type a file of `kind` stores, given the input's element type. */
export function outputElement(kind: FileKind, input: ElementType): ElementType {
  if (kind === "npy") return input === "bf16" ? "f32" : input; // .npy has no bfloat16 dtype
  if (kind === "json") return "f32";
  return RAW_ELEMENT[kind];
}

/** One JSON number; NaN and ±Infinity as strings that the reader accepts back, −0 keeps its sign. */
function jsonValue(v: number): string {
  if (Number.isNaN(v)) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  return Object.is(v, -0) ? "-0" : String(v);
}

/**
 * Where the output goes, checked before any input is read: standard output, a
 * regular file (new or replaced through a temporary file and a rename, keeping an
 * existing file's permission bits; a symbolic link is written through, so the
 * link stays and its target is replaced), or an existing non-regular file such as
 * a FIFO or /dev/null, which is written directly.
 */
export interface OutputTarget {
  readonly path: string;
  /** The file the rename replaces (symbolic links resolved); undefined for stdout and direct writes. */
  readonly file: string | undefined;
  /** Permission bits to keep (an existing file's), else undefined (new files get 0666 minus the umask). */
  readonly mode: number | undefined;
  /** An existing file's owner and group, kept where the process may set them. */
  readonly owner?: { readonly uid: number; readonly gid: number };
}

function cannotWrite(path: string, code: string, why: string): InputError {
  return new InputError(`${path}: cannot write (${code}: ${why})`);
}

function errno(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? "error";
}

/** The path a chain of symbolic links ends at, when the final target does not exist yet. */
function danglingTarget(path: string): string {
  let p = path;
  for (let hops = 0; hops < 40; hops++) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      return p;
    }
    if (!st.isSymbolicLink()) return p;
    p = resolve(dirname(p), readlinkSync(p));
  }
  throw cannotWrite(path, "ELOOP", "too many levels of symbolic links");
}

/** Checks that `path` can be written, before any work: see OutputTarget. */
export function prepareOutput(path: string): OutputTarget {
  if (path === "-") return { path, file: undefined, mode: undefined };
  let st: Stats | undefined;
  try {
    st = statSync(path);
  } catch (e) {
    const code = errno(e);
    if (code === "ENOTDIR") throw cannotWrite(path, code, "a part of the path is not a directory");
    if (code === "EACCES") throw cannotWrite(path, code, "no permission to reach it");
    if (code !== "ENOENT") throw cannotWrite(path, code, "cannot look it up");
  }
  if (st?.isDirectory()) throw cannotWrite(path, "EISDIR", "it is a directory");
  if (st !== undefined && !st.isFile()) {
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      throw cannotWrite(path, errno(e), "no permission to write it");
    }
    return { path, file: undefined, mode: undefined };
  }
  const file = st === undefined ? danglingTarget(path) : realpathSync(path);
  const dir = dirname(file);
  let dirStat: Stats;
  try {
    dirStat = statSync(dir);
  } catch (e) {
    const code = errno(e);
    throw cannotWrite(path, code, code === "ENOENT" ? `the directory ${dir} does not exist` : `cannot look up ${dir}`);
  }
  if (!dirStat.isDirectory()) throw cannotWrite(path, "ENOTDIR", `${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw cannotWrite(path, errno(e), `no permission to create files in ${dir}`);
  }
  if (st === undefined) return { path, file, mode: undefined };
  return { path, file, mode: st.mode & 0o7777, owner: { uid: st.uid, gid: st.gid } };
}

let stdoutErrorsSeen = false;

/** Writes all of `bytes` to standard output; a closed reader becomes BrokenPipe. */
function writeStdout(bytes: Uint8Array): Promise<void> {
  // The write's callback gets the error; without a listener the stream's 'error' event would also throw.
  if (!stdoutErrorsSeen) process.stdout.on("error", () => {});
  stdoutErrorsSeen = true;
  return new Promise((done, fail) => {
    process.stdout.write(bytes, (e) => {
      if (e == null) done();
      else fail((e as NodeJS.ErrnoException).code === "EPIPE" ? new BrokenPipe("EPIPE") : e);
    });
  });
}

/**
 * Opens a tensor for writing. A regular file is written to a temporary file next to
 * it and renamed into place by `finish`; standard output and non-regular files are
 * written as the rows come. A .npy output of unknown row count (a raw stream in)
 * reserves a header wide enough for any count and rewrites it at the end; on
 * standard output, which cannot be rewound, such an output is held in memory.
 */
export function openWriter(
  target: OutputTarget,
  kind: FileKind,
  element: ElementType,
  rows: number | undefined,
  dim: number,
): TensorWriter {
  const { path, file } = target;
  const temp =
    file === undefined ? undefined : join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const stdout = path === "-";
  let fd = -1;
  if (!stdout) {
    try {
      fd = temp === undefined ? openSync(path, "w") : openSync(temp, "wx", 0o666);
      const owner = target.owner;
      if (owner !== undefined && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
        try {
          fchownSync(fd, owner.uid, owner.gid);
        } catch {
          // Only root may give a file away (EPERM otherwise): the new file is then the caller's.
        }
      }
      // The umask may have narrowed the bits at creation; an existing file's are kept exactly
      // (set after chown, which may clear set-id bits).
      if (target.mode !== undefined) fchmodSync(fd, target.mode);
    } catch (e) {
      if (fd >= 0) closeSync(fd);
      if (temp !== undefined && fd >= 0) unlinkSync(temp);
      throw cannotWrite(path, errno(e), "cannot create the output");
    }
  }
  const dtype: NpyDtype = element === "f16" ? "float16" : element === "f64" ? "float64" : "float32";
  // Standard output cannot rewrite a header: a .npy of unknown length waits in memory for its row count.
  const held: Uint8Array[] | undefined = stdout && kind === "npy" && rows === undefined ? [] : undefined;
  const put = async (bytes: Uint8Array): Promise<void> => {
    if (held !== undefined) held.push(bytes.slice());
    else if (stdout) await writeStdout(bytes);
    else {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    }
  };
  const text = (s: string): Promise<void> => put(new TextEncoder().encode(s));
  const reserved = kind === "npy" && rows === undefined ? npyReservedLength(dtype, dim) : undefined;
  let written = 0;
  let started = false;
  const start = async (): Promise<void> => {
    if (started) return;
    started = true;
    if (kind === "npy" && held === undefined)
      await put(reserved === undefined ? npyHeader(dtype, [rows!, dim]) : new Uint8Array(reserved));
    if (kind === "json") await text("[");
  };
  let closed = stdout;
  const close = (): void => {
    if (!closed) closeSync(fd);
    closed = true;
  };
  return {
    async write(values) {
      await start();
      if (kind === "json") {
        let s = "";
        for (let r = 0; r < values.length / dim; r++) {
          const row = Array.from(values.subarray(r * dim, (r + 1) * dim), jsonValue).join(",");
          s += `${written + r === 0 ? "" : ","}\n  [${row}]`;
        }
        await text(s);
      } else {
        await put(encode(values, element));
      }
      written += values.length / dim;
    },
    async finish() {
      await start();
      if (rows !== undefined && written !== rows) throw new Error(`wrote ${written} rows of ${rows}`);
      if (kind === "json") await text("\n]\n");
      if (held !== undefined) {
        await writeStdout(npyHeader(dtype, [written, dim]));
        for (const piece of held) await writeStdout(piece);
      } else if (reserved !== undefined) {
        const header = npyHeader(dtype, [written, dim], reserved);
        writeSync(fd, header, 0, header.length, 0);
      }
      close();
      if (temp !== undefined) renameSync(temp, file!);
    },
    abort() {
      try {
        close();
      } catch {
        // already closed
      }
      if (temp === undefined) return;
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
    },
  };
}
