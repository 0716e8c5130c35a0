// The first import of main.js and worker.js, so it is evaluated before the package (ES modules
// evaluate their imports in order, and a bundle keeps that order): the global it sets chooses the
// kernel's build. On the page it comes from `?wasm=scalar`, in the worker from the worker's name.
const wanted = typeof document === "undefined" ? self.name : new URLSearchParams(location.search).get("wasm");
if (wanted) globalThis.ITERL2NORM_WASM = wanted;
