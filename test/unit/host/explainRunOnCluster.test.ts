import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readKubeContexts } from "../../../src/app/cluster/contexts";

/*
 * The vscode API these commands use, in memory (no real one can run in a unit test): the user's
 * settings, the answer to a warning, the file dialog's pick, and the commands run.
 */
const fake = vi.hoisted(() => ({
  kubeconfigSetting: undefined as string | undefined,
  answer: undefined as string | undefined,
  picked: undefined as string | undefined,
  warnings: [] as Array<{ message: string; buttons: string[] }>,
  commands: [] as unknown[][],
}));
vi.mock("vscode", () => ({
  Uri: { file: (fsPath: string) => ({ fsPath }) },
  ConfigurationTarget: { Global: 1, Workspace: 2 },
  window: {
    showWarningMessage: async (message: string, ...buttons: string[]) => {
      fake.warnings.push({ message, buttons });
      return fake.answer;
    },
    showInformationMessage: async () => undefined,
    showOpenDialog: async () => (fake.picked ? [{ fsPath: fake.picked }] : undefined),
  },
  workspace: {
    isTrusted: true,
    getConfiguration: () => ({
      get: () => undefined,
      inspect: () => ({ globalValue: fake.kubeconfigSetting }),
      update: async (_key: string, value: string) => void (fake.kubeconfigSetting = value),
    }),
    findFiles: async () => [],
  },
  commands: {
    executeCommand: async (...args: unknown[]) => void fake.commands.push(args),
  },
}));
const { explainNoCluster, explainSubmitDenied } =
  await import("../../../src/commands/cluster/explainRunOnCluster");
const { selectKubeconfig } = await import("../../../src/commands/cluster/selectKubeconfig");
const { chosenKubeconfig } = await import("../../../src/services/clusterSettings");

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:9" } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: ctx-a, context: { cluster: c, user: u } }]
current-context: ctx-a
`;

let home: string;
const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG };
beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), "parity-explain-"));
  process.env.HOME = home;
  delete process.env.KUBECONFIG;
  Object.assign(fake, { kubeconfigSetting: undefined, answer: undefined, picked: undefined });
  fake.warnings = [];
  fake.commands = [];
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

const services = {
  clusterStatus: { state: { context: "kind-a", namespace: "locked" } },
  log: () => undefined,
  app: async () => ({ readKubeContexts }),
} as never;
const notebook = { fsPath: "/w/train.ipynb" };
const ranOnCluster = () => fake.commands.filter(([id]) => id === "parity.runOnCluster");

describe("Run on Cluster's twin for no cluster", () => {
  it("runs what was asked, with its arguments, when a kubeconfig appeared since the toolbar was drawn", async () => {
    writeFileSync(path.join(home, "team.kubeconfig"), KUBECONFIG);
    fake.kubeconfigSetting = path.join(home, "team.kubeconfig");
    await explainNoCluster(services, notebook);
    expect(fake.warnings).toEqual([]);
    expect(fake.commands).toContainEqual(["setContext", "parity.clusterTargetMissing", false]);
    expect(ranOnCluster()).toEqual([["parity.runOnCluster", notebook]]);
  });

  it("names the file it looked for when there is none", async () => {
    await explainNoCluster(services, notebook);
    expect(ranOnCluster()).toEqual([]);
    expect(fake.warnings[0]?.message).toContain(
      `no kubeconfig (KUBECONFIG is not set, and ${path.join(home, ".kube", "config")} does not exist)`,
    );
    expect(fake.warnings[0]?.buttons).toEqual(["Select Kubeconfig File", "Open Docs"]);
  });

  it("says the setting's file is gone, not that KUBECONFIG or ~/.kube/config were looked at in its place", async () => {
    // ~/.kube/config exists, but the setting replaces it.
    mkdirSync(path.join(home, ".kube"));
    writeFileSync(path.join(home, ".kube", "config"), KUBECONFIG);
    fake.kubeconfigSetting = path.join(home, "gone.kubeconfig");
    await explainNoCluster(services, notebook);
    expect(ranOnCluster()).toEqual([]);
    expect(fake.warnings[0]?.message).toContain(
      `the kubeconfig ${path.join(home, "gone.kubeconfig")}, chosen in the Parity › Cluster: Kubeconfig setting, no longer exists`,
    );
  });
});

describe("Run on Cluster's twin for a namespace where Jobs are denied", () => {
  it("offers Run Anyway, which runs what was asked with its arguments: the server has the last word", async () => {
    fake.answer = "Run Anyway";
    await explainSubmitDenied(services, notebook);
    expect(fake.warnings[0]?.message).toContain("You may not create Jobs in the namespace locked of kind-a");
    expect(fake.warnings[0]?.buttons).toEqual(["Select Namespace", "Select Cluster Context", "Run Anyway"]);
    expect(ranOnCluster()).toEqual([["parity.runOnCluster", notebook]]);
  });
});

describe("the kubeconfig setting", () => {
  it("reads ~ as the home folder, as a shell would", () => {
    fake.kubeconfigSetting = "~/clusters/team.yaml";
    expect(chosenKubeconfig()).toBe(path.join(home, "clusters", "team.yaml"));
  });
});

describe("Select Kubeconfig File", () => {
  it("says why a file that is no kubeconfig cannot be used, and keeps the setting", async () => {
    const broken = path.join(home, "notes.txt");
    writeFileSync(broken, "- just\n- a list\n");
    fake.picked = broken;
    await selectKubeconfig(services);
    expect(fake.warnings[0]?.message).toMatch(
      new RegExp(`^The kubeconfig ${broken.replace(/[.]/g, "\\.")} is invalid: .*, so Parity cannot use it`),
    );
    expect(fake.warnings[0]?.message).not.toContain("defines no context");
    expect(fake.kubeconfigSetting).toBeUndefined();
  });

  it("keeps a kubeconfig that defines a context", async () => {
    const good = path.join(home, "team.kubeconfig");
    writeFileSync(good, KUBECONFIG);
    fake.picked = good;
    await selectKubeconfig(services);
    expect(fake.warnings).toEqual([]);
    expect(fake.kubeconfigSetting).toBe(good);
  });
});
