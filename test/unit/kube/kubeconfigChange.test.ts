import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { watchKubeconfig } from "../../../src/app/cluster/kubeconfigWatch";
import { resolveConnection, sameEndpoint } from "../../../src/targets/kube/connection";

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "parity-kubeconfig-change-"));
  folders.push(dir);
  return dir;
}

interface Entries {
  server?: string;
  ca?: string;
  token?: string;
  namespace?: string;
  current?: string;
  /** One more context, and a comment: changes that leave the chosen one as it was. */
  more?: boolean;
}

function kubeconfig(entries: Entries = {}): string {
  const { server = "https://10.0.0.1:6443", ca = "Q0Ex", token = "t1", namespace = "team-a" } = entries;
  return `apiVersion: v1
kind: Config
current-context: ${entries.current ?? "dev"}
clusters:
- name: c
  cluster: {server: "${server}", certificate-authority-data: ${ca}}
users:
- name: u
  user: {token: ${token}}
contexts:
- name: dev
  context: {cluster: c, user: u, namespace: ${namespace}}
- name: other
  context: {cluster: c, user: u, namespace: elsewhere}
${entries.more ? "# added by a colleague\n- name: third\n  context: {cluster: c, user: u}\n" : ""}`;
}

/** The connection a kubeconfig with these entries chooses (read from a file; nothing is sent). */
function resolved(entries: Entries = {}) {
  const dir = folder();
  writeFileSync(path.join(dir, "config"), kubeconfig(entries));
  return resolveConnection({ env: { KUBECONFIG: path.join(dir, "config") }, homeDir: dir }).connection;
}

describe("sameEndpoint: whether a changed kubeconfig needs a new connection", () => {
  it("is true when only something else changed (another context, a comment)", () => {
    expect(sameEndpoint(resolved(), resolved())).toBe(true);
    expect(sameEndpoint(resolved(), resolved({ more: true }))).toBe(true);
  });

  it("is false when the server moved, the CA or the credentials changed, or another context or namespace is chosen", () => {
    const before = resolved();
    expect(sameEndpoint(before, resolved({ server: "https://10.0.0.2:6443" }))).toBe(false);
    expect(sameEndpoint(before, resolved({ ca: "Q0Ey" }))).toBe(false);
    expect(sameEndpoint(before, resolved({ token: "t2" }))).toBe(false);
    expect(sameEndpoint(before, resolved({ namespace: "team-b" }))).toBe(false);
    expect(sameEndpoint(before, resolved({ current: "other" }))).toBe(false);
  });

  it("is false when a CA file the kubeconfig names by path is rewritten in place", () => {
    const dir = folder();
    const file = path.join(dir, "config");
    writeFileSync(path.join(dir, "ca.crt"), "first CA");
    writeFileSync(
      file,
      kubeconfig().replace("certificate-authority-data: Q0Ex", "certificate-authority: ca.crt"),
    );
    const connect = () => resolveConnection({ env: { KUBECONFIG: file }, homeDir: dir }).connection;
    const before = connect();
    expect(sameEndpoint(before, connect())).toBe(true);
    writeFileSync(path.join(dir, "ca.crt"), "second CA");
    expect(sameEndpoint(before, connect())).toBe(false);
  });
});

describe("watchKubeconfig", () => {
  const changes = (dir: string, env: NodeJS.ProcessEnv) => {
    let count = 0;
    const watcher = watchKubeconfig({ env, homeDir: dir }, () => count++, 100);
    return { watcher, count: () => count };
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 600));

  it("reports a file replaced by rename (as kubectl and editors write it) once per burst, and nothing else in the folder", async () => {
    const dir = folder();
    const file = path.join(dir, "config");
    writeFileSync(file, kubeconfig());
    const { watcher, count } = changes(dir, { KUBECONFIG: file });
    try {
      writeFileSync(path.join(dir, "unrelated"), "x");
      await settle();
      expect(count()).toBe(0);
      writeFileSync(`${file}.tmp`, kubeconfig({ server: "https://10.0.0.2:6443" }));
      renameSync(`${file}.tmp`, file);
      await settle();
      expect(count()).toBe(1);
      // Written in place, twice in a row: one reload.
      writeFileSync(file, kubeconfig({ token: "t2" }));
      writeFileSync(file, kubeconfig({ token: "t3" }));
      await settle();
      expect(count()).toBe(2);
    } finally {
      watcher.dispose();
    }
  });

  it("watches ~/.kube/config without KUBECONFIG, sees it created, and stops when disposed", async () => {
    const home = folder();
    mkdirSync(path.join(home, ".kube"));
    const { watcher, count } = changes(home, {});
    writeFileSync(path.join(home, ".kube", "config"), kubeconfig());
    await settle();
    expect(count()).toBe(1);
    watcher.dispose();
    writeFileSync(path.join(home, ".kube", "config"), kubeconfig({ token: "t2" }));
    await settle();
    expect(count()).toBe(1);
  });

  it("waits for a ~/.kube that does not exist yet, then follows the config written into it", async () => {
    const home = folder();
    const { watcher, count } = changes(home, {});
    try {
      mkdirSync(path.join(home, ".kube"));
      await settle();
      expect(count()).toBe(1);
      writeFileSync(path.join(home, ".kube", "config"), kubeconfig());
      await settle();
      expect(count()).toBe(2);
    } finally {
      watcher.dispose();
    }
  });

  it("follows a CA file the kubeconfig names, in another folder, and one it names after an edit", async () => {
    const dir = folder();
    const certs = path.join(dir, "certs");
    mkdirSync(certs);
    writeFileSync(path.join(certs, "ca.crt"), "first CA");
    writeFileSync(path.join(certs, "other.crt"), "other CA");
    const file = path.join(dir, "config");
    const naming = (ca: string) =>
      kubeconfig().replace("certificate-authority-data: Q0Ex", `certificate-authority: certs/${ca}`);
    writeFileSync(file, naming("ca.crt"));
    const { watcher, count } = changes(dir, { KUBECONFIG: file });
    try {
      writeFileSync(path.join(certs, "unrelated.crt"), "x");
      writeFileSync(path.join(certs, "other.crt"), "other CA, renewed");
      await settle();
      expect(count()).toBe(0);
      writeFileSync(path.join(certs, "ca.crt"), "second CA");
      await settle();
      expect(count()).toBe(1);
      // The kubeconfig now names other.crt: a change of it is followed, one of ca.crt no longer.
      writeFileSync(file, naming("other.crt"));
      await settle();
      expect(count()).toBe(2);
      writeFileSync(path.join(certs, "ca.crt"), "third CA");
      await settle();
      expect(count()).toBe(2);
      writeFileSync(path.join(certs, "other.crt"), "other CA, renewed again");
      await settle();
      expect(count()).toBe(3);
    } finally {
      watcher.dispose();
    }
  });
});
