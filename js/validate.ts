/**
 * The one validator kit of the package (the library API and the hardware model's
 * configurations). Every failure is a TypeError (wrong kind of value, unknown or
 * missing name) or a RangeError (right kind, out of range) whose message names the
 * argument, shows the value and says what was expected: "<name> must be
 * <expected>; got <value>" (docs/design.md §7).
 */
import { checkedLength, isFloat32, lengthOfView, liveLength, typedArrayName } from "./views.js";

/** Short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  // Typed arrays by their intrinsic name and length (a subclass may override both).
  const typed = typedArrayName(value);
  if (typed !== undefined) return `${typed}(${lengthOfView(value as ArrayBufferView)})`;
  if (ArrayBuffer.isView(value)) return `DataView(${value.byteLength})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === "function") return "a function";
  // A Proxy of a typed array (or an object on a typed array's prototype) has no typed-array internals.
  if (typeof value === "object" && "BYTES_PER_ELEMENT" in value) {
    return "an object that only looks like a typed array (a Proxy or other wrapper, not the array itself)";
  }
  return Object.prototype.toString.call(value);
}

/** "<name> must be <expected>; got <value>" as a TypeError: the value is of the wrong kind. */
export function typeError(name: string, value: unknown, expected: string): TypeError {
  return new TypeError(`${name} must be ${expected}; got ${describe(value)}`);
}

/** "<name> must be <expected>; got <value>" as a RangeError: the right kind, out of range. */
export function rangeError(name: string, value: unknown, expected: string): RangeError {
  return new RangeError(`${name} must be ${expected}; got ${describe(value)}`);
}

/**
 * An integer in [lo, hi], or the fallback when the value is undefined and a fallback
 * is given. `note` is appended to "an integer from lo to hi" (e.g. " cycles").
 */
export function integerIn(name: string, value: unknown, lo: number, hi: number, fallback?: number, note = ""): number {
  if (value === undefined && fallback !== undefined) return fallback;
  // The message is built only on failure: this runs on every layerNorm call.
  if (typeof value !== "number") throw typeError(name, value, `an integer from ${lo} to ${hi}${note}`);
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw rangeError(name, value, `an integer from ${lo} to ${hi}${note}`);
  }
  return value;
}

/** A finite number in [lo, hi]; `note` is appended to "a number from lo to hi" (e.g. " (MHz)"). */
export function numberIn(name: string, value: unknown, lo: number, hi: number, note = ""): number {
  const expected = `a number from ${lo} to ${hi}${note}`;
  if (typeof value !== "number") throw typeError(name, value, expected);
  if (!Number.isFinite(value) || value < lo || value > hi) throw rangeError(name, value, expected);
  return value;
}

/**
 * One of the allowed names; the fallback when undefined and a fallback is given.
 * A string outside the list is a RangeError, anything else a TypeError.
 */
export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    const expected = `one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
    throw typeof value === "string" ? rangeError(name, value, expected) : typeError(name, value, expected);
  }
  return value as T;
}

/** An object (not null, not an array); `expected` describes it in the error. */
export function objectOf(name: string, value: unknown, expected = "an options object"): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw typeError(name, value, expected);
  return value as Record<string, unknown>;
}

/** An options object, or {} when undefined (every option then takes its default). */
export function plainObject(name: string, value: unknown): Record<string, unknown> {
  return value === undefined ? {} : objectOf(name, value);
}

/**
 * Throws a TypeError on an own enumerable key that is not allowed (a misspelt option
 * is reported, never ignored); returns the keys in Object.keys order. `noun` names
 * what a key is in the message ("option", or "field" for configurations).
 */
export function checkKeys(
  name: string,
  obj: Record<string, unknown>,
  allowed: readonly string[],
  noun = "option",
): string[] {
  const keys = Object.keys(obj);
  for (const key of keys) {
    if (!allowed.includes(key)) {
      const expected = allowed.join(", ");
      throw new TypeError(`${name} has an unknown ${noun} ${JSON.stringify(key)}; expected one of ${expected}`);
    }
  }
  return keys;
}

/**
 * A Float32Array (of any realm, by its intrinsic type), of `length` elements when
 * given (`lengthOf` names where the length comes from); its buffer not detached.
 */
export function floatArray(name: string, value: unknown, length?: number, lengthOf = "opts.dim"): Float32Array {
  if (!isFloat32(value)) throw typeError(name, value, "a Float32Array");
  if (length === undefined) liveLength(name, value);
  else checkedLength(name, value, length, (n) => rangeError(`${name}.length`, n, `${length} (${lengthOf})`));
  return value;
}
