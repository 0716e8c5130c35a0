import { defineConfig } from "vitest/config";

/**
 * Two projects: every test against the build the loader picks (SIMD here), and the
 * core FP32 suite again against the scalar build (ITERL2NORM_WASM=scalar), so one
 * shared suite checks both builds of the module.
 */
const CORE = [
  "tests/scalar-bits.test.ts",
  "tests/scalar-error.test.ts",
  "tests/layernorm-reference.test.ts",
  "tests/layernorm-truth.test.ts",
  "tests/edge-rules.test.ts",
  "tests/validation.test.ts",
  "tests/workspace.test.ts",
  "tests/properties.test.ts",
];

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "simd", include: ["tests/**/*.test.ts"] } },
      { extends: true, test: { name: "scalar", include: CORE, env: { ITERL2NORM_WASM: "scalar" } } },
    ],
  },
});
