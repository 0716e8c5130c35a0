// simulateMacro's output against the library's layerNorm / l2Normalize (wasm
// kernel), within the tolerance that the two summation orders imply, plus the
// edge rules and argument checks.
import { describe, expect, it } from "vitest";
import { l2Normalize, layerNorm, reference, rsqrt, toBF16, type InverseNormOptions } from "iterl2norm";
import {
  DEFAULT_MACRO,
  DEFAULT_MACRO_BF16,
  defineMacro,
  methodPrecision,
  simulateMacro,
  type MacroConfig,
  type MacroEvent,
} from "iterl2norm/hw";
import { bitsOf, fromBits, normalRows, rng } from "./helpers.js";

const U = 2 ** -24; // unit roundoff of FP32: the reductions accumulate in FP32 in both formats
const U_FORMAT = { fp32: 2 ** -24, bf16: 2 ** -8 }; // unit roundoff of the working format F
const SMALLEST_SUBNORMAL = { fp32: 2 ** -149, bf16: 2 ** -133 };

/** γ_n = n·u/(1 − n·u): the classical bound on n rounded additions on one term's path (Higham, ASNA §3.1). */
const gamma = (n: number): number => (n * U) / (1 - n * U);

/**
 * Rounded additions on any term's path through the macro's reduction: the tree
 * has log₂L levels, and the chunk sums go through it again until one is left.
 */
function macroDepth(d: number, lanes: number): number {
  let passes = 1;
  for (let n = Math.ceil(d / lanes); n > 1; n = Math.ceil(n / lanes)) passes++;
  return Math.log2(lanes) * passes;
}

/** Rounded additions on a term's path in the library's order (docs/design.md §2.1). */
const libraryDepth = (d: number): number => reference.summationDepth(d);

interface Case {
  readonly x: Float32Array;
  readonly config: MacroConfig;
  readonly mode: "layernorm" | "l2";
  readonly lambda: InverseNormOptions["lambda"];
  readonly gamma?: Float32Array;
  readonly beta?: Float32Array;
  readonly eps?: number;
}

/**
 * Largest relative change of a = iter(m) when the library's m may lie anywhere in
 * [mLo, mHi]: every value of the format in that interval is run through
 * the library's own rsqrt. This is exact for the map the library uses, including
 * the jump of the paper preset where m crosses a power of two.
 */
function inverseNormSpread(
  mA: number,
  mLo: number,
  mHi: number,
  format: "fp32" | "bf16",
  opts: InverseNormOptions,
): number {
  const aA = rsqrt(mA, { ...opts, format });
  const lo = Math.max(Number.MIN_VALUE, Math.min(mLo, mA));
  const hi = Math.max(mHi, mA);
  const step = format === "fp32" ? 1 : 1 << 16;
  const first = bitsOf(Math.fround(lo));
  const last = bitsOf(Math.fround(hi));
  const count = Math.floor((last - first) / step) + 2;
  expect(count).toBeLessThan(1 << 17); // the interval is enumerated completely, never truncated
  const m = new Float32Array(count);
  let n = 0;
  for (let b = first - (first % step); b <= last + step; b += step) m[n++] = fromBits(b);
  const a = rsqrt(m.subarray(0, n), { ...opts, format });
  let worst = 0;
  for (let i = 0; i < n; i++) if (m[i]! >= lo && m[i]! <= hi) worst = Math.max(worst, Math.abs(a[i]! - aA) / aA);
  return worst;
}

/** The rounding of a format (the library's: f32 first, then RNE to BF16). */
const roundTo =
  (format: "fp32" | "bf16") =>
  (v: number): number =>
    format === "fp32" ? Math.fround(v) : fromBits(toBF16(Float32Array.of(v))[0]! << 16);

/** The order of F values: a monotone integer key of the bit pattern (−0 and +0 share 0). */
function orderKey(v: number): number {
  const b = bitsOf(Math.fround(v));
  return b >= 0x80000000 ? -(b - 0x80000000) : b;
}

/** The F value of an order key (the inverse of orderKey on F values; 0 gives +0). */
function fromOrderKey(key: number): number {
  return key >= 0 ? fromBits(key) : fromBits(0x80000000 + -key);
}

/** 2^−42: the two-shift threshold of P = d·err² against q (docs/design.md §1 step 2). */
const TWO_SHIFT_SCALE = 2 ** -42;

/** err = (x₀ + δ) − c, c = R(x₀ + δ): TwoSum with every operation rounded to F (exact). */
function twoSum(x0: number, delta: number, c: number, R: (v: number) => number): number {
  const b = R(c - x0);
  return R(R(x0 - R(c - b)) + R(delta - b));
}

/** P = fl32(fl32(err²)·d), f32 in every format. */
const shiftCost = (err: number, d: number): number => Math.fround(Math.fround(err * err) * d);

/** The two-shift test P > fl32(q·2^−42). */
const twoShiftTest = (p: number, q: number): boolean => p > Math.fround(q * TWO_SHIFT_SCALE);

/** The centring of one side for one δ (docs/design.md §1 step 2), in the macro's prescaled units. */
interface Centring {
  readonly c: number;
  readonly err: number;
  readonly p: number;
  /** r = Σ(x_i − x₀) − d·δ, the residual of δ (exact sum, up to its binary64 rounding). */
  readonly r: number;
}

/** Largest number of δ values enumerated exactly; beyond it the bound of step 1 (fallback) is used. */
const MAX_DELTA_CANDIDATES = 1 << 16;

/** Below this a product of the mode test may be subnormal or flushed in one side's units: both modes count. */
const LOSSY = 2 ** -100;

