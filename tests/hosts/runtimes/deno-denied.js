// The control of the Deno runs: under the same flags, what a loader reading the environment or
// the package's files would meet. Prints the errors of both reads (both must be refused, so the
// runs of run.js show that the package needs no permission).
const reads = {
  env: () => process.env.ITERL2NORM_WASM,
  file: () => Deno.readFileSync("node_modules/iterl2norm/build/iterl2norm.wasm"),
};
const refused = {};
for (const [what, read] of Object.entries(reads)) {
  try {
    read();
    refused[what] = "allowed";
  } catch (e) {
    refused[what] = e.name;
  }
}
console.log(JSON.stringify(refused));
