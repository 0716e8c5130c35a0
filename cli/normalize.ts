/** `iterl2norm normalize`: LayerNorm or L2 normalisation of tensor files, in chunks of rows. */
import { SingleBar } from "cli-progress";
import { l2Normalize, layerNorm, type NormalizeOptions } from "iterl2norm";
import {
  FILE_KINDS,
  InputError,
  kindOfPath,
  openReader,
  openWriter,
  outputElement,
  type FileKind,
  type TensorReader,
} from "./io/tensor-file.js";
import { EXIT, UsageError } from "./common.js";
import {
  choiceFlag,
  intFlag,
  numberFlag,
  HELP_FLAG,
  parseCommandLine,
  switches,
  valueFlags,
  withUsageErrors,
} from "./flags.js";

export const USAGE = `Usage: iterl2norm normalize IN -o OUT [options]

Normalises every row of IN and writes OUT (same kind as IN unless OUT's extension says otherwise).
IN and OUT may be "-" for standard input / output.

Inputs: .npy (float32, float16, float64; a 2-D array is rows × dim), raw little-endian
.f32 / .bf16 / .f16, .json (an array of rows, or of numbers with --dim).

Options:
  -o, --out PATH        output file, or - for standard output (required)
  -d, --dim D           row length (implied by 2-D .npy and JSON rows)
  -m, --mode MODE       layernorm (default) or l2
      --gamma PATH      γ, dim values (.npy, .f32, .json); layernorm only
      --beta PATH       β, dim values; layernorm only
      --eps E           ε (default 1e-5 for layernorm, 0 for l2)
      --preset P        paper (default) or precise
      --format F        arithmetic format: fp32 (default), bf16, fp16
      --in-type KIND    kind of IN when its extension (or stdin) does not say: ${FILE_KINDS.join(", ")}
      --out-type KIND   kind of OUT, likewise
      --chunk-rows N    rows per chunk (default: about 4 MiB of input)
      --json            print a JSON summary on standard output (not with -o -)
  -q, --quiet           no progress bar or summary
  -h, --help            this help

Exit codes: 0 done, 1 bad input data or files (no output file is left behind), 2 bad command line.

Examples:
  iterl2norm normalize acts.npy -o acts.ln.npy --gamma g.npy --beta b.npy
  iterl2norm normalize emb.f32 -o emb.unit.f32 --dim 384 --mode l2 --preset precise
  cat rows.json | iterl2norm normalize - -o - --mode l2 > unit.json
`;

const FORMATS = ["fp32", "bf16", "fp16"] as const;

function readVector(path: string, dim: number, name: string): Promise<Float32Array> {
  return openReader(path, undefined, dim).then((r) => {
    try {
      if (r.rows * r.dim !== dim)
        throw new InputError(`${path}: --${name} needs ${dim} values (one per column); got ${r.rows * r.dim}`);
      return r.read(r.rows);
    } finally {
      r.close();
    }
  });
}

function kindFlag(name: string, value: string | undefined): FileKind | undefined {
  return value === undefined ? undefined : choiceFlag(name, value, FILE_KINDS, "npy");
}

/** Runs `iterl2norm normalize` with the arguments after the subcommand; returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return withUsageErrors("normalize", () => run(argv));
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      out: { type: "string", short: "o" },
      dim: { type: "string", short: "d" },
      mode: { type: "string", short: "m" },
      ...valueFlags("gamma", "beta", "eps", "preset", "format", "in-type", "out-type", "chunk-rows"),
      ...switches("json"),
      quiet: { type: "boolean", short: "q" },
      ...HELP_FLAG,
    },
    true,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one input path; got ${positionals.length}`);
  const input = positionals[0]!;
  const output = values.out;
  if (output === undefined) throw new UsageError("-o/--out is required");
  const mode = choiceFlag("mode", values.mode, ["layernorm", "l2"] as const, "layernorm");
  const preset = choiceFlag("preset", values.preset, ["paper", "precise"] as const, "paper");
  const format = choiceFlag("format", values.format, FORMATS, "fp32");
  const dimFlag = intFlag("dim", values.dim, 1, 2 ** 24);
  const eps = numberFlag("eps", values.eps, 0);
  const chunkFlag = intFlag("chunk-rows", values["chunk-rows"], 1, 2 ** 30);
  if (mode === "l2" && (values.gamma !== undefined || values.beta !== undefined))
    throw new UsageError("--gamma and --beta apply to --mode layernorm only");
  if (values.json && output === "-") throw new UsageError("--json prints on standard output, which -o - already uses");
  const inKind = kindFlag("in-type", values["in-type"]);
  const outKindFlag = kindFlag("out-type", values["out-type"]);

  const reader: TensorReader = await openReader(input, inKind, dimFlag);
  const outKind = outKindFlag ?? (output === "-" ? undefined : kindOfPath(output)) ?? reader.kind;
  if (output !== "-" && outKindFlag === undefined && kindOfPath(output) === undefined) {
    reader.close();
    throw new UsageError(
      `${output}: unknown extension; expected .npy, .f32, .bf16, .f16 or .json (or pass --out-type)`,
    );
  }
  const started = performance.now();
  let writer: ReturnType<typeof openWriter> | undefined;
  try {
    const dim = reader.dim;
    const opts = {
      dim,
      preset,
      ...(eps !== undefined ? { eps } : {}),
      ...(format !== "fp32" ? { format } : {}),
    } as NormalizeOptions;
    if (mode === "layernorm") {
      if (values.gamma !== undefined) opts.gamma = await readVector(values.gamma, dim, "gamma");
      if (values.beta !== undefined) opts.beta = await readVector(values.beta, dim, "beta");
    }
    writer = openWriter(output, outKind, outputElement(outKind, reader.element), reader.rows, dim);
    const chunk = chunkFlag ?? Math.max(1, Math.floor((4 << 20) / (dim * 4)));
    const bar =
      !values.quiet && process.stderr.isTTY && reader.rows > chunk
        ? new SingleBar({
            format: "normalize [{bar}] {percentage}% {value}/{total} rows",
            stream: process.stderr,
            hideCursor: true,
          })
        : undefined;
    bar?.start(reader.rows, 0);
    for (let done = 0; done < reader.rows; ) {
      const x = reader.read(chunk);
      const n = x.length / dim;
      writer.write(mode === "layernorm" ? layerNorm(x, { ...opts, out: x }) : l2Normalize(x, { ...opts, out: x }));
      done += n;
      bar?.update(done);
    }
    bar?.stop();
    writer.finish();
    const summary = {
      input,
      output,
      inKind: reader.kind,
      outKind,
      rows: reader.rows,
      dim,
      mode,
      preset,
      format,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else if (!values.quiet && output !== "-") {
      process.stderr.write(
        `normalised ${summary.rows} rows × ${dim} (${mode}, ${preset}, ${format}) → ${output} in ${summary.ms} ms\n`,
      );
    }
    return EXIT.ok;
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    reader.close();
  }
}
