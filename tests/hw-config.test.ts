// MacroConfig validation: a bad configuration throws a TypeError or RangeError
// naming the field, the value and what was expected; defaults are as documented.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MACRO,
  DEFAULT_MACRO_BF16,
  checkMacroConfig,
  defineMacro,
  macroCost,
  macroLatency,
} from "iterl2norm/hw";

describe("defaults", () => {
  it("DEFAULT_MACRO is the documented FP32 microarchitecture", () => {
    expect(DEFAULT_MACRO).toEqual({
      format: "fp32",
      lanes: 64,
      maxDim: 1024,
      clockMHz: 100,
      voltage: 1.05,
      method: "iter",
      iterations: 5,
      lambda: "paper",
      fisr: { magic: 0x5f3759df, steps: 1 },
      // phaseSwitch 1: re-fitted to 116 / 227 with the centring's second adder rank (docs/hardware.md §2)
      latency: { add: 2, mul: 2, read: 1, exponent: 1, write: 1, phaseSwitch: 1, sqrt: 27, divide: 27 },
    });
    expect(Object.isFrozen(DEFAULT_MACRO) && Object.isFrozen(DEFAULT_MACRO.latency)).toBe(true);
  });

  it("the BF16 defaults differ in the FISR magic (0x5f37) and the digit-recurrence units (8 + 3 cycles)", () => {
    expect(DEFAULT_MACRO_BF16.fisr.magic).toBe(0x5f37);
    expect(DEFAULT_MACRO_BF16.latency.sqrt).toBe(11);
    expect(DEFAULT_MACRO_BF16.latency.divide).toBe(11);
  });

  it("defineMacro merges partial latency and fisr overrides", () => {
    const c = defineMacro({ lanes: 32, latency: { mul: 3 }, fisr: { steps: 2 } });
    expect(c.lanes).toBe(32);
    expect(c.latency).toEqual({ ...DEFAULT_MACRO.latency, mul: 3 });
    expect(c.fisr).toEqual({ magic: 0x5f3759df, steps: 2 });
  });

  it("a spread copy of DEFAULT_MACRO with one field changed is accepted", () => {
    expect(checkMacroConfig({ ...DEFAULT_MACRO, lanes: 128 }).lanes).toBe(128);
  });
});

describe("bad configurations throw", () => {
  const base = DEFAULT_MACRO as unknown as Record<string, unknown>;
  it.each<[string, unknown, typeof TypeError | typeof RangeError, RegExp]>([
    ["not an object", 42, TypeError, /config must be an object; got 42/],
    [
      "unknown field",
      { ...base, lane: 64 },
      TypeError,
      /config has an unknown field "lane"; expected one of format, lanes/,
    ],
    ["missing field", { ...base, voltage: undefined }, TypeError, /config\.voltage is missing/],
    [
      "format fp16",
      { ...base, format: "fp16" },
      RangeError,
      /config\.format must be one of "fp32", "bf16"; got "fp16"/,
    ],
    [
      "lanes 48",
      { ...base, lanes: 48 },
      RangeError,
      /config\.lanes must be a power of two from 2 to 1024 \(the adder tree is binary\); got 48/,
    ],
    [
      "lanes 1",
      { ...base, lanes: 1 },
      RangeError,
      /config\.lanes must be an integer from 2 to 1024 that is a power of two; got 1/,
    ],
    [
      "lanes as a string",
      { ...base, lanes: "64" },
      TypeError,
      /config\.lanes must be an integer from 2 to 1024 that is a power of two; got "64"/,
    ],
    ["maxDim 0", { ...base, maxDim: 0 }, RangeError, /config\.maxDim must be an integer from 1 to 65536; got 0/],
    [
      "clock 0 MHz",
      { ...base, clockMHz: 0 },
      RangeError,
      /config\.clockMHz must be a number from 1 to 10000 \(MHz\); got 0/,
    ],
    ["voltage 3 V", { ...base, voltage: 3 }, RangeError, /config\.voltage must be a number from 0\.5 to 1\.5 \(volts/],
    [
      "method newton",
      { ...base, method: "newton" },
      RangeError,
      /config\.method must be one of "iter", "fisr", "sqrt"; got "newton"/,
    ],
    [
      "iterations 101",
      { ...base, iterations: 101 },
      RangeError,
      /config\.iterations must be an integer from 0 to 100; got 101/,
    ],
    ["λ = 0", { ...base, lambda: 0 }, RangeError, /config\.lambda must be a number c with 0 < c ≤ 1/],
    [
      "λ = 'fast'",
      { ...base, lambda: "fast" },
      RangeError,
      /config\.lambda must be one of "paper", "pow2", "newton"; got "fast"/,
    ],
    [
      "FISR magic over 16 bits in BF16",
      { ...DEFAULT_MACRO_BF16, fisr: { magic: 0x5f3759df, steps: 1 } },
      RangeError,
      /config\.fisr\.magic must be an integer from 0 to 65535 \(16-bit pattern for BF16\); got 1597463007/,
    ],
    ["FISR without steps", { ...base, fisr: { magic: 1 } }, TypeError, /config\.fisr\.steps must be an integer/],
    [
      "add latency 0",
      { ...base, latency: { ...DEFAULT_MACRO.latency, add: 0 } },
      RangeError,
      /config\.latency\.add must be an integer from 1 to 64 cycles; got 0/,
    ],
    [
      "negative phase switch",
      { ...base, latency: { ...DEFAULT_MACRO.latency, phaseSwitch: -1 } },
      RangeError,
      /config\.latency\.phaseSwitch must be an integer from 0 to 64 cycles; got -1/,
    ],
    [
      "fractional mul latency",
      { ...base, latency: { ...DEFAULT_MACRO.latency, mul: 1.5 } },
      RangeError,
      /config\.latency\.mul must be an integer from 1 to 64 cycles; got 1\.5/,
    ],
    [
      "sqrt latency missing",
      { ...base, latency: { ...DEFAULT_MACRO.latency, sqrt: undefined } },
      TypeError,
      /config\.latency\.sqrt is missing/,
    ],
    [
      "unknown latency field",
      { ...base, latency: { ...DEFAULT_MACRO.latency, fma: 3 } },
      TypeError,
      /config\.latency has an unknown field "fma"/,
    ],
  ])("%s", (_name, config, kind, message) => {
    expect(() => checkMacroConfig(config)).toThrow(kind);
    expect(() => checkMacroConfig(config)).toThrow(message);
  });

  it("every entry point checks its configuration", () => {
    const bad = { ...DEFAULT_MACRO, lanes: 3 };
    expect(() => macroLatency(64, bad)).toThrow(/config\.lanes/);
    expect(() => macroCost(bad)).toThrow(/config\.lanes/);
    expect(() => defineMacro({ lanes: 3 })).toThrow(/config\.lanes/);
    expect(() => defineMacro({ latency: { bogus: 1 } as never })).toThrow(
      /overrides\.latency has an unknown field "bogus"/,
    );
  });
});
