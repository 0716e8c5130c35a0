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

// (module (func (param v128 v128) (result v128) local.get 0 local.get 1 f32x4.add))
const SIMD_PROBE = Uint8Array.of(
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x01,
  0x07,
  0x01,
  0x60,
  0x02,
  0x7b,
  0x7b,
  0x01,
  0x7b,
  0x03,
  0x02,
  0x01,
  0x00,
  0x0a,
  0x0b,
  0x01,
  0x09,
  0x00,
  0x20,
  0x00,
  0x20,
  0x01,
  0xfd,
  0xe4,
  0x01,
  0x0b,
);

// (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
const RELAXED_SIMD_PROBE = Uint8Array.of(
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x01,
  0x08,
  0x01,
  0x60,
  0x03,
  0x7b,
  0x7b,
  0x7b,
  0x01,
  0x7b,
  0x03,
  0x02,
  0x01,
  0x00,
  0x0a,
  0x0d,
  0x01,
  0x0b,
  0x00,
  0x20,
  0x00,
  0x20,
  0x01,
  0x20,
  0x02,
  0xfd,
  0x85,
  0x02,
  0x0b,
);

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
