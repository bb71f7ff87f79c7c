import { execFile, spawn } from "node:child_process";
import { cp } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { RUN_LABEL } from "./harness/codeServer";
import { repoRoot } from "./harness/paths";
import { openVsCode } from "./harness/session";

const TIMEOUT = 600_000;

/** The containers of a run, running or not (the docker CLI, as a user would ask). */
async function containersOf(runId: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)("docker", [
    "ps",
    "--all",
    "--quiet",
    "--filter",
    `label=${RUN_LABEL}=${runId}`,
  ]);
  return stdout.split("\n").filter(Boolean);
}

describe("records that never lie", () => {
  test(
    "a run whose parity run was killed (kill -9) shows its real end in the Runs view, and no container of it remains",
    async (context) => {
      const { workbench, workspace } = await openVsCode(context, {
        name: "recovery-killed-cli",
        prepare: (dir) =>
          cp(path.join(repoRoot, "test/fixtures/workspaces/sleeper"), path.join(dir, "sleeper"), {
            recursive: true,
          }),
      });
      // The packaged CLI (bin/parity.js → dist/cli.js), in a terminal beside the window.
      const cli = spawn(
        process.execPath,
        [path.join(repoRoot, "bin", "parity.js"), "run", "sleep.ipynb", "--json", "--no-report"],
        {
          cwd: path.join(workspace, "sleeper"),
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stderr = "";
      const exited = new Promise((resolve) => cli.on("exit", resolve));
      await new Promise<void>((resolve, reject) => {
        cli.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes("│ started")) resolve();
        });
        void exited.then(() => reject(new Error(`parity run ended before the job started:\n${stderr}`)));
      });
      const runId = /Running (\S+) on local Docker/.exec(stderr)?.[1];
      expect(runId).toBeDefined();
      cli.kill("SIGKILL");
      await exited;
      expect(await containersOf(runId!)).toHaveLength(1);

      await workbench.openParityView();
      const row = await workbench.waitForTreeStatus("Runs", "sleep.ipynb", "Cancelled", 60_000);
      expect(row).not.toContain("process gone");
      await workbench.screenshot("runs-view-recovered");
      await expect.poll(() => containersOf(runId!), { timeout: 30_000 }).toEqual([]);

      await workbench.contextMenu(workbench.treeRow("Runs", "sleep.ipynb").first(), "Open Diagnosis");
      const diagnosis = await workbench.webviewFrame("Diagnosis: sleep.ipynb");
      await expect
        .poll(() => diagnosis.locator("body").innerText(), { timeout: 30_000 })
        .toContain("went away before the run ended; Parity found its container still running and stopped it");
      await workbench.screenshot("diagnosis-recovered");
    },
    TIMEOUT,
  );
});
