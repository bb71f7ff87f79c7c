// Serving a notebook's model on local Docker (parity serve: KServe's model server in the run's
// image, under the endpoint's limits), on the real engine:
// - the cold start (the command started to KServe's readiness answering) when the serving image
//   is built, against that build's time, and when it is already there;
// - the latency distribution of 1,000 V1 predict requests (one at a time, then 8 at once) against
//   the same server's liveness route in the same run: what inference adds over a bare request.
// The model is the fixture's (test/fixtures/workspaces/serving: scikit-learn on iris, joblib).
import { execFile } from "node:child_process";
import { chmod, cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { formatLatencies, summarizeLatencies, type LatencySummary } from "../src/core/serving/latency";

const run = promisify(execFile);
const parity = path.resolve("bin/parity.js");
const REQUESTS = 1000;

interface Served {
  name: string;
  url: string;
  image: string;
  coldStartMs: number;
  buildMs: number;
}

const dir = await mkdtemp(path.join(tmpdir(), "parity-bench-serving-"));
await chmod(dir, 0o755);
await cp(path.resolve("test/fixtures/workspaces/serving"), dir, { recursive: true });
const cli = async (args: string[]) =>
  (await run(process.execPath, [parity, ...args], { cwd: dir, maxBuffer: 64 * 1024 * 1024 })).stdout;
const serve = async () =>
  JSON.parse(
    (await cli(["serve", "train.ipynb", "--detach", "--json"])).trim().split("\n").at(-1)!,
  ) as Served;
const stop = () => cli(["endpoints", "stop", "iris"]).catch(() => undefined);

/** `count` GETs of `url`, `concurrency` at once: each one's time in ms, and how many failed. */
async function timeGets(url: string, count: number, concurrency: number): Promise<LatencySummary> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const started = performance.now();
      const response = await fetch(url).catch(() => undefined);
      await response?.arrayBuffer();
      latencies.push(performance.now() - started);
      if (!response?.ok) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summarizeLatencies(latencies, errors)!;
}

async function predictLoad(concurrency: number): Promise<LatencySummary> {
  const out = await cli([
    "predict",
    "iris",
    "--data",
    "rows.json",
    "--requests",
    String(REQUESTS),
    "--concurrency",
    String(concurrency),
    "--json",
  ]).catch((error: { stdout?: string }) => error.stdout ?? "");
  return (JSON.parse(out.trim().split("\n").at(-1)!) as { load: LatencySummary }).load;
}

try {
  await cli(["run", "train.ipynb", "--no-report"]);
  // Cold: the serving image is built now (its tag removed first, with the layers only it used).
  const planned = await serve();
  await stop();
  await run("docker", ["rmi", "--force", planned.image]).catch(() => undefined);
  const cold = await serve();
  await stop();
  // Warm: the image is there; only the container's start and the model's load remain.
  const warm = await serve();
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`bench: parity serve of the fixture's scikit-learn model (${warm.image})`);
  console.log(
    `cold start ${s(cold.coldStartMs)} (serving image built in ${s(cold.buildMs)}: ${((cold.buildMs / cold.coldStartMs) * 100).toFixed(0)}% of it; load to ready ${s(cold.coldStartMs - cold.buildMs)})`,
  );
  console.log(
    `warm start ${s(warm.coldStartMs)} (image up to date)   ratio cold/warm ${(cold.coldStartMs / warm.coldStartMs).toFixed(1)}x`,
  );

  for (const concurrency of [1, 8]) {
    const baseline = await timeGets(`${warm.url}/v2/health/live`, REQUESTS, concurrency);
    const predict = await predictLoad(concurrency);
    console.log(`\n${REQUESTS} V1 predict requests, ${concurrency} at a time (3 rows each):`);
    for (const line of formatLatencies(predict)) console.log(line);
    console.log(
      `baseline GET /v2/health/live, same server: p50 ${baseline.p50Ms.toFixed(2)} ms, p99 ${baseline.p99Ms.toFixed(2)} ms   predict/baseline p50 ${(predict.p50Ms / baseline.p50Ms).toFixed(2)}x, p99 ${(predict.p99Ms / baseline.p99Ms).toFixed(2)}x`,
    );
  }
} finally {
  await stop();
  await rm(dir, { recursive: true, force: true });
}
