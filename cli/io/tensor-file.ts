/**
 * Tensor files for the CLI: .npy (float32, float16, float64), raw little-endian
 * .f32 / .bf16 / .f16, and JSON (an array of rows). Binary inputs are read in
 * chunks of rows; outputs are written to a temporary file that is renamed into
 * place only when everything succeeded, so a failure never leaves a partial file.
 */
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { fromBF16, fromFP16, toBF16, toFP16 } from "iterl2norm";
import { type ByteSource, fileSource, memorySource, readStdin } from "./bytes.js";
import { NPY_PREAMBLE, isNpy, npyHeader, npyHeaderLength, parseNpyHeader, type NpyDtype } from "./npy.js";

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

/** A tensor of rows × dim values, read in chunks of rows as f32. */
export interface TensorReader {
  readonly kind: FileKind;
  readonly element: ElementType;
  readonly rows: number;
  readonly dim: number;
  /** The next `count` rows as f32 (f16/bf16 widen exactly; f64 rounds to nearest f32). */
  read(count: number): Float32Array;
  close(): void;
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

function binaryReader(
  src: ByteSource,
  kind: FileKind,
  element: ElementType,
  dataOffset: number,
  rows: number,
  dim: number,
): TensorReader {
  const rowBytes = dim * BYTES[element];
  let row = 0;
  return {
    kind,
    element,
    rows,
    dim,
    read(count) {
      const n = Math.min(count, rows - row);
      const out = toF32(src.read(dataOffset + row * rowBytes, n * rowBytes), element);
      row += n;
      return out;
    },
    close: () => src.close(),
  };
}

function resolveDim(total: number, dim: number | undefined, what: string): number {
  if (dim === undefined) throw new InputError(`${what}: --dim is required (the file does not say its row length)`);
  if (total % dim !== 0) throw new InputError(`${what}: ${total} values is not a multiple of --dim ${dim}`);
  return dim;
}

function npyReader(src: ByteSource, dim: number | undefined, what: string): TensorReader {
  if (src.size < NPY_PREAMBLE) throw new InputError(`${what}: too short for a .npy file (${src.size} bytes)`);
  let header: ReturnType<typeof parseNpyHeader>;
  try {
    const length = npyHeaderLength(src.read(0, NPY_PREAMBLE));
    if (length > src.size) throw new Error(`header length ${length} exceeds the file size ${src.size}`);
    header = parseNpyHeader(src.read(0, length));
  } catch (e) {
    throw new InputError(`${what}: ${(e as Error).message}`);
  }
  const element = NPY_ELEMENT[header.dtype];
  const total = header.shape.reduce((a, b) => a * b, 1);
  const dataBytes = src.size - header.dataOffset;
  if (dataBytes !== total * BYTES[element]) {
    throw new InputError(
      `${what}: shape (${header.shape.join(", ")}) of ${header.dtype} needs ${total * BYTES[element]} data bytes; ` +
        `the file has ${dataBytes}`,
    );
  }
  let d: number;
  if (header.shape.length === 2) {
    d = header.shape[1]!;
    if (dim !== undefined && dim !== d)
      throw new InputError(`${what}: --dim ${dim} contradicts the array's shape (${header.shape.join(", ")})`);
    if (d === 0) throw new InputError(`${what}: rows of length 0`);
  } else {
    d = resolveDim(total, dim, what);
  }
  return binaryReader(src, "npy", element, header.dataOffset, total / d, d);
}

function rawReader(src: ByteSource, kind: "f32" | "bf16" | "f16", dim: number | undefined, what: string): TensorReader {
  const element = RAW_ELEMENT[kind];
  if (src.size % BYTES[element] !== 0)
    throw new InputError(`${what}: ${src.size} bytes is not a whole number of ${kind} values`);
  const total = src.size / BYTES[element];
  const d = resolveDim(total, dim, what);
  return binaryReader(src, kind, element, 0, total / d, d);
}

function jsonReader(text: string, dim: number | undefined, what: string): TensorReader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${what}: invalid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(value)) throw new InputError(`${what}: expected a JSON array of rows (or of numbers with --dim)`);
  let flat: number[];
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
      for (const v of r) flat.push(v as number);
    });
  } else {
    flat = value as number[];
    d = resolveDim(flat.length, dim, what);
  }
  flat.forEach((v, i) => {
    if (typeof v !== "number") throw new InputError(`${what}: value ${i} is ${JSON.stringify(v)}; expected a number`);
  });
  const data = Float32Array.from(flat);
  let row = 0;
  return {
    kind: "json",
    element: "f32",
    rows: data.length / d,
    dim: d,
    read(count) {
      const n = Math.min(count, data.length / d - row);
      const out = data.slice(row * d, (row + n) * d);
      row += n;
      return out;
    },
    close() {},
  };
}

