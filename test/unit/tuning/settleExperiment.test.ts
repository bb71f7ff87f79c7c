import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RunRecorder } from "../../../src/app/store";
import { settleExperiment } from "../../../src/app/tuning/settle";
import type { RunResult } from "../../../src/core/job/types";
import { readExperiment } from "../../../src/core/tuning/experiment";
import { specDigest } from "../../../src/core/tuning/record";

// The experiment's words once its process went away, from real files: the experiment as written,
// and a trial's run recorded (its output) as a settled run leaves it.
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const fixture = path.resolve(__dirname, "../../fixtures/workspaces/tuning/random.yaml");

async function workspaceWithTrialRun(status: RunResult["status"]) {
  const workspace = await mkdtemp(path.join(tmpdir(), "parity-settle-experiment-"));
  folders.push(workspace);
  const file = path.join(workspace, "random.yaml");
  const text = await readFile(fixture, "utf8");
  await writeFile(file, text);
  const experiment = readExperiment(text, file);
  const trialRun = await RunRecorder.create(workspace, "train-random-2-run");
  for (const [epoch, accuracy] of [
    [1, 0.8],
    [2, 0.85],
  ])
    await trialRun.log({ stream: "stdout", text: `epoch ${epoch}: accuracy=${accuracy} loss=0.1`, time: 0 });
  const trialResult: RunResult = {
    runId: "train-random-2-run",
    kind: "job",
    target: "local",
    status,
    exitCode: status === "succeeded" ? 0 : null,
    oomKilled: false,
    image: "parity/train:1",
    notebook: path.join(workspace, "train.ipynb"),
    parent: "exp-1",
    trial: "train-random-2",
    finishedAt: "2026-12-04T10:03:00.000Z",
    memoryLimitBytes: 1024,
    diagnosis: [],
  };
  await trialRun.release();
  const whole: RunResult = {
    ...trialResult,
    runId: "exp-1",
    kind: "experiment",
    status: "running",
    parent: undefined,
    trial: undefined,
    children: ["train-random-2-run"],
    experiment: {
      name: "train-random",
      file,
      specDigest: specDigest(experiment, []),
      algorithm: "random",
      objective: { type: "maximize", metric: "accuracy", goal: 0.99, strategy: "max" },
      parallelTrialCount: 3,
      params: [],
      trials: [
        {
          name: "train-random-2",
          status: "running",
          parameters: [{ name: "lr", value: "0.03" }],
          runId: "train-random-2-run",
        },
      ],
    },
  };
  return {
    workspace,
    file,
    whole: { dir: path.join(workspace, ".parity", "runs", "exp-1"), result: whole },
    parts: new Map([[trialResult.runId, trialResult]]),
  };
}

describe("settleExperiment", () => {
  it("reads a trial whose run ended by itself as Katib's collector would, and says how to resume", async () => {
    const { workspace, whole, parts } = await workspaceWithTrialRun("succeeded");
    const settled = await settleExperiment({ cwd: workspace }, whole, parts, { pid: 9 });
    const [trial] = settled.experiment!.trials;
    expect(trial).toMatchObject({ status: "succeeded", objective: 0.85, runId: "train-random-2-run" });
    expect(settled.experiment!.best).toMatchObject({ trial: "train-random-2", objective: 0.85 });
    expect(settled.status).toBe("lost");
    expect(settled.diagnosis[0]!.fix).toContain("parity tune train.ipynb --resume exp-1");
  });

  it("records a stopped trial cancelled, so that resuming runs it again", async () => {
    const { workspace, whole, parts } = await workspaceWithTrialRun("cancelled");
    const settled = await settleExperiment({ cwd: workspace }, whole, parts, {});
    expect(settled.experiment!.trials[0]).toMatchObject({
      status: "cancelled",
      reason: "stopped: the experiment's process had gone away",
    });
    expect(settled.diagnosis[0]!.message).toContain("1 was stopped; the one that did not end runs again");
  });

  it("does not read metrics by an experiment file changed since: the trial says why it has none", async () => {
    const { workspace, file, whole, parts } = await workspaceWithTrialRun("succeeded");
    await writeFile(file, (await readFile(file, "utf8")).replace("maxTrialCount: 6", "maxTrialCount: 7"));
    const settled = await settleExperiment({ cwd: workspace }, whole, parts, {});
    expect(settled.experiment!.trials[0]).toMatchObject({
      status: "metrics-unavailable",
      reason: "its metrics could not be read: random.yaml is no longer the experiment it ran",
    });
  });
});
