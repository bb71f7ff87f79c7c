// A pipeline of two independent 4-second steps and a join, run by `parity pipeline run` on the real
// Docker engine: the cold run's wall time against the sum of its steps' durations (side by side,
// it should be close to one step's time, not two), and a fully cached rerun against the cold run.
// kfp.local's DockerRunner is not run here: its figure is printed as not measured.
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { benchProject, codeCell } from "./project";

const run = promisify(execFile);
const parity = path.resolve("bin/parity.js");

const dir = await benchProject(
  "parity-bench-pipeline-",
  "join.ipynb",
  [
    codeCell("import time", ["imports"]),
    codeCell("time.sleep(4)\nleft = 1", ["step:left"]),
    codeCell("time.sleep(4)\nright = 2", ["step:right"]),
    codeCell("print(left + right)", ["step:join", "prev:left", "prev:right"]),
  ],
  { name: `bench-pipeline-${process.pid}`, memory: "256Mi", cpu: "0.5" },
);

interface Step {
  name: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
}

async function pipelineRun(): Promise<{ seconds: number; steps: Step[] }> {
  const started = process.hrtime.bigint();
  const { stdout } = await run(process.execPath, [parity, "pipeline", "run", "join.ipynb", "--json"], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as { status: string; steps: Step[] };
  if (result.status !== "succeeded") throw new Error(`the pipeline ${result.status}`);
  return { seconds, steps: result.steps };
}

try {
  // The image is built once first, so neither figure includes a build.
  await run(process.execPath, [parity, "build", "join.ipynb"], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  const cold = await pipelineRun();
  const stepSeconds = cold.steps.map(
    (step) => (Date.parse(step.finishedAt!) - Date.parse(step.startedAt!)) / 1000,
  );
  const sum = stepSeconds.reduce((total, each) => total + each, 0);
  const warm = await pipelineRun();
  const cachedCount = warm.steps.filter((step) => step.status === "cached").length;
  console.log(`parity pipeline run, two independent 4 s steps and a join (cold, image built):`);
  console.log(
    `  wall time ${cold.seconds.toFixed(2)} s; the steps' durations add up to ${sum.toFixed(2)} s (${stepSeconds.map((each) => each.toFixed(2)).join(" + ")})`,
  );
  console.log(
    `  wall time / sum of steps: ${(cold.seconds / sum).toFixed(2)} (side by side: near one step's share, one by one: above 1)`,
  );
  console.log(
    `fully cached rerun: ${warm.seconds.toFixed(2)} s, ${cachedCount} of ${warm.steps.length} steps cached; cached / cold: ${(warm.seconds / cold.seconds).toFixed(2)}`,
  );
  console.log(
    "kfp.local DockerRunner on the same pipeline: not measured (kfp is not installed by this benchmark)",
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
