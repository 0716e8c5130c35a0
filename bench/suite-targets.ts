/**
 * The speed targets (docs/performance.md), measured in one process: the operands of every ratio are
 * timed in the same rounds (each round times all of them once, one after another),
 * and each operand's time is its fastest round (measure.ts measureRounds).
 *
 * Some targets hold for one Node release and kernel build only (goalsOf): e.g. zero-copy LayerNorm
 * ≥ 0.35× memcpy on Node 24 with the relaxed build, ≥ 0.28× on Node 20 with the exact SIMD build. A
 * line with no goal for this process's Node and build is reported as a figure without a verdict.
 * `iterl2norm bench --nodes` runs this suite under other Node binaries and builds as well.
 *
 *   d = 1024, rows = 64, one thread:  zero-copy vs memcpy, vs onnxruntime (1 thread), vs naive JS;
 *                                     copying vs zero-copy and vs onnxruntime (1 thread); precise vs paper
 *   d = 768, one row:                 zero-copy, copying and prepared calls, ns per call
 *   d = 1024, rows = 4096:            the pool on every core vs one thread, and vs onnxruntime with its
 *                                     default threads (every core)
 *
 * onnxruntime-node is also timed alone in 4× as many short rounds: its time per call is bimodal on a
 * shared machine, and both modes are reported (fastest and slowest short round).
 */
import { availableParallelism } from "node:os";
import * as api from "iterl2norm";
import { LAYERNORM_EPS, buildShape, checkShape, type Case, type Shape } from "./cases.js";
import { measureClockGHz } from "./clock.js";
import { measureRounds, type MeasureOptions, type RoundTiming } from "./measure.js";
import { build as kernelBuild, constants, kernel } from "iterl2norm/kernel";
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

/** A threshold of one target line, for one Node major and kernel build, or for any (undefined). */
interface Goal {
  readonly node?: number;
  readonly build?: string;
  readonly threshold: number;
}

/** Where a run happens: Node's major version and the kernel build the library loaded. */
export interface RunContext {
  readonly node: number;
  readonly build: string;
}

/** This process's Node major and kernel build. */
export function runContext(): RunContext {
  return { node: Number(process.versions.node.split(".")[0]), build: kernelBuild };
}

/** The first goal that applies to the run, if any. */
function goalOf(goals: readonly Goal[], ctx: RunContext): Goal | undefined {
  return goals.find(
    (g) => (g.node === undefined || g.node === ctx.node) && (g.build === undefined || g.build === ctx.build),
  );
}

/** The goal's condition in words: "Node 24, relaxed build" or "" for any run. */
function goalScope(g: Goal): string {
  return [g.node === undefined ? "" : `Node ${g.node}`, g.build === undefined ? "" : `${g.build} build`]
    .filter((t) => t !== "")
    .join(", ");
}

/** Shape of the threaded target: a large batch. */
export const BATCH_ROWS = 4096;

