/**
 * The kernel's summation order (assembly/sum.ts, docs/design.md §2) in plain TS: the
 * one emulation of it, used by the FP32 reference (iter.ts), the BF16/FP16 reference
 * (format.ts), the tests and the precision study. With the kernel's terms and its
 * rounded addition it reproduces the kernel's sums bit for bit, on both builds.
 *
 * The order, for terms t_0 … t_{n−1}: the first 16·⌊n/16⌋ in chunks of C terms, where
 * term 4j + l of a chunk goes to accumulator j mod 4, lane l; at the end of a chunk
 * each lane adds (A0 + A1) + (A2 + A3) to a running total T; the remaining whole
 * groups of 4 are added to T lane by lane; then (T0 + T1) + (T2 + T3); then the last
 * n mod 4 terms in index order. Every accumulator starts at +0. C is 512 for sums in
 * f32 and the whole row for the native accumulate mode of a 16-bit format
 * (assembly/sum.ts says why).
 */

const f = Math.fround;

/** Terms per chunk of the f32 sums (assembly/sum.ts CHUNK). */
export const SUM_CHUNK = 512;

/** The f32 addition: the kernel's FP32 sums and the 16-bit formats' FP32 accumulate mode. */
export const addF32 = (a: number, b: number): number => f(a + b);

/**
 * Σ term(i) for i = 0 … n−1 in the kernel's order, each addition done by `add`
 * (f32 by default; the native mode of a 16-bit format passes an addition rounded
 * to the format). term(i) is called once per index and must already be rounded as
 * the kernel rounds its terms. chunk: terms per chunk, a multiple of 16, or ≥ n for
 * one chunk over the row.
 */
export function kernelSum(
  n: number,
  term: (i: number) => number,
  add: (a: number, b: number) => number = addF32,
  chunk = SUM_CHUNK,
): number {
  checkArgs(n, chunk);
  const total = [0, 0, 0, 0];
  const end16 = n & ~15;
  let i = 0;
  while (i < end16) {
    const stop = Math.min(end16, i + chunk);
    const acc = [
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ];
    for (let j = 0; i < stop; i += 4, j++) {
      const a = acc[j & 3]!;
      for (let l = 0; l < 4; l++) a[l] = add(a[l]!, term(i + l));
    }
    for (let l = 0; l < 4; l++) {
      total[l] = add(total[l]!, add(add(acc[0]![l]!, acc[1]![l]!), add(acc[2]![l]!, acc[3]![l]!)));
    }
  }
  for (; i < (n & ~3); i += 4) for (let l = 0; l < 4; l++) total[l] = add(total[l]!, term(i + l));
  let s = add(add(total[0]!, total[1]!), add(total[2]!, total[3]!));
  for (; i < n; i++) s = add(s, term(i));
  return s;
}

/**
 * The summation depth of kernelSum over n terms: the most additions on any term's
 * path to the result (the additions onto the starting +0 included). A sum of that
 * depth is within γ_depth·Σ|t_i| of the exact sum, γ_k = k·u/(1 − k·u) (Higham,
 * "Accuracy and Stability of Numerical Algorithms", §4.2). It is 38 for n = 1024
 * with the f32 chunk of 512.
 */
export function summationDepth(n: number, chunk = SUM_CHUNK): number {
  checkArgs(n, chunk);
  const full = n & ~15;
  const vectors = ((n & ~3) - full) / 4; // whole groups of 4 after the chunks
  const tail = n & 3;
  if (full > 0) {
    const perAccumulator = Math.ceil(Math.min(full, chunk) / 16);
    const chunks = Math.ceil(full / chunk);
    return perAccumulator + 2 + chunks + vectors + 2 + tail;
  }
  return vectors > 0 ? vectors + 2 + tail : tail;
}

/** The chunk length of an accumulate mode (assembly/sum.ts chunkOf): 512 for f32 sums, the row for native. */
export function chunkOf(native: boolean, n: number): number {
  return native ? Math.max(n, SUM_CHUNK) : SUM_CHUNK;
}

function checkArgs(n: number, chunk: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer; got ${String(n)}`);
  if (!(chunk >= n || (Number.isInteger(chunk) && chunk > 0 && chunk % 16 === 0))) {
    throw new RangeError(`chunk must be a positive multiple of 16 or at least n = ${n}; got ${String(chunk)}`);
  }
}
