/** `iterl2norm normalize`: LayerNorm or L2 normalisation of tensor files, in chunks of rows. */
import { SingleBar } from "cli-progress";
import { constants as osConstants } from "node:os";
import { createL2Normalize, createLayerNorm, type Normalizer, type PreparedLayerNormOptions } from "iterl2norm";
import {
  BrokenPipe,
  FILE_KINDS,
  InputError,
  kindOfPath,
  openReader,
  openWriter,
  outputElement,
  prepareOutput,
  type FileKind,
  type TensorReader,
  type TensorWriter,
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
.f32 / .bf16 / .f16, .json (an array of rows, or of numbers with --dim). IN may be a file,
a pipe or FIFO (e.g. <(zcat x.f32.gz)) or - (standard input); binary inputs are streamed in
chunks of rows (bounded memory; a raw stream needs --dim), JSON is read whole. A stream's kind
comes from --in-type, its extension, or its first bytes (.npy magic, or "[" for JSON).
JSON has no NaN or ±Infinity: they are written as the strings "NaN", "Infinity", "-Infinity",
which are read back, as is null (NaN).

OUT is written to a temporary file renamed into place at the end; an existing OUT keeps its
permission bits, a symbolic link OUT is written through (its target is replaced, the link
stays), and an existing non-regular OUT (a FIFO, /dev/null) is written directly. OUT's
directory is checked before IN is read.

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

Exit codes: 0 done (also when the reader of -o - stops reading, as head does), 1 bad input
data or files (no output file is left behind), 2 bad command line or options, 128 + the signal
on SIGINT (130), SIGTERM (143) or SIGHUP (129), after removing the temporary output.

Examples:
  iterl2norm normalize acts.npy -o acts.ln.npy --gamma g.npy --beta b.npy
  iterl2norm normalize emb.f32 -o emb.unit.f32 --dim 384 --mode l2 --preset precise
  cat rows.json | iterl2norm normalize - -o - --mode l2 > unit.json
`;

const FORMATS = ["fp32", "bf16", "fp16"] as const;

async function readVector(path: string, dim: number, name: string): Promise<Float32Array> {
  const r = await openReader(path, undefined, dim);
  try {
    const got: Float32Array[] = [];
    let n = 0;
    for (let x = await r.read(dim); x.length > 0; x = await r.read(dim)) {
      got.push(x);
      n += x.length;
    }
    if (n !== dim) throw new InputError(`${path}: --${name} needs ${dim} values (one per column); got ${n}`);
    return got[0]!;
  } finally {
    await r.close();
  }
}

function kindFlag(name: string, value: string | undefined): FileKind | undefined {
  return value === undefined ? undefined : choiceFlag(name, value, FILE_KINDS, "npy");
}

type Mode = "layernorm" | "l2";

/** The prepared normaliser: every option is checked here, once, before a chunk runs (docs/design.md §7). */
function prepare(mode: Mode, opts: PreparedLayerNormOptions): Normalizer {
  return mode === "layernorm" ? createLayerNorm(opts) : createL2Normalize(opts);
}

/**
 * The library's TypeError/RangeError about `opts.<name>` as the command line's words:
 * `--<name> must …` (γ and β come from files, so their errors name the file).
 */
function optionError(e: unknown, files: Readonly<Record<string, string | undefined>>): Error {
  if (!(e instanceof TypeError || e instanceof RangeError)) return e as Error;
  const m = /^opts\.(\w+)(.*)$/s.exec(e.message);
  if (m === null) return new UsageError(e.message);
  const [, name, rest] = m as unknown as [string, string, string];
  const file = files[name];
  return file !== undefined ? new InputError(`--${name} ${file}: ${name}${rest}`) : new UsageError(`--${name}${rest}`);
}

/** Signals that stop a run; the exit code is 128 + the signal's number, as a shell reports it. */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

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
  if (output !== "-" && outKindFlag === undefined && kindOfPath(output) === undefined) {
    throw new UsageError(
      `${output}: unknown extension; expected .npy, .f32, .bf16, .f16 or .json (or pass --out-type)`,
    );
  }
  const base = {
    preset,
    ...(eps !== undefined ? { eps } : {}),
    ...(format !== "fp32" ? { format } : {}),
  } as PreparedLayerNormOptions;
  // The options as the library sees them, checked before any file is touched; the row length of
  // the input is not known yet, so --dim (or 1) stands in until the input's own is read.
  try {
    prepare(mode, { ...base, dim: dimFlag ?? 1 });
  } catch (e) {
    throw optionError(e, {});
  }
  const target = prepareOutput(output);

  let writer: TensorWriter | undefined;
  let reader: TensorReader | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    writer?.abort();
    process.exit(128 + osConstants.signals[signal]);
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const started = performance.now();
  try {
    reader = await openReader(input, inKind, dimFlag);
    const outKind = outKindFlag ?? (output === "-" ? undefined : kindOfPath(output)) ?? reader.kind;
    const dim = reader.dim;
    const opts: PreparedLayerNormOptions = { ...base, dim };
    if (mode === "layernorm") {
      if (values.gamma !== undefined) opts.gamma = await readVector(values.gamma, dim, "gamma");
      if (values.beta !== undefined) opts.beta = await readVector(values.beta, dim, "beta");
    }
    let norm: Normalizer;
    try {
      norm = prepare(mode, opts);
    } catch (e) {
      throw optionError(e, { gamma: values.gamma, beta: values.beta });
    }
    writer = openWriter(target, outKind, outputElement(outKind, reader.element), reader.rows, dim);
    const chunk = chunkFlag ?? Math.max(1, Math.floor((4 << 20) / (dim * 4)));
    const bar =
      !values.quiet && process.stderr.isTTY && reader.rows !== undefined && reader.rows > chunk
        ? new SingleBar({
            format: "normalize [{bar}] {percentage}% {value}/{total} rows",
            stream: process.stderr,
            hideCursor: true,
          })
        : undefined;
    bar?.start(reader.rows ?? 0, 0);
    let done = 0;
    for (let x = await reader.read(chunk); x.length > 0; x = await reader.read(chunk)) {
      await writer.write(norm(x, x));
      done += x.length / dim;
      bar?.update(done);
      // Reads served from memory never reach the event loop; a signal is handled only there.
      await new Promise(setImmediate);
    }
    bar?.stop();
    await writer.finish();
    const summary = {
      input,
      output,
      inKind: reader.kind,
      outKind,
      rows: done,
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
    // The reader of standard output went away (`-o - | head`): nothing more is wanted.
    if (e instanceof BrokenPipe) return EXIT.ok;
    throw e;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    await reader?.close();
  }
}
