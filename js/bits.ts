/**
 * f32 bit casts, the one home of them in the library: the references, the 16-bit
 * formats, the hardware model and the tests read and build f32 bit patterns here.
 */

const view = new DataView(new ArrayBuffer(4));

/** The bit pattern of x rounded to f32, as an unsigned 32-bit integer. */
export function f32Bits(x: number): number {
  view.setFloat32(0, x, true);
  return view.getUint32(0, true);
}

/** The f32 whose bit pattern is b (taken mod 2^32). */
export function f32FromBits(b: number): number {
  view.setUint32(0, b >>> 0, true);
  return view.getFloat32(0, true);
}
