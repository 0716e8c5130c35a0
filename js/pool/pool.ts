/**
 * The thread pool: one shared wasm memory, the kernel's SIMD build instantiated on it
 * (js/pool/module.ts) by the calling thread and by each worker, and the FP32 row kernels split by rows over
 * them (docs/design.md §7.1). The kernel works row by row, so a split changes
 * no bit. The calling thread alone allocates (workspaces, the scratch region of the
 * copying calls) and places operands exactly as the single-threaded API does (js/run.ts
 * F32Call on the pool's own KernelMemory); the pool only replaces the one row call of
 * each chunk by a call per thread on consecutive row ranges. Calls run one at a time,
 * in the order made: they share the scratch region and the control block.
 */
import { DEFAULT_L2_EPS, DEFAULT_LAYERNORM_EPS } from "../constants.js";
import { KernelMemory, type MemoryExports } from "../memory.js";
import type { NormalizeOptions } from "../options.js";
import { resolveNormalize } from "../resolve.js";
import { F32Call, type Plan, planOf, rejected } from "../run.js";
import { rangeError } from "../validate.js";
import { type Workspace, workspaceIn } from "../workspace.js";
import * as K from "./control.js";
import type { Thread } from "./threads.js";

/** The exports the pool calls (the ABI of docs/ABI.md). */
export interface ThreadsExports extends MemoryExports {
  layer_norm(...args: number[]): number;
  l2_normalize(...args: number[]): number;
}

/**
 * Fewest elements (rows·dim) a thread is given: a call of fewer than twice this many runs
 * on the calling thread alone, and larger calls use at most elements / MIN_ELEMENTS_PER_THREAD
 * threads. Measured on a 2-core Xeon (Node 20, `node scripts/pool-timing.js`, with the other
 * core free): a split costs about 5 µs more than the calling thread's half (the wake-up of a
 * sleeping worker), so two threads beat one from about 48–64 rows at d = 1024 and 64–96 rows at
 * d = 768, about 2^15.6–2^16 elements (1.16–1.20× at 64 rows of 1024, 1.3–2.0× at 256 rows).
 * When the other core is busy with another process the woken worker is often run on the
 * calling thread's core after it, and a split then costs 5–20 µs more at every size.
 */
export const MIN_ELEMENTS_PER_THREAD = 2 ** 15;

let minPerThread = MIN_ELEMENTS_PER_THREAD;

/**
 * Sets the fewest elements a thread is given (undefined: back to MIN_ELEMENTS_PER_THREAD). A knob
 * for measuring the break-even (scripts/pool-timing.js) and for tests that split small calls;
 * not exported by the package.
 */
export function setMinElementsPerThread(elements: number | undefined): void {
  minPerThread = elements ?? MIN_ELEMENTS_PER_THREAD;
}

/**
 * How long the calling thread, having run its own rows, polls the control block for the
 * workers before it waits asynchronously (Atomics.waitAsync): the rows are split evenly,
 * so the workers usually finish within their wake-up time of it, and a poll avoids a
 * second wake-up (the calling thread's, through the event loop) on every call. (Workers
 * do not poll for jobs: on a busy 2-core host a polling worker took the calling thread's
 * core and made every split call about 100 µs slower.)
 */
const POLL_MS = 0.05;

