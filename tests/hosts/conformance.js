// The conformance check every host runs: a fixed set of rows and options, run either through
// the package's API (runPackage) or through the raw module's ABI (runRaw, docs/ABI.md), each
// returning { case name: the output's f32 bit patterns as hex }. The host-matrix tests compare
// every host's result with Node's, bit for bit. Plain JavaScript with no imports, so that shells
// (SpiderMonkey, JavaScriptCore), workerd, Deno, Bun and bundled pages can load it as it is.

/**
 * A deterministic row generator: xorshift32, and an approximately normal z as the sum of four
 * uniforms on (0, 1) minus 2, scaled by √3 (mean 0, variance 1). Only exact or correctly rounded
 * IEEE operations (no Math.log, Math.cos or Math.sqrt, which engines may round differently), so
 * every engine builds the same rows bit for bit.
 */
export function rows(seed, count, dim, offset = 0, scale = 1) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float32Array(count * dim);
  for (let i = 0; i < out.length; i++) {
    const z = (next() + next() + next() + next() - 2) * 1.7320508075688772;
    out[i] = offset + scale * z;
  }
  return out;
}

/** Rows that take the edge rules (docs/design.md §4): NaN, ±∞, zero, constant, huge, subnormal. */
function edgeRows(dim) {
  const x = rows(7, 6, dim);
  x.fill(0, 0, dim);
  x.fill(3.5, dim, 2 * dim);
  x[2 * dim + 3] = Number.NaN;
  x[3 * dim + 1] = -Infinity;
  for (let i = 4 * dim; i < 5 * dim; i++) x[i] *= 1e36;
  for (let i = 5 * dim; i < 6 * dim; i++) x[i] *= 1e-41;
  return x;
}

/**
 * The cases. kind: "layerNorm" or "l2Normalize"; preset "paper" or "precise"; format "fp32",
 * "bf16" or "fp16" (f32 input and output); affine: γ and β present. Dimensions cover a SIMD
 * tail (97), a typical width (768) and d = 1.
 */
export const CASES = [
  { name: "ln-paper-d97", kind: "layerNorm", preset: "paper", dim: 97, x: () => rows(1, 5, 97) },
  { name: "ln-precise-d768", kind: "layerNorm", preset: "precise", dim: 768, x: () => rows(2, 3, 768, 2, 3) },
  { name: "ln-affine-d97", kind: "layerNorm", preset: "paper", dim: 97, affine: true, x: () => rows(3, 4, 97) },
  { name: "ln-offset-d256", kind: "layerNorm", preset: "precise", dim: 256, x: () => rows(4, 3, 256, 1e5, 1) },
  { name: "ln-edges-d33", kind: "layerNorm", preset: "paper", dim: 33, x: () => edgeRows(33) },
  { name: "ln-d1", kind: "layerNorm", preset: "precise", dim: 1, x: () => rows(5, 4, 1) },
  { name: "l2-paper-d97", kind: "l2Normalize", preset: "paper", dim: 97, x: () => rows(6, 5, 97, 0, 10) },
  { name: "l2-precise-d1024", kind: "l2Normalize", preset: "precise", dim: 1024, x: () => rows(8, 2, 1024) },
  { name: "l2-edges-d33", kind: "l2Normalize", preset: "precise", dim: 33, x: () => edgeRows(33) },
  { name: "ln-bf16-d97", kind: "layerNorm", preset: "paper", dim: 97, format: "bf16", x: () => rows(9, 3, 97) },
  { name: "ln-fp16-d200", kind: "layerNorm", preset: "precise", dim: 200, format: "fp16", x: () => rows(10, 3, 200) },
  { name: "l2-bf16-d64", kind: "l2Normalize", preset: "precise", dim: 64, format: "bf16", x: () => rows(11, 3, 64) },
];

/** γ and β of an affine case: fixed, away from 1 and 0. */
function affine(dim) {
  return { gamma: rows(101, 1, dim, 1, 0.25), beta: rows(102, 1, dim, 0, 0.5) };
}

/** The output's bit patterns as one hex string (8 digits per value). */
export function hexBits(f32) {
  const u = new Uint32Array(f32.buffer, f32.byteOffset, f32.length);
  let s = "";
  for (let i = 0; i < u.length; i++) s += u[i].toString(16).padStart(8, "0");
  return s;
}

/** Every case through the package API: `api` is the module namespace of "iterl2norm". */
export function runPackage(api) {
  const result = {};
  for (const c of CASES) {
    const opts = { dim: c.dim, preset: c.preset };
    if (c.format) opts.format = c.format;
    if (c.affine) Object.assign(opts, affine(c.dim));
    result[c.name] = hexBits(api[c.kind](c.x(), opts));
  }
  return result;
}

/**
 * Every case through the raw ABI of an instantiated module (`exports` of a WebAssembly.Instance
 * with no imports), with the arguments the package passes for the same options.
 */
export function runRaw(exports) {
  const k = (name) => {
    const v = Number(exports[name].value);
    return name.endsWith("MAGIC") ? v >>> 0 : v;
  };
  const memory = exports.memory;
  const result = {};
  for (const c of CASES) {
    const x = c.x();
    const rowsCount = x.length / c.dim;
    const bytes = x.byteLength;
    const px = exports.alloc(bytes);
    const pout = exports.alloc(bytes);
    new Float32Array(memory.buffer, px, x.length).set(x);
    let pg = 0;
    let pb = 0;
    if (c.affine) {
      const { gamma, beta } = affine(c.dim);
      pg = exports.alloc(c.dim * 4);
      pb = exports.alloc(c.dim * 4);
      new Float32Array(memory.buffer, pg, c.dim).set(gamma);
      new Float32Array(memory.buffer, pb, c.dim).set(beta);
    }
    const policy = k(c.preset === "precise" ? "LAMBDA_NEWTON" : "LAMBDA_PAPER");
    const inverse = [k("METHOD_ITER"), policy, 0, 5, 0, k("FISR_QUAKE")];
    const eps = c.kind === "layerNorm" ? Math.fround(1e-5) : 0;
    let status;
    if (c.format) {
      const format = k(c.format === "bf16" ? "FORMAT_BF16" : "FORMAT_FP16");
      const datapath = [format, k("ACCUMULATE_FP32"), k("IO_F32")];
      status =
        c.kind === "layerNorm"
          ? exports.layer_norm_format(px, pout, pg, pb, rowsCount, c.dim, eps, ...datapath, ...inverse)
          : exports.l2_normalize_format(px, pout, rowsCount, c.dim, eps, ...datapath, ...inverse);
    } else {
      status =
        c.kind === "layerNorm"
          ? exports.layer_norm(px, pout, pg, pb, rowsCount, c.dim, eps, ...inverse)
          : exports.l2_normalize(px, pout, rowsCount, c.dim, eps, ...inverse);
    }
    if (status !== k("STATUS_OK")) throw new Error(`${c.name}: the kernel returned status ${status}`);
    result[c.name] = hexBits(new Float32Array(memory.buffer, pout, x.length).slice());
    for (const p of [px, pout, pg, pb]) if (p !== 0) exports.free(p);
  }
  return result;
}
