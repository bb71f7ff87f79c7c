import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { lastJson, notebookJson, runCli } from "./helpers/workspace";

// How much environment reaches a job, against the real engine: a 50 MB value used to fail at
// container create with HTTP 431 and "check that the Docker engine is running".
const TIMEOUT = 300_000;
const KIB = 1024;

const NOTEBOOK = notebookJson([
  { source: ['x = "a"'], tags: ["parameters"] },
  ["import os\n", "print('sizes', sorted(len(v) for k, v in os.environ.items() if k.startswith('BIG')))"],
]);

describe("the size of a job's environment", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "parity-env-"));
    await chmod(dir, 0o755);
    await writeFile(path.join(dir, "job.ipynb"), NOTEBOOK);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function withEnv(env: Record<string, string>): Promise<void> {
    const lines = Object.entries(env).map(([name, value]) => `  ${name}: ${JSON.stringify(value)}`);
    await writeFile(
      path.join(dir, "parity.yaml"),
      [
        "apiVersion: parity.dev/v1",
        "kind: Profile",
        "name: fixture-env-size",
        "image: { base: parity/python:3.11-bookworm, python: '3.11' }",
        "resources: { memory: 256Mi, cpu: '1', shm: 64Mi }",
        "env:",
        ...lines,
        "",
      ].join("\n"),
    );
  }

  it(
    "refuses a 50 MB value up front, naming the field, its line and its size",
    async () => {
      await withEnv({ SMALL: "1", BIG: "x".repeat(50 * 1024 * KIB) });
      const result = await runCli(["run", "job.ipynb", "--no-report"], { cwd: dir });
      expect(result.code).toBe(1);
      const error = result.err.join("\n");
      expect(error).toContain(
        `${path.join(dir, "parity.yaml")}:8 env.BIG: env.BIG is 50 MiB; Linux passes at most 128 KiB a variable to a program`,
      );
      expect(error).toContain("Put the value in a file inside the project");
      expect(error).not.toMatch(/431|engine is running|^\s+at /m);
      expect(result.err.join("\n")).not.toContain("Building");
    },
    TIMEOUT,
  );

  it(
    "passes values up to the limits, even ones the URL would triple (the engine took only 1 MiB there)",
    async () => {
      // Quotes and spaces are percent-encoded three bytes each: 7 × 120 KiB of them was a 2.5 MiB URL.
      const value = '" '.repeat(60 * KIB);
      const env = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((index) => [`BIG${index}`, value]));
      await withEnv(env);
      const result = await runCli(["run", "job.ipynb", "--no-report", "--json"], { cwd: dir });
      expect(result.code, result.err.slice(-20).join("\n")).toBe(0);
      expect(lastJson<RunResult>(result).status).toBe("succeeded");
      expect(result.err).toContain(
        `  │ sizes [${Array(7)
          .fill(120 * KIB)
          .join(", ")}]`,
      );
    },
    TIMEOUT,
  );

  it(
    "refuses -p parameters too large to pass, before building",
    async () => {
      await withEnv({ SMALL: "1" });
      const result = await runCli(["run", "job.ipynb", "--no-report", "-p", `x=${"a".repeat(200 * KIB)}`], {
        cwd: dir,
      });
      expect(result.code).toBe(1);
      const error = result.err.join("\n");
      expect(error).toContain(
        "PARITY_PARAMETERS (the -p parameters) is 200 KiB; Linux passes at most 128 KiB",
      );
      expect(error).not.toContain("Building");
    },
    TIMEOUT,
  );
});
