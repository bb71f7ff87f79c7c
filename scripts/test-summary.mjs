// Prints the suite's closing line, "tests: N passed, N failed, N skipped", from vitest's JSON
// reports (one per project); exits 1 when a report is missing or no test ran at all.
import { readFileSync } from "node:fs";

const totals = { passed: 0, failed: 0, skipped: 0 };
let missing = false;
for (const file of process.argv.slice(2)) {
  try {
    const report = JSON.parse(readFileSync(file, "utf8"));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
  } catch (error) {
    console.error(`test-summary: no report in ${file} (${error.message}): that run did not finish`);
    missing = true;
  }
}
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (totals.passed + totals.failed === 0) console.error("test-summary: no test ran");
if (missing || totals.passed + totals.failed === 0) process.exit(1);
