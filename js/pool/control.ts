/**
 * The control block a pool shares with its workers: a small SharedArrayBuffer of i32
 * (f32 where noted, through a Float32Array over the same bytes), separate from the
 * wasm memory so that nothing in it is ever allocated by the kernel. The calling
 * thread writes a job's arguments, then bumps each working thread's GO word with an
 * atomic add and notifies it; a worker runs its rows, writes its STATUS, adds 1 to
 * DONE and, when it is the last, notifies DONE. The atomics order the plain writes
 * around them (ECMAScript memory model: a release by the writer, an acquire by the
 * reader), so the job's fields and the rows written into the shared memory are seen
 * by the other side (docs/design.md §7.1).
 */

/** Workers finished in the current job; the calling thread waits on it. */
export const DONE = 0;
/** Non-zero once the pool closes: a woken worker leaves its loop. */
export const STOP = 1;
/** Workers taking part in the current job: the one that brings DONE to it notifies. */
export const ACTIVE = 2;
/** 1: layer_norm, 0: l2_normalize. */
export const CENTER = 3;
/** The row call's common arguments (pointers are byte offsets into the shared memory). */
export const GAMMA = 4;
export const BETA = 5;
export const DIM = 6;
export const METHOD = 7;
export const POLICY = 8;
export const STEPS = 9;
export const MAGIC = 10;
export const VARIANT = 11;
/** f32: ε and λ's c. */
export const EPS = 12;
export const C = 13;

/** Words of one worker's slot (64 bytes: slots of two workers never share a cache line). */
export const SLOT = 16;
/** Where worker w's slot starts. */
export const slotOf = (w: number): number => SLOT * (w + 1);
/** In a slot: the job generation the worker waits on, its rows' x and out, their count, its status. */
export const GO = 0;
export const X = 1;
export const OUT = 2;
export const ROWS = 3;
export const STATUS = 4;

/** A worker's STATUS when its row call threw (kernel statuses are 0 or negative). */
export const THREW = 1;

/** Bytes of the control block of a pool with `workers` workers. */
export const controlBytes = (workers: number): number => slotOf(workers) * 4;
