// The types of conformance.js for the TypeScript tests that import it (the hosts load the plain
// JavaScript as it is).

/** The options runPackage passes for a case. */
export interface ConformanceOptions {
  dim: number;
  preset: "paper" | "precise";
  format?: "bf16" | "fp16";
  gamma?: Float32Array;
  beta?: Float32Array;
}

/** The part of the package's API the check calls (the module namespace of "iterl2norm"). */
export interface ConformanceApi {
  layerNorm(x: Float32Array, options: ConformanceOptions): Float32Array;
  l2Normalize(x: Float32Array, options: ConformanceOptions): Float32Array;
}

/** One case: kind, preset, format (f32 input and output), γ and β present, and its rows. */
export interface ConformanceCase {
  name: string;
  kind: "layerNorm" | "l2Normalize";
  preset: "paper" | "precise";
  dim: number;
  format?: "bf16" | "fp16";
  affine?: boolean;
  x(): Float32Array;
}

/** { case name: the output's f32 bit patterns as hex (8 digits per value) }. */
export type ConformanceResult = Record<string, string>;

export declare const CASES: readonly ConformanceCase[];
export declare function rows(seed: number, count: number, dim: number, offset?: number, scale?: number): Float32Array;
export declare function hexBits(f32: Float32Array): string;
export declare function runPackage(api: ConformanceApi): ConformanceResult;
export declare function runRaw(exports: WebAssembly.Exports): ConformanceResult;
