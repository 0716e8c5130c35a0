/**
 * The macro's RTL against simulateMacro (tests/rtl-macro.test.ts): the vectors (sampled lengths,
 * ordinary rows and the edge rows of docs/design.md §4), the stimulus words the harnesses read
 * (tests/rtl/macro-harness.cpp, tests/rtl/macro-tb.v), and the comparison of output bits, total
 * cycles and the cycle of every state change. Test-only code.
 */
import { Rng } from "../../bench/random.js";
import { f32Bits } from "../../js/bits.js";
import { DEFAULT_L2_EPS, DEFAULT_LAYERNORM_EPS } from "../../js/constants.js";
import { bf16BitsFromF32Bits } from "../../js/formats.js";
import { rounder, toF32 } from "../../hw/arith.js";
import type { MacroConfig } from "../../hw/config.js";
import { type MacroState, type MacroTrace, simulateMacro } from "../../hw/simulate.js";

/** One vector of a run: x and the call's options, as simulateMacro takes them. */
export interface MacroVector {
  readonly name: string;
  readonly x: Float32Array;
  readonly mode: "layernorm" | "l2";
  readonly gamma?: Float32Array;
  readonly beta?: Float32Array;
  readonly eps?: number;
}

/** The controller's state codes (hw/rtl/macro.v S_*). */
const STATES: readonly (MacroState | "idle")[] = [
  "idle",
  "load",
  "switch",
  "sumX",
  "sumSq",
  "inverseNorm",
  "output",
  "done",
];

/** A word of the format: the FP32 pattern, or the BF16 pattern (of the value rounded to BF16). */
function word(v: number, config: MacroConfig): number {
  const b = f32Bits(Math.fround(v)) >>> 0;
  return config.format === "bf16" ? bf16BitsFromF32Bits(b) : b;
}

/**
 * The stimulus: lanes, word bits, vector count, then per vector d, the mode, fl32(1/d), √d in F,
 * the ε-term (the host's constants, computed as simulate.ts computes them) and x, γ, β as words.
 * γ defaults to 1 and β to −0 (the model's defaults: both leave every value unchanged).
 */
export function macroStimulus(config: MacroConfig, vectors: readonly MacroVector[]): Uint32Array {
  const R = rounder(config.format);
  const words: number[] = [config.lanes, config.format === "bf16" ? 16 : 32, vectors.length];
  for (const v of vectors) {
    const d = v.x.length;
    const layer = v.mode === "layernorm";
    const eps = Math.fround(v.eps ?? (layer ? DEFAULT_LAYERNORM_EPS : DEFAULT_L2_EPS));
    const df = toF32(d);
    const epsTerm = layer ? toF32(df * eps) : eps;
    words.push(d, layer ? 1 : 0, f32Bits(toF32(1 / df)) >>> 0, f32Bits(R(toF32(Math.sqrt(df)))) >>> 0);
    words.push(f32Bits(epsTerm) >>> 0);
    for (const e of v.x) words.push(word(e, config));
    for (let i = 0; i < d; i++) words.push(word(v.gamma ? v.gamma[i]! : 1, config));
    for (let i = 0; i < d; i++) words.push(word(v.beta ? v.beta[i]! : -0, config));
  }
  return Uint32Array.from(words);
}

/** One vector's result from the RTL. */
export interface RtlRun {
  readonly cycles: number;
  readonly events: readonly { state: string; cycle: number }[];
  readonly output: Uint32Array;
}

/** Splits the harness's result words into per-vector runs. */
export function parseRuns(results: Uint32Array, vectors: readonly MacroVector[]): RtlRun[] {
  const runs: RtlRun[] = [];
  let at = 0;
  for (const v of vectors) {
    const cycles = results[at++]!;
    const n = results[at++]!;
    const events: { state: string; cycle: number }[] = [];
    for (let i = 0; i < n; i++) events.push({ state: STATES[results[at++]!] ?? "?", cycle: results[at++]! });
    runs.push({ cycles, events, output: results.slice(at, at + v.x.length) });
    at += v.x.length;
  }
  return runs;
}

const isNaNWord = (w: number, bf16: boolean): boolean => (bf16 ? (w & 0x7fff) > 0x7f80 : (w & 0x7fffffff) > 0x7f800000);

/**
 * The model's run of a vector against the RTL's: output words (NaN as a class), total cycles and
 * the state changes. Returns a description of each difference (empty when they agree) and the
 * model's trace (which rules the vector exercised).
 */
