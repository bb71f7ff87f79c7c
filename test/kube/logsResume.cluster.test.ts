import { appendFileSync } from "node:fs";
import { CoreV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { KubeConnection } from "../../src/targets/kube/connection";
import { followPodLogs } from "../../src/targets/kube/podLogs";
import { restartComponent } from "../cluster/harness/cluster.js";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context.js";
import { setPodLog } from "../cluster/harness/fixtures.js";

const cluster = useCluster();
const config = kubeConfig(cluster.kubeconfigs.admin);
const core = config.makeApiClient(CoreV1Api);
let namespace = "";

beforeAll(async () => {
  namespace = await freshNamespace(config, "logs");
});

function connection(): KubeConnection {
  return {
    config,
    target: {
      context: config.getCurrentContext(),
      namespace,
      server: cluster.server,
      user: "parity-admin",
      source: { context: "kubeconfig", namespace: "option" },
    },
  };
}

/** CRI log lines; `stamp` lets several lines share one timestamp, as fast writers do. */
const cri = (stamp: string, text: string) => `${stamp} stdout F ${text}\n`;
const stampNow = () => new Date().toISOString().replace("Z", "000000Z");

describe("followPodLogs", () => {
  it("resumes across an apiserver restart without losing or repeating a line", async () => {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "trainer" },
        spec: { restartPolicy: "Never", containers: [{ name: "main", image: "trainer:1" }] },
      },
    });
    await until("trainer Running", async () =>
      (await core.readNamespacedPod({ name: "trainer", namespace })).status?.phase === "Running"
        ? true
        : undefined,
    );
    const expected = ["epoch 0 start"];
    const file = await setPodLog(cluster, namespace, "trainer", "main", expected);

    const received: string[] = [];
    const controller = new AbortController();
    const following = followPodLogs(connection(), namespace, "trainer", "main", {
      signal: controller.signal,
      onLine: (line) => received.push(line.text),
      backoff: { initialMs: 200, maxMs: 1_000 },
    });
    let line = 0;
    const append = (count: number) => {
      // Several lines with the same timestamp: a resume from that second must skip exactly these.
      const stamp = stampNow();
      for (let i = 0; i < count; i += 1) {
        line += 1;
        expected.push(`line ${line}`);
        appendFileSync(file, cri(stamp, `line ${line}`));
      }
    };
    const writer = setInterval(() => append(3), 150);
    try {
      await until("first lines followed", async () => (received.length >= 10 ? true : undefined), 30_000);
      const before = cluster.components.find((c) => c.name === "kube-apiserver")?.pid;
      await restartComponent(cluster, "kube-apiserver");
      expect(cluster.components.find((c) => c.name === "kube-apiserver")?.pid).not.toBe(before);
      const atRestart = line;
      await until(
        "lines written after the restart",
        async () => (line >= atRestart + 30 ? true : undefined),
        30_000,
      );
      clearInterval(writer);
      append(2);
      await until(
        "every line",
        async () => (received.length >= expected.length ? true : undefined),
        60_000,
      ).catch(() => undefined);
      expect(received).toEqual(expected);
      // No stray repeats arrive later either.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(received).toHaveLength(expected.length);
    } finally {
      clearInterval(writer);
      controller.abort();
    }
    const position = await following;
    expect(position?.time.startsWith(new Date().toISOString().slice(0, 10))).toBe(true);
  });
});
