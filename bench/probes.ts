/**
 * Tiny wasm modules written out by hand whose validation tells which WebAssembly features an
 * engine accepts: the one home of these probes for the suites, the tools and the tests.
 */

/** (module (func (param v128 v128) (result v128) local.get 0 local.get 1 f32x4.add)), as hex. */
export const SIMD_PROBE_HEX = "0061736d0100000001070160027b7b017b030201000a0b01090020002001fde4010b";

/** (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)). */
export const RELAXED_SIMD_PROBE_HEX = "0061736d0100000001080160037b7b7b017b030201000a0d010b00200020012002fd85020b";

/** Bytes from a hex string. */
export function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

/** True when this engine validates the probe (hex); false also when validation throws. */
export function validatesHex(hex: string): boolean {
  try {
    return WebAssembly.validate(hexBytes(hex));
  } catch {
    return false;
  }
}
