/**
 * layerNorm and l2Normalize: validate once, place the data in wasm memory (or use
 * it where it already lives there), run the row kernel, copy out what was copied in.
 */
import { DEFAULT_L2_EPS, DEFAULT_LAYERNORM_EPS } from "./constants.js";
import { ACCUMULATE_CODES, inverseNormArgs } from "./abi.js";
import { f32View, inKernelMemory, scratch } from "./memory.js";
import { resolveNormalize, type NormalizeOptions, type NormalizeSpec } from "./options.js";
import { constants, kernel } from "./wasm.js";

/**
 * LayerNorm of every row of x (rows of `opts.dim` values):
 * out = γ·(x − μ)/√(var + ε) + β with the inverse norm found by IterL2Norm
 * (or by `opts.method`). Returns `opts.out` (which may be x) or a new array.
 *
 * @example
 * const y = layerNorm(x, { dim: 768, gamma, beta });            // paper preset
 * layerNorm(x, { dim: 768, preset: "precise", out: x });         // in place, f32-exact
 */
export function layerNorm(x: Float32Array, opts: NormalizeOptions): Float32Array;
/** LayerNorm of raw BF16/FP16 bits (opts.format 'bf16' or 'fp16'); the result holds raw bits too. */
export function layerNorm(x: Uint16Array, opts: NormalizeOptions): Uint16Array;
export function layerNorm(x: Float32Array | Uint16Array, opts: NormalizeOptions): Float32Array | Uint16Array {
  const spec = resolveNormalize(x, opts, DEFAULT_LAYERNORM_EPS, true);
  if (spec.format !== "fp32") return runFormat(spec, true);
  return run(x as Float32Array, spec, true);
}

/**
 * L2 normalisation of every row: out = x/√(Σx² + ε). An all-zero row stays zero.
 *
 * @example
 * const unit = l2Normalize(embeddings, { dim: 384 });
 */
