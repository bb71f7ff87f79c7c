import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../../integration/helpers/workspace";

// parity pipeline check: the files are read, nothing is built or run (no Docker needed).
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "parity-pipeline-check-"));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

describe("parity pipeline check", () => {
  it("lists a tagged notebook's steps and what each runs after", async () => {
    const cwd = path.join(repoRoot, "test/fixtures/workspaces/kale-pipeline");
    const checked = await runCli(["pipeline", "check", "numbers.ipynb"], { cwd });
    expect(checked.code, checked.err.join("\n")).toBe(0);
    expect(checked.out).toEqual([
      "numbers.ipynb: pipeline numbers, 4 steps, no problems found.",
      "  load",
      "  squares after load",
      "  total after load",
      "  report after squares, total",
    ]);
  });

  it("checks a pipeline.yaml: a step's missing notebook is named with its line", async () => {
    const dir = await project({
      "prepare.ipynb": "{}",
      "pipeline.yaml":
        "steps:\n  - name: prepare\n    notebook: prepare.ipynb\n  - name: train\n    notebook: train.ipynb\n    after: [prepare]\n",
    });
    const checked = await runCli(["pipeline", "check", "pipeline.yaml"], { cwd: dir });
    expect(checked.code).toBe(1);
    expect(checked.err.join("\n")).toContain(
      `${path.join(dir, "pipeline.yaml")}:4 steps[1]: The step train runs ${path.join(dir, "train.ipynb")}, which does not exist.`,
    );
  });

  it("refuses a notebook without step tags, saying how to tag it", async () => {
    const dir = await project({
      "plain.ipynb": JSON.stringify({
        nbformat: 4,
        nbformat_minor: 4,
        metadata: {},
        cells: [{ cell_type: "code", metadata: {}, source: "x = 1", outputs: [] }],
      }),
    });
    const run = await runCli(["pipeline", "check", "plain.ipynb"], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.err.join("\n")).toContain("has no cell tagged step:<name>, so it is not a pipeline.");
  });
});
