/**
 * iterl2norm/pool: the FP32 LayerNorm and L2 normalisation of iterl2norm with the
 * rows of a large batch split over worker threads that share one wasm memory
 * (docs/design.md §7.1). Opt-in and separate from the package root, so the main
 * entry carries no thread code.
 */
import { MAX_MEMORY_BYTES } from "../constants.js";
import { checkKeys, integerIn, plainObject, rangeError } from "../validate.js";
import * as K from "./control.js";
import { MAX_PAGES, threadsModule } from "./module.js";
import { type Pool, ThreadPool, type ThreadsExports } from "./pool.js";
import { hardwareThreads, startThread, type Thread } from "./threads.js";

export { MIN_ELEMENTS_PER_THREAD, type Pool } from "./pool.js";
export type { Workspace } from "../workspace.js";

/** Options of createPool. */
export interface PoolOptions {
  /**
   * Threads that run rows, the calling thread included (1 runs everything on it), at most 256.
   * @default navigator.hardwareConcurrency, else Node's os.availableParallelism(), else 1
   */
  threads?: number;
  /**
   * Largest size of the pool's shared memory in bytes: a multiple of 65536 up to 4 GiB. Hosts
   * reserve address space for a shared memory's maximum up front; lower it where that is scarce.
   * @default 4294967296 (4 GiB, wasm32's limit, as the main kernel's memory)
   */
  maxMemory?: number;
}

const POOL_KEYS: readonly string[] = ["threads", "maxMemory"];
const MAX_THREADS = 256;
const PAGE = 65536;

/** Why this host cannot run a pool, or undefined when it can. */
function missing(): string | undefined {
  if (typeof SharedArrayBuffer !== "function") {
    return "SharedArrayBuffer is not available (in a browser, the page must be cross-origin isolated)";
  }
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    return "the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)";
  }
  return undefined;
}

/**
 * Starts a pool of `threads − 1` workers sharing one wasm memory with the calling thread,
 * each running the kernel's SIMD build on that memory. Resolves once every worker is ready. Calls
 * on the pool give the bits of the single-threaded API; batches below a measured size
 * (MIN_ELEMENTS_PER_THREAD elements a thread) run on the calling thread alone.
 *
 * Needs SharedArrayBuffer and workers: Node ≥ 20.16, Bun, Deno, and cross-origin isolated
 * browser pages (docs/design.md §7.1); elsewhere it rejects with an Error saying what is missing.
 *
 * @example
 * const pool = await createPool();                      // every core
 * const ws = pool.createWorkspace(4096, 1024);
 * ws.input.set(batch);
 * await pool.layerNorm(ws.input, { dim: 1024, gamma: ws.gamma, beta: ws.beta, out: ws.output });
 * await pool.close(); // optional in Node, Deno, Bun: an idle pool lets the process exit
 */
export async function createPool(opts?: PoolOptions): Promise<Pool> {
  const o = plainObject("opts", opts);
  checkKeys("opts", o, POOL_KEYS);
  const threads = integerIn("opts.threads", o.threads, 1, MAX_THREADS, Math.min(hardwareThreads(), MAX_THREADS));
  const maxMemory = integerIn("opts.maxMemory", o.maxMemory, PAGE, MAX_MEMORY_BYTES, MAX_MEMORY_BYTES);
  if (maxMemory % PAGE !== 0) throw rangeError("opts.maxMemory", maxMemory, "a multiple of 65536 (one wasm page)");
  const why = missing();
  if (why !== undefined) throw new Error(`iterl2norm/pool: cannot start a pool: ${why}`);

  const module = await threadsModule();
  const memory = new WebAssembly.Memory({
    initial: 1,
    maximum: Math.min(maxMemory / PAGE, MAX_PAGES),
    shared: true,
  });
  // The calling thread's instance first: it applies the data segments and owns the allocator.
  const k = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as ThreadsExports;
  const control = new SharedArrayBuffer(K.controlBytes(threads - 1));
  const workers: Thread[] = [];
  let pool: ThreadPool | undefined;
  try {
    await Promise.all(
      Array.from({ length: threads - 1 }, (_, index) => {
        return new Promise<void>((resolve, reject) => {
          let ready = false;
          const thread = startThread(`iterl2norm-${index + 1}`, {
            message(data) {
              const m = data as { ready?: boolean; error?: string };
              if (m.ready === true && !ready) {
                ready = true;
                resolve();
              } else if (m.error !== undefined) {
                reject(new Error(`iterl2norm/pool: worker ${index + 1} could not start: ${m.error}`));
              }
            },
            failure(error) {
              if (pool !== undefined) pool.fail(error);
              else reject(error);
            },
          });
          workers.push(thread);
          thread.post({ module, memory, control, index });
        });
      }),
    );
  } catch (e) {
    await Promise.all(workers.map((t) => t.terminate()));
    throw e;
  }
  // Idle workers never keep the process alive (Node, Bun): a call refs them while it waits.
  for (const t of workers) t.unref();
  pool = new ThreadPool(k, maxMemory, control, workers);
  return pool;
}
