import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../cluster/harness/context";
import { connectDocker } from "../../src/targets/docker/connection";
import { logLinesIn, recordIn, said } from "./helpers/pipelineRuns";
import { copyWorkspace, interruptIfRunning, lastJson, repoRoot, runCli } from "./helpers/workspace";

// parity serve, predict and endpoints against the real Docker engine and the real KServe model
// server (kserve 0.20.0 from PyPI, installed into the run's image): the fixture notebook
// (test/fixtures/workspaces/serving/train.ipynb) trains a scikit-learn LogisticRegression on iris
// with named columns and saves it with joblib; the three rows of rows.json are iris flowers of
// the three classes, so the answer is known. Nothing is mocked.
const TIMEOUT = 900_000;
const EXPECTED = [1, 0, 2];

interface ServeJson {
  name: string;
  url: string | null;
  protocols: string[];
  containerId: string | null;
  runId: string;
  status: string;
  diagnosis: { code: string; message: string; fix: string }[];
}

interface PredictJson {
  ok: boolean;
  status: number;
  predictions: unknown;
  error: string | null;
  latencyMs: number;
  protocol: string;
  model: string;
  load?: { requests: number; errors: number; p50Ms: number; histogram: { upToMs: number; count: number }[] };
}

let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
const spawned: ChildProcess[] = [];

beforeAll(async () => {
  // The packaged CLI (bin/parity.js → dist/cli.js) is what the kill -9 test kills.
  await promisify(execFile)(process.execPath, ["esbuild.mjs"], { cwd: repoRoot });
  workspace = await copyWorkspace("test/fixtures/workspaces/serving");
  const trained = await cli(["run", "train.ipynb", "--no-report", "--json"]);
  expect(trained.code, said(trained)).toBe(0);
}, TIMEOUT);

afterAll(async () => {
  await Promise.all(spawned.map(interruptIfRunning));
  if (workspace) await cli(["endpoints", "stop", "iris"]).catch(() => undefined);
  await workspace?.remove();
});

const cli = (args: string[], options: { signal?: AbortSignal; onOut?: (line: string) => void } = {}) =>
  runCli(args, { cwd: workspace.dir, ...options });

async function containerOf(id: string) {
  const { docker } = await connectDocker();
  return docker
    .getContainer(id)
    .inspect()
    .catch(() => undefined);
}

async function predictJson(args: string[]): Promise<PredictJson> {
  const run = await cli(["predict", ...args, "--json"]);
  const answer = lastJson<PredictJson>(run);
  expect(answer, said(run)).toBeTruthy();
  return answer;
}