/**
 * Per-element tolerance |macro − library| for one row, derived from the two
 * summation orders. Both sides run the same rounded operations on the same values
 * except the order of the two reductions (the macro's prescale by 2^k is exact and
 * commutes with every rounding while values stay normal, so the derivation works in the
 * macro's units; u = 2^−24, u_F the format's unit roundoff, n_A, n_B the depths above).
 * Both centre by the library's rule (docs/design.md §1 step 2): δ = R(S·(1/d)), c = R(x₀ + δ),
 * err = (x₀ + δ) − c (exact), q = Σ R(x − c)², P = fl32(fl32(err²)·d); two shifts when
 * P > fl32(q·2^−42): m = R(fl32(q − P) + ε-term) and y = R(R(x − c) − err); else m = R(q + ε-term),
 * y = R(x − c). The effective mean is G = c (one shift) or c + err = x₀ + δ (two shifts).
 *
 * 1. Σ(x_i − x₀) on the same terms t_i in two orders differ by at most
 *    δS = (γ_{n_A} + γ_{n_B})·Σ|t_i|. δ(S) = R(S·(1/d)) is monotone, so the library's δ_B is
 *    one of the F values in [δ(S_A − δS), δ(S_A + δS)]. Each fixes c, err, P; the library's q
 *    lies in Q′·(1 ± (u_FP32 + γ_{n_B})) ± d·s_min, Q′ = Σ R(x_i − c)² summed exactly, so the
 *    library may take two shifts if P > fl32(q_lo·2^−42) and one if P ≤ fl32(q_hi·2^−42) (fl32 is
 *    monotone); both where a product of the test may be subnormal in either side's units.
 *    δμ = the largest |G′ − G_A| over every δ and possible mode (exact). If there are more than
 *    MAX_DELTA_CANDIDATES: δμ ≤ max|δ′ − δ_A| + u_F/(1 − u_F)·max|c| + |G_A − (x₀ + δ_A)|, both modes.
 *    A two-shift side rounds R(x_i − c): θ_i ≤ τ_i = u_F·|x_i − c|, 0 where x_i − c is exact
 *    for every candidate c (x_i and c within a factor 2, or x_i = 0). The same t_i on both sides
 *    cancels; where c may differ it moves y by up to τ_i per two-shift side (k_τ sides).
 *    Sizes: |y_i| ≤ ŷ_i = |x_i − G_A| + τ_i (τ_i where a side may take two shifts); |t_i| ≤ ŷ_i + e
 *    with e the largest |err| of a two-shift side.
 * 2. If δμ = 0 and the modes agree, both sides square the same y_i (the same c) and P is the
 *    same: Q_B ∈ Q_A ± (γ_{n_A} + γ_{n_B})·Q_A and m_B = M(Q_B), M(q) = R(fl32(q − P′) + ε·4^k)
 *    monotone, lies between M of the two ends. Otherwise, to first order, with Q = Σŷ²,
 *    Q_t = Σ(ŷ + e)², m = Q + ε-term: δm = 2δμ·Σŷ + 4u_F·Q + (2u + γ_{n_A} + γ_{n_B})·Q_t + 2u_F·m
 *    + d·s_min + k_τ·2Σŷ_i·τ_i, plus on each two-shift side the correction's own error: q − d·err²
 *    = Σ(t − err)² + 2·err·(r + Σθ_i), so 2|err|·(|r| + Στ_i) + 2u·P + u·Q_t.
 * 3. ρa = max |a(m′) − a(m_A)|/a(m_A) over every value m′ of the format in the
 *    m interval, with the library's own rsqrt (inverseNormSpread): exact for the
 *    map both sides use, the paper preset's jump at powers of two included.
 * 4. If δμ = 0, the modes agree and ρa = 0, both sides run identical operations on identical
 *    values from there on: the tolerance is 0, the outputs must be bit-identical.
 *    Otherwise, with out = ((y·s)·γ) + β, s = √d·a, every step rounded once (y, s, ×s, ×γ:
 *    2u_F each over the two sides; +β: 2u_F·|out|):
 *    |Δout_i| ≤ |γ_i|·s·(δμ + ŷ_i·(ρa + 8u_F) + k_τ·τ_i) + 2u_F·|out_i|, times 1.001 for
 *    second-order terms.
 */
