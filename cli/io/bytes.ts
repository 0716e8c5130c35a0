/** Random-access byte sources: a file read in pieces (bounded memory) or bytes already in memory (stdin). */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** Bytes that can be read at any position. */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes from `position` (throws if the source is shorter). */
  read(position: number, length: number): Uint8Array;
  close(): void;
}

/** A file opened for reading; each read is one readSync into a fresh buffer. */
export function fileSource(path: string): ByteSource {
  const fd = openSync(path, "r");
  const size = fstatSync(fd).size;
  return {
    size,
    read(position, length) {
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, position + done);
        if (n === 0) throw new Error(`unexpected end of file at byte ${position + done} of ${path}`);
        done += n;
      }
      return out;
    },
    close() {
      closeSync(fd);
    },
  };
}

/** Bytes held in memory. */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(position, length) {
      if (position + length > bytes.length) throw new Error(`unexpected end of input at byte ${bytes.length}`);
      return bytes.slice(position, position + length);
    },
    close() {},
  };
}

/** Reads all of standard input. */
export async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}
