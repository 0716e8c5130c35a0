/**
 * What a benchmark ran on: date, Node and V8 versions, CPU model and count, OS,
 * and the WebAssembly features the runtime offers (relaxed SIMD decides whether a
 * fused multiply-add kernel could even be loaded).
 */
import { cpus, platform, release, arch, totalmem } from "node:os";

/** Machine and runtime description stored with every result set. */
export interface Environment {
  readonly date: string;
  readonly node: string;
  readonly v8: string;
  readonly cpu: string;
  readonly cores: number;
  readonly os: string;
  readonly memoryGiB: number;
  /** WebAssembly fixed-width SIMD (the kernel needs it). */
  readonly wasmSimd: boolean;
  /** WebAssembly relaxed SIMD (f32x4.relaxed_madd): false on Node 20 without --experimental-wasm-relaxed-simd. */
  readonly wasmRelaxedSimd: boolean;
  /** The command line that produced the results. */
  readonly command: string;
}

/** Bytes from a hex string (a wasm module written out by hand). */
function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

// (module (func (param v128 v128) (result v128) local.get 0 local.get 1 f32x4.add))
const SIMD_PROBE = hexBytes("0061736d0100000001070160027b7b017b030201000a0b01090020002001fde4010b");

// (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
const RELAXED_SIMD_PROBE = hexBytes("0061736d0100000001080160037b7b7b017b030201000a0d010b00200020012002fd85020b");

/** True when this runtime validates the module bytes. */
export function wasmValidates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** Describes this machine and runtime; `command` is recorded as given. */
export function environment(command: string): Environment {
  const list = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    os: `${platform()} ${release()} ${arch()}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    wasmSimd: wasmValidates(SIMD_PROBE),
    wasmRelaxedSimd: wasmValidates(RELAXED_SIMD_PROBE),
    command,
  };
}
