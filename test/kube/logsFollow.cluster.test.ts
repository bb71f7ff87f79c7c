import { appendFileSync } from "node:fs";
import { CoreV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { startClusterRun } from "../../src/app/targets/cluster/runs";
import { HOLD_LABEL } from "../cluster/harness/assets.js";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context.js";
import { setPodLog } from "../cluster/harness/fixtures.js";
import { runCli } from "../integration/helpers/workspace";
import { connect, jobSpec, podMetadata, runSpec } from "./helpers/clusterRuns";

const cluster = useCluster();
const admin = kubeConfig(cluster.kubeconfigs.admin);
const core = admin.makeApiClient(CoreV1Api);
let namespace = "";

beforeAll(async () => {
  namespace = await freshNamespace(admin, "logsf");
});

const cri = (text: string) => `${new Date().toISOString().replace("Z", "000000Z")} stdout F ${text}\n`;

describe("parity logs --follow", () => {
  it("follows a cluster run nobody follows any more to its end, printing each line once", async () => {
    const conn = await connect(cluster.kubeconfigs.admin, namespace);
    const job = jobSpec("follow");
    const spec = runSpec(conn, job, {
      runId: "follow-1",
      edit: (w) => podMetadata(w.spec.template, { labels: { [HOLD_LABEL]: "true" } }),
    });
    const handle = startClusterRun(conn, spec, "follow-1");
    const seen: string[] = [];
    handle.onLog((line) => seen.push(line.text));
    const pod = await until("a Running pod", async () => {
      const pods = await core.listNamespacedPod({ namespace, labelSelector: "parity.dev/run=follow-1" });
      return pods.items.find((p) => p.status?.phase === "Running");
    });
    const file = await setPodLog(cluster, namespace, pod.metadata!.name!, pod.spec!.containers[0]!.name, [
      "step 1",
    ]);
    await until("step 1 followed", async () => (seen.length === 1 ? true : undefined));
    handle.detach(); // The CLI that ran it was killed.
    await handle.result;

    const out: string[] = [];
    const err: string[] = [];
    const exit = runCli(["logs", "follow-1", "--follow"], {
      cwd: job.workspaceDir,
      env: { KUBECONFIG: cluster.kubeconfigs.admin, HOME: job.workspaceDir },
      onOut: (line) => out.push(line),
      onErr: (line) => err.push(line),
    }).then((run) => run.code);
    appendFileSync(file, cri("step 2"));
    await until("step 2 printed", async () => (out.includes("step 2") ? true : undefined));
    const labels = { ...pod.metadata?.labels };
    delete labels[HOLD_LABEL];
    await core.patchNamespacedPod({
      name: pod.metadata!.name!,
      namespace,
      body: [{ op: "replace", path: "/metadata/labels", value: labels }],
    });
    expect(await exit).toBe(0);
    expect(out).toEqual(["step 1", "step 2"]);
    expect(err).toEqual(["Run follow-1 ended succeeded."]);
  });
});
