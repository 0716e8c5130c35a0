// A .wasm file imported as a module is a compiled WebAssembly.Module in workerd and the bundlers
// that target it (workerd.ts). Type-checking only: this file does not ship.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
