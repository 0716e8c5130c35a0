#!/usr/bin/env node
// One line for several vitest runs: "N passed, N failed[, N skipped]" summed over their JSON
// reports (--reporter=json). A test file that failed without running its tests (an import or
// setup error) counts as one failed test, so the line cannot read "0 failed" when a file broke.
// Exits 1 when anything failed, a report is missing or unreadable, or a run ran no tests.
//   usage: node scripts/test-summary.js REPORT.json...
import { readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;
for (const path of process.argv.slice(2)) {
  let r;
  try {
    r = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    console.error(`test-summary: no report in ${path} (${e instanceof Error ? e.message : e})`);
    broken = true;
    continue;
  }
  const fileErrors = r.testResults.filter(
    (f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed"),
  );
  for (const f of fileErrors) console.error(`test-summary: ${path}: ${f.name} failed to run: ${f.message}`);
  passed += r.numPassedTests;
  failed += r.numFailedTests + fileErrors.length;
  skipped += r.numPendingTests + r.numTodoTests;
  if (r.numTotalTests === 0) {
    console.error(`test-summary: ${path} ran no tests`);
    broken = true;
  }
}
if (process.argv.length < 3) {
  console.error("usage: node scripts/test-summary.js REPORT.json...");
  broken = true;
}
const skippedPart = skipped ? `, ${skipped} skipped` : "";
console.log(`${passed} passed, ${failed} failed${skippedPart}`);
process.exitCode = broken || failed > 0 ? 1 : 0;
