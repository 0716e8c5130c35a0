/**
 * The core clock as this process sees it, measured, so that times can be given in cycles: a wasm
 * loop whose body is one chain of 32 dependent single-cycle integer operations (16 pairs of
 * `i32.rotl` by 7 and `i32.xor` with a constant; a rotate and an xor have a latency of one cycle
 * on every x86-64 and AArch64 core, and no compiler folds the chain), timed over 2^22 iterations,
 * fastest of several runs. Its result is the clock while the loop ran (turbo included), which is
 * the clock the benchmarks run at on the same core; a shared machine can only make it read low.
 */

/** Dependent operations per iteration of the loop (the chain's length in cycles). */
export const CHAIN = 32;

/** The xor constant of step i of the chain. */
export function chainConstant(i: number): number {
  return (0x9e3779b9 ^ Math.imul(i, 0x85ebca6b)) | 0;
}

/** Signed LEB128 of an i32. */
function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** The module: (func (param $x i32) (param $n i32) (result i32)) running the chain n times on x. */
function chainModule(): WebAssembly.Module {
  const step: number[] = [];
  for (let i = 0; i < CHAIN / 2; i++) step.push(0x41, ...sleb(7), 0x77, 0x41, ...sleb(chainConstant(i)), 0x73);
  const body = [
    0x00, // no locals
    ...[0x02, 0x40, 0x03, 0x40], // block, loop
    ...[0x20, 0x00, ...step, 0x21, 0x00], // x = chain(x)
    ...[0x20, 0x01, 0x41, 0x01, 0x6b, 0x22, 0x01, 0x0d, 0x00], // n -= 1; br_if loop (n != 0)
    ...[0x0b, 0x0b, 0x20, 0x00, 0x0b], // end loop, end block, x, end
  ];
  const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
  const code = [0x01, ...uleb(body.length), ...body];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f]),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, 0x05, ...[..."chain"].map((c) => c.charCodeAt(0)), 0x00, 0x00]),
    ...section(10, code),
  ];
  return new WebAssembly.Module(Uint8Array.from(bytes));
}

/** Unsigned LEB128. */
function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** The chain as a function: x after n iterations (n ≥ 1). */
export function chainFunction(): (x: number, n: number) => number {
  return new WebAssembly.Instance(chainModule(), {}).exports.chain as (x: number, n: number) => number;
}

/** The measured clock in GHz (cycles per ns): the fastest of `runs` timings of 2^22 iterations. */
export function measureClockGHz(runs = 7): number {
  const chain = chainFunction();
  const n = 1 << 22;
  let sink = chain(1, 1 << 16); // compiled and warm
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    sink ^= chain(sink, n);
    best = Math.min(best, performance.now() - t0);
  }
  if (sink === 0x7fffffff) best += 0; // keeps the result alive without changing the time
  return (n * CHAIN) / (best * 1e6);
}