function tolerance(
  c: Case,
  result: ReturnType<typeof simulateMacro>,
  reference: Float32Array,
): { tol: Float64Array; modesMayDiffer: boolean; enumerated: boolean; twoShiftsPossible: boolean } {
  const { x, config, mode } = c;
  const format = config.format;
  const R = roundTo(format);
  const uf = U_FORMAT[format];
  const d = x.length;
  const layer = mode === "layernorm";
  const depth = gamma(macroDepth(d, config.lanes)) + gamma(libraryDepth(d));
  const { k, sum: sumA, mean: cA, delta: deltaA, err: errA, shifts: shiftsA, sumSq: qA, m: mA } = result.trace;
  const p = 2 ** k;
  const xs = Float64Array.from(x, (v) => v * p); // the macro's prescaled row (exact)
  const x0 = xs[0]!;
  const eps = c.eps ?? (layer ? 1e-5 : 0);
  const epsTerm = layer ? Math.fround(Math.fround(d) * Math.fround(eps)) : Math.fround(eps);
  const epsS = Math.fround(Math.fround(epsTerm * p) * p);
  const underflowQ = (libraryRescales: boolean): number =>
    d * SMALLEST_SUBNORMAL[format] * (libraryRescales ? 1 : p * p);

  let exactS = 0; // Σ(x_i − x₀) in binary64, and a bound on its rounding
  let sumAbs = 0;
  for (let i = 0; i < d; i++) {
    exactS += xs[i]! - x0;
    sumAbs += Math.abs(xs[i]! - x0);
  }
  const sSlack = 2 * d * 2 ** -53 * sumAbs;
  const centring = (delta: number): Centring => {
    const cc = R(x0 + delta);
    const err = twoSum(x0, delta, cc, R);
    return { c: cc, err, p: shiftCost(err, d), r: Math.abs(exactS - d * delta) + sSlack };
  };
  // the macro's side, and the trace against the library's formulas
  const A = layer ? centring(deltaA) : { c: 0, err: 0, p: 0, r: 0 };
  const twoA = shiftsA === 2;
  if (layer) {
    const invD = Math.fround(1 / Math.fround(d));
    expect(R(sumA * invD)).toBe(deltaA);
    expect(R(x0 + deltaA)).toBe(cA);
    expect(errA).toBe(A.err);
    expect(shiftsA).toBe(twoShiftTest(A.p, qA) ? 2 : 1);
  } else {
    expect([cA, deltaA, errA, shiftsA]).toEqual([0, 0, 0, 1]); // L2: no centring
  }
  const GA = twoA ? cA + errA : cA;

  /** Q′ = Σ R(x_i − c)² in binary64 (a relative error below d·2^−53), cached per c. */
  const qCache = new Map<number, number>();
  const qOf = (cc: number): number => {
    let q = qCache.get(cc);
    if (q === undefined) {
      q = 0;
      for (let i = 0; i < d; i++) q += R(xs[i]! - cc) ** 2;
      qCache.set(cc, q);
    }
    return q;
  };
  const wq = (format === "fp32" ? U : 0) + gamma(libraryDepth(d)) + d * 2 ** -52;
  const lossy = (v: number): boolean => v !== 0 && (v < LOSSY || v / (p * p) < LOSSY);

  let dmu = 0;
  let modesMayDiffer = false;
  let twoB = false; // the library may take two shifts
  let cDiffers = false;
  let cMin = cA;
  let cMax = cA;
  let eMax = twoA ? Math.abs(errA) : 0;
  let extraB = 0; // the largest two-shift correction error of the library (step 2), less its Στ part
  let errRB = 0; // its 2|err| factor, for the Στ part
  let enumerated = true;
  if (layer) {
    let sumT = 0;
    for (let i = 0; i < d; i++) sumT += Math.abs(R(xs[i]! - x0));
    const invD = Math.fround(1 / Math.fround(d));
    const dS = depth * sumT;
    const lo = orderKey(R((sumA - dS) * invD));
    const hi = orderKey(R((sumA + dS) * invD));
    const step = format === "fp32" ? 1 : 1 << 16;
    if ((hi - lo) / step < MAX_DELTA_CANDIDATES) {
      for (let key = lo; key <= hi; key += step) {
        const delta = fromOrderKey(key);
        const B = centring(delta);
        const q = qOf(B.c);
        const qLo = q * (1 - wq) - underflowQ(false);
        const qHi = q * (1 + wq) + underflowQ(false);
        const both = lossy(Math.fround(B.err * B.err)) || lossy(Math.fround(qLo * TWO_SHIFT_SCALE));
        const two = both || twoShiftTest(B.p, qLo);
        const one = both || !twoShiftTest(B.p, qHi);
        if (B.c !== cA) cDiffers = true;
        cMin = Math.min(cMin, B.c);
        cMax = Math.max(cMax, B.c);
        if (one) {
          dmu = Math.max(dmu, Math.abs(B.c - GA));
          if (twoA) modesMayDiffer = true;
        }
        if (two) {
          dmu = Math.max(dmu, Math.abs(B.c + B.err - GA));
          if (!twoA) modesMayDiffer = true;
          twoB = true;
          eMax = Math.max(eMax, Math.abs(B.err));
          errRB = Math.max(errRB, 2 * Math.abs(B.err));
          extraB = Math.max(extraB, 2 * Math.abs(B.err) * B.r + 2 * U * B.p);
        }
      }
    } else {
      const dLo = fromOrderKey(lo);
      const dHi = fromOrderKey(hi);
      const ends = [centring(dLo), centring(dHi)];
      cMin = Math.min(cA, ...ends.map((e) => e.c));
      cMax = Math.max(cA, ...ends.map((e) => e.c));
      const dDelta = Math.max(Math.abs(dHi - deltaA), Math.abs(deltaA - dLo));
      // |R(v) − v| ≤ u_F·|v| ≤ u_F/(1 − u_F)·|R(v)|, and c is monotone in δ
      const eBound = (uf / (1 - uf)) * Math.max(Math.abs(cMin), Math.abs(cMax));
      dmu = dDelta + eBound + Math.abs(GA - (cA + errA));
      modesMayDiffer = true;
      twoB = true;
      cDiffers = true;
      enumerated = false;
      eMax = Math.max(eMax, eBound);
      errRB = 2 * eBound;
      const pBound = d * eBound * eBound * (1 + 4 * U);
      extraB = 2 * eBound * (A.r + d * dDelta) + 2 * U * pBound;
    }
  }
  const twoShiftsPossible = twoA || twoB;
  // τ_i: the rounding of R(x_i − c) on a two-shift side, over every candidate c; ŷ_i: the size of y_i
  const sterbenz = (xi: number, cc: number): boolean =>
    xi * cc > 0 && Math.abs(cc) / 2 <= Math.abs(xi) && Math.abs(xi) <= 2 * Math.abs(cc);
  const tau = new Float64Array(d);
  const yHat = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const xi = xs[i]!;
    const exact = xi === 0 || (sterbenz(xi, cMin) && sterbenz(xi, cMax));
    tau[i] = layer && !exact ? uf * Math.max(Math.abs(xi - cMin), Math.abs(xi - cMax)) : 0;
    yHat[i] = Math.abs(xi - GA) + (twoShiftsPossible ? tau[i]! : 0);
  }
  const kTau = cDiffers ? (twoA ? 1 : 0) + (twoB ? 1 : 0) : 0;

  let mLo: number;
  let mHi: number;
  if (dmu === 0 && !modesMayDiffer) {
    const M = (q: number): number => R(Math.fround(q - (twoA ? A.p : 0)) + epsS);
    expect(M(qA)).toBe(mA);
    mLo = M(qA - depth * qA);
    mHi = M(qA + depth * qA);
  } else {
    let sumY = 0;
    let Q = 0;
    let Qt = 0;
    let sumTau = 0;
    let sumYTau = 0;
    for (let i = 0; i < d; i++) {
      sumY += yHat[i]!;
      Q += yHat[i]! ** 2;
      Qt += (yHat[i]! + eMax) ** 2;
      sumTau += tau[i]!;
      sumYTau += yHat[i]! * tau[i]!;
    }
    const m = Q + epsS;
    const libraryRescales = !(m / (p * p) >= 2 ** -64 && m / (p * p) < 2 ** 128);
    const correction = (side: boolean, errFactor: number, extra: number): number =>
      side ? extra + errFactor * sumTau + U * Qt : 0;
    const dm =
      2 * dmu * sumY +
      4 * uf * Q +
      (2 * U + depth) * Qt +
      2 * uf * m +
      underflowQ(libraryRescales) +
      kTau * 2 * sumYTau +
      correction(twoA, 2 * Math.abs(A.err), 2 * Math.abs(A.err) * A.r + 2 * U * A.p) +
      correction(twoB, errRB, extraB);
    mLo = mA - dm;
    mHi = mA + dm;
  }
  const opts: InverseNormOptions = { lambda: c.lambda, iterations: config.iterations };
  const rhoA = inverseNormSpread(mA, mLo, mHi, format, opts);

  const tol = new Float64Array(d);
  const out = { tol, modesMayDiffer, enumerated, twoShiftsPossible };
  if (dmu === 0 && !modesMayDiffer && rhoA === 0) return out;
  const s = result.trace.scale * p; // unscaled s = √d·a
  for (let i = 0; i < d; i++) {
    const g = c.gamma ? Math.abs(c.gamma[i]!) : 1;
    const y = yHat[i]! / p;
    const dy = (dmu + kTau * tau[i]!) / p;
    tol[i] = 1.001 * (g * s * (dy + y * (rhoA + 8 * uf)) + 2 * uf * Math.abs(reference[i]!));
  }
  return out;
}

