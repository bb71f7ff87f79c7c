import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import type { ClusterSpec } from "../../../src/core/profile/types";
import { canI } from "../../../src/targets/kube/access";
import { connectCluster, describeTarget } from "../../../src/targets/kube/connection";

// A stand-in for an API server's GET /version on loopback (plain HTTP): the unit tests need only an
// answer; the real control plane is used in test/kube/connection.cluster.test.ts.
let server: Server;
let url = "";
const seenAuthorization: string[] = [];
beforeAll(async () => {
  server = createServer((request, response) => {
    seenAuthorization.push(request.headers.authorization ?? "");
    response.setHeader("Content-Type", "application/json");
    response.end(JSON.stringify({ major: "1", minor: "36", gitVersion: "v1.36.3" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Two kubeconfig files: "first" (current-context dev, namespace team-a) and "second" (context prod). */
function twoFiles(user: { token?: string; exec?: string } = { token: "t1" }): {
  dir: string;
  files: string[];
} {
  const dir = mkdtempSync(path.join(tmpdir(), "parity-connect-"));
  folders.push(dir);
  const auth = user.exec
    ? `exec: {apiVersion: client.authentication.k8s.io/v1, command: ${user.exec}}`
    : `token: ${user.token}`;
  const first = path.join(dir, "first");
  writeFileSync(
    first,
    `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: local
  cluster: {server: "${url}", insecure-skip-tls-verify: true}
users:
- name: alice
  user: {${auth}}
contexts:
- name: dev
  context: {cluster: local, user: alice, namespace: team-a}
`,
  );
  const second = path.join(dir, "second");
  writeFileSync(
    second,
    `apiVersion: v1
kind: Config
clusters:
- name: remote
  cluster: {server: "${url}/", insecure-skip-tls-verify: true}
users:
- name: bob
  user: {token: t2}
contexts:
- name: prod
  context: {cluster: remote, user: bob}
`,
  );
  return { dir, files: [first, second] };
}

const profile = (spec: Partial<ClusterSpec>): ClusterSpec => ({
  nodeSelector: {},
  tolerations: [],
  protected: false,
  ...spec,
});
const failure = (work: Promise<unknown>) =>
  work.then(
    () => expect.fail("expected a failure"),
    (error: ParityError) => error,
  );

describe("connectCluster", () => {
  it("connects with another context without changing any kubeconfig file", async () => {
    const { dir, files } = twoFiles();
    const before = files.map((file) => readFileSync(file));
    const env = { KUBECONFIG: files.join(path.delimiter) };
    const conn = await connectCluster({ env, homeDir: dir, context: "prod", namespace: "team-x" });
    expect(conn.target).toEqual({
      context: "prod",
      namespace: "team-x",
      server: url,
      user: "bob",
      source: { context: "option", namespace: "option" },
    });
    expect(conn.config.getCurrentContext()).toBe("prod");
    expect(conn.config.getContextObject("prod")?.namespace).toBe("team-x");
    expect(seenAuthorization.at(-1)).toBe("Bearer t2");
    expect(describeTarget(conn.target)).toBe(`context prod (${url}), namespace team-x`);
    expect(files.map((file) => readFileSync(file))).toEqual(before);
    // The next connection still starts from the files' own current-context.
    expect((await connectCluster({ env, homeDir: dir })).target.context).toBe("dev");
  });

  it("takes the context and namespace from the option, else the profile, else the kubeconfig, else default", async () => {
    const { dir, files } = twoFiles();
    const env = { KUBECONFIG: files.join(path.delimiter) };
    const fromKubeconfig = await connectCluster({ env, homeDir: dir });
    expect(fromKubeconfig.target).toMatchObject({
      context: "dev",
      namespace: "team-a",
      source: { context: "kubeconfig", namespace: "kubeconfig" },
    });
    const fromProfile = await connectCluster({
      env,
      homeDir: dir,
      profileCluster: profile({ context: "prod", namespace: "ml" }),
    });
    expect(fromProfile.target).toMatchObject({
      context: "prod",
      namespace: "ml",
      source: { context: "profile", namespace: "profile" },
    });
    const defaulted = await connectCluster({
      env,
      homeDir: dir,
      profileCluster: profile({ context: "prod" }),
    });
    expect(defaulted.target).toMatchObject({ namespace: "default", source: { namespace: "default" } });
    const optionWins = await connectCluster({
      env,
      homeDir: dir,
      context: "dev",
      namespace: "n",
      profileCluster: profile({ context: "prod", namespace: "ml" }),
    });
    expect(optionWins.target).toMatchObject({
      context: "dev",
      namespace: "n",
      source: { context: "option", namespace: "option" },
    });
  });

  it("lists the contexts when the chosen one does not exist", async () => {
    const { dir, files } = twoFiles();
    const error = await failure(
      connectCluster({
        env: { KUBECONFIG: files.join(path.delimiter) },
        homeDir: dir,
        profileCluster: profile({ context: "staging" }),
      }),
    );
    expect(error.code).toBe("KubeContextNotFound");
    expect(error.message).toBe(
      `Context staging (from the profile's cluster.context) is not in ${files.join(", ")}. Contexts there: dev, prod.`,
    );
    expect(error.location?.field).toBe("cluster.context");
  });

  it("names the exec credential plugin when it fails or is missing", async () => {
    const script = path.join(mkdtempSync(path.join(tmpdir(), "parity-plugin-")), "expired-login");
    folders.push(path.dirname(script));
    writeFileSync(script, "#!/bin/sh\necho 'error: the refresh token has expired' >&2\nexit 1\n");
    chmodSync(script, 0o755);
    const failing = twoFiles({ exec: script });
    const error = await failure(
      connectCluster({ env: { KUBECONFIG: failing.files[0] }, homeDir: failing.dir }),
    );
    expect(error.code).toBe("ClusterAuthFailed");
    expect(error.message).toBe(
      `The credential plugin ${script} (user alice in ${failing.files[0]}) failed: error: the refresh token has expired.`,
    );
    expect(error.fix).toContain(`Run ${script} yourself`);

    const missing = twoFiles({ exec: "parity-no-such-auth-plugin" });
    const absent = await failure(
      connectCluster({ env: { KUBECONFIG: missing.files[0] }, homeDir: missing.dir }),
    );
    expect(absent.code).toBe("ClusterAuthFailed");
    expect(absent.message).toBe(
      `The credential plugin parity-no-such-auth-plugin (user alice in ${missing.files[0]}) is not installed or not on PATH.`,
    );
  });

  it("gives up after the deadline when the server accepts the connection but never answers", async () => {
    const silent = createNetServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const { dir, files } = twoFiles();
      writeFileSync(files[0]!, readFileSync(files[0]!, "utf8").replace(url, address));
      const started = Date.now();
      const error = await failure(
        connectCluster({ env: { KUBECONFIG: files[0] }, homeDir: dir, timeoutMs: 500 }),
      );
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(error.code).toBe("ClusterUnreachable");
      expect(error.message).toBe(
        `The API server ${address} (context dev) did not answer within 500 ms (connection timed out).`,
      );
    } finally {
      silent.close();
    }
  });

  it("uses the token an exec plugin prints, and names the plugin when it fails on a later call", async () => {
    const script = path.join(mkdtempSync(path.join(tmpdir(), "parity-plugin-")), "good-login");
    folders.push(path.dirname(script));
    const credential = {
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token: "from-plugin" },
    };
    writeFileSync(script, `#!/bin/sh\necho '${JSON.stringify(credential)}'\n`);
    chmodSync(script, 0o755);
    const { dir, files } = twoFiles({ exec: script });
    const conn = await connectCluster({ env: { KUBECONFIG: files[0] }, homeDir: dir });
    expect(seenAuthorization.at(-1)).toBe("Bearer from-plugin");
    expect(conn.target.authPlugin).toBe(script);

    // The login expires after connecting: the next API call fails before anything is sent.
    writeFileSync(script, "#!/bin/sh\necho 'login expired' >&2\nexit 1\n");
    const error = await failure(canI(conn, { verb: "create", resource: "pods" }));
    expect(error.code).toBe("ClusterAuthFailed");
    expect(error.message).toBe(`The credential plugin ${script} (context dev) failed: login expired.`);
  });
});
