/**
 * Sequential byte sources: a regular file (its size known up front), or a stream
 * read as it arrives — standard input, a pipe, a FIFO, a process substitution
 * (`<(…)`), a character device — whose size is known only at its end. Either is
 * read in pieces, so memory stays bounded by the piece asked for.
 */
import { type FileHandle, open } from "node:fs/promises";

/** Bytes read front to back. */
export interface ByteSource {
  /** The size in bytes when known before reading (a regular file), else undefined (a stream). */
  readonly size: number | undefined;
  /** Up to `length` bytes from the current position; fewer only at the end (empty once there). */
  read(length: number): Promise<Uint8Array>;
  /** Puts bytes back in front of the next read (for sniffing a stream's first bytes). */
  unread(bytes: Uint8Array): void;
  close(): Promise<void>;
}

/** Joins pieces into one array. */
function concat(pieces: readonly Uint8Array[], length: number): Uint8Array {
  if (pieces.length === 1 && pieces[0]!.length === length) return pieces[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A source over `pull(hint)`, which gives the next piece (any length > 0) or undefined at the end. */
function pulledSource(
  size: number | undefined,
  pull: (hint: number) => Promise<Uint8Array | undefined>,
  close: () => Promise<void>,
): ByteSource {
  let pending: Uint8Array[] = [];
  let ended = false;
  return {
    size,
    async read(length) {
      const pieces: Uint8Array[] = [];
      let have = 0;
      while (have < length) {
        let piece = pending.shift();
        if (piece === undefined) {
          if (ended) break;
          piece = await pull(length - have);
          if (piece === undefined) {
            ended = true;
            break;
          }
        }
        if (piece.length > length - have) {
          pending.unshift(piece.subarray(length - have));
          piece = piece.subarray(0, length - have);
        }
        pieces.push(piece);
        have += piece.length;
      }
      return concat(pieces, have);
    },
    unread(bytes) {
      if (bytes.length > 0) pending = [bytes, ...pending];
    },
    close,
  };
}

/** Pieces of at least this size are asked of a file, so a stream is not read a few bytes at a time. */
const MIN_PIECE = 64 << 10;

/**
 * A path opened for reading: a regular file reports its size; anything else (a FIFO,
 * /dev/fd/N of a process substitution, a device) is read as a stream until it ends.
 */
export async function fileSource(path: string): Promise<ByteSource> {
  const fh: FileHandle = await open(path, "r");
  let size: number | undefined;
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path} is a directory`), { code: "EISDIR" });
    size = st.isFile() ? st.size : undefined;
  } catch (e) {
    await fh.close();
    throw e;
  }
  return pulledSource(
    size,
    async (hint) => {
      const buf = new Uint8Array(Math.max(hint, MIN_PIECE));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      return bytesRead === 0 ? undefined : buf.subarray(0, bytesRead);
    },
    () => fh.close(),
  );
}

/** Standard input as a stream, read as it arrives (its size is never assumed, even when it is a file). */
export function stdinSource(): ByteSource {
  const it = process.stdin[Symbol.asyncIterator]();
  return pulledSource(
    undefined,
    async () => {
      const r = await it.next();
      if (r.done) return undefined;
      const b = r.value as Buffer;
      return new Uint8Array(b.buffer, b.byteOffset, b.length);
    },
    async () => {
      // Stop reading so an unread rest of stdin does not keep the process alive.
      process.stdin.pause();
      process.stdin.destroy();
    },
  );
}

/** Bytes held in memory (JSON documents, whose parsing needs them whole). */
export async function readAll(src: ByteSource): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const p = await src.read(MIN_PIECE * 16);
    if (p.length === 0) break;
    pieces.push(p);
    length += p.length;
  }
  return concat(pieces, length);
}
