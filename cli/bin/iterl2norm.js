#!/usr/bin/env node
// The `iterl2norm` bin. A file that exists before the build, so that npm links it in a fresh
// checkout of the workspace too; the command itself is the compiled cli/main.ts.
import "../dist/cli/main.js";
