// The page: the conformance check (../conformance.js) through the package on the main thread and
// in a module worker; both results, or the errors, as JSON in `globalThis.result` and #output.
import "./select-build.js";
import { l2Normalize, layerNorm } from "iterl2norm";
import { build } from "iterl2norm/kernel";
import { runPackage } from "../conformance.js";

function show(result) {
  globalThis.result = result;
  document.getElementById("output").textContent = JSON.stringify(result);
}

let main;
try {
  main = { build, bits: runPackage({ layerNorm, l2Normalize }) };
} catch (e) {
  main = { error: String(e) };
}
const wasm = new URLSearchParams(location.search).get("wasm") ?? "";
// Vite finds the worker by this pattern and bundles it; esbuild leaves the URL as it is, so the worker is
// bundled as a second entry, next to the page's bundle. The name tells the worker the build to force.
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: wasm });
worker.onmessage = (e) => show({ main, worker: e.data });
worker.onerror = (e) => show({ main, worker: { error: `worker error: ${e.message || "(no message)"}` } });