export function l2Normalize(x: Float32Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Float32Array;
/** L2 normalisation of raw BF16/FP16 bits (opts.format 'bf16' or 'fp16'); the result holds raw bits too. */
export function l2Normalize(x: Uint16Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Uint16Array;
export function l2Normalize(x: Float32Array | Uint16Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Float32Array | Uint16Array {
  const spec = resolveNormalize(x, opts, DEFAULT_L2_EPS, false);
  if (spec.format !== "fp32") return runFormat(spec, false);
  return run(x as Float32Array, spec, false);
}

/** Byte ranges [start, end) of two views overlap. */
function overlaps(a: ArrayBufferView, b: ArrayBufferView | undefined): boolean {
  if (b === undefined) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

function run(x: Float32Array, spec: NormalizeSpec, center: boolean): Float32Array {
  const out = spec.out ?? new Float32Array(x.length);
  if (x.length === 0) return out;
  const { gamma, beta } = spec;
  const bytes = x.byteLength;

  // Where each operand lives: its own pointer in wasm memory, or a slot in scratch (-1).
  // Pointers are captured before scratch.reserve, which may grow memory and detach views.
  const xPtr = inKernelMemory(x) ? x.byteOffset : -1;
  const gPtr = gamma === undefined ? 0 : inKernelMemory(gamma) ? gamma.byteOffset : -1;
  const bPtr = beta === undefined ? 0 : inKernelMemory(beta) ? beta.byteOffset : -1;
  const outDirect = inKernelMemory(out) && (out === x || !overlaps(out, x)) &&
    !overlaps(out, gamma) && !overlaps(out, beta);
  const outPtrDirect = outDirect ? out.byteOffset : -1;

  // Scratch layout: [x copy (also the output when x is copied) | out | gamma | beta].
  let need = 0;
  const xSlot = xPtr < 0 ? need : -1;
  if (xPtr < 0) need += bytes;
  const outSlot = outPtrDirect < 0 && xPtr >= 0 ? need : -1;
  if (outSlot >= 0) need += bytes;
  const gSlot = gPtr < 0 ? need : -1;
  if (gPtr < 0) need += gamma!.byteLength;
  const bSlot = bPtr < 0 ? need : -1;
  if (bPtr < 0) need += beta!.byteLength;

  const base = need > 0 ? scratch.reserve(need) : 0;
  const xp = xPtr >= 0 ? xPtr : base + xSlot;
  const op = outPtrDirect >= 0 ? outPtrDirect : outSlot >= 0 ? base + outSlot : xp;
  const gp = gPtr >= 0 ? gPtr : base + gSlot;
  const bp = bPtr >= 0 ? bPtr : base + bSlot;
  if (xPtr < 0) f32View(xp, x.length).set(x);
  if (gPtr < 0) f32View(gp, spec.dim).set(gamma!);
  if (bPtr < 0) f32View(bp, spec.dim).set(beta!);

  const inv = inverseNormArgs(spec.inverse);
  const status = center
    ? kernel.layer_norm(xp, op, gp, bp, spec.rows, spec.dim, spec.eps, inv.method, inv.policy, inv.c, inv.steps, inv.magic)
    : kernel.l2_normalize(xp, op, spec.rows, spec.dim, spec.eps, inv.method, inv.policy, inv.c, inv.steps, inv.magic);
  if (status !== 0) throw new Error(`iterl2norm: kernel rejected a validated call (status ${status}); this is a bug`);

  if (op !== outPtrDirect) out.set(f32View(op, x.length));
  return out;
}

/**
 * The BF16/FP16 datapath (assembly/rows_format.ts). Operands are always copied
 * into scratch (layout [x | γ | β], x overwritten by the result in place), since
 * the emulated formats are for accuracy work rather than zero-copy speed. The
 * kernel reserves a scratch row of its own, which may grow the memory: views are
 * taken after the call.
 */
function runFormat(spec: NormalizeSpec, center: boolean): Float32Array | Uint16Array {
  const x = spec.input;
  const bits = spec.bits;
  const out = spec.output ?? (bits ? new Uint16Array(x.length) : new Float32Array(x.length));
  if (x.length === 0) return out;
  const { gamma, beta } = spec;
  const xBytes = (x.byteLength + 15) & ~15;
  const gBytes = gamma === undefined ? 0 : gamma.byteLength;
  const base = scratch.reserve(xBytes + gBytes + (beta === undefined ? 0 : beta.byteLength));
  const gp = gamma === undefined ? 0 : base + xBytes;
  const bp = beta === undefined ? 0 : base + xBytes + gBytes;
  const buffer = kernel.memory.buffer;
  if (bits) new Uint16Array(buffer, base, x.length).set(x);
  else new Float32Array(buffer, base, x.length).set(x);
  if (gamma !== undefined) f32View(gp, spec.dim).set(gamma);
  if (beta !== undefined) f32View(bp, spec.dim).set(beta);

  const inv = inverseNormArgs(spec.inverse);
  const io = bits ? constants.IO_BITS : constants.IO_F32;
  const acc = ACCUMULATE_CODES[spec.accumulate];
  const status = center
    ? kernel.layer_norm_format(base, base, gp, bp, spec.rows, spec.dim, spec.eps, inv.format, acc, io,
      inv.method, inv.policy, inv.c, inv.steps, inv.magic, inv.variant)
    : kernel.l2_normalize_format(base, base, spec.rows, spec.dim, spec.eps, inv.format, acc, io,
      inv.method, inv.policy, inv.c, inv.steps, inv.magic, inv.variant);
  if (status !== 0) throw new Error(`iterl2norm: kernel rejected a validated call (status ${status}); this is a bug`);
  const result = kernel.memory.buffer;
  if (bits) (out as Uint16Array).set(new Uint16Array(result, base, x.length));
  else (out as Float32Array).set(new Float32Array(result, base, x.length));
  return out;
}