/**
 * Runs a case through the macro and the library; returns the worst |Δ|/tol, the largest tol
 * relative to the row's largest |out|, whether the library's centring mode may differ, and whether
 * its δ values were enumerated (else the fallback bound of step 1 was used).
 */
function compare(c: Case): {
  worst: number;
  relTol: number;
  modesMayDiffer: boolean;
  enumerated: boolean;
  twoShiftsPossible: boolean;
} {
  const d = c.x.length;
  const format = c.config.format;
  const r = simulateMacro(c.x, c.config, { mode: c.mode, gamma: c.gamma, beta: c.beta, eps: c.eps });
  const opts = { dim: d, format, lambda: c.lambda, eps: c.eps };
  const ref =
    c.mode === "layernorm"
      ? (layerNorm(c.x, { ...opts, gamma: c.gamma, beta: c.beta }) as Float32Array)
      : (l2Normalize(c.x, opts) as Float32Array);
  const { tol, modesMayDiffer, enumerated, twoShiftsPossible } = tolerance(c, r, ref);
  let worst = 0;
  let maxTol = 0;
  let maxOut = 0;
  for (let i = 0; i < d; i++) {
    const diff = Math.abs(r.output[i]! - ref[i]!);
    worst = Math.max(worst, tol[i]! === 0 ? (diff === 0 ? 0 : Infinity) : diff / tol[i]!);
    maxTol = Math.max(maxTol, tol[i]!);
    maxOut = Math.max(maxOut, Math.abs(ref[i]!));
  }
  return { worst, relTol: maxTol / maxOut, modesMayDiffer, enumerated, twoShiftsPossible };
}

/** The format's values of x (the macro and the library both round the input to the format first). */
function inFormat(x: Float32Array, config: MacroConfig): Float32Array {
  if (config.format === "fp32") return x;
  const h = toBF16(x);
  return Float32Array.from(h, (b) => fromBits(b << 16));
}

const DIMS = [1, 7, 64, 100, 768, 1024];
const DISTRIBUTIONS: [number, number][] = [
  [0, 1],
  [3, 2],
  [0.5, 0.01],
  [100, 1],
];

