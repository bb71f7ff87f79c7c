import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { presentRun, type RunSummary } from "../../../src/views/runs/runPresentation";
import { evaluateWhen, type WhenContext } from "./whenClause";
import { issueNode, missingProfileNode, profileNode } from "../../../src/views/environment/environmentModel";
import { governedFolders } from "../../../src/views/environment/profileFolders";
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
    commands: Array<{
      command: string;
      title: string;
      shortTitle?: string;
      icon?: string;
      enablement?: string;
    }>;
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
    expect(orphaned.description).toBe("Last seen running · process gone · local");
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

  it("offer Create Profile on the row of a notebook without a profile, and not on a profile's row", () => {
    const roots = [{ name: "w", path: "/w" }];
    const missing = missingProfileNode("/w/analysis/explore.ipynb", roots).contextValue;
    expect(menuFor("parity.environment", missing)).toEqual(["parity.createProfile"]);
    const inline = itemMenus.filter(
      (entry) => entry.group?.startsWith("inline") && entry.when?.includes("parity:profile"),
    );
    expect(inline.map((entry) => entry.command)).toEqual(["parity.createProfile"]);
    const [folder] = governedFolders(["/w/train/parity.yaml"]);
    expect(
      menuFor("parity.environment", profileNode(folder!, roots, "/w/train/a.ipynb").contextValue),
    ).toEqual([]);
  });

  it("name only contributed commands", () => {
    const known = new Set(manifest.contributes.commands.map((command) => command.command));
    const used = Object.values(manifest.contributes.menus).flatMap((entries) =>
      entries.map((entry) => entry.command),
    );
    expect(used.filter((command) => !known.has(command))).toEqual([]);
  });

  it("never grey out Run on Cluster: where it cannot run, a twin takes its place, set by what the extension finds", () => {
    const command = manifest.contributes.commands.find((entry) => entry.command === "parity.runOnCluster")!;
    expect(command.enablement).toBeUndefined();
    expect(command.title).toBe("Run on Cluster");
    const setter = readFileSync("src/services/clusterSettings.ts", "utf8");
    expect(setter).toContain(`"setContext", "parity.clusterTargetMissing"`);
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
      "parity.cluster.kubeconfig",
      "parity.cluster.namespace",
      "parity.docker.host",
      "parity.python",
    ]);
  });
});

describe("Run on Cluster and the twins that say why it cannot run", () => {
  const RUN_ON_CLUSTER = {
    "parity.runOnCluster": "ready",
    "parity.runOnClusterNoCluster": "no cluster",
    "parity.runOnClusterDenied": "denied",
    "parity.runOnClusterRestricted": "restricted",
  } as const;
  type Reason = (typeof RUN_ON_CLUSTER)[keyof typeof RUN_ON_CLUSTER];

  /** What the Run on Cluster slot of a menu shows in a context: each entry whose clause holds. */
  const shown = (menu: string, context: WhenContext): Reason[] =>
    manifest.contributes.menus[menu]!.filter((entry) => entry.command in RUN_ON_CLUSTER)
      .filter((entry) => evaluateWhen(entry.when ?? "true", context))
      .map((entry) => RUN_ON_CLUSTER[entry.command as keyof typeof RUN_ON_CLUSTER]);

  /** Why it cannot run in a context, in the order the reasons win; "ready" when it can. */
  const expected = (context: WhenContext): Reason =>
    !context.isWorkspaceTrusted
      ? "restricted"
      : context["parity.clusterTargetMissing"]
        ? "no cluster"
        : context["parity.cluster.submitDenied"]
          ? "denied"
          : "ready";

  // Every combination of what the extension and VS Code set (undefined: not set yet).
  const states: WhenContext[] = [];
  for (const isWorkspaceTrusted of [true, false])
    for (const missing of [undefined, true, false])
      for (const denied of [undefined, true, false])
        states.push({
          isWorkspaceTrusted,
          "parity.clusterTargetMissing": missing,
          "parity.cluster.submitDenied": denied,
        });

  it("reads when clauses as VS Code does: && binds before ||, so an unparenthesised clause goes wrong", () => {
    const unparenthesised =
      "resourceExtname == .ipynb || resourceExtname == .py && !parity.cluster.submitDenied";
    const denied = { resourceExtname: ".ipynb", "parity.cluster.submitDenied": true };
    expect(evaluateWhen(unparenthesised, denied)).toBe(true);
    expect(evaluateWhen(`(${unparenthesised.replace(" && ", ") && ")}`, denied)).toBe(false);
    expect(() => evaluateWhen("viewItem =~ /x/", {})).toThrow();
  });

  /** Where each menu shows the slot: the open notebook, or a notebook or script in the editor. */
  const places: Record<string, WhenContext[]> = {
    "notebook/toolbar": [{ notebookType: "jupyter-notebook" }],
    "editor/title": [{ resourceExtname: ".ipynb" }, { resourceExtname: ".py" }],
    commandPalette: [{}],
  };

  it.each(Object.keys(places))(
    "%s shows exactly one of them, the one that says why, in every state",
    (menu) => {
      for (const place of places[menu]!)
        for (const state of states)
          expect(shown(menu, { ...place, ...state }), JSON.stringify({ ...place, ...state })).toEqual([
            expected(state),
          ]);
    },
  );

  it("shows none of them on a file Parity does not run", () => {
    for (const state of states) {
      expect(shown("editor/title", { ...state, resourceExtname: ".txt" })).toEqual([]);
      expect(shown("notebook/toolbar", { ...state, notebookType: "interactive" })).toEqual([]);
    }
  });

  it("gives each twin a title that says why, in Run on Cluster's place", () => {
    const titles = Object.fromEntries(
      manifest.contributes.commands.map((command) => [command.command, command.title]),
    );
    expect(titles["parity.runOnClusterNoCluster"]).toBe("Run on Cluster: No Cluster Found");
    expect(titles["parity.runOnClusterDenied"]).toBe("Run on Cluster: Not Allowed in This Namespace");
    expect(titles["parity.runOnClusterRestricted"]).toBe("Run on Cluster: Not in Restricted Mode");
    for (const menu of ["notebook/toolbar", "editor/title"]) {
      const groups = manifest.contributes.menus[menu]!.filter((entry) => entry.command in RUN_ON_CLUSTER).map(
        (entry) => entry.group,
      );
      expect(new Set(groups).size, menu).toBe(1);
    }
  });

  it("keeps the toolbar short: each twin shows as Run on Cluster with its own icon, the reason on hover", () => {
    const twins = manifest.contributes.commands.filter((command) => command.command in RUN_ON_CLUSTER);
    for (const twin of twins.filter((command) => command.command !== "parity.runOnCluster"))
      expect(twin.shortTitle, twin.command).toBe("Run on Cluster");
    expect(new Set(twins.map((command) => command.icon)).size).toBe(twins.length);
  });
});