export function compareRun(config: MacroConfig, v: MacroVector, run: RtlRun): { diffs: string[]; trace: MacroTrace } {
  const bf16 = config.format === "bf16";
  const toFormat = (a: Float32Array | undefined): Float32Array | Uint16Array | undefined =>
    a === undefined ? undefined : bf16 ? Uint16Array.from(a, (e) => word(e, config)) : a;
  const model = simulateMacro(toFormat(v.x)!, config, {
    mode: v.mode,
    ...(v.gamma ? { gamma: toFormat(v.gamma) } : {}),
    ...(v.beta ? { beta: toFormat(v.beta) } : {}),
    ...(v.eps === undefined ? {} : { eps: v.eps }),
    events: true,
  });
  const diffs: string[] = [];
  const tag = `${v.name} (d=${v.x.length}, ${v.mode})`;
  if (run.cycles !== model.cycles) diffs.push(`${tag}: cycles ${run.cycles}, model ${model.cycles}`);
  const want = JSON.stringify(model.events);
  const got = JSON.stringify(run.events);
  if (got !== want) diffs.push(`${tag}: events ${got}, model ${want}`);
  let bad = 0;
  for (let i = 0; i < v.x.length; i++) {
    const w = bf16 ? (model.output as Uint16Array)[i]! : f32Bits((model.output as Float32Array)[i]!) >>> 0;
    const g = run.output[i]!;
    const same = isNaNWord(w, bf16) ? isNaNWord(g, bf16) : g === w;
    if (same) continue;
    if (bad++ < 3) diffs.push(`${tag}: output[${i}] ${g.toString(16)}, model ${w.toString(16)}`);
  }
  if (bad > 3) diffs.push(`${tag}: ${bad} output words differ`);
  return { diffs, trace: model.trace };
}

/**
 * The vectors of a run for a configuration: every d of `dims`, LayerNorm and L2, ordinary rows
 * (with random γ, β on LayerNorm), and the edge rows at d = `edgeD`: constant, all zero, rows
 * about 1e7 (two shifts), NaN and ±∞, huge and subnormal rows (the prescale), a row whose ε-term
 * overflows, a tiny row that meets the k cap, and −0 inputs.
 */
export function macroVectors(config: MacroConfig, dims: readonly number[], seed: number, edgeD: number): MacroVector[] {
  const r = new Rng(seed);
  const vectors: MacroVector[] = [];
  const normal = (d: number, mean: number, spread: number): Float32Array =>
    Float32Array.from({ length: d }, () => Math.fround(mean + spread * r.normal()));
  for (const d of dims) {
    if (d > config.maxDim) continue;
    const scale = 2 ** ((r.u32() % 16) - 8);
    vectors.push({
      name: "ordinary",
      x: normal(d, r.normal() * scale, scale),
      mode: "layernorm",
      gamma: normal(d, 1, 0.5),
      beta: normal(d, 0, 0.5),
    });
    vectors.push({ name: "ordinary", x: normal(d, 0, scale), mode: "l2" });
  }
  const d = Math.min(edgeD, config.maxDim);
  const fill = (v: number): Float32Array => new Float32Array(d).fill(v);
  const withAt = (x: Float32Array, i: number, v: number): Float32Array => {
    const y = x.slice();
    y[i % d] = v;
    return y;
  };
  for (const mode of ["layernorm", "l2"] as const) {
    vectors.push({ name: "constant", x: fill(3.25), mode });
    vectors.push({ name: "all zero", x: fill(0), mode });
    vectors.push({ name: "all −0", x: fill(-0), mode });
    vectors.push({ name: "NaN", x: withAt(normal(d, 0, 1), 5, Number.NaN), mode });
    vectors.push({ name: "+∞", x: withAt(normal(d, 0, 1), d - 1, Number.POSITIVE_INFINITY), mode });
    vectors.push({ name: "huge (prescale down)", x: normal(d, 1e37, 8e37), mode });
    vectors.push({ name: "largest finite", x: withAt(normal(d, 0, 1e30), 0, 3.4028234663852886e38), mode });
    vectors.push({ name: "subnormal (prescale up)", x: normal(d, 0, 1e-40), mode });
    vectors.push({ name: "tiny, k capped by ε", x: normal(d, 0, 1e-30), mode });
    vectors.push({ name: "ε-term overflows", x: normal(d, 0, 1), mode, eps: 3e38 });
    vectors.push({ name: "ε = 0", x: normal(d, 1, 1), mode, eps: 0 });
  }
  // about 1e7 with unit spread: the mean's rounding is large against the spread (two shifts in FP32)
  vectors.push({ name: "about 1e7", x: normal(d, 1e7, 1), mode: "layernorm" });
  vectors.push({ name: "about 1e7, offset", x: normal(d, 1e7 + 0.5, 2), mode: "layernorm" });
  vectors.push({ name: "about 300 (BF16 two shifts)", x: normal(d, 300, 1), mode: "layernorm" });
  vectors.push({ name: "about 1e7, l2", x: normal(d, 1e7, 1), mode: "l2" });
  return vectors;
}
