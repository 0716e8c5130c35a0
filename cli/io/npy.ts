/**
 * .npy headers: parsed with npyjs (from the header bytes alone, so the data can be
 * streamed in chunks afterwards), written by hand (the format's header is a short
 * padded Python dict: NumPy's "NEP 1" .npy format, version 1.0).
 */
import { parse } from "npyjs";

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

/** Parses a complete header (all header bytes, no data needed). */
export function parseNpyHeader(header: Uint8Array): NpyHeader {
  const text = new TextDecoder("latin1").decode(header);
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const dtype = descr === undefined ? undefined : DESCR[descr];
  if (dtype === undefined) {
    throw new Error(
      `unsupported .npy dtype ${JSON.stringify(descr ?? "(none)")}; expected little-endian float32 ('<f4'), float16 ` +
        `('<f2') or float64 ('<f8')`,
    );
  }
  const copy = header.slice().buffer;
  let parsed: { dtype: string; shape: number[]; fortranOrder: boolean };
  try {
    parsed = parse(copy, { convertFloat16: false }) as unknown as typeof parsed;
  } catch (e) {
    throw new Error(`malformed .npy header: ${(e as Error).message}`);
  }
  if (parsed.fortranOrder && parsed.shape.length > 1)
    throw new Error("Fortran-order .npy arrays are not supported; save with np.ascontiguousarray");
  if (parsed.shape.length < 1 || parsed.shape.length > 2)
    throw new Error(`.npy array must be 1-D or 2-D (rows × dim); got shape (${parsed.shape.join(", ")})`);
  if (!parsed.shape.every((n) => Number.isInteger(n) && n >= 0))
    throw new Error(`malformed .npy shape (${parsed.shape.join(", ")})`);
  return { dtype, shape: parsed.shape, dataOffset: header.length };
}

/** A version 1.0 header for a C-order array, padded so the data starts at a multiple of 64 bytes. */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(", ");
  let dict = `{'descr': '${DESCR_OF[dtype]}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + dict.length + 1;
  dict += `${" ".repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + dict.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  return out;
}
