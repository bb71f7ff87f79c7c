import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describeError } from "../../../src/core/errors";
import { convertNotebook, type NotebookJob } from "../../../src/core/notebook";
import { failureOf } from "../../helpers/failures";

export { failureOf };

export const FIXTURES = join(__dirname, "../../fixtures/notebooks");

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), "utf8");
}

export function convertFixture(name: string): NotebookJob {
  return convertNotebook(fixture(name), name);
}

/** A one-code-cell notebook around `source`, as nbformat 4 JSON. */
export function notebookOf(...sources: string[]): string {
  const cells = sources.map((source) => ({
    cell_type: "code",
    metadata: {},
    source,
    outputs: [],
    execution_count: null,
  }));
  return JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 });
}

/** Script lines that came from cells: what the notebook's code became. */
export function cellCode(job: NotebookJob): string[] {
  return job.script.split("\n").filter((_, i) => job.lineMap[i]);
}

export function describeFailure(run: () => unknown): string {
  return describeError(failureOf(run));
}