/** Measures the targets; returns the target lines and the informational lines. */
export async function runTargets(
  plan: TargetPlan,
  progress: (line: string) => void,
  notes: string[],
): Promise<{ targets: TargetLine[]; info: InfoLine[] }> {
  const ctx = runContext();
  progress(
    `targets d=${TARGET_DIM} rows=${TARGET_ROWS}, d=${LATENCY_DIM} rows=1 and d=${TARGET_DIM} rows=${BATCH_ROWS}, ` +
      `${plan.rounds} rounds (Node ${process.versions.node}, ${ctx.build} build)`,
  );
  const big = await buildShape("layernorm", TARGET_DIM, TARGET_ROWS, { methods: true, ort: true });
  const one = await buildShape("layernorm", LATENCY_DIM, 1, { methods: false, ort: false });
  const info: InfoLine[] = [];
  const targets: TargetLine[] = [];
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
    const times = await timeOperands(operands, plan);
    const ortModes = await ortTimingModes({ ort: operands.ort }, `d=${TARGET_DIM} rows=${TARGET_ROWS}`, plan, times);

    const t = (k: string): number => times.get(k)?.nsPerCall ?? NaN;
    const tm = (k: string): number => times.get(k)?.medianNsPerCall ?? NaN;
    const shapeText = `d=${TARGET_DIM} rows=${TARGET_ROWS}`;
    const ns = (k: string): string => (Number.isNaN(t(k)) ? "not measured" : `${(t(k) / 1000).toFixed(2)} µs`);
    const nsMedian = (k: string): string => (Number.isNaN(tm(k)) ? "not measured" : `${(tm(k) / 1000).toFixed(2)} µs`);
    /** A target line, or an info line when no goal applies to this run. */
    const line = (
      name: string,
      value: number,
      relation: ">=" | "<=",
      unit: "×" | "ns",
      goals: readonly Goal[],
      detail: string,
    ): void => {
      const goal = goalOf(goals, ctx);
      if (goal === undefined) {
        const scopes = goals.map((g) => `${relation === ">=" ? "≥" : "≤"} ${g.threshold}${unit} on ${goalScope(g)}`);
        const shown = unit === "ns" ? `${value.toFixed(0)} ns` : `${value.toFixed(2)}×`;
        info.push({ name, value: shown, detail: `${detail}; no target for this run (targets: ${scopes.join("; ")})` });
        return;
      }
      const scope = goalScope(goal);
      targets.push({
        name: scope === "" ? name : `${name} [${scope}]`,
        value,
        relation,
        threshold: goal.threshold,
        unit,
        met: relation === ">=" ? value >= goal.threshold : value <= goal.threshold,
        detail,
      });
    };
    const ratio = (name: string, num: string, den: string, goals: readonly Goal[], detail: string): void => {
      line(
        name,
        t(den) / t(num), // throughput ratio = inverse time ratio
        ">=",
        "×",
        goals,
        `${detail}: ${ns(num)} vs ${ns(den)} per call (median rounds: ${nsMedian(num)} vs ${nsMedian(den)}, ` +
          `${(tm(den) / tm(num)).toFixed(2)}×)`,
      );
    };
    const latency = (name: string, k: string, goals: readonly Goal[]): void =>
      line(name, t(k), "<=", "ns", goals, `fastest of ${plan.rounds} rounds (median round ${tm(k).toFixed(0)} ns)`);

    ratio(
      `zero-copy LayerNorm vs memcpy, ${shapeText}`,
      "zc",
      "memcpy",
      [
        { node: 24, build: "relaxed", threshold: 0.35 },
        { node: 20, build: "simd", threshold: 0.28 },
      ],
      "layerNorm on a workspace vs Float32Array.set of the same bytes",
    );
    ratio(
      `zero-copy LayerNorm vs onnxruntime (1 thread), ${shapeText}`,
      "zc",
      "ort",
      [{ threshold: 4 }],
      "layerNorm on a workspace vs LayerNormalization-17",
    );
    ratio(
      `zero-copy LayerNorm vs naive JS, ${shapeText}`,
      "zc",
      "naive",
      [{ node: 24, threshold: 12 }, { threshold: 20 }],
      "layerNorm on a workspace vs reference.layerNormNaive",
    );
    ratio(
      `copying layerNorm(x, opts) vs zero-copy, ${shapeText}`,
      "copy",
      "zc",
      [{ threshold: 0.6 }],
      "ordinary Float32Arrays in and out vs a workspace",
    );
    ratio(
      `copying layerNorm(x, opts) vs onnxruntime (1 thread), ${shapeText}`,
      "copy",
      "ort",
      [{ threshold: 2 }],
      "ordinary Float32Arrays in and out vs LayerNormalization-17",
    );
    latency(`one row d=${LATENCY_DIM}, zero-copy, per call`, "oneZc", [{ threshold: LATENCY_LIMIT_NS }]);
    latency(`one row d=${LATENCY_DIM}, copying, per call`, "oneCopy", [{ threshold: LATENCY_LIMIT_NS }]);
    latency(`one row d=${LATENCY_DIM}, prepared createLayerNorm, zero-copy, per call`, "onePrepared", [
      { node: 24, threshold: 500 },
      { threshold: LATENCY_LIMIT_NS },
    ]);
    line(
      `precise preset within 3% of paper, ${shapeText}`,
      t("precise") / t("zc"),
      "<=",
      "×",
      [{ threshold: 1.03 }],
      `time precise / time paper (zero-copy): ${ns("precise")} vs ${ns("zc")}`,
    );

    info.push(...ortModes);
    // Cycles per 4 floats (one f32x4) of the whole call, at the clock measured here (bench/clock.ts): the
    // unit of the ceiling analysis in docs/performance.md.
    const ghz = measureClockGHz();
    const vectors = (TARGET_DIM * TARGET_ROWS) / 4;
    const cycles = (k: string): string => ((t(k) * ghz) / vectors).toFixed(2);
    info.push({
      name: `cycles per 4 floats, ${shapeText}`,
      value:
        `zero-copy LayerNorm ${cycles("zc")} (three passes), precise ${cycles("precise")}, ` +
        `copying ${cycles("copy")}, memcpy ${cycles("memcpy")}`,
      detail:
        `fastest rounds at the measured clock of ${ghz.toFixed(2)} GHz ` +
        "(a chain of dependent one-cycle operations)",
    });
    info.push(
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
        detail:
          `copying ${ns("copy")} vs zero-copy ${ns("zc")}, ` +
          `two memcpys of the data ${((2 * t("memcpy")) / 1000).toFixed(2)} µs`,
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
    );
    for (const f of ["bf16", "fp16"]) {
      if (!times.has(f)) continue;
      info.push({
        name: `${f.toUpperCase()} emulated LayerNorm cost vs FP32, ${shapeText}`,
        value: `${(t(f) / t("copy")).toFixed(2)}× the FP32 time`,
        detail: `copying API on raw 16-bit patterns ${ns(f)} vs FP32 copying ${ns("copy")}`,
      });
    }
  } finally {
    await big.dispose();
    await one.dispose();
  }
  await batchTargets(
    plan,
    progress,
    notes,
    (l) => targets.push(l),
    (l) => info.push(l),
    ctx,
  );
  return { targets, info };
}

