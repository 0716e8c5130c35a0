#!/usr/bin/env node
/** Runs the benchmark command line (see cli.ts): `node dist/bench/run.js [suite ...] [options]`. */
import { main } from "./cli.js";

process.exitCode = await main(process.argv.slice(2));