describe.each([
  ["fp32", DEFAULT_MACRO],
  ["bf16", DEFAULT_MACRO_BF16],
] as const)("%s macro vs the library, derived tolerance", (format, base) => {
  // The tolerance, relative to the row's largest output, must stay small enough to
  // catch a real error (one element dropped from a sum moves μ by about σ/d and the
  // outputs by about 1/d of the largest): FP32 1e-4, BF16 (8-bit μ and m) 0.05.
  const meaningful = format === "fp32" ? 1e-4 : 0.05;

  it.each(["paper", "newton"] as const)(
    "LayerNorm, λ %s, random γ and β, d in 1…1024, four distributions",
    (lambda) => {
      const config = defineMacro({ format, lambda });
      const next = rng(11);
      const shifts = new Set<number>();
      for (const d of DIMS) {
        for (const [mean, sd] of DISTRIBUTIONS) {
          // μ = 100 (and 0.5 with σ = 0.01) lie beyond 8σ: err = (x₀ + δ) − c is large against σ (0.25 in
          // BF16), such rows take two shifts, never centred by the rounded mean alone, so the bound stays
          // meaningful there too
          const x = inFormat(normalRows(d * 31 + mean, 1, d, mean, sd), config);
          const gammaV = Float32Array.from({ length: d }, () => 0.5 + next());
          const betaV = Float32Array.from({ length: d }, () => next() - 0.5);
          const { worst, relTol } = compare({ x, config, mode: "layernorm", lambda, gamma: gammaV, beta: betaV });
          expect(worst, `d=${d} N(${mean}, ${sd}²)`).toBeLessThanOrEqual(1);
          if (d > 1) expect(relTol, `d=${d} N(${mean}, ${sd}²)`).toBeLessThan(meaningful);
          shifts.add(simulateMacro(x, config).trace.shifts);
        }
      }
      expect([...shifts].sort()).toEqual([1, 2]); // both centring modes occur
    },
  );

  it("LayerNorm with ε = 0 and ε = 0.1, no γ or β", () => {
    for (const eps of [0, 0.1]) {
      for (const d of [64, 300, 1024]) {
        const x = inFormat(normalRows(d + 5, 1, d, 1, 0.5), base);
        expect(compare({ x, config: base, mode: "layernorm", lambda: "paper", eps }).worst).toBeLessThanOrEqual(1);
      }
    }
  });

  it("L2 normalisation, d in 1…1024", () => {
    for (const d of DIMS) {
      for (const [mean, sd] of DISTRIBUTIONS) {
        const x = inFormat(normalRows(d * 17 + sd, 1, d, mean, sd), base);
        const { worst, relTol } = compare({ x, config: base, mode: "l2", lambda: "paper" });
        expect(worst, `d=${d} N(${mean}, ${sd}²)`).toBeLessThanOrEqual(1);
        if (d > 1) expect(relTol).toBeLessThan(meaningful);
      }
    }
  });

  it("rows the library must rescale: values near 1e30 (Σy² overflows FP32) and 1e-30 (L2, ε = 0)", () => {
    for (const scale of [1e30, 1e-30]) {
      const x = inFormat(
        normalRows(3, 1, 500, 0, 1).map((v) => v * scale),
        base,
      );
      const r = compare({ x, config: base, mode: "l2", lambda: "paper" });
      expect(r.worst).toBeLessThanOrEqual(1);
      const ln = compare({ x, config: base, mode: "layernorm", lambda: "paper", eps: 0 });
      expect(ln.worst).toBeLessThanOrEqual(1);
    }
  });
});

