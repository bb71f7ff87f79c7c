import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../integration/helpers/workspace";

function cli(args: string[], cwd = process.cwd()) {
  // No kubeconfig: a follow that tried to connect would fail.
  return runCli(args, { cwd, env: { KUBECONFIG: join(cwd, "missing.kubeconfig") } });
}

describe("parity logs --follow", () => {
  it("is documented in the help", async () => {
    const { code, out } = await cli(["logs", "--help"]);
    expect(code).toBe(0);
    expect(out.join("\n")).toMatch(/--follow\s+For a run still going/);
  });

  it("prints a finished cluster run's log as recorded, without connecting", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "h7-logs-"));
    const dir = join(workspace, ".parity", "runs", "done-1");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "run.json"),
      JSON.stringify({
        runId: "done-1",
        target: "cluster",
        status: "succeeded",
        exitCode: 0,
        oomKilled: false,
        image: "i",
        notebook: "train.ipynb",
        startedAt: "2026-03-02T10:00:00.000Z",
        finishedAt: "2026-03-02T10:01:00.000Z",
        memoryLimitBytes: 1,
        diagnosis: [],
        cluster: {
          context: "kwok",
          server: "https://x",
          namespace: "a",
          kind: "Job",
          apiVersion: "batch/v1",
          name: "done-1",
        },
      }),
    );
    writeFileSync(
      join(dir, "logs.jsonl"),
      ['{"stream":"stdout","text":"epoch 1","time":1,"source":"done-1-x"}', ""].join("\n"),
    );
    const { code, out, err } = await cli(["logs", "done-1", "--follow"], workspace);
    expect({ code, out, err }).toEqual({ code: 0, out: ["epoch 1"], err: [] });
  });
});
