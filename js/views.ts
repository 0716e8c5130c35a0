/**
 * Typed arrays from the caller, read through the intrinsic %TypedArray%.prototype
 * getters and methods, never through the array's own properties: a subclass (or
 * anything else in the prototype chain) can override `length`, `byteOffset`,
 * `buffer` or `set`, and every copy into or out of wasm memory and every pointer
 * is sized from these values, so they must be the array's internal slots
 * (docs/design.md §7). The type test uses the intrinsic [[TypedArrayName]] (the
 * Symbol.toStringTag getter) rather than instanceof, so arrays from another realm
 * (a vm context, an iframe) are accepted, and a Proxy of a typed array, which has no
 * internal slots, is not a typed array.
 */
/** A Float32Array or Uint16Array from the caller. */
export type View = Float32Array | Uint16Array;

type Getter<T> = (this: unknown) => T;

const TYPED_ARRAY_PROTO = Object.getPrototypeOf(Uint8Array.prototype) as object;

function getter<T>(proto: object, key: PropertyKey): Getter<T> {
  const get = Object.getOwnPropertyDescriptor(proto, key)?.get;
  if (get === undefined) throw new Error(`iterl2norm: no intrinsic getter ${String(key)}; this is a bug`);
  return get as Getter<T>;
}

const tagOf = getter<string | undefined>(TYPED_ARRAY_PROTO, Symbol.toStringTag);
const lengthOf = getter<number>(TYPED_ARRAY_PROTO, "length");
const byteOffsetOf = getter<number>(TYPED_ARRAY_PROTO, "byteOffset");
const byteLengthOf = getter<number>(TYPED_ARRAY_PROTO, "byteLength");
const bufferOf = getter<ArrayBufferLike>(TYPED_ARRAY_PROTO, "buffer");
const detachedOf: Getter<boolean> | undefined = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "detached")
  ?.get as Getter<boolean> | undefined;
const intrinsicSet = (TYPED_ARRAY_PROTO as { set: (this: unknown, source: ArrayLike<number>, offset?: number) => void })
  .set;

/** The intrinsic [[TypedArrayName]] of a typed array of any realm ("Float32Array", …), else undefined. */
export function typedArrayName(value: unknown): string | undefined {
  return tagOf.call(value);
}

/** A Float32Array of any realm (a subclass too; not a Proxy). */
export function isFloat32(value: unknown): value is Float32Array {
  return tagOf.call(value) === "Float32Array";
}

/** A Uint16Array of any realm (a subclass too; not a Proxy). */
export function isUint16(value: unknown): value is Uint16Array {
  return tagOf.call(value) === "Uint16Array";
}

/** Elements of a typed array (its [[ArrayLength]]; 0 once detached). */
export function lengthOfView(a: ArrayBufferView): number {
  return lengthOf.call(a);
}

/** Byte offset of a typed array in its buffer (0 once detached). */
export function byteOffsetOfView(a: ArrayBufferView): number {
  return byteOffsetOf.call(a);
}

/** Bytes of a typed array (0 once detached). */
export function byteLengthOfView(a: ArrayBufferView): number {
  return byteLengthOf.call(a);
}

/** The buffer of a typed array ([[ViewedArrayBuffer]]). */
export function bufferOfView(a: ArrayBufferView): ArrayBufferLike {
  return bufferOf.call(a);
}

/** dst.set(src, offset) by the intrinsic method: a subclass's own `set` is never called. */
export function setView(dst: View, src: ArrayLike<number>, offset = 0): void {
  intrinsicSet.call(dst, src, offset);
}

/**
 * True when the buffer is detached. ArrayBuffer.prototype.detached where the
 * runtime has it; else a view of it cannot be constructed (a TypeError) exactly
 * when it is detached. Called only for arrays of length 0, the only ones a
 * detached buffer can have.
 */
function isDetached(buffer: ArrayBufferLike): boolean {
  if (typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer) return false;
  if (detachedOf !== undefined) {
    try {
      return detachedOf.call(buffer);
    } catch {
      return false; // a SharedArrayBuffer of another realm: never detached
    }
  }
  try {
    new Uint8Array(buffer as ArrayBuffer);
    return false;
  } catch {
    return true;
  }
}

/**
 * The element count of a typed array the caller passed as `name`, after checking
 * that its buffer is not detached (a detached array reads as empty, which would
 * silently give an empty result).
 */
export function liveLength(name: string, a: ArrayBufferView): number {
  const n = lengthOf.call(a);
  if (n === 0 && isDetached(bufferOf.call(a))) {
    throw new TypeError(
      `${name} must be a typed array on a live buffer; got a ${tagOf.call(a)} whose buffer is detached ` +
        "(transferred, or a view of wasm memory kept across a memory growth)",
    );
  }
  return n;
}

/**
 * The element count of a typed array that must have `length` elements: a wrong
 * length is reported by `wrong` (a detached array reads as length 0, so this is
 * the error a detached array gets when length > 0); with the right length the
 * buffer must still be live (only possible to miss when length is 0).
 */
export function checkedLength(name: string, a: ArrayBufferView, length: number, wrong: (n: number) => Error): number {
  const n = lengthOf.call(a);
  if (n !== length) throw wrong(n);
  return liveLength(name, a);
}

/** Byte ranges of two views overlap (same buffer, intersecting [offset, offset + bytes)). */
export function viewsOverlap(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (bufferOf.call(a) !== bufferOf.call(b)) return false;
  const ao = byteOffsetOf.call(a);
  const bo = byteOffsetOf.call(b);
  const ab = byteLengthOf.call(a);
  const bb = byteLengthOf.call(b);
  return ab > 0 && bb > 0 && ao < bo + bb && bo < ao + ab;
}