describe("the centring rule (docs/design.md §1 step 2): the macro follows the library", () => {
  /**
   * What a macro that always centres by the rounded mean c would output, at best: y = x − c and
   * everything after it exact (Σy², 1/√(Σy²/d + ε), no rounding of the products), in float64.
   * Its error against the truth is then the centring's alone: (μ − c)·s on every element.
   */
  function oneShiftAtBest(x: Float32Array, c: number, eps: number): Float64Array {
    const d = x.length;
    let q = 0;
    for (const v of x) q += (v - c) ** 2;
    const s = 1 / Math.sqrt(q / d + eps);
    return Float64Array.from(x, (v) => (v - c) * s);
  }

  /**
   * Moves some of the integer values of x by ±1 so that Σx ≡ d/2 (mod d): the mean then lies halfway
   * between two integers, and a mean rounded to the row's spacing of 1 is off by 0.5.
   */
  function meanHalfway(x: Float32Array): Float32Array {
    const d = x.length;
    let sum = 0;
    for (const v of x) sum += v;
    const r = (((sum - d / 2) % d) + d) % d;
    const y = x.slice();
    if (r <= d / 2) for (let i = 1; i <= r; i++) y[i] = y[i]! - 1;
    else for (let i = 1; i <= d - r; i++) y[i] = y[i]! + 1;
    return y;
  }

  /** max_i |a_i − b_i| / (1 + |b_i|). */
  function worstRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
    let w = 0;
    for (let i = 0; i < b.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
    return w;
  }

  it("FP32, a row about 1e7 with unit spread: two shifts, within 1e-6·(1 + |truth|) of the float64 truth", () => {
    // Newton λ: a within 1.1e-7 of 1/√m (the paper preset's 3.5e-3 would hide the centring)
    const config = defineMacro({ lambda: "newton" });
    const d = 768;
    const x = meanHalfway(normalRows(1234, 1, d, 1e7, 1)); // f32 spacing is 1 at 1e7: the values are integers
    const r = simulateMacro(x, config);
    expect(r.trace.shifts).toBe(2);
    const p = 2 ** r.trace.k;
    const c = r.trace.mean / p; // the rounded mean, unscaled: an integer
    expect(Number.isInteger(c)).toBe(true);
    const truth = reference.layerNormExact(x, { dim: d });
    expect(worstRelative(r.output, truth)).toBeLessThanOrEqual(1e-6);
    // centred by c instead, even with everything after the centring exact, the outputs are off by (μ − c)·s
    let sum = 0;
    for (const v of x) sum += v; // integers: exact
    const mean = sum / d;
    expect(Math.abs(mean - c)).toBe(0.5);
    expect(worstRelative(oneShiftAtBest(x, c, 1e-5), truth)).toBeGreaterThan(0.1);
    // and the library agrees within the derived tolerance
    expect(compare({ x, config, mode: "layernorm", lambda: "newton" }).worst).toBeLessThanOrEqual(1);
  });

  it("an ordinary row (about 0) is centred by its rounded mean: shifts = 1", () => {
    const x = normalRows(99, 1, 512, 0, 1);
    x[0] = 1.5;
    const r = simulateMacro(x);
    expect(r.trace.shifts).toBe(1);
    const p = Math.fround(Math.fround(r.trace.err * r.trace.err) * 512);
    expect(p).toBeLessThanOrEqual(Math.fround(r.trace.sumSq * 2 ** -42));
    expect(compare({ x, config: DEFAULT_MACRO, mode: "layernorm", lambda: "paper" }).worst).toBeLessThanOrEqual(1);
  });

  it("FP32 rows with |mean| < 7.5σ never take the second shift", () => {
    // |err| ≤ 2^−24·|c| (half an ulp of c) and q ≈ d·σ², so P = d·err² > 2^−42·q needs |c| > 8σ up to the
    // roundings of P, q and c (relative 2^−22 at most): rows about 7.5σ sit well inside
    for (const d of [64, 300, 1024]) {
      for (const mean of [0, 1, -3, 7.5]) {
        for (let seed = 0; seed < 8; seed++) {
          const x = normalRows(seed * 7919 + d, 1, d, mean, 1);
          let mu = 0;
          for (const v of x) mu += v / d;
          let v2 = 0;
          for (const v of x) v2 += (v - mu) ** 2 / d;
          if (Math.abs(mu) >= 7.5 * Math.sqrt(v2)) continue; // the sample itself may stray beyond 7.5σ
          expect(simulateMacro(x).trace.shifts, `d=${d} mean ${mean} seed ${seed}`).toBe(1);
        }
      }
    }
  });

  it("a constant row at 1e7 gives β exactly (δ = 0, err = 0: one shift, y = 0)", () => {
    const d = 100;
    const beta = Float32Array.from({ length: d }, (_, i) => i / 10 - 3);
    for (const config of [DEFAULT_MACRO, DEFAULT_MACRO_BF16]) {
      const r = simulateMacro(new Float32Array(d).fill(1e7), config, {
        beta,
        gamma: new Float32Array(d).fill(2),
      });
      expect(r.trace.shifts).toBe(1);
      expect(r.trace.delta).toBe(0);
      expect(r.trace.err).toBe(0);
      expect(Array.from(r.output)).toEqual(Array.from(inFormat(beta, config)));
    }
  });

  it("BF16, a row about 200 with unit spread: within its own rounding of the float64 truth", () => {
    const config = defineMacro({ format: "bf16", lambda: "newton" });
    const d = 256;
    const x = meanHalfway(inFormat(normalRows(4321, 1, d, 200, 1), config)); // BF16 spacing is 1 in [128, 256)
    const r = simulateMacro(x, config);
    expect(r.trace.shifts).toBe(2);
    const truth = reference.layerNormExact(x, { dim: d });
    // Derivation (u_F = 2^−8; ρ = the BF16 method's largest |a·√m − 1|, over every BF16 m):
    // t_i = x_i − x₀ and S are exact (integers, values within a factor 2 of x₀); δ = R(S·(1/d)) is off by
    // at most (u_F + 2^−23)·|δ|, a constant shift of every y_i. c = R(x₀ + δ) is an integer, x_i − c is
    // exact, err = (x₀ + δ) − c exactly, so y_i = R((x_i − c) − err) = R(t_i − δ) rounds once (u_F).
    // m: q = Σ(x_i − c)² is exact (integers), P = d·err² exact (err = ±1/2), and
    // q − P = Σ(t_i − δ)² + 2·err·r with r = S − d·δ, |r| ≤ d·(u_F + 2^−23)·|δ|: a relative change of m of
    // κ = 2·|err|·|r|/q at most, so a off by κ/2 more; y's rounding 2u_F, + ε rounded to BF16 u_F; the constant
    // shift adds only to second order (Σ(y − μ) = 0) → a off by ρ + 1.5u_F + κ/2; s = R(R(√d)·a): 2u_F;
    // y·s rounded: u_F.
    // |out_i − truth_i| ≤ (ρ + 5.5u_F + κ/2)·|truth_i| + (u_F + 2^−23)·|δ|·s, times 1.05 for second-order terms.
    const uf = 2 ** -8;
    const rho = methodPrecision(config).maxRelError;
    const { err, delta, sumSq } = r.trace; // prescaled: κ is a ratio, free of the scale
    expect(Math.abs(err)).toBe(0.5 * 2 ** r.trace.k);
    const kappa = (2 * Math.abs(err) * d * (uf + 2 ** -23) * Math.abs(delta)) / sumSq;
    expect(kappa).toBeLessThan(0.02); // the bound stays meaningful
    const deltaS = Math.abs(delta) * r.trace.scale; // prescaled δ times prescaled s: unscaled
    let worst = 0;
    for (let i = 0; i < d; i++) {
      const tol = 1.05 * ((rho + 5.5 * uf + kappa / 2) * Math.abs(truth[i]!) + (uf + 2 ** -23) * deltaS);
      worst = Math.max(worst, Math.abs(r.output[i]! - truth[i]!) / tol);
    }
    expect(worst).toBeLessThanOrEqual(1);
    // centred by the rounded mean (spacing 1 here), the outputs would be off by |μ − c|·s
    const c = r.trace.mean / 2 ** r.trace.k;
    let sum = 0;
    for (const v of x) sum += v; // integers: exact
    const mean = sum / d;
    expect(Math.abs(mean - c)).toBe(0.5);
    expect(worstRelative(oneShiftAtBest(x, c, 1e-5), truth)).toBeGreaterThan(4 * (rho + 5.5 * uf));
  });

  it("FP32, rows at the mode boundary (|err| near 2^−21·σ): the tolerance covers either mode", () => {
    // Rows about 1.5 with σ = 0.1: c ∈ [1, 2) has |err| ≤ 2^−24, and the threshold |err| > 2^−21·σ is
    // ≈ 0.84·2^−24, so rows fall on both sides; the library's δ interval (step 1 of the derivation) holds
    // δ values a few ulps of δ apart (2^−27, an eighth of c's), whose err fall on both sides too.
    const seen = new Set<number>();
    for (const d of [64, 333, 1024]) {
      for (let seed = 0; seed < 6; seed++) {
        const x = normalRows(seed * 1000 + d, 1, d, 1.5, 0.1);
        seen.add(simulateMacro(x).trace.shifts);
        const { worst, relTol, modesMayDiffer } = compare({
          x,
          config: DEFAULT_MACRO,
          mode: "layernorm",
          lambda: "paper",
        });
        expect(modesMayDiffer, `d=${d} seed ${seed}`).toBe(true);
        expect(worst, `d=${d} seed ${seed}`).toBeLessThanOrEqual(1);
        expect(relTol, `d=${d} seed ${seed}`).toBeLessThan(1e-4);
      }
    }
    expect([...seen].sort()).toEqual([1, 2]);
  });

  it("FP32, x₀ at the row's mean (δ ≈ 0): too many δ values to list, the fallback bound of step 1", () => {
    for (const d of [100, 1024]) {
      const x = normalRows(d + 11, 1, d, 0.2, 1);
      let sum = 0;
      for (let i = 1; i < d; i++) sum += x[i]!;
      x[0] = sum / (d - 1); // then the mean is x₀ up to rounding, and δ's interval holds both signs
      const { worst, relTol, enumerated } = compare({ x, config: DEFAULT_MACRO, mode: "layernorm", lambda: "paper" });
      expect(enumerated, `d=${d}`).toBe(false);
      expect(worst, `d=${d}`).toBeLessThanOrEqual(1);
      expect(relTol, `d=${d}`).toBeLessThan(1e-4);
    }
  });
});

