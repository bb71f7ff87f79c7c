// Prints the suite's closing lines from vitest's JSON reports (one per project): each failed
// test with the first lines of its failure (the end of a CI log is often all that is kept), then
// "tests: N passed, N failed, N skipped"; exits 1 when a report is missing or no test ran at all.
import { readFileSync } from "node:fs";
import { relative } from "node:path";

/** Terminal colour codes, which vitest puts in its failure messages. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
let missing = false;
for (const file of process.argv.slice(2)) {
  try {
    const report = JSON.parse(readFileSync(file, "utf8"));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
    for (const suite of report.testResults ?? []) {
      const path = relative(process.cwd(), suite.name);
      const failed = (suite.assertionResults ?? []).filter((test) => test.status === "failed");
      for (const test of failed)
        failures.push({ path, name: test.fullName, messages: test.failureMessages ?? [] });
      // A file that failed before any test ran (an import error, a hook) has no failed test.
      if (failed.length === 0 && suite.status === "failed")
        failures.push({ path, name: "(the file)", messages: [suite.message ?? ""] });
    }
  } catch (error) {
    console.error(`test-summary: no report in ${file} (${error.message}): that run did not finish`);
    missing = true;
  }
}
for (const failure of failures) {
  console.log(`FAILED ${failure.path} > ${failure.name}`);
  const text = failure.messages.join("\n").replace(ANSI_COLOUR, "");
  for (const line of text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(0, 12))
    console.log(`    ${line}`);
}
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (totals.passed + totals.failed === 0) console.error("test-summary: no test ran");
if (missing || totals.passed + totals.failed === 0) process.exit(1);
