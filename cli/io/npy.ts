/**
 * .npy headers, read and written by hand: the header is a short padded Python dict
 * (NumPy's "NEP 1" .npy format), parsed from the header bytes alone so the data can
 * be streamed in chunks afterwards.
 */

/** The element types this package reads and writes in .npy files. */
export type NpyDtype = "float32" | "float16" | "float64";

/** What the header says about the array. */
export interface NpyHeader {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  /** Byte offset of the first element. */
  readonly dataOffset: number;
}

const DESCR: Readonly<Record<string, NpyDtype>> = { "<f4": "float32", "<f2": "float16", "<f8": "float64" };
const DESCR_OF: Readonly<Record<NpyDtype, string>> = { float32: "<f4", float16: "<f2", float64: "<f8" };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Bytes needed before the header can be parsed: magic, version and header length. */
export const NPY_PREAMBLE = 12;

/** True when the bytes start with the .npy magic string. */
export function isNpy(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => bytes[i] === b);
}

/** Total header length (preamble + dict) from the first NPY_PREAMBLE bytes. */
export function npyHeaderLength(preamble: Uint8Array): number {
  if (preamble.length < 10 || !isNpy(preamble))
    throw new Error("not a .npy file (the magic string \\x93NUMPY is missing)");
  const major = preamble[6]!;
  const view = new DataView(preamble.buffer, preamble.byteOffset, preamble.byteLength);
  if (major === 1) return 10 + view.getUint16(8, true);
  if (major === 2 || major === 3) {
    if (preamble.length < 12) throw new Error("truncated .npy header");
    return 12 + view.getUint32(8, true);
  }
  throw new Error(`unsupported .npy format version ${major}`);
}

/** A value of the header dict: a string, a boolean, or a tuple of integers. */
type HeaderValue = string | boolean | number[];

/**
 * The header dict, parsed as NumPy reads it (a Python literal: ast.literal_eval):
 * keys and strings in single or double quotes, True / False, tuples of integers
 * with an optional trailing comma (and Python 2's `L` suffix of old files), a
 * trailing comma after the last item. Anything else is malformed.
 */
function parseHeaderDict(text: string): Map<string, HeaderValue> {
  let i = 0;
  const fail = (what: string): Error =>
    new Error(`malformed .npy header: ${what} at character ${i} of ${JSON.stringify(text.trim())}`);
  const space = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const expect = (c: string): void => {
    space();
    if (text[i] !== c) throw fail(`expected ${JSON.stringify(c)}`);
    i++;
  };
  const string = (): string => {
    const quote = text[i];
    if (quote !== "'" && quote !== '"') throw fail("expected a quoted string");
    const end = text.indexOf(quote, i + 1);
    if (end < 0) throw fail("unterminated string");
    const s = text.slice(i + 1, end);
    if (s.includes("\\")) throw fail("escapes in a string");
    i = end + 1;
    return s;
  };
  const integer = (): number => {
    const m = /^(\d+)[lL]?/.exec(text.slice(i));
    if (m === null) throw fail("expected a non-negative integer");
    i += m[0].length;
    return Number(m[1]);
  };
  const value = (): HeaderValue => {
    space();
    if (text[i] === "'" || text[i] === '"') return string();
    for (const [word, v] of [
      ["True", true],
      ["False", false],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    if (text[i] !== "(") throw fail("expected a string, True, False or a tuple");
    i++;
    const items: number[] = [];
    let comma = true;
    for (;;) {
      space();
      if (text[i] === ")") break;
      if (!comma) throw fail('expected "," or ")"');
      items.push(integer());
      space();
      comma = text[i] === ",";
      if (comma) i++;
    }
    i++;
    // Python's (n) is the integer n, not a tuple: one item needs its comma.
    if (items.length === 1 && !comma) throw fail("a one-item tuple without its comma");
    return items;
  };
  const dict = new Map<string, HeaderValue>();
  expect("{");
  for (;;) {
    space();
    if (text[i] === "}") break;
    const key = string();
    if (dict.has(key)) throw fail(`repeated key ${JSON.stringify(key)}`);
    expect(":");
    dict.set(key, value());
    space();
    if (text[i] === ",") i++;
    else if (text[i] !== "}") throw fail('expected "," or "}"');
  }
  i++;
  space();
  if (i !== text.length) throw fail("text after the dict");
  return dict;
}

/** Parses a complete header (all header bytes, no data needed), with NumPy's rules for the dict. */
export function parseNpyHeader(header: Uint8Array): NpyHeader {
  const length = npyHeaderLength(header); // checks the magic string and the version
  if (length !== header.length) throw new Error(`truncated .npy header: ${header.length} of ${length} bytes`);
  const text = new TextDecoder("latin1").decode(header.subarray(header[6] === 1 ? 10 : 12));
  const dict = parseHeaderDict(text);
  const keys = [...dict.keys()].sort().join(", ");
  if (keys !== "descr, fortran_order, shape")
    throw new Error(`malformed .npy header: keys ${keys}; expected descr, fortran_order, shape`);
  const descr = dict.get("descr");
  const dtype = typeof descr === "string" ? DESCR[descr] : undefined;
  if (dtype === undefined) {
    throw new Error(
      `unsupported .npy dtype ${JSON.stringify(typeof descr === "string" ? descr : "(not a string)")}; expected ` +
        `little-endian float32 ('<f4'), float16 ('<f2') or float64 ('<f8')`,
    );
  }
  const fortran = dict.get("fortran_order");
  const shape = dict.get("shape");
  if (typeof fortran !== "boolean") throw new Error("malformed .npy header: fortran_order must be True or False");
  if (!Array.isArray(shape)) throw new Error("malformed .npy header: shape must be a tuple of integers");
  if (!shape.every((n) => Number.isSafeInteger(n))) throw new Error(`malformed .npy shape (${shape.join(", ")})`);
  if (shape.length < 1 || shape.length > 2)
    throw new Error(`.npy array must be 1-D or 2-D (rows × dim); got shape (${shape.join(", ")})`);
  // Fortran order stores a 2-D array column by column; rows would need the whole array in memory.
  if (fortran && shape.length === 2 && shape[0]! > 1 && shape[1]! > 1)
    throw new Error(
      `Fortran-order .npy arrays (fortran_order: True, shape (${shape.join(", ")})) are not supported; ` +
        "save with np.save(path, np.ascontiguousarray(a))",
    );
  return { dtype, shape, dataOffset: header.length };
}

/**
 * A version 1.0 header for a C-order array, padded so the data starts at a multiple of 64 bytes,
 * or padded to exactly `length` bytes (a header reserved before the row count was known).
 */
export function npyHeader(dtype: NpyDtype, shape: readonly number[], length?: number): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(", ");
  let dict = `{'descr': '${DESCR_OF[dtype]}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + dict.length + 1;
  const pad = length === undefined ? (64 - (unpadded % 64)) % 64 : length - unpadded;
  if (pad < 0) throw new Error(`the .npy header of shape (${dims}) does not fit in ${length} bytes`);
  dict += `${" ".repeat(pad)}\n`;
  const out = new Uint8Array(10 + dict.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  return out;
}

/** Header bytes that hold any row count up to 2^53 − 1 with row length `dim` (to be rewritten at the end). */
export function npyReservedLength(dtype: NpyDtype, dim: number): number {
  return npyHeader(dtype, [Number.MAX_SAFE_INTEGER, dim]).length;
}