describe("16 lanes, Newton λ, 0 phase switch: the tolerance holds for another tree shape", () => {
  it("LayerNorm, d = 1000 (63 chunks, two recirculations)", () => {
    const config = defineMacro({ lanes: 16, lambda: "newton", latency: { phaseSwitch: 0 } });
    const x = normalRows(77, 1, 1000, -2, 3);
    expect(compare({ x, config, mode: "layernorm", lambda: "newton" }).worst).toBeLessThanOrEqual(1);
  });
});

describe("edge rules (docs/design.md §4)", () => {
  it("a constant row gives β exactly (μ = x₀, y = 0)", () => {
    const beta = Float32Array.from({ length: 100 }, (_, i) => i / 10 - 3);
    const r = simulateMacro(new Float32Array(100).fill(3.25), DEFAULT_MACRO, {
      beta,
      gamma: new Float32Array(100).fill(2),
      eps: 0,
    });
    expect(Array.from(r.output)).toEqual(Array.from(beta));
  });

  it("an all-zero row gives β in LayerNorm and zeros in L2", () => {
    const beta = new Float32Array(64).fill(0.5);
    expect(Array.from(simulateMacro(new Float32Array(64), DEFAULT_MACRO, { beta }).output)).toEqual(Array.from(beta));
    expect(Array.from(simulateMacro(new Float32Array(64), DEFAULT_MACRO, { mode: "l2" }).output)).toEqual(
      new Array(64).fill(0),
    );
  });

  it.each([NaN, Infinity, -Infinity])("a row holding %s gives NaN everywhere, in the same number of cycles", (bad) => {
    for (const config of [DEFAULT_MACRO, DEFAULT_MACRO_BF16]) {
      const x = normalRows(9, 1, 200, 0, 1);
      x[123] = bad;
      const r = simulateMacro(x, config);
      expect(Array.from(r.output).every(Number.isNaN)).toBe(true);
      expect(r.trace.nanRow).toBe(true);
      expect(r.cycles).toBe(simulateMacro(normalRows(9, 1, 200, 0, 1), config).cycles);
    }
  });

  it("a tiny row with ε > 0 keeps ε·4^k finite (k is capped) and matches layerNorm", () => {
    const x = normalRows(21, 1, 768, 0, 1).map((v) => v * 1e-30);
    const r = simulateMacro(x);
    // ε-term f32(768·1e-5) ≈ 7.68e-3 = 1.97·2^−8 → cap ⌊(126 + 8)/2⌋ = 67 < 99 = −exponent(max|x|)
    expect(r.trace.k).toBe(67);
    expect(Number.isFinite(r.trace.m)).toBe(true);
    expect(compare({ x, config: DEFAULT_MACRO, mode: "layernorm", lambda: "paper" }).worst).toBeLessThanOrEqual(1);
  });
});

describe("inputs and outputs", () => {
  it("x, γ and β are not modified", () => {
    const x = normalRows(1, 1, 300, 1, 2);
    const g = normalRows(2, 1, 300, 1, 0.1);
    const b = normalRows(3, 1, 300, 0, 0.1);
    const copies = [x.slice(), g.slice(), b.slice()];
    simulateMacro(x, DEFAULT_MACRO, { gamma: g, beta: b });
    expect([x, g, b]).toEqual(copies);
  });

  it("BF16 raw bits in give raw bits out, equal to the values path", () => {
    const x = normalRows(5, 1, 333, 0.3, 1.2);
    const gammaV = normalRows(6, 1, 333, 1, 0.2);
    const bits = simulateMacro(toBF16(x), DEFAULT_MACRO_BF16, { gamma: toBF16(gammaV) }).output;
    const values = simulateMacro(x, DEFAULT_MACRO_BF16, { gamma: gammaV }).output;
    expect(bits).toBeInstanceOf(Uint16Array);
    expect(Array.from(bits)).toEqual(Array.from(toBF16(values as Float32Array)));
  });

  it("the output of the BF16 macro holds BF16 values", () => {
    const out = simulateMacro(normalRows(8, 1, 100, 0, 1), DEFAULT_MACRO_BF16).output as Float32Array;
    expect(Array.from(out).every((v) => (bitsOf(v) & 0xffff) === 0)).toBe(true);
  });
});

