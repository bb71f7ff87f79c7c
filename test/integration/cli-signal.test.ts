import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { connectDocker } from "../../src/targets/docker/connection";
import { copyWorkspace, repoRoot } from "./helpers/workspace";

// The packaged CLI as a user runs it (bin/parity.js → dist/cli.js), stopped with a real SIGINT.
describe("Ctrl-C in the parity CLI", () => {
  beforeAll(async () => {
    await promisify(execFile)(process.execPath, ["esbuild.mjs"], { cwd: repoRoot });
  }, 120_000);

  it("stops the run, removes its container and exits 130 with the cancelled result", async () => {
    const workspace = await copyWorkspace("test/fixtures/workspaces/sleeper");
    try {
      const child = spawn(
        process.execPath,
        [path.join(repoRoot, "bin", "parity.js"), "run", "sleep.ipynb", "--json", "--no-report"],
        { cwd: workspace.dir, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      let interrupted = false;
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        // Once: a second Ctrl-C means "quit at once".
        if (!interrupted && stderr.includes("│ started")) interrupted = child.kill("SIGINT");
      });
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));

      expect(code, stderr).toBe(130);
      const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "null") as RunResult;
      expect(result.status).toBe("cancelled");
      const { docker } = await connectDocker();
      const left = await docker.listContainers({
        all: true,
        filters: { label: [`dev.parity.notebook=${path.join(workspace.dir, "sleep.ipynb")}`] },
      });
      expect(left).toEqual([]);
    } finally {
      await workspace.remove();
    }
  }, 600_000);
});
