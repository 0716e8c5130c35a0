// The `precise` preset against onnxruntime-node's LayerNormalization (opset 17,
// one thread, the one-node model built in code by bench/onnx-model.ts).
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { layerNorm } from "iterl2norm";
import { layerNormOnnxModel } from "../bench/onnx-model.js";
import { normalRows } from "./helpers.js";

async function ortLayerNorm(
  x: Float32Array,
  dim: number,
  gamma: Float32Array,
  beta: Float32Array,
  eps: number,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(layerNormOnnxModel(dim, eps), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionProviders: ["cpu"],
  });
  try {
    const out = await session.run({
      X: new ort.Tensor("float32", x, [x.length / dim, dim]),
      Scale: new ort.Tensor("float32", gamma, [dim]),
      B: new ort.Tensor("float32", beta, [dim]),
    });
    return out.Y!.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe("precise preset vs onnxruntime-node LayerNormalization", () => {
  it.each([
    [768, 0, 1, 1e-5],
    [1027, 3, 2, 1e-5],
    [64, -1, 0.01, 1e-3],
    [4096, 0, 10, 0],
  ])("dim = %i, rows N(%f, %f²), eps = %f: allclose with rtol 1e-5", async (dim, mean, sd, eps) => {
    const rows = 16;
    const x = normalRows(dim + 1, rows, dim, mean, sd);
    const gamma = normalRows(dim + 2, 1, dim, 1, 0.5);
    const beta = normalRows(dim + 3, 1, dim, 0, 0.5);
    const want = await ortLayerNorm(x, dim, gamma, beta, eps);
    const got = layerNorm(x, { dim, gamma, beta, eps, preset: "precise" });
    // numpy.allclose semantics: |got − want| ≤ atol + rtol·|want|, rtol = 1e-5, and
    // atol = 1e-5·|γ_i|: the output's unit is one standard deviation scaled by γ_i, and
    // near-zero outputs carry absolute (not relative) rounding from x_i − μ.
    let worst = 0;
    for (let i = 0; i < got.length; i++) {
      const g = Math.abs(gamma[i % dim]!);
      const excess = Math.abs(got[i]! - want[i]!) / (1e-5 * g + 1e-5 * Math.abs(want[i]!));
      worst = Math.max(worst, excess);
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});
