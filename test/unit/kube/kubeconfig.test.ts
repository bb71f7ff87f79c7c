import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { loadKubeConfig, readKubeConfigs } from "../../../src/targets/kube/kubeconfig";

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "parity-kubeconfig-"));
  folders.push(dir);
  return dir;
}

/** A kubeconfig file with the named entries; `cluster`'s CA path is written as given (may be relative). */
function kubeconfig(
  file: string,
  entries: {
    cluster: string;
    server: string;
    ca?: string;
    user: string;
    context: string;
    current?: string;
    namespace?: string;
  },
): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const current = entries.current === undefined ? "" : `current-context: ${entries.current}\n`;
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
${current}clusters:
- name: ${entries.cluster}
  cluster:
    server: ${entries.server}
${entries.ca ? `    certificate-authority: ${entries.ca}\n` : ""}users:
- name: ${entries.user}
  user:
    token: token-of-${path.basename(file)}
    client-certificate: certs/client.crt
contexts:
- name: ${entries.context}
  context: {cluster: ${entries.cluster}, user: ${entries.user}${entries.namespace ? `, namespace: ${entries.namespace}` : ""}}
`,
  );
  return file;
}

const errorOf = (work: () => unknown): ParityError => {
  try {
    work();
  } catch (error) {
    return error as ParityError;
  }
  throw new Error("expected a ParityError");
};

describe("loadKubeConfig", () => {
  it("merges KUBECONFIG files like kubectl: the first definition of a name wins, current-context from the first file that sets it", () => {
    const dir = folder();
    const first = kubeconfig(path.join(dir, "a", "config"), {
      cluster: "shared",
      server: "https://first:6443",
      user: "alice",
      context: "dev",
    });
    const second = kubeconfig(path.join(dir, "b", "config"), {
      cluster: "shared",
      server: "https://second:6443",
      user: "bob",
      context: "prod",
      current: "prod",
      namespace: "team-b",
    });
    const third = kubeconfig(path.join(dir, "c", "config"), {
      cluster: "other",
      server: "https://third:6443",
      user: "alice",
      context: "dev",
      current: "dev",
    });
    const env = { KUBECONFIG: [first, second, third].join(path.delimiter) };

    const config = loadKubeConfig({ env, homeDir: dir });
    expect(config.getCurrentContext()).toBe("prod");
    expect(config.contexts.map((c) => c.name)).toEqual(["dev", "prod"]);
    expect(config.getContextObject("dev")?.cluster).toBe("shared");
    expect(config.getCluster("shared")?.server).toBe("https://first:6443");
    expect(config.getCluster("other")?.server).toBe("https://third:6443");
    expect(config.getUser("alice")?.token).toBe("token-of-config");
    expect(config.users.map((u) => u.name)).toEqual(["alice", "bob"]);
  });

  it("resolves relative certificate paths against the file that names them", () => {
    const dir = folder();
    const first = kubeconfig(path.join(dir, "a", "config"), {
      cluster: "one",
      server: "https://one:6443",
      ca: "ca/one.crt",
      user: "u1",
      context: "c1",
      current: "c1",
    });
    const second = kubeconfig(path.join(dir, "b", "nested", "config"), {
      cluster: "two",
      server: "https://two:6443",
      ca: "../two.crt",
      user: "u2",
      context: "c2",
    });
    const { config, origins } = readKubeConfigs({
      env: { KUBECONFIG: `${first}${path.delimiter}${second}` },
      homeDir: dir,
    });
    expect(config.getCluster("one")?.caFile).toBe(path.join(dir, "a", "ca", "one.crt"));
    expect(config.getCluster("two")?.caFile).toBe(path.join(dir, "b", "two.crt"));
    expect(config.getUser("u2")?.certFile).toBe(path.join(dir, "b", "nested", "certs", "client.crt"));
    expect(origins.get("cluster:two")).toBe(second);
  });

  it("skips KUBECONFIG entries that do not exist and empty entries; reads ~/.kube/config without KUBECONFIG", () => {
    const dir = folder();
    const real = kubeconfig(path.join(dir, "real"), {
      cluster: "k",
      server: "https://k:6443",
      user: "u",
      context: "ctx",
      current: "ctx",
    });
    const env = { KUBECONFIG: [path.join(dir, "missing"), "", real].join(path.delimiter) };
    expect(readKubeConfigs({ env, homeDir: dir }).files).toEqual([real]);

    kubeconfig(path.join(dir, "home", ".kube", "config"), {
      cluster: "h",
      server: "https://h:6443",
      user: "u",
      context: "home",
      current: "home",
    });
    expect(loadKubeConfig({ env: {}, homeDir: path.join(dir, "home") }).getCurrentContext()).toBe("home");
  });

  it("says when no kubeconfig exists", () => {
    const dir = folder();
    const none = errorOf(() => loadKubeConfig({ env: {}, homeDir: dir }));
    expect(none.code).toBe("KubeconfigNotFound");
    expect(none.message).toBe(
      `No kubeconfig found: KUBECONFIG is not set and ${path.join(dir, ".kube", "config")} does not exist.`,
    );
    const listed = errorOf(() => loadKubeConfig({ env: { KUBECONFIG: path.join(dir, "x") }, homeDir: dir }));
    expect(listed.code).toBe("KubeconfigNotFound");
    expect(listed.message).toContain(path.join(dir, "x"));
  });

  it("names the invalid file", () => {
    const dir = folder();
    const good = kubeconfig(path.join(dir, "good"), {
      cluster: "k",
      server: "https://k:6443",
      user: "u",
      context: "ctx",
    });
    const broken = path.join(dir, "broken");
    writeFileSync(broken, "clusters:\n- name: nowhere\n  cluster: {}\n");
    const error = errorOf(() =>
      loadKubeConfig({ env: { KUBECONFIG: `${good}${path.delimiter}${broken}` }, homeDir: dir }),
    );
    expect(error.code).toBe("KubeconfigInvalid");
    expect(error.message).toBe(`The kubeconfig ${broken} is invalid: clusters[0].cluster.server is missing.`);
    expect(error.location?.file).toBe(broken);

    writeFileSync(broken, "clusters: [unclosed\n");
    expect(errorOf(() => loadKubeConfig({ env: { KUBECONFIG: broken }, homeDir: dir })).code).toBe(
      "KubeconfigInvalid",
    );
  });
});
