// The protobuf writer and the one-node ONNX LayerNormalization model of bench/:
// wire-format bytes checked against the protobuf encoding guide's examples, and
// the model run in onnxruntime-node against the float64 truth.
import { describe, expect, it } from "vitest";
import { MessageWriter } from "../bench/protobuf.js";
import { layerNormOnnxModel } from "../bench/onnx-model.js";
import { loadOrt, ortLayerNorm } from "../bench/ort.js";
import { fillAffine, fillRows } from "../bench/data.js";
import { reference } from "iterl2norm";

const U = 2 ** -24;

describe("MessageWriter (protobuf wire format)", () => {
  it("writes varints as in the encoding guide (field 1 = 150 → 08 96 01)", () => {
    expect([...new MessageWriter().int(1, 150).bytes()]).toEqual([0x08, 0x96, 0x01]);
  });

  it("writes a negative int64 as ten bytes of two's complement", () => {
    expect([...new MessageWriter().int(3, -1).bytes()]).toEqual([
      0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
  });

  it('writes floats as fixed32 little endian and strings length-delimited (field 2 = "testing" → 12 07 …)', () => {
    expect([...new MessageWriter().float(2, 1).bytes()]).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    expect([...new MessageWriter().string(2, "testing").bytes()]).toEqual([
      0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67,
    ]);
  });

  it("nests messages and encodes multi-byte tags (field 20)", () => {
    const inner = new MessageWriter().int(1, 150).bytes();
    expect([...new MessageWriter().message(3, inner).bytes()]).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01]);
    expect([...new MessageWriter().int(20, 2).bytes()]).toEqual([0xa0, 0x01, 0x02]);
  });

  it("rejects field numbers outside 1 … 2^29 − 1 with a RangeError naming the value", () => {
    expect(() => new MessageWriter().int(0, 1)).toThrow(/field must be an integer from 1 to 536870911; got 0/);
    expect(() => new MessageWriter().int(2 ** 29, 1)).toThrow(RangeError);
  });
});

describe("layerNormOnnxModel", () => {
  it("rejects a bad dim or eps, naming the argument and the value", () => {
    expect(() => layerNormOnnxModel(0, 1e-5)).toThrow(/dim must be an integer from 1 to 16777216; got 0/);
    expect(() => layerNormOnnxModel(1.5, 1e-5)).toThrow(RangeError);
    expect(() => layerNormOnnxModel("8" as unknown as number, 1e-5)).toThrow(TypeError);
    expect(() => layerNormOnnxModel(8, -1)).toThrow(/eps must be a number ≥ 0 that is finite in f32; got -1/);
    expect(() => layerNormOnnxModel(8, 1e39)).toThrow(RangeError);
  });

  it("is small and starts with ir_version = 8 (08 08)", () => {
    const bytes = layerNormOnnxModel(768, 1e-5);
    expect([...bytes.subarray(0, 2)]).toEqual([0x08, 0x08]);
    expect(bytes.length).toBeLessThan(400);
  });

  it.each([1, 3, 64, 768])(
    "runs in onnxruntime-node (opset 17, 1 thread) and matches the float64 truth, d = %i",
    async (dim) => {
      const ort = await loadOrt();
      expect(typeof ort, String(ort)).not.toBe("string");
      const rows = 5;
      const x = fillRows(new Float32Array(rows * dim), dim, 11);
      const gamma = new Float32Array(dim);
      const beta = new Float32Array(dim);
      fillAffine(gamma, beta, 12);
      const eps = 1e-5;
      const session = await ortLayerNorm(dim, gamma, beta, eps);
      if (typeof session === "string") throw new Error(session);
      const out = new Float32Array(x.length);
      await session.run(x, out);
      await session.release();
      const exact = reference.layerNormExact(x, { dim, gamma, beta, eps });
      // Bound for an f32 LayerNorm that may take var = E[x²] − μ² in one pass (the loosest
      // common algorithm), per row with q = E[x²]/var (from the data):
      //   δμ ≤ (d + 2)·u·mean|x|            (sum of d terms, ·1/d)
      //   rel(var) ≤ q·(d + 2)·u, rel(1/σ̂) ≤ rel(var)/2 + u
      //   out = γ·((x − μ)/σ̂) + β: |δout| ≤ |γ|·(|ŷ|·(rel(1/σ̂) + 2u) + δμ/σ̂) + u·(|out| + |β|)
      // doubled for second-order terms.
      for (let r = 0; r < rows; r++) {
        let mu = 0,
          sq = 0,
          abs = 0;
        for (let i = 0; i < dim; i++) {
          const v = x[r * dim + i]!;
          mu += v;
          sq += v * v;
          abs += Math.abs(v);
        }
        mu /= dim;
        const variance = sq / dim - mu * mu;
        const q = dim === 1 ? 1 : sq / dim / variance;
        const sigma = Math.sqrt(variance + eps);
        const dMu = (dim + 2) * U * (abs / dim);
        const relInv = (q * (dim + 2) * U) / 2 + U;
        for (let i = 0; i < dim; i++) {
          const k = r * dim + i;
          const yhat = (x[k]! - mu) / sigma;
          const bound =
            2 *
            (Math.abs(gamma[i]!) * (Math.abs(yhat) * (relInv + 2 * U) + dMu / sigma) +
              U * (Math.abs(exact[k]!) + Math.abs(beta[i]!)));
          expect(Math.abs(out[k]! - exact[k]!)).toBeLessThanOrEqual(bound);
        }
      }
    },
  );

  it("uses the ε it was built with (a constant row gives β; ε = 1 shrinks a row of variance 1 by √2)", async () => {
    const dim = 4;
    const gamma = new Float32Array(dim).fill(1);
    const beta = Float32Array.of(0.5, -0.5, 0.25, 0);
    const session = await ortLayerNorm(dim, gamma, beta, 1);
    if (typeof session === "string") throw new Error(session);
    const out = new Float32Array(2 * dim);
    await session.run(Float32Array.of(3, 3, 3, 3, -1, 1, -1, 1), out);
    await session.release();
    expect([...out.subarray(0, 4)]).toEqual([0.5, -0.5, 0.25, 0]);
    // y = ±1, var = 1, (y)/√(1 + 1) + β: f32 results within 2 ulps of ±1/√2 + β.
    const expected = [-Math.SQRT1_2 + 0.5, Math.SQRT1_2 - 0.5, -Math.SQRT1_2 + 0.25, Math.SQRT1_2];
    for (const [i, e] of expected.entries()) expect(Math.abs(out[4 + i]! - e)).toBeLessThanOrEqual(4 * U);
  });
});