/** A thread pool over one shared wasm memory: the FP32 API of iterl2norm, asynchronous. */
export interface Pool {
  /** Threads that run rows, the calling thread included. */
  readonly threads: number;
  /**
   * LayerNorm as layerNorm of iterl2norm (the same options, checks and bits), its rows split
   * over the pool's threads when the call is large enough. FP32 only: opts.format other than
   * "fp32" is a RangeError. Resolves to opts.out or a new array. x, out, γ and β must not be
   * changed until the promise settles.
   */
  layerNorm(x: Float32Array, opts: NormalizeOptions): Promise<Float32Array>;
  /** L2 normalisation as l2Normalize of iterl2norm, its rows split as layerNorm's. */
  l2Normalize(x: Float32Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Promise<Float32Array>;
  /**
   * Buffers in the pool's shared memory, used in place by its calls (zero-copy), as
   * createWorkspace of iterl2norm. A growth of the shared memory never detaches them.
   */
  createWorkspace(rows: number, dim: number): Workspace;
  /**
   * Waits for the calls already made, then stops the workers. Later calls reject. An idle
   * pool never keeps Node (or Bun) alive, so close() is needed only to free the threads
   * early; in Deno and browsers a worker lives until close() (or the page) ends it.
   */
  close(): Promise<void>;
}

const noop = (): void => {};

/** Atomics.waitAsync (ES2024) where the host has it: a promise that settles when DONE is notified. */
const waitAsync = (
  Atomics as {
    waitAsync?: (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/** The pool behind createPool (js/pool/index.ts), given its started parts. */
export class ThreadPool implements Pool {
  readonly threads: number;
  private readonly mem: KernelMemory;
  private readonly call: F32Call;
  private readonly ctl: Int32Array;
  private readonly ctlF32: Float32Array;
  private tail: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  /** Set once close() stops the workers: their exits are then no failure. */
  private stopping = false;

  constructor(
    private readonly k: ThreadsExports,
    maxBytes: number,
    control: SharedArrayBuffer,
    private readonly workers: readonly Thread[],
  ) {
    this.threads = workers.length + 1;
    this.mem = new KernelMemory(k, true, maxBytes);
    this.call = new F32Call(this.mem);
    this.ctl = new Int32Array(control);
    this.ctlF32 = new Float32Array(control);
  }

  /** Reports a worker's failure to the call waiting for it (and to every later call). */
  fail(error: Error): void {
    if (this.stopping || this.failure !== undefined) return;
    this.failure = error;
    Atomics.notify(this.ctl, K.DONE);
  }

  layerNorm(x: Float32Array, opts: NormalizeOptions): Promise<Float32Array> {
    return this.normalize(x, opts, true);
  }

  l2Normalize(x: Float32Array, opts: Omit<NormalizeOptions, "gamma" | "beta">): Promise<Float32Array> {
    return this.normalize(x, opts, false);
  }

  createWorkspace(rows: number, dim: number): Workspace {
    this.usable();
    return workspaceIn(this.mem, rows, dim);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.tail;
      this.stopping = true;
      Atomics.store(this.ctl, K.STOP, 1);
      for (let w = 0; w < this.workers.length; w++) {
        Atomics.add(this.ctl, K.slotOf(w) + K.GO, 1);
        Atomics.notify(this.ctl, K.slotOf(w) + K.GO);
      }
      await Promise.all(this.workers.map((t) => t.terminate()));
    })();
    return this.closing;
  }

  /** Throws when the pool takes no new call: closed, or a worker failed. */
  private usable(): void {
    if (this.closing !== undefined) throw new Error("iterl2norm/pool: the pool is closed");
    this.sound();
  }

  /** Throws once a worker has failed (the calls queued before close() still run on a sound pool). */
  private sound(): void {
    if (this.failure !== undefined) {
      throw new Error(`iterl2norm/pool: a worker of the pool failed: ${this.failure.message}`, {
        cause: this.failure,
      });
    }
  }

  /** Checks the call as layerNorm / l2Normalize do, then queues it behind the calls before it. */
  private normalize(x: unknown, opts: unknown, center: boolean): Promise<Float32Array> {
    let plan: Plan;
    let input: Float32Array;
    let out: Float32Array | undefined;
    try {
      this.usable();
      const spec = resolveNormalize(x, opts, center ? DEFAULT_LAYERNORM_EPS : DEFAULT_L2_EPS, center);
      if (spec.format !== "fp32") {
        // The BF16/FP16 kernels allocate a scratch row in every call, and a worker's instance may not allocate.
        throw rangeError("opts.format", spec.format, '"fp32" in a thread pool (BF16/FP16 run on iterl2norm\'s API)');
      }
      plan = planOf(spec, this.mem);
      input = spec.input as Float32Array;
      out = spec.out;
    } catch (e) {
      return Promise.reject(e);
    }
    const result = this.tail.then(() => this.run(input, out, plan, center));
    this.tail = result.then(noop, noop);
    return result;
  }

  /** One call: placed as the single-threaded API places it, each chunk's rows split over the threads. */
  private async run(x: Float32Array, out: Float32Array | undefined, p: Plan, center: boolean): Promise<Float32Array> {
    this.sound();
    const c = this.call;
    const chunks = c.place(x, out, p);
    if (chunks === 0) return out ?? new Float32Array(0);
    let result = c.output(out);
    for (let i = 0; i < chunks; i++) {
      const rows = c.enter(i, x);
      const pending = this.rows(center, p, c.xp, c.op, c.gp, c.bp, rows);
      if (pending !== undefined) await pending;
      result = c.leave(i, result);
    }
    return result!;
  }

  /** Threads for `rows` rows of `dim`: at most one per MIN_ELEMENTS_PER_THREAD elements, at most one per row. */
  private partsOf(rows: number, dim: number): number {
    return Math.max(1, Math.min(this.threads, rows, Math.floor((rows * dim) / minPerThread)));
  }

  /**
   * The row call on [xp, xp + rows·dim·4) into op: the calling thread's share run here, the others'
   * by the workers. Undefined when done (one thread), else a promise of the workers' end.
   */
  private rows(
    center: boolean,
    p: Plan,
    xp: number,
    op: number,
    gp: number,
    bp: number,
    rows: number,
  ): Promise<void> | undefined {
    const parts = this.partsOf(rows, p.dim);
    const own = Math.ceil(rows / parts);
    const ctl = this.ctl;
    const rowBytes = p.dim * 4;
    if (parts > 1) {
      const f32 = this.ctlF32;
      ctl[K.CENTER] = center ? 1 : 0;
      ctl[K.GAMMA] = gp;
      ctl[K.BETA] = bp;
      ctl[K.DIM] = p.dim;
      ctl[K.METHOD] = p.method;
      ctl[K.POLICY] = p.policy;
      ctl[K.STEPS] = p.steps;
      ctl[K.MAGIC] = p.magic;
      ctl[K.VARIANT] = p.variant;
      f32[K.EPS] = p.eps;
      f32[K.C] = p.c;
      ctl[K.ACTIVE] = parts - 1;
      Atomics.store(ctl, K.DONE, 0);
      // Pointers above 2^31 wrap to negative i32 and reach the kernel's i32 parameters as the same bits.
      let r0 = own;
      for (let w = 0; w < parts - 1; w++) {
        const r = Math.ceil((rows - r0) / (parts - 1 - w));
        const slot = K.slotOf(w);
        ctl[slot + K.X] = xp + r0 * rowBytes;
        ctl[slot + K.OUT] = op + r0 * rowBytes;
        ctl[slot + K.ROWS] = r;
        Atomics.add(ctl, slot + K.GO, 1);
        Atomics.notify(ctl, slot + K.GO);
        r0 += r;
      }
    }
    const k = this.k;
    const status = center
      ? k.layer_norm(xp, op, gp, bp, own, p.dim, p.eps, p.method, p.policy, p.c, p.steps, p.magic, p.variant)
      : k.l2_normalize(xp, op, own, p.dim, p.eps, p.method, p.policy, p.c, p.steps, p.magic, p.variant);
    if (parts === 1) {
      if (status !== 0) throw rejected(status);
      return undefined;
    }
    const active = parts - 1;
    const until = performance.now() + POLL_MS;
    while (Atomics.load(ctl, K.DONE) < active && this.failure === undefined) {
      if (performance.now() > until) return this.waitWorkers(active, status);
    }
    this.checkJob(active, status);
    return undefined;
  }

  /** Waits (asynchronously) for `active` workers; the workers are ref'd meanwhile, so Node stays alive for them. */
  private async waitWorkers(active: number, own: number): Promise<void> {
    const ctl = this.ctl;
    for (const t of this.workers) t.ref();
    try {
      for (;;) {
        const done = Atomics.load(ctl, K.DONE);
        if (done >= active || this.failure !== undefined) break;
        if (waitAsync === undefined) {
          // Hosts without Atomics.waitAsync (Firefox before 145): poll from the event loop.
          await new Promise((resolve) => setTimeout(resolve, 0));
        } else {
          const wait = waitAsync(ctl, K.DONE, done);
          if (wait.async) await wait.value;
        }
      }
    } finally {
      for (const t of this.workers) t.unref();
    }
    this.checkJob(active, own);
  }

  /** Throws for a failed worker, or a non-zero status of the calling thread's or a worker's rows. */
  private checkJob(active: number, own: number): void {
    this.sound();
    if (own !== 0) throw rejected(own);
    for (let w = 0; w < active; w++) {
      const status = this.ctl[K.slotOf(w) + K.STATUS]!;
      if (status === K.THREW) throw new Error("iterl2norm/pool: a worker's row call threw; this is a bug");
      if (status !== 0) throw rejected(status);
    }
  }
}