/** Times the operands in the same rounds; undefined operands are left out. */
function timeOperands(operands: Record<string, Case | undefined>, plan: TargetPlan): Promise<Map<string, RoundTiming>> {
  const names = Object.keys(operands).filter((k) => operands[k] !== undefined);
  return measureRounds(
    names.map((k) => ({ name: k, fn: operands[k]!.run, async: operands[k]!.async })),
    plan,
    plan.rounds,
  );
}

/**
 * onnxruntime-node's time per call is bimodal on a shared machine (each run is handed to a worker
 * thread and the promise resolved back): long stretches of calls take about three times its best.
 * Each peer is timed alone in 4× as many short rounds; its fastest round overall becomes its time in
 * `times` (its capability), and both modes are returned as info lines (fastest and slowest short round).
 */
async function ortTimingModes(
  peers: Record<string, Case | undefined>,
  shapeText: string,
  plan: TargetPlan,
  times: Map<string, RoundTiming>,
): Promise<InfoLine[]> {
  const lines: InfoLine[] = [];
  for (const [key, peer] of Object.entries(peers)) {
    if (peer === undefined) continue;
    const rounds = 4 * plan.rounds;
    const extra = await measureRounds(
      [{ name: key, fn: peer.run, async: true }],
      { ...plan, timeMs: Math.max(5, plan.timeMs >> 2) },
      rounds,
    );
    const best = extra.get(key)!;
    const first = times.get(key)!;
    if (best.nsPerCall < first.nsPerCall) times.set(key, { ...first, nsPerCall: best.nsPerCall });
    const slowest = rounds === 1 ? best.nsPerCall : best.nsPerCall * (1 + best.spread / 100);
    const us = (v: number): string => `${(v / 1000).toFixed(2)} µs`;
    lines.push({
      name: `${peer.impl}, ${shapeText}: its two timing modes`,
      value: `fast ${us(best.nsPerCall)}, slow ${us(slowest)} per call (${(slowest / best.nsPerCall).toFixed(2)}×)`,
      detail: `fastest and slowest of ${rounds} short rounds timed alone; median round ${us(best.medianNsPerCall)}`,
    });
  }
  return lines;
}

/** The parts of iterl2norm/pool the batch targets use. */
interface PoolLike {
  readonly threads: number;
  createWorkspace(rows: number, dim: number): api.Workspace;
  layerNorm(x: Float32Array, opts: api.NormalizeOptions): Promise<Float32Array>;
  close(): Promise<void>;
}

/** A pool of `threads` threads, or the reason there is none (iterl2norm/pool missing or refusing). */
async function openPool(threads: number): Promise<PoolLike | string> {
  try {
    const m = (await import("iterl2norm/pool")) as unknown as { createPool(o: { threads: number }): Promise<PoolLike> };
    return await m.createPool({ threads });
  } catch (e) {
    return `iterl2norm/pool is not available (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`;
  }
}

