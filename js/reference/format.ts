/**
 * The BF16/FP16 row kernel (assembly/rows-format.ts) in plain TS, operation for
 * operation and in the same summation order (./sum.ts), so the two agree bit for bit: the
 * reference the kernel is tested against. See rows-format.ts for the algorithm,
 * the accumulate modes and the rescaling rule.
 */
import { M_LOW_BF16, M_LOW_FP16 } from "../constants.js";
import { bf16BitsFromF32Bits, bf16Value, fp16BitsFromF32Bits, fp16Value } from "../formats.js";
import type { NormalizeSpec } from "../options.js";
import { f32Bits } from "../bits.js";
import { exponentOf, rounder } from "./rsqrt.js";
import { centreRow } from "./centre.js";
import { addF32, chunkOf, kernelSum } from "./sum.js";

const f = Math.fround;

/**
 * Rows of x through the BF16/FP16 datapath of the spec; `aFromM` is the scalar
 * path in the format (reference.inverseNormBits). Output: F values as f32, or raw
 * 16-bit patterns when the spec's input is bits.
 */
export function rowsFormat(
  spec: NormalizeSpec,
  center: boolean,
  aFromMFormat: (m: number) => number,
): Float32Array | Uint16Array {
  const { dim: n, gamma, beta, format } = spec;
  if (format === "fp32") throw new RangeError('rowsFormat handles opts.format "bf16" and "fp16"; got "fp32"');
  const R = rounder(format);
  const native = spec.accumulate === "native";
  const add = native ? (a: number, b: number): number => R(a + b) : addF32;
  const chunk = chunkOf(native, n);
  const x = spec.input;
  const out = spec.output ?? (spec.bits ? new Uint16Array(x.length) : new Float32Array(x.length));
  const decode = format === "bf16" ? bf16Value : fp16Value;
  const encode = format === "bf16" ? bf16BitsFromF32Bits : fp16BitsFromF32Bits;
  const put = (i: number, v: number): void => {
    if (spec.bits) {
      out[i] = encode(f32Bits(v));
    } else {
      out[i] = v;
    }
  };

  const d = f(n);
  const invD32 = f(1 / d);
  const sqrtD = R(f(Math.sqrt(d)));
  const eps32 = center ? f(d * spec.eps) : spec.eps;
  const invD = native ? R(invD32) : invD32;
  const epsTerm = native ? R(eps32) : eps32;
  const low = format === "fp16" ? M_LOW_FP16 : M_LOW_BF16;
  const log2d = 32 - Math.clz32(n - 1);
  const target = format === "fp16" ? (13 - log2d) >> 1 : 0;
  const aFromM = (m: number): number => (m === Infinity ? 0 : aFromMFormat(m));

  const w = new Float32Array(n);
  for (let r = 0; r < spec.rows; r++) {
    const o = r * n;
    for (let i = 0; i < n; i++) w[i] = spec.bits ? decode(x[o + i]!) : R(x[o + i]!);
    // The centring rule (docs/design.md §1 step 2, ./centre.ts): Σy² about c = R(x₀ + δ); rows
    // whose err = (x₀ + δ) − c is large against their spread correct m by P = d·err² (f32) and
    // subtract err in the output. One shift is y = R(R(x − c) − 0) = R(x − c) exactly.
    let c = 0;
    let err = 0;
    const sumSquaresAbout = (about: number): number =>
      kernelSum(
        n,
        (i) => {
          const yi = R(w[i]! - about);
          return native ? R(yi * yi) : f(yi * yi);
        },
        add,
        chunk,
      );
    const stats = (eps: number): number => {
      c = 0;
      err = 0;
      if (!center) return R(sumSquaresAbout(0) + eps);
      const x0 = w[0]!;
      const row = centreRow(x0, R(kernelSum(n, (i) => R(w[i]! - x0), add, chunk) * invD), d, R, sumSquaresAbout);
      c = row.c;
      err = row.err;
      return R(row.q + eps);
    };
    const y = (i: number): number => R(R(w[i]! - c) - err);
    let m = stats(epsTerm);
    let a: number;
    if (m >= low && m < Infinity) {
      a = aFromM(m);
    } else {
      let big = 0;
      for (let i = 0; i < n; i++) {
        const v = Math.abs(w[i]!);
        if (Number.isNaN(v)) {
          big = NaN;
          break;
        }
        if (v > big) big = v;
      }
      if (!(big < Infinity)) {
        for (let i = 0; i < n; i++) put(o + i, R(NaN));
        continue;
      }
      if (big === 0) {
        a = 0;
        c = 0;
        err = 0;
      } else {
        const k = Math.min(126, Math.max(-126, target - exponentOf(big)));
        const s = 2 ** k;
        for (let i = 0; i < n; i++) w[i] = R(w[i]! * s);
        m = stats(native ? R(R(epsTerm * s) * s) : f(f(epsTerm * s) * s));
        a = m > 0 ? aFromM(m) : 0;
      }
    }
    const scale = center ? R(sqrtD * a) : a;
    for (let i = 0; i < n; i++) {
      let v = R(y(i) * scale);
      if (gamma) v = R(v * R(gamma[i]!));
      if (beta) v = R(v + R(beta[i]!));
      put(o + i, v);
    }
  }
  return out;
}
