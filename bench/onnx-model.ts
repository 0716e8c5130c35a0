/**
 * A one-node ONNX model: LayerNormalization (opset 17) over the last axis, built
 * as protobuf bytes in code (field numbers from onnx/onnx.proto, IR version 8).
 *
 *   graph inputs:  X     float [N, dim]   (N symbolic: any number of rows)
 *                  Scale float [dim]      (γ)
 *                  B     float [dim]      (β)
 *   graph output:  Y     float [N, dim]
 *   node:          Y = LayerNormalization(X, Scale, B; axis = −1, epsilon = eps)
 */
import { MessageWriter } from "./protobuf.js";

/** ONNX IR version 8 (2021-07-30): the first IR version of opset 17 (onnx/onnx.proto, enum Version). */
const IR_VERSION = 8;
/** Opset of the default domain: LayerNormalization was added in opset 17 (ONNX Operators.md). */
const OPSET = 17;
/** TensorProto.DataType.FLOAT (onnx.proto). */
const ELEM_FLOAT = 1;
/** AttributeProto.AttributeType FLOAT and INT (onnx.proto). */
const ATTR_FLOAT = 1;
const ATTR_INT = 2;

// Field numbers (onnx.proto).
const MODEL = { irVersion: 1, producerName: 2, graph: 7, opsetImport: 8 } as const;
const OPSET_ID = { domain: 1, version: 2 } as const;
const GRAPH = { node: 1, name: 2, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTRIBUTE = { name: 1, f: 2, i: 3, type: 20 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensorType: 1 } as const;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIMENSION = { dimValue: 1, dimParam: 2 } as const;

/** Largest row length accepted (matches the package's MAX_DIM, 2^24). */
const MAX_DIM = 2 ** 24;

/** ValueInfoProto of a float tensor; a string dimension is symbolic. */
function floatTensor(name: string, dims: readonly (number | string)[]): Uint8Array {
  const shape = new MessageWriter();
  for (const d of dims) {
    const dim = new MessageWriter();
    if (typeof d === "string") dim.string(DIMENSION.dimParam, d);
    else dim.int(DIMENSION.dimValue, d);
    shape.message(SHAPE.dim, dim.bytes());
  }
  const tensorType = new MessageWriter()
    .int(TENSOR_TYPE.elemType, ELEM_FLOAT)
    .message(TENSOR_TYPE.shape, shape.bytes());
  const type = new MessageWriter().message(TYPE.tensorType, tensorType.bytes());
  return new MessageWriter().string(VALUE_INFO.name, name).message(VALUE_INFO.type, type.bytes()).bytes();
}

/**
 * The serialised ModelProto of Y = LayerNormalization(X, Scale, B) with axis −1
 * and the given ε (stored as a float attribute, so ε is rounded to f32 as every
 * runtime reads it). Load it with `InferenceSession.create(bytes)`.
 *
 * @example
 * const session = await ort.InferenceSession.create(layerNormOnnxModel(768, 1e-5));
 */
export function layerNormOnnxModel(dim: number, eps: number): Uint8Array {
  if (typeof dim !== "number") throw new TypeError(`dim must be an integer from 1 to ${MAX_DIM}; got ${typeof dim}`);
  if (!Number.isInteger(dim) || dim < 1 || dim > MAX_DIM)
    throw new RangeError(`dim must be an integer from 1 to ${MAX_DIM}; got ${dim}`);
  if (typeof eps !== "number") throw new TypeError(`eps must be a finite number ≥ 0; got ${typeof eps}`);
  if (!(eps >= 0) || !Number.isFinite(Math.fround(eps)))
    throw new RangeError(`eps must be a number ≥ 0 that is finite in f32; got ${eps}`);

  const axis = new MessageWriter().string(ATTRIBUTE.name, "axis").int(ATTRIBUTE.i, -1).int(ATTRIBUTE.type, ATTR_INT);
  const epsilon = new MessageWriter()
    .string(ATTRIBUTE.name, "epsilon")
    .float(ATTRIBUTE.f, eps)
    .int(ATTRIBUTE.type, ATTR_FLOAT);
  const node = new MessageWriter()
    .string(NODE.input, "X")
    .string(NODE.input, "Scale")
    .string(NODE.input, "B")
    .string(NODE.output, "Y")
    .string(NODE.name, "layer_norm")
    .string(NODE.opType, "LayerNormalization")
    .message(NODE.attribute, axis.bytes())
    .message(NODE.attribute, epsilon.bytes())
    .string(NODE.domain, "");
  const graph = new MessageWriter()
    .message(GRAPH.node, node.bytes())
    .string(GRAPH.name, `layer_norm_${dim}`)
    .message(GRAPH.input, floatTensor("X", ["N", dim]))
    .message(GRAPH.input, floatTensor("Scale", [dim]))
    .message(GRAPH.input, floatTensor("B", [dim]))
    .message(GRAPH.output, floatTensor("Y", ["N", dim]));
  const opset = new MessageWriter().string(OPSET_ID.domain, "").int(OPSET_ID.version, OPSET);
  return new MessageWriter()
    .int(MODEL.irVersion, IR_VERSION)
    .string(MODEL.producerName, "iterl2norm-bench")
    .message(MODEL.graph, graph.bytes())
    .message(MODEL.opsetImport, opset.bytes())
    .bytes();
}