/**
 * Opens a tensor for reading. `path` '-' reads standard input; its kind comes from
 * `kind`, or from its first bytes (the .npy magic, or '[' for JSON).
 */
export async function openReader(
  path: string,
  kind: FileKind | undefined,
  dim: number | undefined,
): Promise<TensorReader> {
  const what = path === "-" ? "standard input" : path;
  let src: ByteSource;
  if (path === "-") {
    src = memorySource(await readStdin());
    if (kind === undefined) {
      const head = src.read(0, Math.min(src.size, 8));
      if (isNpy(head)) kind = "npy";
      else if (/^\s*\[/.test(new TextDecoder().decode(head))) kind = "json";
      else throw new InputError("standard input: cannot tell its kind; pass --in-type npy|f32|bf16|f16|json");
    }
  } else {
    kind ??= kindOfPath(path);
    if (kind === undefined)
      throw new InputError(`${path}: unknown extension; expected .npy, .f32, .bf16, .f16 or .json (or pass --in-type)`);
    try {
      src = fileSource(path);
    } catch (e) {
      throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  try {
    if (kind === "json") return jsonReader(new TextDecoder().decode(src.read(0, src.size)), dim, what);
    if (kind === "npy") return npyReader(src, dim, what);
    return rawReader(src, kind, dim, what);
  } catch (e) {
    src.close();
    throw e;
  }
}

/** A destination for rows; `finish` makes the file appear, `abort` removes every trace. */
export interface TensorWriter {
  write(rows: Float32Array): void;
  finish(): void;
  abort(): void;
}

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

/** Opens a tensor for writing; '-' writes standard output (not atomic). */
export function openWriter(
  path: string,
  kind: FileKind,
  element: ElementType,
  rows: number,
  dim: number,
): TensorWriter {
  const temp = path === "-" ? undefined : join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number;
  try {
    fd = temp === undefined ? 1 : openSync(temp, "wx");
  } catch (e) {
    throw new InputError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const put = (bytes: Uint8Array): void => {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
  };
  const text = (s: string): void => put(new TextEncoder().encode(s));
  let written = 0;
  if (kind === "npy")
    put(npyHeader(element === "f16" ? "float16" : element === "f64" ? "float64" : "float32", [rows, dim]));
  if (kind === "json") text("[");
  return {
    write(values) {
      if (kind === "json") {
        let s = "";
        for (let r = 0; r < values.length / dim; r++) {
          const row = JSON.stringify(Array.from(values.subarray(r * dim, (r + 1) * dim)));
          s += `${written + r === 0 ? "" : ","}\n  ${row}`;
        }
        text(s);
      } else {
        put(encode(values, element));
      }
      written += values.length / dim;
    },
    finish() {
      if (kind === "json") text("\n]\n");
      if (temp === undefined) return;
      closeSync(fd);
      renameSync(temp, path);
    },
    abort() {
      if (temp === undefined) return;
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      try {
        unlinkSync(temp);
      } catch {
        // never created or already gone
      }
    },
  };
}
