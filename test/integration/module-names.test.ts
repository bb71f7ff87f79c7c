import { mkdtemp, rm, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { lastJson, notebookJson, runCli } from "./helpers/workspace";

// A notebook named like a module it imports, run on the real engine: its generated script sits
// first on the job's sys.path, so it must never be importable under that name.
const TIMEOUT = 300_000;

function notebook(cells: string[]): string {
  return notebookJson(cells);
}

describe("a notebook named json.ipynb", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "parity-json-"));
    await chmod(dir, 0o755);
    await writeFile(
      path.join(dir, "parity.yaml"),
      "apiVersion: parity.dev/v1\nkind: Profile\nname: fixture-json\nimage: { base: parity/python:3.11-bookworm, python: '3.11' }\nresources: { memory: 256Mi, cpu: '1', shm: 64Mi }\n",
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it(
    "imports the standard library's json, not itself",
    async () => {
      await writeFile(path.join(dir, "json.ipynb"), notebook(['import json\nprint(json.dumps({"a": 1}))']));
      const result = await runCli(["run", "json.ipynb", "--json", "--no-report"], { cwd: dir });
      expect(result.code, result.err.slice(-20).join("\n")).toBe(0);
      expect(result.err).toContain('  │ {"a": 1}');
    },
    TIMEOUT,
  );

  it(
    "still maps a traceback to the notebook's cell and line",
    async () => {
      await writeFile(
        path.join(dir, "json.ipynb"),
        notebook(["import json", 'print("parsing")\njson.loads("not json")']),
      );
      const result = await runCli(["run", "json.ipynb", "--json", "--no-report"], { cwd: dir });
      const run = lastJson<RunResult>(result);
      expect(run.status).toBe("failed");
      expect(run.diagnosis[0]?.message).toContain("JSONDecodeError");
      expect(run.diagnosis[0]?.location).toMatchObject({
        cell: 2,
        line: 2,
        source: 'json.loads("not json")',
      });
    },
    TIMEOUT,
  );
});