describe("parity serve on local Docker", () => {
  it(
    "serves the notebook's model in KServe's server under serving.resources on loopback, answering V1 and V2 for rows and records",
    async () => {
      const served = await cli(["serve", "train.ipynb", "--detach", "--json"]);
      expect(served.code, said(served)).toBe(0);
      const endpoint = lastJson<ServeJson>(served);
      expect(endpoint).toMatchObject({ name: "iris", protocols: ["v1", "v2"], status: "running" });
      expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      // Production's limits, exactly: serving.resources.memory, swap off; published on loopback only.
      const container = await containerOf(endpoint.containerId!);
      expect(container?.State.Running).toBe(true);
      expect(container?.HostConfig.Memory).toBe(768 * 1024 * 1024);
      expect(container?.HostConfig.MemorySwap).toBe(768 * 1024 * 1024);
      expect(container?.HostConfig.NanoCpus).toBe(1e9);
      const bindings = Object.values(container?.HostConfig.PortBindings ?? {}).flat() as { HostIp: string }[];
      expect(bindings.map((binding) => binding.HostIp)).toEqual(["127.0.0.1"]);
      // KServe's own server, the pinned version, reports itself.
      const server = (await (await fetch(`${endpoint.url}/v2`)).json()) as { name: string; version: string };
      expect(server).toMatchObject({ name: "kserve", version: "0.20.0" });

      for (const protocol of ["v1", "v2"]) {
        for (const data of ["rows.json", "records.json"]) {
          const answer = await predictJson(["iris", "--data", data, "--protocol", protocol]);
          expect(answer, `${protocol} ${data}: ${answer.error}`).toMatchObject({
            ok: true,
            status: 200,
            protocol,
          });
          expect(answer.predictions).toEqual(EXPECTED);
          expect(answer.latencyMs).toBeGreaterThan(0);
        }
      }
      // The model's columns from its V2 metadata, and rows of its training data from the CSV the
      // notebook wrote beside it (its first rows: setosa in the iris data set).
      const metadata = (await (await fetch(`${endpoint.url}/v2/models/iris`)).json()) as {
        inputs: { name: string }[];
      };
      expect(metadata.inputs.map((input) => input.name)).toEqual([
        "sepal_length",
        "sepal_width",
        "petal_length",
        "petal_width",
      ]);
      const sampled = await cli(["predict", "iris", "--sample", "--json"]);
      const sample = lastJson<PredictJson & { source: string }>(sampled);
      expect(sample, said(sampled)).toMatchObject({ ok: true, predictions: [0, 0, 0] });
      expect(sample.source).toMatch(/^outputs\/iris\.csv \(its first 3 rows, the model's 4 columns\)$/);

      // By URL: the model's name is asked of the server.
      const byUrl = await predictJson([endpoint.url!, "--data", "rows.json"]);
      expect(byUrl).toMatchObject({ ok: true, model: "iris", predictions: EXPECTED });

      // A short load: every request timed, the histogram holds them all.
      const load = await predictJson([
        "iris",
        "--data",
        "rows.json",
        "--requests",
        "40",
        "--concurrency",
        "4",
      ]);
      expect(load.load).toMatchObject({ requests: 40, errors: 0 });
      expect(load.load!.histogram.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(40);

      // The model's own refusal comes back as the server's sentence.
      await writeFile(path.join(workspace.dir, "short.json"), "[[1.0, 2.0]]");
      const refused = await predictJson(["iris", "--data", "short.json"]);
      expect(refused).toMatchObject({ ok: false, status: 500 });
      expect(refused.error).toMatch(/2 features.*expecting 4/);

      // Bad JSON names the file and the line.
      const bad = await cli(["predict", "iris", "--data", "bad.json"]);
      expect(bad.code).toBe(1);
      expect(bad.err.join("\n")).toMatch(/bad\.json:2: The request data is not valid JSON/);

      // A detached endpoint outlives its process and its record says so: no "went away" note.
      const listed = await cli(["endpoints", "list", "--json"]);
      expect(listed.err.join("\n")).not.toMatch(/went away/);
      expect(lastJson<{ name: string; status: string }[]>(listed)).toEqual([
        expect.objectContaining({ name: "iris", status: "serving", url: endpoint.url }),
      ]);

      // A new model under the same name replaces it: one URL per name.
      const again = await cli(["serve", "train.ipynb", "--detach", "--json"]);
      expect(again.code, said(again)).toBe(0);
      const second = lastJson<ServeJson>(again);
      expect(said(again)).toContain(`Stopped endpoint iris of run ${endpoint.runId}`);
      expect((await recordIn(workspace.dir, endpoint.runId)).status).toBe("cancelled");
      expect(await containerOf(endpoint.containerId!)).toBeUndefined();

      const stopped = await cli(["endpoints", "stop", "iris", "--json"]);
      expect(stopped.code, said(stopped)).toBe(0);
      expect(lastJson<{ status: string }[]>(stopped)).toEqual([
        expect.objectContaining({ status: "stopped" }),
      ]);
      expect(await containerOf(second.containerId!)).toBeUndefined();
      const record = await recordIn(workspace.dir, second.runId);
      expect(record.status).toBe("cancelled");
      // Its log was read from the engine when it was stopped: KServe's start and the requests.
      const lines = await logLinesIn(workspace.dir, second.runId);
      expect(lines.some((line) => /Uvicorn running on/.test(line))).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "serves until Ctrl-C: the record says stopped and the container is removed",
    async () => {
      const abort = new AbortController();
      let runId: string | undefined;
      const served = await cli(["serve", "train.ipynb", "--json"], {
        signal: abort.signal,
        onOut: (line) => {
          if (!line.startsWith("{")) return;
          runId = (JSON.parse(line) as ServeJson).runId;
          abort.abort();
        },
      });
      expect(served.code, said(served)).toBe(0);
      expect(runId).toBeDefined();
      const record = await recordIn(workspace.dir, runId!);
      expect(record.status).toBe("cancelled");
      expect(await containerOf(record.endpoint!.containerId!)).toBeUndefined();
    },
    TIMEOUT,
  );

  it(
    "an OOM while loading the model is diagnosed against serving.resources.memory",
    async () => {
      const profile = await readFile(path.join(workspace.dir, "parity.yaml"), "utf8");
      await writeFile(
        path.join(workspace.dir, "oom.yaml"),
        profile.replace("memory: 768Mi", "memory: 100Mi"),
      );
      const served = await cli(["serve", "train.ipynb", "--profile", "oom.yaml", "--json"]);
      expect(served.code, said(served)).toBe(1);
      const ended = lastJson<ServeJson>(served);
      expect(ended.status).toBe("failed");
      expect(ended.diagnosis[0]).toMatchObject({ code: "OOMKilled" });
      expect(ended.diagnosis[0]!.message).toMatch(/100 MiB memory limit while loading the model/);
      expect(ended.diagnosis[0]!.fix).toMatch(/serving\.resources\.memory/);
      const record = await recordIn(workspace.dir, ended.runId);
      expect(record).toMatchObject({ status: "failed", oomKilled: true, exitCode: 137 });
    },
    TIMEOUT,
  );

  it("says plainly which model formats it does not serve yet", async () => {
    await writeFile(path.join(workspace.dir, "outputs", "model.onnx"), "not really onnx");
    const served = await cli(["serve", "outputs/model.onnx"]);
    expect(served.code).toBe(1);
    expect(served.err.join("\n")).toMatch(/model\.onnx is an ONNX model, which Parity does not serve yet/);
  });

  it(
    "a parity serve killed with -9: the next command stops its container and records the end",
    async () => {
      const child = spawn(
        process.execPath,
        [path.join(repoRoot, "bin", "parity.js"), "serve", "train.ipynb", "--json"],
        {
          cwd: workspace.dir,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      spawned.push(child);
      const exited = new Promise((resolve) => child.on("exit", resolve));
      let out = "";
      child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
      const ready = await until("the endpoint ready", async () => {
        const line = out.split("\n").find((each) => each.startsWith("{"));
        return line ? (JSON.parse(line) as ServeJson) : undefined;
      });
      child.kill("SIGKILL");
      await exited;
      expect((await containerOf(ready.containerId!))?.State.Running).toBe(true);
      // Not detached: it lived only as long as its process, so the next command stops it.
      const next = await cli(["endpoints", "list", "--all", "--json"]);
      expect(next.err.join("\n")).toContain(
        `run ${ready.runId} was left running by a process that went away`,
      );
      expect(await containerOf(ready.containerId!)).toBeUndefined();
      const record = await recordIn(workspace.dir, ready.runId);
      expect(record.status).toBe("cancelled");
    },
    TIMEOUT,
  );
});
