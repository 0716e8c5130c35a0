// The presentation helpers every command shares: tables (cli/table.ts), number
// formats (cli/numbers.ts) and flag values (cli/flags.ts).
import { describe, expect, it } from "vitest";
import { UsageError } from "../cli/common.js";
import { choiceListFlag, intFlag, intListFlag, parseCommandLine } from "../cli/flags.js";
import { fixed, nanoseconds, ratio, sci, seconds } from "../cli/numbers.js";
import { tableHtml, tableMarkdown, tableText } from "../cli/table.js";

describe("tables", () => {
  it("pads Markdown tables and right-aligns numeric columns", () => {
    expect(
      tableMarkdown({
        headers: ["name", "n"],
        rows: [
          ["a", "1"],
          ["bbb", "22"],
        ],
      }),
    ).toBe("| name |  n |\n|:-----|---:|\n| a    |  1 |\n| bbb  | 22 |");
  });

  it("puts a caption in bold above a Markdown table, escapes pipes and honours per-column alignment", () => {
    const t = { caption: "T", headers: ["a", "b", "c"], rows: [["x", "|y|", "1"]], align: ["l", "l"] } as const;
    expect(tableMarkdown(t)).toBe("**T**\n\n| a | b     | c |\n|:--|:------|--:|\n| x | \\|y\\| | 1 |");
  });

  it("aligns terminal text under a rule of dashes, without trailing blanks", () => {
    expect(
      tableText({
        caption: "T",
        headers: ["name", "n"],
        rows: [
          ["a", "1"],
          ["bbb", "22"],
        ],
      }),
    ).toBe("T\nname   n\n----  --\na      1\nbbb   22");
    expect(tableText({ headers: ["a", "b"], rows: [["x", ""]], align: ["l", "l"] })).toBe("a  b\n-  -\nx");
  });

  it("marks numeric HTML cells and escapes the rest", () => {
    const rows = [
      ["a&b", "1.5e-3"],
      ["c", "4.21×"],
      ["d", "n/a"],
    ];
    const html = tableHtml({ caption: "<c>", headers: ["k", "v"], rows });
    expect(html).toContain("<caption>&lt;c&gt;</caption>");
    expect(html).toContain('<td>a&amp;b</td><td class="num">1.5e-3</td>');
    expect(html).toContain('<td class="num">4.21×</td>');
    expect(html).toContain("<td>n/a</td>");
  });
});

describe("numbers", () => {
  it("fixed keeps small values visible and prints a dash for a missing one", () => {
    expect([fixed(1.234), fixed(1.5, 0), fixed(0.0004), fixed(0), fixed(NaN), fixed(Infinity)]).toEqual([
      "1.23",
      "2",
      "0.00040",
      "0.00",
      "—",
      "—",
    ]);
  });

  it("sci prints zero and NaN as themselves", () => {
    expect([sci(1.2345e-3), sci(1.2345e-3, 1), sci(0), sci(NaN)]).toEqual(["1.23e-3", "1.2e-3", "0", "NaN"]);
  });

  it("units", () => {
    expect([ratio(4.214), ratio(20.06, 1), nanoseconds(812.4), seconds(8.84)]).toEqual([
      "4.21×",
      "20.1×",
      "812 ns",
      "8.8 s",
    ]);
  });
});

describe("flags", () => {
  it("reads integers and lists of integers or words; repeats are dropped", () => {
    expect(intFlag("n", "12", 1, 20)).toBe(12);
    expect(intFlag("n", undefined, 1, 20)).toBeUndefined();
    expect(intListFlag("dims", " 8, 16,,8 ", 1, 64)).toEqual([8, 16]);
    expect(choiceListFlag("formats", "bf16,fp32,bf16", ["fp32", "bf16", "fp16"] as const)).toEqual(["bf16", "fp32"]);
  });

  it.each<[() => unknown, RegExp]>([
    [() => intFlag("n", "1e3", 1, 2000), /--n must be an integer from 1 to 2000; got "1e3"/],
    [() => intFlag("n", "", 1, 2000), /--n must be an integer from 1 to 2000; got ""/],
    [() => intFlag("time", "1,2", 1, 9), /--time must be one integer from 1 to 9; got "1,2"/],
    [() => intListFlag("dims", "8,x", 1, 64), /--dims must hold integers from 1 to 64; got "x"/],
    [() => intListFlag("dims", " , ", 1, 64), /--dims must be a comma-separated list of integers from 1 to 64/],
    [() => choiceListFlag("formats", "fp8", ["fp32", "bf16"]), /--formats must hold values from fp32, bf16; got "fp8"/],
    [() => parseCommandLine(["--bogus"], { json: { type: "boolean" } }), /Unknown option '--bogus'/],
    [() => parseCommandLine(["extra"], { json: { type: "boolean" } }), /Unexpected argument 'extra'/],
  ])("rejects bad values with a UsageError naming flag, value and expectation (%#)", (f, message) => {
    expect(f).toThrow(UsageError);
    expect(f).toThrow(message);
  });
});
