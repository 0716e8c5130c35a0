/**
 * `iterl2norm hw`: prints the macro model's tables — configuration, latency per
 * phase, area and power, energy per vector, and the comparison with FISR and
 * sqrt + divide — and the synthesised gates of its RTL where a synthesis result
 * holds them (synthesis.ts), or all of them as JSON. Exit codes: 0 done, 1 failure, 2 bad command line.
 */
import { EXIT, UsageError } from "../common.js";
import { choiceFlag, intFlag, HELP_FLAG, parseCommandLine, switches, valueFlags, withUsageErrors } from "../flags.js";
import {
  compareMacros,
  defineMacro,
  type MacroConfig,
  MAX_LANES,
  PAPER_LATENCY,
  TABLE_DIMS,
  COST_TABLE,
  SRAM_ARRAY_EFFICIENCY,
  LEAKAGE_MW_PER_MM2,
  AREA_SCALE_45_TO_28,
  AREA_SCALE_45_TO_28_HIGH,
  macroCost,
  macroEnergy,
  macroPhases,
} from "iterl2norm/hw";
import {
  matchSynthesis,
  readSynthResult,
  recordedSynthResult,
  SynthShapeError,
  type SynthResult,
  synthesisText,
} from "./synthesis.js";
import { areaText, comparisonText, configText, costRowsText, energyText, latencyText } from "./tables.js";

/** Default vector length of the energy table: 768, the hidden size of OPT-125M / BERT-base. */
export const DEFAULT_CLI_DIM = 768;

export const USAGE = `Usage: iterl2norm hw [--d D] [--format fp32|bf16] [--lanes N] [--json] [--synth FILE]

Prints the IterL2Norm macro model (docs/hardware.md): latency per phase for
d = ${TABLE_DIMS.join(", ")} (the paper publishes only d = 64 and 1024), area and
power at 28 nm, energy per vector of length D, and the same macro with FISR and
with sqrt + divide instead of the iteration; then the synthesised gates of its
RTL (Yosys: NAND2 equivalents, areas at 45 and 28 nm, against the cost table)
where a synthesis result holds rows for the configuration: the recorded run for
the two default macros, or FILE.

Options:
  --d D            vector length of the energy table, 1..1024 (default ${DEFAULT_CLI_DIM})
  --format F       fp32 (default) or bf16
  --lanes N        elements per cycle, a power of two from 2 to ${MAX_LANES} (default 64)
  --synth FILE     the synthesis result to show, written by
                   npm run hw:synth -- [--format F] [--lanes N] --out FILE
                   (default: the recorded run of the default macros)
  --json           everything as one JSON object
  -h, --help       this help

Exit codes: 0 done, 1 failure, 2 bad command line.

Examples:
  iterl2norm hw                            # FP32 macro, energy at d = 768
  iterl2norm hw --format bf16 --d 1024     # BF16 macro, energy at d = 1024
  iterl2norm hw --lanes 16 --json          # a narrower datapath, as JSON
  iterl2norm hw --lanes 16 --synth s.json  # with its synthesis (npm run hw:synth -- --lanes 16 --out s.json)
`;

/** Runs the command with the arguments after `hw`; returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return withUsageErrors("hw", () => run(argv));
}

/** defineMacro's own checks of --format and --lanes, as usage errors. */
function macroFromFlags(format: "fp32" | "bf16", lanes: number | undefined): MacroConfig {
  try {
    return defineMacro({ format, lanes });
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw new UsageError(e.message);
    throw e;
  }
}

/** The synthesis result of --synth FILE (a bad file is a usage error), else the recorded run. */
function synthesisFromFlag(path: string | undefined): SynthResult {
  if (path === undefined) return recordedSynthResult();
  try {
    return readSynthResult(path);
  } catch (e) {
    if (e instanceof SynthShapeError) throw new UsageError(`--synth ${JSON.stringify(path)}: ${e.message}`);
    throw e;
  }
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(argv, {
    ...valueFlags("d", "format", "lanes", "synth"),
    ...switches("json"),
    ...HELP_FLAG,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const format = choiceFlag("format", values.format, ["fp32", "bf16"] as const, "fp32");
  const config = macroFromFlags(format, intFlag("lanes", values.lanes, 2, MAX_LANES));
  const d = intFlag("d", values.d, 1, config.maxDim) ?? DEFAULT_CLI_DIM;
  const dims = TABLE_DIMS.includes(d) ? TABLE_DIMS : [...TABLE_DIMS, d].sort((a, b) => a - b);
  const cost = macroCost(config);
  const energy = macroEnergy(d, config);
  const energyTwoShifts = macroEnergy(d, config, 2);
  const comparison = compareMacros(config, TABLE_DIMS);
  const synthesis = matchSynthesis(synthesisFromFlag(values.synth), config);
  const synthSource = values.synth ?? "the recorded run (cli/hw/synthesis.json)";

  if (values.json) {
    const out = {
      config,
      latency: dims.map((dim) => {
        const phases = macroPhases(dim, config);
        const cycles = Object.values(phases).reduce((s, v) => s + v, 0);
        return { d: dim, cycles, phases, published: (PAPER_LATENCY as Record<number, number>)[dim] ?? null };
      }),
      cost,
      energy,
      energyTwoShifts,
      comparison: {
        format: comparison.format,
        dims: comparison.dims,
        rows: comparison.rows.map((r) => ({
          name: r.name,
          method: r.config.method,
          cycles: r.cycles,
          energyPj: r.energyPj,
          areaMm2: r.areaMm2,
          methodAreaUm2: r.methodAreaUm2,
          precision: r.precision,
        })),
      },
      costTable: COST_TABLE,
      synthesis,
      assumptions: {
        areaScale45to28: [AREA_SCALE_45_TO_28, AREA_SCALE_45_TO_28_HIGH],
        energyScale: "(28/45)·(V/0.9)^2 for 45 nm rows, (V/0.9)^2 for 28 nm rows",
        sramArrayEfficiency: SRAM_ARRAY_EFFICIENCY,
        leakageMwPerMm2: LEAKAGE_MW_PER_MM2,
      },
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return EXIT.ok;
  }

  process.stdout.write(
    [
      `IterL2Norm macro model (iterl2norm/hw, docs/hardware.md)\n${configText(config)}`,
      `Latency in cycles (published: arXiv 2412.04778 v2, 100 MHz; only d = 64 and 1024 are ` +
        `published)\n${latencyText(config, dims)}`,
      `Area at 28 nm\n${areaText(cost)}`,
      `Energy of one vector, d = ${d}\n${energyText(energy, energyTwoShifts)}`,
      `Inverse-norm method, same datapath (${config.format}, ${config.lanes} lanes)\n${comparisonText(comparison)}`,
      `Per-unit costs\n${costRowsText()}`,
      synthesisText(synthesis, config, synthSource),
    ].join("\n"),
  );
  return EXIT.ok;
}
