/**
 * Starting workers on any host without importing a built-in (js/ imports none,
 * docs/design.md §8): Node's worker_threads where `process.getBuiltinModule` reaches it
 * (a call, not an import: Node ≥ 20.16, Deno 2, Bun), started from the script text
 * (`eval: true`); else the web `Worker` (browsers), on a Blob URL of the script as a
 * module. worker_threads comes first because its workers can be unref'd: an idle pool
 * then keeps none of those processes alive. Both give a Thread: post, ref/unref (whether
 * the worker keeps the process alive; nothing in browsers) and terminate.
 */
import { workerSource } from "./worker-source.js";

/** A started worker, whichever host API started it. */
export interface Thread {
  post(message: unknown): void;
  /** The worker keeps the process alive (worker_threads) until unref(). */
  ref(): void;
  /** The worker no longer keeps the process alive (worker_threads). */
  unref(): void;
  /** Stops the worker; resolves once it has stopped (Node) or at once (the web Worker). */
  terminate(): Promise<void>;
}

/** What a Thread reports: the worker's messages, and its failure (an error event, an early exit). */
export interface ThreadEvents {
  message(data: unknown): void;
  failure(error: Error): void;
}

/** The parts of Node's worker_threads.Worker used here. */
interface NodeWorker {
  postMessage(message: unknown): void;
  on(event: "message" | "error" | "exit", listener: (value: never) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

interface NodeWorkerThreads {
  Worker: new (code: string, options: { eval: true; name: string }) => NodeWorker;
}

/** The parts of the web Worker used here. */
interface WebWorker {
  postMessage(message: unknown): void;
  addEventListener(type: string, listener: (event: { data?: unknown; message?: string }) => void): void;
  terminate(): void;
}

type WebWorkerConstructor = new (url: string, options: { type: "module"; name: string }) => WebWorker;

type Host = { process?: { getBuiltinModule?: (id: string) => unknown }; Worker?: WebWorkerConstructor };

const host = globalThis as Host;

/** How workers are started here: "web", "node", or undefined when this host has no workers. */
export function workerKind(): "web" | "node" | undefined {
  if (host.process?.getBuiltinModule?.("node:worker_threads") !== undefined) return "node";
  return typeof host.Worker === "function" ? "web" : undefined;
}

/** Hardware threads: navigator.hardwareConcurrency, else Node's os.availableParallelism(), else 1. */
export function hardwareThreads(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: unknown } }).navigator?.hardwareConcurrency;
  if (typeof n === "number" && Number.isInteger(n) && n >= 1) return n;
  const os = host.process?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  const m = os?.availableParallelism?.();
  return typeof m === "number" && Number.isInteger(m) && m >= 1 ? m : 1;
}

/** Starts worker `name` running the pool's script; its messages and failures go to `events`. */
export function startThread(name: string, events: ThreadEvents): Thread {
  const kind = workerKind();
  if (kind === "node") {
    const threads = host.process!.getBuiltinModule!("node:worker_threads") as NodeWorkerThreads;
    return startNode(threads, name, events);
  }
  if (kind === "web") return startWeb(host.Worker!, name, events);
  throw new Error(
    "iterl2norm/pool: this host has no workers (neither a global Worker nor Node's worker_threads); " +
      "use the single-threaded API of iterl2norm",
  );
}

function startNode(threads: NodeWorkerThreads, name: string, events: ThreadEvents): Thread {
  const worker = new threads.Worker(workerSource(true), { eval: true, name });
  let stopping = false;
  worker.on("message", (data: never) => events.message(data));
  worker.on("error", (error: never) => events.failure(error as Error));
  worker.on("exit", (code: never) => {
    if (!stopping) events.failure(new Error(`iterl2norm/pool: worker ${name} exited (code ${code})`));
  });
  return {
    post: (message) => worker.postMessage(message),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    async terminate() {
      stopping = true;
      await worker.terminate();
    },
  };
}

function startWeb(Worker: WebWorkerConstructor, name: string, events: ThreadEvents): Thread {
  const url = URL.createObjectURL(new Blob([workerSource(false)], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module", name });
  let revoked = false;
  worker.addEventListener("message", (event) => {
    if (!revoked) {
      // The script has run (its first message): the URL is no longer needed.
      revoked = true;
      URL.revokeObjectURL(url);
    }
    events.message(event.data);
  });
  worker.addEventListener("error", (event) => {
    events.failure(new Error(`iterl2norm/pool: worker ${name} failed: ${event.message ?? "error event"}`));
  });
  worker.addEventListener("messageerror", () => {
    events.failure(new Error(`iterl2norm/pool: worker ${name} could not read a message`));
  });
  return {
    post: (message) => worker.postMessage(message),
    // a page's workers end with the page: there is no process to keep alive
    ref: () => {},
    unref: () => {},
    async terminate() {
      worker.terminate();
      if (!revoked) URL.revokeObjectURL(url);
    },
  };
}
