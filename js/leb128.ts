/**
 * Unsigned LEB128, the integer encoding of the wasm binary format: what the pool's module
 * rewriting (js/pool/module.ts) reads and writes section sizes, counts and limits with.
 * Internal (not exported by the package).
 */

/** The unsigned LEB128 at `at` in `bytes`: its value and its length in bytes. */
export function readLeb128(bytes: Uint8Array, at: number): [value: number, length: number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = bytes[i++]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i - at];
  }
}

/** The unsigned LEB128 bytes of `value` (an integer ≥ 0). */
export function leb128(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}
