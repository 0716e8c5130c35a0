/**
 * `iterl2norm demo`: a short demo on built-in seeded data. Normalises sample rows with
 * both presets, prints the error against the float64 truth next to the naive JS
 * baseline, and measures the worst relative error of a ≈ 1/√m for each preset.
 */
import { fisr, layerNorm, reference, rsqrt, type NormalizeOptions } from "iterl2norm";
import { normalRows } from "../bench/random.js";
import { EXIT } from "./common.js";
import { HELP_FLAG, parseCommandLine, switches, withUsageErrors } from "./flags.js";
import { sci } from "./numbers.js";

const SEED = 20241206;
const ROWS = 64;
const DIM = 768;

/** Every 64th f32 in [1, 4): by exact power-of-two scaling this covers every m. */
function denseM(): Float32Array {
  const lo = 0x3f800000;
  const bits = new Uint32Array((0x40800000 - lo) / 64).map((_, i) => lo + 64 * i);
  return new Float32Array(bits.buffer);
}

function worstRelative(m: Float32Array, a: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < m.length; i++) worst = Math.max(worst, Math.abs(a[i]! * Math.sqrt(m[i]!) - 1));
  return worst;
}

function errors(got: ArrayLike<number>, truth: Float64Array): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < truth.length; i++) {
    const e = Math.abs(got[i]! - truth[i]!);
    max = Math.max(max, e);
    sum += e;
  }
  return { max, mean: sum / truth.length };
}

export const USAGE = `Usage: iterl2norm demo [--json]

Normalises built-in seeded rows with both presets, FISR, sqrt and the naive JS
baseline, and prints the errors against float64; also the worst relative error of
a ≈ 1/√m of each scalar method.

Options:
  --json       the same numbers as JSON
  -h, --help   this text

Exit codes: 0 done, 1 failure, 2 bad command line.

Examples:
  iterl2norm demo
  iterl2norm demo --json
`;

/** Runs `iterl2norm demo` with the arguments after the subcommand; returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return withUsageErrors("demo", () => run(argv));
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(argv, { ...switches("json"), ...HELP_FLAG });
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const m = denseM();
  const scalar: [string, Float32Array][] = [
    ["paper   (λ = 0.345·2^−e, 5 steps)", rsqrt(m, { preset: "paper" })],
    ["precise (Newton step, 5 steps)   ", rsqrt(m, { preset: "precise" })],
    ["pow2    (λ = 2^−(e+1), 5 steps)  ", rsqrt(m, { lambda: "pow2" })],
    ["FISR 0x5f3759df, 1 Newton step   ", fisr(m, { steps: 1 })],
    ["FISR 0x5f3759df, 2 Newton steps  ", fisr(m, { steps: 2 })],
  ];
  const x = normalRows(SEED, ROWS, DIM);
  const gamma = normalRows(SEED + 1, 1, DIM, 1, 0.1);
  const beta = normalRows(SEED + 2, 1, DIM, 0, 0.1);
  const base: NormalizeOptions = { dim: DIM, gamma, beta };
  const truth = reference.layerNormExact(x, base);
  const rows: [string, ArrayLike<number>][] = [
    ["wasm IterL2Norm, paper preset  ", layerNorm(x, { ...base, preset: "paper" })],
    ["wasm IterL2Norm, precise preset", layerNorm(x, { ...base, preset: "precise" })],
    ["wasm sqrt + divide             ", layerNorm(x, { ...base, method: "sqrt" })],
    ["wasm FISR, 1 Newton step       ", layerNorm(x, { ...base, method: "fisr" })],
    ["naive JS (Math.sqrt)           ", reference.layerNormNaive(x, base)],
  ];
  const result = {
    seed: SEED,
    rows: ROWS,
    dim: DIM,
    mValues: m.length,
    scalarWorstRelative: scalar.map(([name, a]) => ({
      method: name.replace(/\s+/g, " ").trim(),
      worst: worstRelative(m, a),
    })),
    layerNormError: rows.map(([name, out]) => ({ method: name.replace(/\s+/g, " ").trim(), ...errors(out, truth) })),
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return EXIT.ok;
  }
  console.log("iterl2norm: IterL2Norm LayerNorm / L2 normalisation in WebAssembly SIMD\n");
  console.log(`Scalar path a ≈ 1/√m: worst relative error over ${m.length} values of m (every 64th f32 in [1, 4))`);
  for (const [i, [name]] of scalar.entries()) console.log(`  ${name}  ${sci(result.scalarWorstRelative[i]!.worst)}`);
  console.log(
    `\nLayerNorm of ${ROWS} seeded N(0,1) rows, d = ${DIM}, eps = 1e-5 (seed ${SEED}): |out − float64 truth|`,
  );
  console.log("  method                            max        mean");
  rows.forEach(([name], i) => {
    const e = result.layerNormError[i]!;
    console.log(`  ${name}  ${sci(e.max)}   ${sci(e.mean)}`);
  });
  console.log("\nRun `npm test` for the full checks.");
  return EXIT.ok;
}
