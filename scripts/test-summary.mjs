// Prints the suite's closing line, "tests: N passed, N failed, N skipped", from vitest's JSON
// report; exits 1 when the report is missing or no test ran.
import { readFileSync } from "node:fs";

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (error) {
  console.error(`test-summary: cannot read ${file}: ${error.message}`);
  process.exit(1);
}
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
if (report.numPassedTests + report.numFailedTests === 0) {
  console.error("test-summary: no test ran");
  process.exit(1);
}
