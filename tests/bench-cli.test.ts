// The benchmark command line and its report, without timing anything that
// matters: argument parsing and its errors, the Markdown and target formatting,
// and a tiny end-to-end run (every case is checked against the float64 truth
// before it is timed, so the run fails if an implementation computes wrong values).
import { describe, expect, it } from "vitest";
import { main, parseBenchArgs, runBench, SUITES, UsageError } from "../cli/bench/cli.js";
import { probeNode } from "../cli/bench/nodes.js";
import { markdownReport, targetLines } from "../cli/bench/report.js";
import type { RunResults, TargetLine, TargetRun } from "../bench/results.js";
import { RELAXED_SIMD_PROBE_HEX, validatesHex } from "../bench/probes.js";

describe("parseBenchArgs", () => {
  it("defaults to every suite and the full grid", () => {
    const o = parseBenchArgs([])!;
    expect(o.suites).toEqual([...SUITES]);
    expect(o.dims).toEqual([64, 256, 768, 1024, 4096, 12288]);
    expect(o.rows).toEqual([1, 8, 64, 1024]);
    expect(o.quick).toBe(false);
  });

  it("--quick shrinks the grid; suites run in their fixed order whatever the command-line order", () => {
    const o = parseBenchArgs(["rsqrt", "layernorm", "--quick"])!;
    expect(o.suites).toEqual(["layernorm", "rsqrt"]);
    expect(o.dims).toEqual([64, 768, 1024, 4096]);
    expect(o.rows).toEqual([1, 8, 64]);
    expect(o.timeMs).toBe(40);
  });

  it("reads --dims, --rows, --time, --rounds, --grid-rounds, --out and --json", () => {
    const o = parseBenchArgs([
      "--dims",
      "8, 16",
      "--rows=2",
      "--time",
      "5",
      "--rounds",
      "2",
      "--grid-rounds",
      "4",
      "--out",
      "x",
      "--json",
    ])!;
    expect([o.dims, o.rows, o.timeMs, o.rounds, o.matrixRounds, o.out, o.json]).toEqual([
      [8, 16],
      [2],
      5,
      2,
      4,
      "x",
      true,
    ]);
  });

  it("reads --nodes as a comma-separated list of paths (none by default)", () => {
    expect(parseBenchArgs([])!.nodes).toEqual([]);
    expect(parseBenchArgs(["--nodes", "/a/node, /b/node"])!.nodes).toEqual(["/a/node", "/b/node"]);
    expect(() => parseBenchArgs(["--nodes", "/a/node,,/b"])).toThrow(/--nodes must be paths separated by commas/);
  });

  it("returns undefined for --help", () => {
    expect(parseBenchArgs(["-h"])).toBeUndefined();
  });

  it.each([
    [["nosuch"], /unknown suite "nosuch"; expected any of targets, breakdown, layernorm, l2, rsqrt, precision/],
    [["--dims", "8,x"], /--dims must hold integers from 1 to 16777216; got "x"/],
    [["--dims", "0"], /--dims must hold integers from 1 to 16777216; got "0"/],
    [["--time", "1,2"], /--time must be one integer from 1 to 600000; got "1,2"/],
    [["--bogus"], /bogus/],
  ])("rejects %j with a UsageError naming the value", (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(UsageError);
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });

  it("main returns 2 on a bad command line and 0 for --help", async () => {
    const write = process.stderr.write;
    const out = process.stdout.write;
    process.stderr.write = () => true;
    process.stdout.write = () => true;
    try {
      expect(await main(["nosuch"])).toBe(2);
      expect(await main(["--help"])).toBe(0);
    } finally {
      process.stderr.write = write;
      process.stdout.write = out;
    }
  });
});

describe("report formatting", () => {
  it("marks targets met, NOT MET or NOT MEASURED", () => {
    const t = (value: number, met: boolean): TargetLine => ({
      name: "x",
      value,
      relation: ">=",
      threshold: 2,
      unit: "×",
      met,
      detail: "d",
    });
    expect(
      targetLines([t(3, true), t(1, false), t(NaN, false)])
        .split("\n")
        .map((l) => l.split("]")[0]),
    ).toEqual(["[met", "[NOT MET", "[NOT MEASURED"]);
    expect(
      targetLines([{ name: "lat", value: 812.4, relation: "<=", threshold: 1000, unit: "ns", met: true, detail: "d" }]),
    ).toBe("[met] lat: 812 ns (target ≤ 1000 ns) — d");
  });
});

describe("the targets under other Node binaries", () => {
  it("probes a Node binary's version and relaxed SIMD, and names one that does not run", () => {
    const here = probeNode(process.execPath);
    expect(here).toEqual({ version: process.version, relaxed: validatesHex(RELAXED_SIMD_PROBE_HEX) });
    expect(probeNode("/nonexistent/node")).toMatch(/^\/nonexistent\/node did not run \(/);
  });

  it("reports each other run under its own heading, Node and build", () => {
    const run = { environment: { node: "v24.0.0", v8: "13.6", build: "relaxed" } } as unknown as TargetRun;
    const line: TargetLine = { name: "t", value: 3, relation: ">=", threshold: 2, unit: "×", met: true, detail: "d" };
    const report = markdownReport({
      environment: { node: "v20.0.0", build: "simd" },
      targets: [line],
      info: [],
      targetRuns: [{ ...run, targets: [line], info: [{ name: "i", value: "v", detail: "w" }], notes: ["n"] }],
      throughput: [],
      precision: [],
      breakdown: [],
      notes: [],
    } as unknown as RunResults);
    expect(report).toMatch(/## Targets: Node v20\.0\.0, simd build\n\n```\n\[met\] t: 3\.00×/);
    expect(report).toMatch(/## Targets: Node v24\.0\.0, relaxed build \(V8 13\.6, its own process\)\n\n```\n\[met\] t/);
    expect(report).toMatch(/- i: v \(w\)\n\n- note: n/);
  });
});

describe("a tiny end-to-end run (correctness checks only)", () => {
  it("runs the layernorm, l2 and precision suites on small shapes and records every implementation", async () => {
    const options = {
      ...parseBenchArgs(["layernorm", "l2", "precision", "--quick", "--dims", "8,33", "--rows", "1,5", "--time", "1"])!,
      quick: true,
    };
    const run = await runBench(options, () => {}, []);
    const impls = new Set(run.throughput.filter((r) => r.suite === "layernorm").map((r) => `${r.impl}/${r.api}`));
    expect([...impls].sort()).toEqual([
      "js naive/native",
      "js tuned/native",
      "memcpy/native",
      "onnxruntime/native",
      "wasm fisr/zero-copy",
      "wasm paper/copy",
      "wasm paper/zero-copy",
      "wasm precise/copy",
      "wasm precise/zero-copy",
      "wasm sqrt/zero-copy",
    ]);
    expect(run.throughput.filter((r) => r.suite === "l2")).toHaveLength(2 * 2 * 9);
    for (const r of run.throughput) expect(r.nsPerCall > 0 && Number.isFinite(r.gElemPerS)).toBe(true);
    expect(run.precision.length).toBeGreaterThan(0);
  });
});
