/**
 * The speed targets (docs/performance.md), measured in one process: the operands of every ratio are
 * timed in the same rounds (each round times all of them once, one after another),
 * and each operand's time is its fastest round (measure.ts measureRounds).
 *
 *   zero-copy LayerNorm, d = 1024, rows = 64:  ≥ 0.5× memcpy, ≥ 4× onnxruntime, ≥ 20× naive JS
 *   copying layerNorm(x, opts), same shape:    ≥ 2× onnxruntime
 *   one row, d = 768:                          ≤ 1 µs per call (zero-copy and copying;
 *                                              also a prepared createLayerNorm normaliser, zero-copy)
 *   precise preset:                            within 3% of the paper preset
 *   BF16 / FP16 emulation:                     cost relative to FP32 (reported, no threshold)
 *
 * onnxruntime-node is also timed alone in 4× as many short rounds, and its fastest
 * round overall is used (see the comment at that step).
 */
import * as api from "iterl2norm";
import { LAYERNORM_EPS, buildShape, checkShape, type Case, type Shape } from "./cases.js";
import { measureRounds, type MeasureOptions } from "./measure.js";
import { constants, kernel } from "iterl2norm/kernel";
import type { InfoLine, TargetLine } from "./results.js";

/** Shape of the throughput targets. */
export const TARGET_DIM = 1024;
export const TARGET_ROWS = 64;
/** Shape of the latency target. */
export const LATENCY_DIM = 768;
/** Latency limit of one call at d = 768, ns (the target: ≤ 1 µs). */
export const LATENCY_LIMIT_NS = 1000;

/** Budget of the target measurement. */
export interface TargetPlan extends MeasureOptions {
  /** Rounds; each operand's time is its fastest round. */
  readonly rounds: number;
}

type Formats = "bf16" | "fp16";

/** A Float32Array → raw 16-bit converter exported by the package, if this build has the reduced-precision formats. */
function converter(format: Formats): ((x: Float32Array) => Uint16Array) | undefined {
  const f = (api as Record<string, unknown>)[format === "bf16" ? "toBF16" : "toFP16"];
  if (typeof f !== "function") return undefined;
  const convert = f as (x: Float32Array) => Uint16Array;
  try {
    const probe = convert(Float32Array.of(1, 2, 3, 4));
    const out = api.layerNorm(probe as unknown as Float32Array, { dim: 4, format } as unknown as api.NormalizeOptions);
    return out instanceof Uint16Array ? convert : undefined;
  } catch {
    return undefined;
  }
}

/** Cases of the emulated formats at the target shape (copying API on raw bits), if available. */
function formatCases(shape: Shape, notes: string[]): Case[] {
  const cases: Case[] = [];
  for (const format of ["bf16", "fp16"] as const) {
    const convert = converter(format);
    if (convert === undefined) {
      notes.push(
        `${format.toUpperCase()} layerNorm is not available in this build: its cost relative to FP32 is not reported`,
      );
      continue;
    }
    const x = convert(shape.x);
    const opts = {
      dim: shape.dim,
      format,
      gamma: convert(shape.gamma),
      beta: convert(shape.beta),
      out: new Uint16Array(x.length),
    } as unknown as api.NormalizeOptions;
    cases.push({
      impl: `wasm paper ${format}`,
      api: "copy",
      async: false,
      run: () => api.layerNorm(x as unknown as Float32Array, opts),
      output: () => undefined,
      tolerance: Infinity,
    });
  }
  return cases;
}

function find(cases: readonly Case[], impl: string, apiKind: string): Case | undefined {
  return cases.find((c) => c.impl === impl && c.api === apiKind);
}

/**
 * The kernel's layer_norm export called directly on the workspace of a one-row
 * shape (paper preset, same arguments the API passes): the time without the JS
 * boundary (validation, pointer lookup, views).
 */
function rawKernelCase(shape: Shape): Case {
  const wasm = shape.cases.find((c) => c.impl === "wasm paper" && c.api === "zero-copy")!;
  wasm.run(); // the API call once, so the workspace views below are current
  // Byte offsets, not views: growing the memory detaches views but never moves data.
  const out = wasm.output()!.byteOffset;
  const x = shape.workspace.input.byteOffset;
  const g = shape.workspace.gamma.byteOffset;
  const b = shape.workspace.beta.byteOffset;
  return {
    impl: "kernel layer_norm export",
    api: "zero-copy",
    async: false,
    tolerance: Infinity,
    output: () => undefined,
    run: () => {
      const status = kernel.layer_norm(
        x,
        out,
        g,
        b,
        shape.rows,
        shape.dim,
        LAYERNORM_EPS,
        constants.METHOD_ITER,
        constants.LAMBDA_PAPER,
        0,
        api.DEFAULT_ITERATIONS,
        constants.QUAKE_MAGIC,
        constants.FISR_QUAKE,
      );
      if (status !== constants.STATUS_OK) throw new Error(`layer_norm returned status ${status}`);
    },
  };
}

