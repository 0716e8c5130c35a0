// Forces the scalar build through the global every host has (docs/design.md §8). Imported before
// the package, so that it runs before the package's loader reads the global.
globalThis.ITERL2NORM_WASM = "scalar";
