import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";
import { RELAXED_SIMD_PROBE_HEX, validatesHex } from "./bench/probes.js";

/**
 * Tests run against the TypeScript source: the package names resolve to it (as in
 * tsconfig.json's paths), so a test, the suites and the tools it imports share one
 * module graph and one loaded kernel. The built packages are tested as shipped by
 * the tests that run the `iterl2norm` command and by the pack-and-install test.
 */
const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Three projects: every test against the build the loader picks (SIMD here), and the
 * kernel suite again against the scalar build (ITERL2NORM_WASM=scalar) and the relaxed-SIMD
 * build (handed to the loader by tests/setup-relaxed.ts), so one shared suite checks that the
 * builds give the same bits (docs/design.md §11). Node 20 (V8 11.3) validates relaxed SIMD only behind a flag,
 * which that project's workers get there; Node 22 and 24 accept it by default.
 *
 * The scalar and relaxed projects run every test file except those whose subject the build
 * cannot change, listed here: so a new or renamed test of the kernel (FP32 rows,
 * BF16/FP16 rows, scalar paths, roundings, workspaces, the API around them) runs on
 * every build without being registered. Left out: builds.test.ts, relaxed.test.ts and
 * loader-module.test.ts (they load the builds themselves), fisr.test.ts (the scalar path has no SIMD branch, and builds.test.ts
 * checks that both builds compute it alike; its exhaustive sweeps would double the
 * suite's longest file), the hardware model and its RTL (hw-*, rtl-*), the tools and their output
 * (cli*, bench-cli, bench-clock, bench-baselines, bench-onnx-model, report, precision), the
 * package and the hosts (package, pack-install, host-*, loader: its bundles choose their
 * build in contexts of their own), and the layer rules (layers).
 */
/** The V8 flag that turns relaxed SIMD on where it is not on by default (Node 20). */
const RELAXED_FLAG = validatesHex(RELAXED_SIMD_PROBE_HEX) ? [] : ["--experimental-wasm-relaxed-simd"];

const BUILD_INDEPENDENT = [
  "tests/builds.test.ts",
  "tests/relaxed.test.ts",
  "tests/loader-module.test.ts",
  "tests/fisr.test.ts",
  "tests/hw-*.test.ts",
  "tests/rtl-*.test.ts",
  "tests/cli*.test.ts",
  "tests/bench-cli.test.ts",
  "tests/bench-clock.test.ts",
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

/**
 * The hardware description's tests: Verilog in Verilator and Icarus Verilog against the model, and
 * Yosys. The Node release changes neither the simulators nor the model's results (the hw-* tests
 * check the model on every release), so the runs on the other Node releases (scripts/test-nodes.js)
 * set ITERL2NORM_TEST_HDL=0 and leave them to the main run: they are the longest files of the suite.
 */
const HDL_TESTS = ["tests/rtl-*.test.ts", "tests/hw-synth.test.ts"];
const SKIP_HDL = process.env.ITERL2NORM_TEST_HDL === "0";

export default defineConfig({
  resolve: {
    alias: [
      { find: /^iterl2norm$/, replacement: source("./js/index.ts") },
      { find: /^iterl2norm\/hw$/, replacement: source("./hw/index.ts") },
      { find: /^iterl2norm\/kernel$/, replacement: source("./js/kernel.ts") },
      { find: /^iterl2norm\/pool$/, replacement: source("./js/pool/index.ts") },
      // the package's subpath import (package.json "imports"): its default source, the embedded builds
      { find: /^#kernel-source$/, replacement: source("./js/source/bytes.ts") },
    ],
  },
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "simd",
          include: ["tests/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...(SKIP_HDL ? HDL_TESTS : [])],
        },
      },
      {
        extends: true,
        test: {
          name: "scalar",
          include: ["tests/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...BUILD_INDEPENDENT],
          env: { ITERL2NORM_WASM: "scalar" },
        },
      },
      {
        extends: true,
        test: {
          name: "relaxed",
          include: ["tests/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...BUILD_INDEPENDENT],
          setupFiles: ["tests/setup-relaxed.ts"],
          execArgv: RELAXED_FLAG,
        },
      },
    ],
  },
});
