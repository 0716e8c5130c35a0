// The package entry on a JavaScript host (Node, Bun, Deno), run from a project with the packed
// library installed: one line of JSON with the build the loader chose, the module's HAS_SIMD and
// the conformance check's bits through the package API.
import * as api from "iterl2norm";
import { build, constants } from "iterl2norm/kernel";
import { runPackage } from "./conformance.js";

console.log(JSON.stringify({ build, hasSimd: constants.HAS_SIMD, bits: runPackage(api) }));