describe("argument checks", () => {
  it.each<[string, () => unknown, RegExp]>([
    [
      "x not a typed array",
      () => simulateMacro([1, 2] as unknown as Float32Array),
      /x must be a Float32Array \(or a Uint16Array of BF16 bits\); got Array\(2\)/,
    ],
    [
      "x longer than maxDim",
      () => simulateMacro(new Float32Array(1025)),
      /x\.length must be from 1 to config\.maxDim = 1024; got 1025/,
    ],
    ["empty x", () => simulateMacro(new Float32Array(0)), /got 0/],
    [
      "raw bits with an fp32 config",
      () => simulateMacro(new Uint16Array(4)),
      /x is a Uint16Array of raw bits, which needs config\.format "bf16"; got "fp32"/,
    ],
    [
      "γ of the wrong length",
      () => simulateMacro(new Float32Array(8), DEFAULT_MACRO, { gamma: new Float32Array(7) }),
      /options\.gamma\.length must be 8 \(x\.length\); got 7/,
    ],
    [
      "γ in L2 mode",
      () => simulateMacro(new Float32Array(8), DEFAULT_MACRO, { mode: "l2", gamma: new Float32Array(8) }),
      /apply to mode "layernorm" only/,
    ],
    [
      "unknown mode",
      () => simulateMacro(new Float32Array(8), DEFAULT_MACRO, { mode: "rms" as "l2" }),
      /options\.mode must be "layernorm" or "l2"; got "rms"/,
    ],
    [
      "negative ε",
      () => simulateMacro(new Float32Array(8), DEFAULT_MACRO, { eps: -1 }),
      /options\.eps must be a number ≥ 0 that is finite in f32; got -1/,
    ],
    [
      "unknown option",
      () => simulateMacro(new Float32Array(8), DEFAULT_MACRO, { dim: 8 } as never),
      /options has an unknown field "dim"/,
    ],
    [
      "bad config",
      () => simulateMacro(new Float32Array(8), { ...DEFAULT_MACRO, lanes: 3 }),
      /config\.lanes must be a power of two/,
    ],
  ])("%s", (_n, call, message) => {
    expect(call).toThrow(message);
  });
});

describe("the event log (options.events): the cycle each controller state begins", () => {
  const counted = { load: "load", switch: "control", sumX: "sumX", sumSq: "sumSq", inverseNorm: "inverseNorm" };

  /** The cycles each phase gets from the log: an entry lasts until the next; done is one output cycle. */
  function phasesFromEvents(events: readonly MacroEvent[]): Record<string, number> {
    const phases: Record<string, number> = { load: 0, sumX: 0, sumSq: 0, inverseNorm: 0, output: 0, control: 0 };
    events.forEach((e, i) => {
      const next = i + 1 < events.length ? events[i + 1]!.cycle : e.cycle + 1;
      phases[e.state in counted ? counted[e.state as keyof typeof counted] : "output"]! += next - e.cycle;
    });
    return phases;
  }

  it.each<[string, MacroConfig]>([
    ["DEFAULT_MACRO", DEFAULT_MACRO],
    ["DEFAULT_MACRO_BF16", DEFAULT_MACRO_BF16],
    ["no turn-around, 8 lanes", defineMacro({ lanes: 8, latency: { phaseSwitch: 0 } })],
    ["3-cycle turn-around, sqrt + divide", defineMacro({ method: "sqrt", latency: { phaseSwitch: 3 } })],
  ])("%s: starts with load at 0, ends with done at cycles − 1, and gives the phases", (_n, config) => {
    const r = rng(77);
    for (const d of [1, 2, 63, 64, 65, 200, 1024]) {
      const x = new Float32Array(d).map(() => r() * 4 - 2);
      const plain = simulateMacro(x, config);
      const logged = simulateMacro(x, config, { events: true });
      expect(plain.events).toBeUndefined();
      expect(Array.from(logged.output)).toEqual(Array.from(plain.output));
      const events = logged.events!;
      expect(events[0]).toEqual({ state: "load", cycle: 0 });
      expect(events.at(-1)).toEqual({ state: "done", cycle: logged.cycles - 1 });
      const states = events.map((e) => e.state).filter((s) => s !== "switch");
      expect(states).toEqual(["load", "sumX", "sumSq", "inverseNorm", "output", "done"]);
      const switches = events.filter((e) => e.state === "switch").length;
      expect(switches).toBe(config.latency.phaseSwitch === 0 ? 0 : 4);
      expect(phasesFromEvents(events), `d=${d}`).toEqual(logged.phases);
    }
  });

  it("puts the phase changes of DEFAULT_MACRO at d = 64 where the 116-cycle schedule has them", () => {
    const events = simulateMacro(new Float32Array(64).fill(1), DEFAULT_MACRO, { events: true }).events!;
    // load 2 (C − 1 + 2·exp), sum x 21, sum y² 21, 1/√m 54, output 14, a turn-around of 1 before each
    expect(events.map((e) => [e.state, e.cycle])).toEqual([
      ["load", 0],
      ["switch", 2],
      ["sumX", 3],
      ["switch", 24],
      ["sumSq", 25],
      ["switch", 46],
      ["inverseNorm", 47],
      ["switch", 101],
      ["output", 102],
      ["done", 115],
    ]);
  });

  it("rejects a non-boolean events option", () => {
    expect(() => simulateMacro(new Float32Array(4), DEFAULT_MACRO, { events: 1 as never })).toThrow(
      /options\.events must be true or false; got 1/,
    );
  });
});
