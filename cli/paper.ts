/** What the paper published, for the tools that compare this machine's results with it. */

/** The embedding widths of the OPT models (125M … 175B), the paper's nine precision cases (arXiv 2412.04778). */
export const OPT_DIMS: readonly number[] = Object.freeze([768, 1024, 2048, 2560, 4096, 5120, 7168, 9216, 12288]);

/**
 * The paper's reported wins of IterL2Norm (5 steps) over FISR, out of the nine OPT widths
 * (arXiv 2412.04778, abstract).
 */
export const PAPER_WINS: Readonly<Record<"fp32" | "bf16", number>> = Object.freeze({ fp32: 6, bf16: 5 });
