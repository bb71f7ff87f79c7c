// An experiment of 12 one-second trials with parallelTrialCount 3, run by `parity tune` on the real
// Docker engine with Katib's random search (hyperopt, in Parity's suggestion process): the wall
// time against the sum of the trials' durations (three at a time, it should be near a third of
// it), and the suggestion process's time per trial, as the experiment's record measured it.
// The image and the suggestion process's environment are built first, so neither figure holds a
// build. --no-doctor: the doctor's first trial alone would add one trial's time to the wall time.
import { execFile } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { benchProject, codeCell } from "./project";

const run = promisify(execFile);
const parity = path.resolve("bin/parity.js");

const dir = await benchProject(
  "parity-bench-tuning-",
  "train.ipynb",
  [
    codeCell("lr = 0.1", ["parameters"]),
    codeCell("import time\ntime.sleep(1)\nprint(f'accuracy={1 - (lr - 0.03) ** 2}')"),
  ],
  { name: `bench-tuning-${process.pid}`, memory: "128Mi", cpu: "0.5" },
);
await writeFile(
  path.join(dir, "experiment.yaml"),
  [
    "objective:",
    "  type: maximize",
    "  objectiveMetricName: accuracy",
    "algorithm:",
    "  algorithmName: random",
    "parallelTrialCount: 3",
    "maxTrialCount: 12",
    "parameters:",
    "  - name: lr",
    "    parameterType: double",
    "    feasibleSpace:",
    '      min: "0.01"',
    '      max: "0.1"',
    "",
  ].join("\n"),
);

interface Trial {
  status: string;
  runId: string;
}

try {
  await run(process.execPath, [parity, "build", "train.ipynb"], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  const started = process.hrtime.bigint();
  const { stdout } = await run(
    process.execPath,
    [parity, "tune", "train.ipynb", "--no-doctor", "--no-report", "--json"],
    { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
    experimentId: string;
    status: string;
    trials: Trial[];
    suggestion: { calls: number; milliseconds: number } | null;
  };
  if (result.status !== "succeeded") throw new Error(`the experiment ${result.status}`);
  const durations = await Promise.all(result.trials.map((trial) => trialSeconds(trial.runId)));
  const sum = durations.reduce((total, each) => total + each, 0);
  console.log(`parity tune, 12 one-second trials, parallelTrialCount 3 (random search, image built):`);
  console.log(
    `  wall time ${seconds.toFixed(2)} s (the whole command); the trials' runs add up to ${sum.toFixed(2)} s (${durations.length} trials, ${(sum / durations.length).toFixed(2)} s each on average)`,
  );
  console.log(
    `  wall time / sum of trials: ${(seconds / sum).toFixed(2)} (three at a time: near 0.33 plus start-up)`,
  );
  const suggestion = result.suggestion;
  console.log(
    suggestion
      ? `  suggestion process: ${suggestion.calls} calls, ${suggestion.milliseconds.toFixed(0)} ms in all, ${(suggestion.milliseconds / result.trials.length).toFixed(1)} ms per trial`
      : "  suggestion process: not measured",
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** A trial's duration as its run's record says (container start to end). */
async function trialSeconds(runId: string): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  const record = JSON.parse(await readFile(path.join(dir, ".parity", "runs", runId, "run.json"), "utf8")) as {
    durationMs: number;
  };
  return record.durationMs / 1000;
}
