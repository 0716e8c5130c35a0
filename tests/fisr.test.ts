// FISR variants: the kernel against the plain-TS reference (bit for bit), the
// constants the JS side names against the module's exported globals, and the
// exhaustive errors over [1, 4) against the published figures.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as C from "../js/constants.js";
import { fisr, reference } from "iterl2norm";
import { FISR_TABLE, fisrError } from "../cli/precision/fisr.js";
import { Rng } from "../bench/random.js";
import { constants } from "../js/wasm.js";

describe("FISR variants: wasm equals reference.fisr bit for bit", () => {
  const rng = new Rng(21);
  const m = Float32Array.from({ length: 100_000 }, () => (1 + rng.uniform()) * 2 ** (rng.int(250) - 125));
  for (const entry of FISR_TABLE) {
    for (const steps of [0, 1, 2, 3]) {
      it(`${entry.label} (${entry.format}), ${steps} steps`, () => {
        const opts = { format: entry.format, variant: entry.variant, magic: entry.magic, steps };
        const got = fisr(m, opts);
        let bad = 0;
        for (let i = 0; i < m.length; i++) if (!Object.is(got[i], reference.fisr(m[i]!, opts))) bad++;
        expect(bad).toBe(0);
        expect(Object.is(fisr(m[7]!, opts), got[7])).toBe(true);
      });
    }
  }

  it("the default variant is Quake III's Q_rsqrt, unchanged", () => {
    expect(fisr(2)).toBe(fisr(2, { variant: "quake", magic: 0x5f3759df, steps: 1 }));
    expect(fisr(m, { variant: "lomont" })).toEqual(fisr(m, { magic: 0x5f375a86 }));
  });

  it("16-bit formats accept the Quake step only, and 16-bit magics", () => {
    expect(() => fisr(2, { format: "bf16", variant: "walczyk" })).toThrow(/opts.variant/);
    expect(() => fisr(2, { format: "fp16", magic: 0x10000 })).toThrow(/opts.magic/);
    expect(() => fisr(2, { variant: "carmack" as "quake" })).toThrow(RangeError);
  });
});

describe("named constants agree with the module's globals", () => {
  it("magics and coefficients", () => {
    for (const name of [
      "LOMONT_MAGIC",
      "WALCZYK_MAGIC",
      "KADLEC_MAGIC",
      "BF16_MAGIC",
      "BF16_MAGIC_ALT",
      "FP16_MAGIC",
      "FP16_MAGIC_ALT",
      "WALCZYK_K1",
      "WALCZYK_K2",
      "KADLEC_K1",
      "KADLEC_K2",
    ] as const) {
      // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the test walks a list of the module's names
      expect(constants[name], name).toBe(C[name]);
    }
    expect(constants.QUAKE_MAGIC).toBe(C.QUAKE_MAGIC);
  });
});

describe("exhaustive errors over [1, 4) reproduce the published figures", () => {
  // Published maxima are for exact arithmetic; ours runs in f32, whose Newton step
  // rounds 4 times (≤ 2^-24 relative each), so they may differ by up to 4·2^-24 ≈ 2.4e-7.
  const tol = 4 * 2 ** -24;
  const byLabel = (label: string) => FISR_TABLE.find((e) => e.label === label)!;

  it("Quake 0x5f3759df, 1 step: 1.75228e-3 (Lomont 2003)", () => {
    expect(Math.abs(fisrError(byLabel("quake"), 1).max - 1.75228e-3)).toBeLessThan(tol);
  });
  it("Lomont 0x5f375a86, 1 step: 1.75124e-3 (Lomont 2003)", () => {
    expect(Math.abs(fisrError(byLabel("lomont"), 1).max - 1.75124e-3)).toBeLessThan(tol);
  });
  it(
    "Kadlec 0x5f1ffff9 with 0.703952253 / 2.38924456, 1 step: " +
      "the 6.501978e-4 optimum Kadlec (rrrola) reported for his constant search",
    () => {
      expect(Math.abs(fisrError(byLabel("kadlec"), 1).max - 6.501978e-4)).toBeLessThan(tol);
    },
  );
  it(
    "Walczyk–Moroz–Cieśliński: about 2× Quake's accuracy after one step and over 6× after two " +
      "(the gains their papers report)",
    () => {
      const w1 = fisrError(byLabel("walczyk"), 1).max;
      const q1 = fisrError(byLabel("quake"), 1).max;
      const w2 = fisrError(byLabel("walczyk"), 2).max;
      const q2 = fisrError(byLabel("quake"), 2).max;
      expect(q1 / w1).toBeGreaterThan(1.95);
      expect(q2 / w2).toBeGreaterThan(6);
    },
  );
  it("16-bit magics: one step in BF16/FP16 stays within the seed's error and the format's rounding", () => {
    // After one step the exact-arithmetic error is ≤ 1.76e-3 (as Quake's); each of the
    // 4 roundings adds ≤ u = 2^-8 (BF16) or 2^-11 (FP16) relative, the seed is exact.
    for (const label of ["bf16-quake", "bf16-alt"])
      expect(fisrError(byLabel(label), 1).max).toBeLessThan(1.76e-3 + 4 * 2 ** -8);
    for (const label of ["fp16-quake", "fp16-alt"])
      expect(fisrError(byLabel(label), 1).max).toBeLessThan(1.76e-3 + 4 * 2 ** -11);
  });
});

describe("docs/precision.md's FISR table is reproduced", () => {
  // docs/precision/results.json holds every number of docs/precision.md; the scalar
  // rows are deterministic (exhaustive over [1, 4)), so they must match exactly.
  const path = new URL("../docs/precision/results.json", import.meta.url);
  it("every FISR row of the documented study equals a fresh measurement", () => {
    expect(existsSync(path), "docs/precision/results.json (run iterl2norm precision --out docs)").toBe(true);
    const doc = JSON.parse(readFileSync(path, "utf8")) as {
      scalar: { format: string; label: string; magic: string | null; steps: number; max: number; mean: number }[];
    };
    const rows = doc.scalar.filter((r) => r.label.startsWith("FISR "));
    expect(rows.length).toBe(FISR_TABLE.length * 3);
    for (const row of rows) {
      const entry = FISR_TABLE.find((e) => `FISR ${e.label}` === row.label && e.format === row.format)!;
      const fresh = fisrError(entry, row.steps);
      expect(fresh.max, `${row.label} ${row.steps}`).toBe(row.max);
      expect(fresh.mean, `${row.label} ${row.steps}`).toBeCloseTo(row.mean, 12);
    }
  }, 60_000);
});
