// The module worker: the conformance check through the package, posted to the page.
import "./select-build.js";
import { l2Normalize, layerNorm } from "iterl2norm";
import { build } from "iterl2norm/kernel";
import { runPackage } from "../conformance.js";

let result;
try {
  result = { build, bits: runPackage({ layerNorm, l2Normalize }) };
} catch (e) {
  result = { error: String(e) };
}
postMessage(result);
