// The precision study's library and CLI on a small configuration: structure,
// determinism, the properties its answers rest on, and the CLI contract
// (--help, usage errors, --json on stdout only, --out files).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli/precision/cli.js";
import { mixSeed, outlierChannels, sampleRow } from "../cli/precision/data.js";
import { Rng } from "../bench/random.js";
import { runStudy, type StudyOptions } from "../cli/precision/study.js";

describe("seeded inputs", () => {
  it("the generator is deterministic and its uniforms and normals have the right moments", () => {
    const a = new Rng(7);
    const b = new Rng(7);
    for (let i = 0; i < 100; i++) expect(a.u32()).toBe(b.u32());
    // n = 10^5 draws: the sample mean's standard error is σ/√n; 5 standard errors.
    const n = 100_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    const r = new Rng(8);
    for (let i = 0; i < n; i++) {
      su += r.uniform();
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(Math.abs(su / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sn / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(sn2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it("rows depend on (seed, d, trial) only; llm rows carry fixed outlier channels", () => {
    expect(sampleRow("normal", 1, 64, 3)).toEqual(sampleRow("normal", 1, 64, 3));
    expect(sampleRow("normal", 1, 64, 3)).not.toEqual(sampleRow("normal", 1, 64, 4));
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    const ch = outlierChannels(1, 4096);
    expect(ch.length).toBe(4);
    for (const t of [0, 1]) {
      const x = sampleRow("llm", 1, 4096, t);
      for (const c of ch) expect(Math.abs(x[c.index]!)).toBeGreaterThan(5);
    }
    const u = sampleRow("uniform01", 1, 1000, 0);
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe("runStudy on a small configuration (BF16, FP16)", () => {
  const opts: StudyOptions = {
    formats: ["bf16", "fp16"],
    dims: [64, 100, 768],
    dists: ["uniform", "llm"],
    trials: 4,
    seed: 3,
    eps: 1e-5,
    largeDims: [256, 4096],
    largeTrials: 2,
  };
  const r = runStudy(opts);

  it("fills every cell with finite errors and counts wins out of the widths", () => {
    for (const dist of opts.dists) {
      for (const format of opts.formats) {
        for (const d of opts.dims) {
          for (const algo of ["iter-paper", "iter-precise", "fisr-1", "fisr-2", "sqrt"]) {
            const c = r.precision[dist]![format]![d]![algo]!;
            expect(Number.isFinite(c.meanAbs) && Number.isFinite(c.maxAbs) && c.meanAbs <= c.maxAbs).toBe(true);
          }
        }
      }
      for (const w of r.wins[dist]!) expect(w.wins >= 0 && w.wins <= 3 && w.of === 3).toBe(true);
    }
    expect(r.wins.uniform!.find((w) => w.format === "bf16")!.paper).toBe(5);
  });

  it("is deterministic for a seed", () => {
    const again = runStudy({ ...opts, dists: ["uniform"], largeDims: [256] });
    expect(again.precision.uniform).toEqual(r.precision.uniform);
  });

  it("errors sit at the formats' rounding level: sqrt within 8·u·max|out|, u = 2^-8 (BF16), 2^-11 (FP16)", () => {
    // LayerNorm outputs of these rows are below ~4 (uniform) and ~64 (llm outliers)
    // in magnitude; sqrt + division rounds ≤ 8 times along the path.
    for (const [format, u] of [
      ["bf16", 2 ** -8],
      ["fp16", 2 ** -11],
    ] as const) {
      expect(r.precision.uniform![format]![768]!.sqrt!.maxAbs).toBeLessThan(8 * u * 4);
      expect(r.precision.llm![format]![768]!.sqrt!.maxAbs).toBeLessThan(8 * u * 64);
    }
  });

  it("convergence: Newton's λ·m = 1/2 reaches the format's floor; pow2 converges slowest", () => {
    for (const format of opts.formats) {
      const c = r.convergence[format]!;
      expect(c.newton![0]!.max).toBeGreaterThan(0.29); // a₀·√m ≥ 0.707: start error up to 29%
      expect(c.newton![5]!.max).toBeLessThan(2 ** -6);
      expect(c.pow2![5]!.max).toBeGreaterThan(c.paper![5]!.max);
    }
  });

  it("λ sweep: the best c lies between 1/3 and 1/2, and Newton is at least as good", () => {
    // Analysis in docs/precision.md: the start error is worst where λ·m = c, which
    // wants c → 1/2, and c ≥ 1/2 makes |1 − 4c| ≥ 1 at the other end of [1, 2).
    for (const format of opts.formats) {
      const s = r.lambdaSweep[format]!;
      expect(s.best.c).toBeGreaterThan(0.33);
      expect(s.best.c).toBeLessThan(0.5);
      expect(s.named.newton!.max).toBeLessThanOrEqual(s.best.max);
    }
  });

  it(
    "large d: FP16 rows of width 4096 normalise (rescaled when Σy² would overflow); " +
      "native BF16 accumulation is worse",
    () => {
      expect(Number.isFinite(r.largeD.fp16![4096]!["iter-precise"]!.maxAbs)).toBe(true);
      expect(r.largeD.bf16![4096]!["iter-precise-native"]!.meanAbs).toBeGreaterThan(
        r.largeD.bf16![4096]!["iter-precise"]!.meanAbs,
      );
    },
  );
});

describe("iterl2norm precision (main)", () => {
  const small = ["--formats", "bf16", "--dims", "64,100", "--trials", "2", "--large-dims", "64"];
  const capture = (): { out: string[]; err: string[] } => {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
      err.push(String(s));
      return true;
    });
    return { out, err };
  };
  afterEach(() => vi.restoreAllMocks());

  it("--help prints the options and exits 0", async () => {
    const { out } = capture();
    expect(await main(["--help"])).toBe(0);
    expect(out.join("")).toMatch(/--trials N[\s\S]*--json[\s\S]*--out DIR/);
  });

  it("bad arguments exit 2 with a message naming the option and value", async () => {
    const { err } = capture();
    expect(await main(["--trials", "zero"])).toBe(2);
    expect(await main(["--formats", "fp8"])).toBe(2);
    expect(await main(["--dist", "cauchy"])).toBe(2);
    expect(await main(["--bogus"])).toBe(2);
    expect(err.join("")).toMatch(
      /--trials must be an integer from 1 to 100000; got "zero"[\s\S]*--formats[\s\S]*"fp8"[\s\S]*"cauchy"/,
    );
  });

  it("--json prints one JSON document and nothing else on stdout", async () => {
    const { out } = capture();
    expect(await main([...small, "--json"])).toBe(0);
    const doc = JSON.parse(out.join("")) as { meta: { command: string }; wins: Record<string, unknown> };
    expect(doc.meta.command).toContain("--json");
    expect(Object.keys(doc.wins)).toEqual(["uniform"]);
  });

  it("--out writes precision.md naming its command, SVG charts and results.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "iterl2norm-precision-"));
    try {
      const { out } = capture();
      expect(await main([...small, "--out", dir])).toBe(0);
      expect(out.join("")).toMatch(/IterL2Norm paper \(5 steps\) beats FISR 1 step/);
      const md = readFileSync(join(dir, "precision.md"), "utf8");
      expect(md).toContain(`iterl2norm precision ${[...small, "--out", dir].join(" ")}`);
      expect(md).toMatch(/Seed: 1/);
      const files = readdirSync(join(dir, "precision")).sort();
      expect(files).toEqual([
        "convergence.svg",
        "lambda-sweep.svg",
        "large-d.svg",
        "precision-uniform.svg",
        "results.json",
      ]);
      expect(readFileSync(join(dir, "precision", "convergence.svg"), "utf8")).toMatch(/^<svg[\s\S]*<path/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
