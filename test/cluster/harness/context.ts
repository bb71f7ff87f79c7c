import { afterEach, inject } from "vitest";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { loadState, printComponentLogs, type ClusterState } from "./cluster.js";

/**
 * The running control plane for a test file in the `cluster` project. Registers an afterEach
 * that prints every component's log tail when a test fails.
 */
export function useCluster(): ClusterState {
  const state = inject("parityCluster");
  afterEach((context) => {
    if (context.task.result?.state === "fail") printComponentLogs(loadState(state.workDir) ?? state);
  });
  return state;
}

export function kubeConfig(path: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(path);
  return config;
}

/** Polls until `probe` yields a value (not undefined); fails with the last error or value seen. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
}

/**
 * A fresh namespace whose default ServiceAccount exists, so pods are admitted at once. Katib
 * admits Experiments only in a namespace labelled for its metrics collector (`katibNamespace` in
 * harness/katib.ts), as Kubeflow labels a profile's namespace.
 */
export async function freshNamespace(
  config: KubeConfig,
  prefix: string,
  labels?: Record<string, string>,
): Promise<string> {
  const core = config.makeApiClient(CoreV1Api);
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await core.createNamespace({ body: { metadata: { name, ...(labels && { labels }) } } });
  // Made by kube-controller-manager's serviceaccount controller, in a moment; after a test has
  // restarted the API server its watch can take a minute to come back (a full run once waited out
  // 60 s), and a test is not about that: after a while the harness makes it, as the controller would.
  const made = await until(
    `ServiceAccount ${name}/default`,
    async () =>
      (await core.readNamespacedServiceAccount({ name: "default", namespace: name })) ? true : undefined,
    20_000,
  ).catch(() => false);
  if (!made) {
    await core
      .createNamespacedServiceAccount({ namespace: name, body: { metadata: { name: "default" } } })
      .catch((error: unknown) => {
        if ((error as { code?: number }).code !== 409) throw error;
      });
  }
  return name;
}
