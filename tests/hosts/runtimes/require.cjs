// run.js from CommonJS: require() of the package (an ES module with no top-level await).
const api = require("iterl2norm");
const { build, constants } = require("iterl2norm/kernel");
const { runPackage } = require("./conformance.js");

console.log(JSON.stringify({ build, hasSimd: constants.HAS_SIMD, bits: runPackage(api) }));
