import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * Tests run against the TypeScript source: the package names resolve to it (as in
 * tsconfig.json's paths), so a test, the suites and the tools it imports share one
 * module graph and one loaded kernel. The built packages are tested as shipped by
 * the tests that run the `iterl2norm` command and by the pack-and-install test.
 */
const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

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
  resolve: {
    alias: [
      { find: /^iterl2norm$/, replacement: source("./js/index.ts") },
      { find: /^iterl2norm\/hw$/, replacement: source("./hw/index.ts") },
      { find: /^iterl2norm\/kernel$/, replacement: source("./js/kernel.ts") },
    ],
  },
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
