// The scalar method of the current call (how m becomes a ≈ 1/√m), shared by the
// FP32 row kernel (rows.ts) and the BF16/FP16 one (rows-format.ts). The exported
// entry points (index.ts) set it once per call, before the row loop.

/** METHOD_* */
export let method: i32 = 0;
/** LAMBDA_* (METHOD_ITER) */
export let policy: i32 = 0;
/** λ constant c of LAMBDA_CUSTOM */
export let customC: f32 = 0;
/** Iteration steps (METHOD_ITER) or Newton steps (METHOD_FISR) */
export let steps: i32 = 0;
/** FISR magic constant */
export let magic: u32 = 0;
/** FISR_* variant */
export let variant: i32 = 0;

/** Sets the method that turns m into a for the following rows. */
export function setInverseNorm(m: i32, p: i32, c: f32, n: i32, k: u32, v: i32): void {
  method = m;
  policy = p;
  customC = c;
  steps = n;
  magic = k;
  variant = v;
}
