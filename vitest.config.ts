import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * Tests run against the TypeScript source: the package names resolve to it (as in
 * tsconfig.json's paths), so a test, the suites and the tools it imports share one
 * module graph and one loaded kernel. The built packages are tested as shipped by
 * the tests that run the `iterl2norm` command and by the pack-and-install test.
 */
const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Two projects: every test against the build the loader picks (SIMD here), and the
 * kernel suite again against the scalar build (ITERL2NORM_WASM=scalar), so one
 * shared suite checks both builds of the module (docs/design.md §11).
 *
 * The scalar project runs every test file except those whose subject the build
 * cannot change, listed here: so a new or renamed test of the kernel (FP32 rows,
 * BF16/FP16 rows, scalar paths, roundings, workspaces, the API around them) runs on
 * both builds without being registered. Left out: builds.test.ts (it loads both
 * builds itself), fisr.test.ts (the scalar path has no SIMD branch, and builds.test.ts
 * checks that both builds compute it alike; its exhaustive sweeps would double the
 * suite's longest file), the hardware model (hw-*), the tools and their output
 * (cli*, bench-cli, bench-baselines, bench-onnx-model, report, precision), the
 * package and the hosts (package, pack-install, host-*, loader: its bundles choose their
 * build in contexts of their own), and the layer rules (layers).
 */
const BUILD_INDEPENDENT = [
  "tests/builds.test.ts",
  "tests/fisr.test.ts",
  "tests/hw-*.test.ts",
  "tests/cli*.test.ts",
  "tests/bench-cli.test.ts",
  "tests/bench-baselines.test.ts",
  "tests/bench-onnx-model.test.ts",
  "tests/report.test.ts",
  "tests/precision.test.ts",
  "tests/package.test.ts",
  "tests/pack-install.test.ts",
  "tests/host-*.test.ts",
  "tests/loader.test.ts",
  "tests/layers.test.ts",
];

export default defineConfig({
  resolve: {
    alias: [
      { find: /^iterl2norm$/, replacement: source("./js/index.ts") },
      { find: /^iterl2norm\/hw$/, replacement: source("./hw/index.ts") },
      { find: /^iterl2norm\/kernel$/, replacement: source("./js/kernel.ts") },
      // the package's subpath import (package.json "imports"): its default source, the embedded builds
      { find: /^#kernel-source$/, replacement: source("./js/source/bytes.ts") },
    ],
  },
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "simd", include: ["tests/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "scalar",
          include: ["tests/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...BUILD_INDEPENDENT],
          env: { ITERL2NORM_WASM: "scalar" },
        },
      },
    ],
  },
});
