// The types of first-difference.js for the test that imports it (workerd loads the plain JavaScript).
import type { ConformanceResult } from "../conformance.js";

/** A host's result: the build it loaded and the conformance bits. */
export interface HostResult {
  build: string;
  bits: ConformanceResult;
}

export declare function firstDifference(got: HostResult, want: HostResult): string | undefined;