/**
 * The large-batch targets (d = 1024, 4096 rows): the pool on every core vs the same pool build on one
 * thread (both zero-copy on a pool workspace), and vs onnxruntime-node with its default threads.
 */
async function batchTargets(
  plan: TargetPlan,
  progress: (line: string) => void,
  notes: string[],
  target: (l: TargetLine) => void,
  infoLine: (l: InfoLine) => void,
  ctx: RunContext,
): Promise<void> {
  const cores = availableParallelism();
  const shapeText = `d=${TARGET_DIM} rows=${BATCH_ROWS}`;
  progress(`targets ${shapeText}: pool of ${cores} threads vs 1`);
  const shape = await buildShape("layernorm", TARGET_DIM, BATCH_ROWS, {
    methods: false,
    ort: false,
    ortAllCores: true,
  });
  const pools: PoolLike[] = [];
  try {
    for (const reason of shape.skipped) if (!notes.includes(reason)) notes.push(reason);
    const operands: Record<string, Case | undefined> = {
      zc: find(shape.cases, "wasm paper", "zero-copy"),
      ortAll: find(shape.cases, "onnxruntime all cores", "native"),
    };
    const one = await openPool(1);
    const all = typeof one === "string" ? one : await openPool(cores);
    if (typeof one === "string" || typeof all === "string") {
      notes.push(typeof one === "string" ? one : (all as string));
    } else {
      pools.push(one, all);
      for (const [key, pool] of [
        ["pool1", one],
        ["poolN", all],
      ] as const) {
        const ws = pool.createWorkspace(BATCH_ROWS, TARGET_DIM);
        ws.input.set(shape.x);
        ws.gamma.set(shape.gamma);
        ws.beta.set(shape.beta);
        // the workspace's views are read per call: pool memory may grow (another pool allocation)
        const run = () => pool.layerNorm(ws.input, { dim: TARGET_DIM, gamma: ws.gamma, beta: ws.beta, out: ws.output });
        // same bits as the library's one-thread call on the same rows (the check this suite relies on)
        await run();
        const want = new Uint32Array(
          api.layerNorm(shape.x, { dim: TARGET_DIM, gamma: shape.gamma, beta: shape.beta }).buffer,
        );
        const got = new Uint32Array(ws.output.slice().buffer);
        if (!want.every((w, i) => w === got[i]))
          throw new Error(`pool of ${pool.threads} threads differs from layerNorm; this is a bug`);
        operands[key] = {
          impl: `pool ${pool.threads}`,
          api: "zero-copy",
          async: true,
          run,
          output: () => undefined,
          tolerance: Infinity,
        };
      }
    }
    await checkShape(shape);
    const times = await timeOperands(operands, plan);
    for (const l of await ortTimingModes({ ortAll: operands.ortAll }, shapeText, plan, times)) infoLine(l);
    const t = (k: string): number => times.get(k)?.nsPerCall ?? NaN;
    const us = (k: string): string => (Number.isNaN(t(k)) ? "not measured" : `${(t(k) / 1000).toFixed(1)} µs`);
    const ratioLine = (name: string, value: number, threshold: number, detail: string): TargetLine => ({
      name,
      value,
      relation: ">=",
      threshold,
      unit: "×",
      met: value >= threshold,
      detail,
    });
    target(
      ratioLine(
        `pool on ${cores} threads vs 1 thread, ${shapeText}`,
        t("pool1") / t("poolN"),
        1.6,
        `pool.layerNorm on a pool workspace, ${cores} threads vs 1: ${us("poolN")} vs ${us("pool1")} per call`,
      ),
    );
    target(
      ratioLine(
        `pool on ${cores} threads vs onnxruntime (default threads), ${shapeText}`,
        t("ortAll") / t("poolN"),
        3,
        `pool.layerNorm on a pool workspace vs LayerNormalization-17 on its default thread pool: ` +
          `${us("poolN")} vs ${us("ortAll")} per call`,
      ),
    );
    infoLine({
      name: `one thread, ${shapeText}`,
      value: `${us("zc")} per call`,
      detail: `layerNorm on a workspace of the library (${ctx.build} build), for scale`,
    });
  } finally {
    for (const p of pools) await p.close();
    await shape.dispose();
  }
}
