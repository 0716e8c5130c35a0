// The package entry in workerd (bundled by esbuild with the "workerd" condition; the .wasm files
// and expected.json are modules of the workerd config). `workerd test` runs test() and reports
// only whether it threw, so the worker compares its result with Node's (expected.json, written
// by the test) and throws naming the first difference; on success it logs what it compared.
import * as api from "iterl2norm";
import { build, constants } from "iterl2norm/kernel";
import { runPackage } from "./conformance.js";
import expected from "./expected.json";
import { firstDifference } from "./first-difference.js";

export default {
  async test() {
    const got = { build, bits: runPackage(api) };
    const difference = firstDifference(got, expected);
    if (difference !== undefined) throw new Error(`iterl2norm in workerd differs from Node: ${difference}`);
    console.log(JSON.stringify({ build, hasSimd: constants.HAS_SIMD, cases: Object.keys(got.bits).length }));
  },
};
