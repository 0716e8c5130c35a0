// The clock probe's module (bench/clock.ts) computes what it claims: CHAIN dependent steps of
// rotate-by-7 then xor per iteration. Checked against the same steps in JS; nothing is timed here.
import { describe, expect, it } from "vitest";
import { CHAIN, chainConstant, chainFunction } from "../bench/clock.js";

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r)) | 0;

describe("the clock probe", () => {
  it("runs CHAIN dependent rotate-xor steps per iteration", () => {
    const chain = chainFunction();
    for (const [x0, n] of [
      [1, 1],
      [0x12345678, 3],
      [-5, 17],
    ] as [number, number][]) {
      let x: number = x0;
      for (let k = 0; k < n; k++) for (let i = 0; i < CHAIN / 2; i++) x = rotl(x, 7) ^ chainConstant(i);
      expect(chain(x0, n)).toBe(x);
    }
  });
});
