import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { presentRun, type RunSummary } from "../../../src/views/runs/runPresentation";
import { issueNode } from "../../../src/views/environment/environmentModel";
import {
  pipelineNodes,
  presentPipeline,
  presentPipelineRun,
  presentPipelineStep,
  stepNodes,
} from "../../../src/views/pipelines/pipelinesModel";

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}
const manifest = JSON.parse(readFileSync("package.json", "utf8")) as {
  contributes: {
    menus: Record<string, MenuEntry[]>;
    commands: Array<{ command: string; title: string; shortTitle?: string; enablement?: string }>;
  };
};
const itemMenus = manifest.contributes.menus["view/item/context"]!;

/** The commands whose context menu entries (not inline) show for a row with this contextValue. */
function menuFor(view: string, contextValue: string): string[] {
  return itemMenus
    .filter((entry) => !entry.group?.startsWith("inline"))
    .filter((entry) => entry.when?.includes(`view == ${view}`))
    .filter((entry) => {
      const pattern = /viewItem =~ \/(.*?)\/(?: |$)/.exec(entry.when ?? "")?.[1];
      return pattern !== undefined && new RegExp(pattern).test(contextValue);
    })
    .map((entry) => entry.command);
}

const run = (status: RunSummary["status"]): RunSummary => ({
  runId: "train-20261129-080000-abcd",
  target: "local",
  status,
  notebook: "/w/train.ipynb",
  exitCode: status === "running" ? null : 1,
  oomKilled: false,
});

describe("the context menus of package.json", () => {
  it("offer cancel on live runs and logs, diagnosis, rerun and remove on finished ones", () => {
    expect(menuFor("parity.runs", presentRun(run("running")).contextValue)).toEqual([
      "parity.openLogs",
      "parity.openDiagnosis",
      "parity.cancelRun",
    ]);
    // A Pending run's diagnosis says why it is Pending; a run still building has no record yet.
    expect(menuFor("parity.runs", presentRun(run("pending")).contextValue)).toContain("parity.openDiagnosis");
    expect(menuFor("parity.runs", presentRun(run("building")).contextValue)).not.toContain(
      "parity.openDiagnosis",
    );
    expect(menuFor("parity.runs", presentRun(run("failed")).contextValue)).toEqual([
      "parity.openLogs",
      "parity.openDiagnosis",
      "parity.rerun",
      "parity.removeRun",
    ]);
  });

  it("offer remove, not cancel, on a run whose container is gone", () => {
    const orphaned = presentRun(run("running"), true);
    expect(orphaned.description).toBe("Running · process gone · local");
    expect(orphaned.tooltip).toContain("stopped before it could record the end");
    expect(menuFor("parity.runs", orphaned.contextValue)).toEqual([
      "parity.openLogs",
      "parity.openDiagnosis",
      "parity.removeRun",
    ]);
  });

  it("offer Apply Fix only on mismatches with an applicable edit", () => {
    const edit = {
      title: "Add attrs==26.1.0 to requirements.txt",
      file: "requirements.txt",
      newText: "attrs==26.1.0",
    };
    const item = { severity: "error" as const, code: "ImportMissingRequirements", message: "m", fix: "f" };
    expect(menuFor("parity.environment", issueNode("/w/a.ipynb", { ...item, edit }).contextValue)).toEqual([
      "parity.applyFix",
      "parity.openReport",
    ]);
    expect(menuFor("parity.environment", issueNode("/w/a.ipynb", item).contextValue)).toEqual([
      "parity.openReport",
    ]);
  });

  it("name only contributed commands", () => {
    const known = new Set(manifest.contributes.commands.map((command) => command.command));
    const used = Object.values(manifest.contributes.menus).flatMap((entries) =>
      entries.map((entry) => entry.command),
    );
    expect(used.filter((command) => !known.has(command))).toEqual([]);
  });

  it("enable Run on Cluster when the extension finds a kubeconfig or a profile's cluster section", () => {
    const command = manifest.contributes.commands.find((entry) => entry.command === "parity.runOnCluster")!;
    expect(command.enablement).toBe("parity.clusterTargetAvailable");
    expect(command.title).toBe("Run on Cluster");
    expect(command.shortTitle).toBeUndefined();
    const setter = readFileSync("src/services/clusterSettings.ts", "utf8");
    expect(setter).toContain(`"setContext", "parity.clusterTargetAvailable"`);
  });

  it("offer Delete Cluster Run on cluster runs only, and in the Cluster view only where the rules allow it", () => {
    const cluster = { ...run("running"), target: "cluster" as const };
    expect(menuFor("parity.runs", presentRun(cluster).contextValue)).toContain("parity.deleteClusterRun");
    expect(menuFor("parity.runs", presentRun({ ...cluster, status: "failed" }).contextValue)).toContain(
      "parity.deleteClusterRun",
    );
    expect(menuFor("parity.runs", presentRun(run("failed")).contextValue)).not.toContain(
      "parity.deleteClusterRun",
    );
    // Still building in this window: nothing is on the cluster yet (Cancel stops the build).
    expect(menuFor("parity.runs", presentRun({ ...cluster, status: "building" }).contextValue)).not.toContain(
      "parity.deleteClusterRun",
    );
    expect(menuFor("parity.cluster", "parity:clusterRun+running+Job+parity+canDelete")).toEqual([
      "parity.deleteClusterRun",
    ]);
    expect(menuFor("parity.cluster", "parity:clusterRun+running+Job+parity")).toEqual([]);
    // A workload Parity did not create (no run label) is not Parity's to delete, allowed or not.
    expect(menuFor("parity.cluster", "parity:clusterRun+running+PyTorchJob+canDelete")).toEqual([]);
  });
});

