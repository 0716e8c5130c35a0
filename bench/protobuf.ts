/**
 * A minimal Protocol Buffers writer: the wire format of
 * https://protobuf.dev/programming-guides/encoding/ for the field kinds an ONNX
 * model needs (varint integers, 32-bit floats, strings, embedded messages).
 * Messages are built bottom-up as byte arrays; repeated fields are written by
 * calling the same method once per element (no packed encoding).
 */

/** Wire types (protobuf encoding guide, "Message Structure"). */
const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** Largest field number protobuf allows: 2^29 − 1. */
const MAX_FIELD = 2 ** 29 - 1;

const utf8 = new TextEncoder();

/** Appends fields of one message; `bytes()` returns the encoded message. */
export class MessageWriter {
  private readonly parts: number[] = [];

  /** Encoded bytes of the fields written so far. */
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  /** An integer field (int32, int64 or enum) as a varint; negative values take ten bytes (two's complement). */
  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(BigInt(value));
    return this;
  }

  /** A float field: four bytes, IEEE 754 binary32, little endian. */
  float(field: number, value: number): this {
    this.tag(field, WIRE_I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.parts.push(...b);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): this {
    return this.message(field, utf8.encode(value));
  }

  /** An embedded message (or bytes) field: length-delimited. */
  message(field: number, encoded: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(BigInt(encoded.length));
    for (const b of encoded) this.parts.push(b);
    return this;
  }

  private tag(field: number, wire: number): void {
    if (!Number.isInteger(field) || field < 1 || field > MAX_FIELD) {
      throw new RangeError(`field must be an integer from 1 to ${MAX_FIELD}; got ${field}`);
    }
    this.varint(BigInt(field) * 8n + BigInt(wire));
  }

  private varint(value: bigint): void {
    if (value < -(2n ** 63n) || value >= 2n ** 64n)
      throw new RangeError(`varint value must fit in 64 bits; got ${value}`);
    let v = BigInt.asUintN(64, value);
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      this.parts.push(v === 0n ? low : low | 0x80);
    } while (v !== 0n);
  }
}
