/**
 * The module a pool instantiates on its shared memory: the SIMD build (embedded for the
 * main loader, js/generated/wasm-simd.ts) with its memory section turned into an import
 * of a shared memory, env.memory (docs/ABI.md, sharing one memory). Nothing else
 * changes: the code, the data segments and the exports are the SIMD build's, so a pool
 * runs the very code of the single-threaded API. The build uses no atomic instruction
 * (the pool synchronises from JavaScript), and plain loads and stores are valid on a
 * shared memory. Derived rather than shipped as a fourth build: that would add about
 * 220 KB (its .wasm and its base64) to a package kept within 1 MB installed.
 */
import { SIMD_WASM_BASE64 } from "../generated/wasm-simd.js";
import { leb128 as toLeb, readLeb128 as leb } from "../leb128.js";

/** Largest memory of a pool, in pages of 64 KiB: 4 GiB, wasm32's limit, as the main kernel's memory. */
export const MAX_PAGES = 65536;

const utf8 = (s: string): number[] => [...toLeb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

const TYPE_SECTION = 1;
const IMPORT_SECTION = 2;
const MEMORY_SECTION = 5;

/**
 * A module's bytes with its one memory (defined, not imported) replaced by an import
 * env.memory of a shared memory with the same minimum and a maximum of `maxPages`. The import
 * section goes where the binary format orders it, after the type section; memory index 0 is
 * then the import, so every memory instruction, data segment and export refers to it.
 */
export function withSharedMemory(wasm: Uint8Array, maxPages: number): Uint8Array<ArrayBuffer> {
  const parts: number[][] = [Array.from(wasm.subarray(0, 8))]; // magic and version
  let min = -1;
  let importAt = 1; // after the header, or after the type section
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at]!;
    const [size, sizeLength] = leb(wasm, at + 1);
    const body = at + 1 + sizeLength;
    if (id === IMPORT_SECTION) throw new Error("iterl2norm/pool: the SIMD build imports something; this is a bug");
    if (id === MEMORY_SECTION) {
      const [count, countLength] = leb(wasm, body);
      const flags = wasm[body + countLength]!;
      if (count !== 1 || flags > 1) throw new Error("iterl2norm/pool: unexpected memory section; this is a bug");
      min = leb(wasm, body + countLength + 1)[0];
    } else {
      parts.push(Array.from(wasm.subarray(at, body + size)));
      if (id === TYPE_SECTION) importAt = parts.length;
    }
    at = body + size;
  }
  if (min < 0) throw new Error("iterl2norm/pool: the SIMD build defines no memory; this is a bug");
  // one import: "env" "memory", kind memory (2), limits: shared with a maximum (3), min, max
  const entry = [...toLeb(1), ...utf8("env"), ...utf8("memory"), 0x02, 0x03, ...toLeb(min), ...toLeb(maxPages)];
  parts.splice(importAt, 0, [IMPORT_SECTION, ...toLeb(entry.length), ...entry]);
  return new Uint8Array(parts.flat());
}

let compiled: Promise<WebAssembly.Module> | undefined;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The pool's module, compiled once, asynchronously; an engine without wasm threads or SIMD gets an Error. */
export function threadsModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const bytes = withSharedMemory(decode(SIMD_WASM_BASE64), MAX_PAGES);
    try {
      return await WebAssembly.compile(bytes);
    } catch (e) {
      compiled = undefined;
      throw new Error(
        "iterl2norm/pool: this engine cannot compile the SIMD build over a shared memory (it needs " +
          `WebAssembly SIMD and threads; docs/design.md §7.1). ${(e as Error).message}`,
        { cause: e },
      );
    }
  })();
  return compiled;
}