describe("the Pipelines view's menus", () => {
  const [pipeline] = pipelineNodes(
    [{ file: "/w/numbers.ipynb", format: "kale" }],
    [
      {
        dir: "/w/.parity/runs/numbers-1",
        result: {
          runId: "numbers-1",
          target: "local",
          status: "running",
          exitCode: null,
          oomKilled: false,
          kind: "pipeline",
          notebook: "/w/numbers.ipynb",
          image: "parity/numbers:1",
          memoryLimitBytes: 1,
          diagnosis: [],
          steps: [
            { name: "load", status: "succeeded", runId: "numbers-load-1" },
            { name: "report", status: "pending" },
          ],
        },
      },
    ],
    { relativeFolder: (folder) => folder },
  );
  const live = pipeline!.runs[0]!;

  it("offer Run Pipeline Locally and on Cluster on a pipeline, Cancel Run on a live run this window started, logs on a step that ran", () => {
    expect(menuFor("parity.pipelines", presentPipeline(pipeline!).contextValue)).toEqual([
      "parity.runPipelineLocally",
      "parity.runPipelineOnCluster",
    ]);
    expect(menuFor("parity.pipelines", presentPipelineRun(live).contextValue)).toEqual([
      "parity.cancelPipelineRun",
      "parity.showPipelineRun",
    ]);
    expect(
      menuFor("parity.pipelines", presentPipelineRun({ ...live, cancellable: false }).contextValue),
    ).toEqual(["parity.showPipelineRun"]);
    const [ran, pending] = stepNodes(live).map((step) => presentPipelineStep(step).contextValue);
    expect(menuFor("parity.pipelines", ran!)).toEqual(["parity.openLogs", "parity.openDiagnosis"]);
    expect(menuFor("parity.pipelines", pending!)).toEqual([]);
  });
});

describe("Restricted Mode", () => {
  it("ignores a workspace's own value for every setting that picks a program, an engine or a cluster", () => {
    const capabilities = JSON.parse(readFileSync("package.json", "utf8")) as {
      capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
    };
    expect(capabilities.capabilities.untrustedWorkspaces.supported).toBe("limited");
    expect(capabilities.capabilities.untrustedWorkspaces.restrictedConfigurations.sort()).toEqual([
      "parity.cluster.context",
      "parity.cluster.namespace",
      "parity.docker.host",
      "parity.python",
    ]);
  });
});
