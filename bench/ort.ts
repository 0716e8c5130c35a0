/**
 * onnxruntime-node's LayerNormalization as a benchmark peer: one session per row
 * length on the CPU execution provider, with one intra-op and one inter-op thread
 * (the one-thread peer of the kernel) or with onnxruntime's default thread counts
 * (its intra-op pool uses every core and splits the rows over them), loaded lazily
 * (onnxruntime-node is a development dependency and may be absent).
 */
import { layerNormOnnxModel } from "./onnx-model.js";

/** The parts of onnxruntime-node this file uses. */
interface OrtTensor {
  readonly data: unknown;
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>, fetches?: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  readonly InferenceSession: {
    create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession>;
  };
  readonly Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => OrtTensor;
  readonly env: { readonly versions?: { readonly common?: string } };
}

/** Session options of the one-thread sessions: one thread, CPU provider, full graph optimisation. */
export const ORT_SESSION_OPTIONS = Object.freeze({
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionProviders: ["cpu"],
  graphOptimizationLevel: "all",
});

/** Session options with onnxruntime's default thread counts (all cores): the thread options left out. */
export const ORT_DEFAULT_THREADS_OPTIONS = Object.freeze({
  executionProviders: ["cpu"],
  graphOptimizationLevel: "all",
});

/** Threads of a session: one, or onnxruntime's default (every core). */
export type OrtThreads = "one" | "default";

let loaded: Promise<OrtModule | string> | undefined;

/** The onnxruntime-node module, or the reason it cannot be loaded. */
export function loadOrt(): Promise<OrtModule | string> {
  loaded ??= import("onnxruntime-node").then(
    (m: unknown) => ((m as { default?: OrtModule }).default ?? m) as OrtModule,
    (e: unknown) => `onnxruntime-node is not available (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`,
  );
  return loaded;
}

/** A LayerNormalization session for one row length, with γ and β bound once. */
export interface OrtLayerNorm {
  /** y = LayerNorm(x) over rows of `dim`; writes into `out` (pre-allocated output tensor). */
  run(x: Float32Array, out: Float32Array): Promise<void>;
  /** Frees the native session. */
  release(): Promise<void>;
}

/**
 * Creates a session for rows of `dim` values with γ, β and ε fixed, on one thread or
 * onnxruntime's default threads, or returns the reason onnxruntime-node cannot be used.
 */
export async function ortLayerNorm(
  dim: number,
  gamma: Float32Array,
  beta: Float32Array,
  eps: number,
  threads: OrtThreads = "one",
): Promise<OrtLayerNorm | string> {
  const ort = await loadOrt();
  if (typeof ort === "string") return ort;
  const options = threads === "one" ? ORT_SESSION_OPTIONS : ORT_DEFAULT_THREADS_OPTIONS;
  const session = await ort.InferenceSession.create(layerNormOnnxModel(dim, eps), { ...options });
  const scale = new ort.Tensor("float32", gamma, [dim]);
  const bias = new ort.Tensor("float32", beta, [dim]);
  return {
    async run(x: Float32Array, out: Float32Array): Promise<void> {
      const shape = [x.length / dim, dim];
      await session.run(
        { X: new ort.Tensor("float32", x, shape), Scale: scale, B: bias },
        { Y: new ort.Tensor("float32", out, shape) },
      );
    },
    release: () => session.release(),
  };
}
