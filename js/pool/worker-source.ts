/**
 * The code a pool's worker runs, as one self-contained script (no import, no file): it
 * is started from this string (Node: worker_threads with `eval: true`; elsewhere a
 * module Worker on a Blob URL), so bundlers and hosts need nothing to find it. The
 * calling thread posts it the compiled module (js/pool/module.ts), the shared
 * memory and the control block; the worker instantiates the module over that memory,
 * answers "ready", then waits on its GO word for row jobs (js/pool/control.ts) and runs
 * each on the existing exports, layer_norm / l2_normalize, with pointers the calling
 * thread computed. It never calls alloc: each instance has allocator state of its own
 * (docs/design.md §7.1), so only the calling thread's instance allocates.
 */
import * as K from "./control.js";

/** The worker's script; `node`: started by Node's worker_threads (messages through parentPort). */
export function workerSource(node: boolean): string {
  return `"use strict";
const node = ${node};
const port = node ? process.getBuiltinModule("node:worker_threads").parentPort : self;
const reply = (message) => port.postMessage(message);
function start(init) {
  let k;
  try {
    k = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports;
  } catch (e) {
    reply({ error: String(e && e.message || e) });
    return;
  }
  const ctl = new Int32Array(init.control);
  const f32 = new Float32Array(init.control);
  const slot = ${K.SLOT} * (init.index + 1);
  reply({ ready: true });
  let generation = 0;
  for (;;) {
    Atomics.wait(ctl, slot + ${K.GO}, generation);
    generation = Atomics.load(ctl, slot + ${K.GO});
    if (Atomics.load(ctl, ${K.STOP}) !== 0) break;
    let status;
    try {
      const x = ctl[slot + ${K.X}], out = ctl[slot + ${K.OUT}], rows = ctl[slot + ${K.ROWS}];
      const dim = ctl[${K.DIM}], eps = f32[${K.EPS}], method = ctl[${K.METHOD}], policy = ctl[${K.POLICY}];
      const c = f32[${K.C}], steps = ctl[${K.STEPS}], magic = ctl[${K.MAGIC}], variant = ctl[${K.VARIANT}];
      const gamma = ctl[${K.GAMMA}], beta = ctl[${K.BETA}];
      status = ctl[${K.CENTER}] !== 0
        ? k.layer_norm(x, out, gamma, beta, rows, dim, eps, method, policy, c, steps, magic, variant)
        : k.l2_normalize(x, out, rows, dim, eps, method, policy, c, steps, magic, variant);
    } catch {
      status = ${K.THREW};
    }
    ctl[slot + ${K.STATUS}] = status;
    if (Atomics.add(ctl, ${K.DONE}, 1) + 1 === Atomics.load(ctl, ${K.ACTIVE})) Atomics.notify(ctl, ${K.DONE});
  }
  if (node) port.close();
  else self.close();
}
if (node) port.once("message", start);
else self.onmessage = (event) => { self.onmessage = null; start(event.data); };
`;
}