/**
 * The prepared API on the workspace of a one-row shape: createLayerNorm with the
 * options of the zero-copy case (paper preset, the shape's γ and β, validated once),
 * then ln(input, output) per call, checking only x and out.
 */
function preparedCase(shape: Shape): Case {
  const opts = { dim: shape.dim, gamma: shape.gamma, beta: shape.beta, eps: LAYERNORM_EPS };
  const ln = api.createLayerNorm(opts);
  // Same bits as layerNorm with the same options (checked here, since this case is not in shape.cases).
  const want = new Uint32Array(api.layerNorm(shape.x, opts).buffer);
  const got = new Uint32Array(ln(shape.x).buffer);
  if (!want.every((w, i) => w === got[i])) throw new Error("createLayerNorm differs from layerNorm; this is a bug");
  const ws = shape.workspace;
  return {
    impl: "wasm paper prepared",
    api: "zero-copy",
    async: false,
    tolerance: Infinity,
    output: () => undefined,
    run: () => ln(ws.input, ws.output),
  };
}

/** Measures the targets; returns the target lines and the informational lines. */
export async function runTargets(
  plan: TargetPlan,
  progress: (line: string) => void,
  notes: string[],
): Promise<{ targets: TargetLine[]; info: InfoLine[] }> {
  progress(`targets d=${TARGET_DIM} rows=${TARGET_ROWS} and d=${LATENCY_DIM} rows=1, ${plan.rounds} rounds`);
  const big = await buildShape("layernorm", TARGET_DIM, TARGET_ROWS, { methods: true, ort: true });
  const one = await buildShape("layernorm", LATENCY_DIM, 1, { methods: false, ort: false });
  try {
    for (const reason of big.skipped) if (!notes.includes(reason)) notes.push(reason);
    await checkShape(big);
    await checkShape(one);
    const pick = (shape: Shape, impl: string, apiKind: string): Case | undefined => find(shape.cases, impl, apiKind);
    const operands: Record<string, Case | undefined> = {
      zc: pick(big, "wasm paper", "zero-copy"),
      copy: pick(big, "wasm paper", "copy"),
      precise: pick(big, "wasm precise", "zero-copy"),
      memcpy: pick(big, "memcpy", "native"),
      naive: pick(big, "js naive", "native"),
      tuned: pick(big, "js tuned", "native"),
      ort: pick(big, "onnxruntime", "native"),
      oneZc: pick(one, "wasm paper", "zero-copy"),
      oneCopy: pick(one, "wasm paper", "copy"),
    };
    for (const c of formatCases(big, notes)) operands[c.impl.endsWith("bf16") ? "bf16" : "fp16"] = c;
    operands.oneRaw = rawKernelCase(one);
    operands.onePrepared = preparedCase(one);
    const names = Object.keys(operands).filter((k) => operands[k] !== undefined);
    const times = await measureRounds(
      names.map((k) => ({ name: k, fn: operands[k]!.run, async: operands[k]!.async })),
      plan,
      plan.rounds,
    );
    if (operands.ort !== undefined) {
      // onnxruntime-node's time per call is bimodal on a shared machine (each run is handed to a
      // worker thread and the promise resolved back): long stretches of calls take about three
      // times its best. Its own fastest of many short rounds is its capability; use that if lower.
      const extra = await measureRounds(
        [{ name: "ort", fn: operands.ort.run, async: true }],
        { ...plan, timeMs: Math.max(5, plan.timeMs >> 2) },
        4 * plan.rounds,
      );
      const best = extra.get("ort")!;
      const first = times.get("ort")!;
      if (best.nsPerCall < first.nsPerCall) times.set("ort", { ...first, nsPerCall: best.nsPerCall });
    }
    const t = (k: string): number => times.get(k)?.nsPerCall ?? NaN;
    const tm = (k: string): number => times.get(k)?.medianNsPerCall ?? NaN;
    const shapeText = `d=${TARGET_DIM} rows=${TARGET_ROWS}`;
    const ns = (k: string): string => (Number.isNaN(t(k)) ? "not measured" : `${(t(k) / 1000).toFixed(2)} µs`);
    const nsMedian = (k: string): string => (Number.isNaN(tm(k)) ? "not measured" : `${(tm(k) / 1000).toFixed(2)} µs`);
    const ratio = (name: string, num: string, den: string, threshold: number, detail: string): TargetLine => {
      const value = t(den) / t(num); // throughput ratio = inverse time ratio
      return {
        name,
        value,
        relation: ">=",
        threshold,
        unit: "×",
        met: value >= threshold,
        detail:
          `${detail}: ${ns(num)} vs ${ns(den)} per call (median rounds: ${nsMedian(num)} vs ${nsMedian(den)}, ` +
          `${(tm(den) / tm(num)).toFixed(2)}×)`,
      };
    };
    const latency = (name: string, k: string): TargetLine => ({
      name,
      value: t(k),
      relation: "<=",
      threshold: LATENCY_LIMIT_NS,
      unit: "ns",
      met: t(k) <= LATENCY_LIMIT_NS,
      detail: `fastest of ${plan.rounds} rounds (median round ${tm(k).toFixed(0)} ns)`,
    });
    const targets: TargetLine[] = [
      ratio(
        `zero-copy LayerNorm vs memcpy, ${shapeText}`,
        "zc",
        "memcpy",
        0.5,
        "layerNorm on a workspace vs Float32Array.set of the same bytes",
      ),
      ratio(
        `zero-copy LayerNorm vs onnxruntime (1 thread), ${shapeText}`,
        "zc",
        "ort",
        4,
        "layerNorm on a workspace vs LayerNormalization-17",
      ),
      ratio(
        `zero-copy LayerNorm vs naive JS, ${shapeText}`,
        "zc",
        "naive",
        20,
        "layerNorm on a workspace vs reference.layerNormNaive",
      ),
      ratio(
        `copying layerNorm(x, opts) vs onnxruntime (1 thread), ${shapeText}`,
        "copy",
        "ort",
        2,
        "ordinary Float32Arrays in and out vs LayerNormalization-17",
      ),
      latency(`one row d=${LATENCY_DIM}, zero-copy, per call`, "oneZc"),
      latency(`one row d=${LATENCY_DIM}, copying, per call`, "oneCopy"),
      latency(`one row d=${LATENCY_DIM}, prepared createLayerNorm, zero-copy, per call`, "onePrepared"),
      {
        name: `precise preset within 3% of paper, ${shapeText}`,
        value: t("precise") / t("zc"),
        relation: "<=",
        threshold: 1.03,
        unit: "×",
        met: t("precise") / t("zc") <= 1.03,
        detail: `time precise / time paper (zero-copy): ${ns("precise")} vs ${ns("zc")}`,
      },
    ];
    const info: InfoLine[] = [
      {
        name: `JS boundary of one row d=${LATENCY_DIM} (zero-copy)`,
        value: `${(t("oneZc") - t("oneRaw")).toFixed(0)} ns of ${t("oneZc").toFixed(0)} ns per call`,
        detail:
          `layerNorm on a workspace vs the kernel's layer_norm export called directly with the same pointers ` +
          `(${t("oneRaw").toFixed(0)} ns)`,
      },
      {
        name: `copying cost at ${shapeText}`,
        value: `${(100 * (1 - t("zc") / t("copy"))).toFixed(0)}% of the copying call`,
        detail: `copying ${ns("copy")} vs zero-copy ${ns("zc")}`,
      },
      {
        name: `tuned JS vs naive JS, ${shapeText}`,
        value: `${(t("naive") / t("tuned")).toFixed(2)}×`,
        detail: `${ns("tuned")} vs ${ns("naive")}`,
      },
      {
        name: `zero-copy LayerNorm vs tuned JS, ${shapeText}`,
        value: `${(t("tuned") / t("zc")).toFixed(2)}×`,
        detail: `${ns("zc")} vs ${ns("tuned")}`,
      },
    ];
    for (const f of ["bf16", "fp16"]) {
      if (!times.has(f)) continue;
      info.push({
        name: `${f.toUpperCase()} emulated LayerNorm cost vs FP32, ${shapeText}`,
        value: `${(t(f) / t("copy")).toFixed(2)}× the FP32 time`,
        detail: `copying API on raw 16-bit patterns ${ns(f)} vs FP32 copying ${ns("copy")}`,
      });
    }
    return { targets, info };
  } finally {
    await big.dispose();
    await one.dispose();
  }
}
