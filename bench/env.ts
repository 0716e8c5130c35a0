/**
 * What a benchmark ran on: date, Node and V8 versions, CPU model and count, OS,
 * and the WebAssembly features the runtime offers (relaxed SIMD decides whether a
 * fused multiply-add kernel could even be loaded).
 */
import { cpus, platform, release, arch, totalmem } from "node:os";
import { build } from "iterl2norm/kernel";
import { RELAXED_SIMD_PROBE_HEX, SIMD_PROBE_HEX, validatesHex } from "./probes.js";

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
  /** The kernel build the library loaded: "simd", "relaxed" or "scalar" (docs/design.md §8). */
  readonly build: string;
  /** The command line that produced the results. */
  readonly command: string;
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
    wasmSimd: validatesHex(SIMD_PROBE_HEX),
    wasmRelaxedSimd: validatesHex(RELAXED_SIMD_PROBE_HEX),
    build,
    command,
  };
}
