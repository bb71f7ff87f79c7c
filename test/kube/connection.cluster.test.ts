import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ParityError } from "../../src/core/errors";
import { connectCluster } from "../../src/targets/kube/connection";
import { useCluster } from "../cluster/harness/context";

const cluster = useCluster();
const home = mkdtempSync(path.join(tmpdir(), "parity-kube-home-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const failure = (work: Promise<unknown>) =>
  work.then(
    () => expect.fail("expected a failure"),
    (error: ParityError) => error,
  );

/** A port on loopback that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("connectCluster against the control plane", () => {
  it("connects with the admin and the restricted kubeconfig", async () => {
    const admin = await connectCluster({ env: { KUBECONFIG: cluster.kubeconfigs.admin }, homeDir: home });
    expect(admin.target).toEqual({
      context: "parity-test-parity-admin",
      namespace: "default",
      server: cluster.server,
      user: "parity-admin",
      source: { context: "kubeconfig", namespace: "kubeconfig" },
    });
    const restricted = await connectCluster({
      env: { KUBECONFIG: cluster.kubeconfigs.restricted },
      homeDir: home,
      namespace: "team-a",
    });
    expect(restricted.target).toMatchObject({ user: cluster.restrictedUser, namespace: "team-a" });
  });

  it("merges two KUBECONFIG files, uses the second file's context, and leaves both files byte-identical", async () => {
    const files = [cluster.kubeconfigs.admin, cluster.kubeconfigs.restricted];
    const before = files.map((file) => readFileSync(file));
    const env = { KUBECONFIG: files.join(path.delimiter) };
    const first = await connectCluster({ env, homeDir: home });
    expect(first.target.context).toBe("parity-test-parity-admin");
    const second = await connectCluster({
      env,
      homeDir: home,
      context: `parity-test-${cluster.restrictedUser}`,
    });
    expect(second.target.user).toBe(cluster.restrictedUser);
    expect(second.config.getCurrentContext()).toBe(`parity-test-${cluster.restrictedUser}`);
    expect(files.map((file) => readFileSync(file))).toEqual(before);
  });

  it("lists the contexts when the chosen one does not exist", async () => {
    const error = await failure(
      connectCluster({ env: { KUBECONFIG: cluster.kubeconfigs.admin }, homeDir: home, context: "staging" }),
    );
    expect(error.code).toBe("KubeContextNotFound");
    expect(error.message).toBe(
      `Context staging (from the setting or flag) is not in ${cluster.kubeconfigs.admin}. Contexts there: parity-test-parity-admin.`,
    );
  });

  it("says quickly that a server on a closed port refused the connection", async () => {
    const port = await closedPort();
    const file = path.join(home, "closed-port");
    const text = readFileSync(cluster.kubeconfigs.admin, "utf8").replace(
      cluster.server,
      `https://127.0.0.1:${port}`,
    );
    writeFileSync(file, text);
    const started = Date.now();
    const error = await failure(
      connectCluster({ env: { KUBECONFIG: file }, homeDir: home, timeoutMs: 5_000 }),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe("ClusterUnreachable");
    expect(error.message).toBe(
      `The API server https://127.0.0.1:${port} (context parity-test-parity-admin) refused the connection: nothing listens at that address and port.`,
    );
    expect(error.fix).toContain("kubectl cluster-info --context parity-test-parity-admin");
  });

  it("says the credentials were refused (401) for a wrong token", async () => {
    const file = path.join(home, "wrong-token");
    writeFileSync(
      file,
      readFileSync(cluster.kubeconfigs.admin, "utf8").replace(/token: .*/, "token: not-a-valid-token"),
    );
    const error = await failure(connectCluster({ env: { KUBECONFIG: file }, homeDir: home }));
    expect(error.code).toBe("ClusterUnauthorized");
    expect(error.message).toBe(
      `The API server ${cluster.server} did not accept the credentials of context parity-test-parity-admin (401 Unauthorized).`,
    );
  });

  it("stops at once when cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await connectCluster({
      env: { KUBECONFIG: cluster.kubeconfigs.admin },
      homeDir: home,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect((error as Error).name).toBe("CancelledError");
  });
});
