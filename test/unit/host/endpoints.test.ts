import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StoredRun } from "../../../src/app/store";
import type { RunResult } from "../../../src/core/job/types";
import type { ClusterEndpointState, EndpointRecord } from "../../../src/core/serving/types";
import { deploymentMessage } from "../../../src/core/presentation/endpointStatus";
import {
  endpointNodes,
  presentEndpoint,
  presentTraffic,
  trafficNodes,
} from "../../../src/views/endpoints/endpointsModel";

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}
const manifest = JSON.parse(readFileSync("package.json", "utf8")) as {
  activationEvents: string[];
  contributes: {
    menus: Record<string, MenuEntry[]>;
    commands: Array<{ command: string; title: string; shortTitle?: string }>;
    views: Record<string, Array<{ id: string }>>;
  };
};
const menus = manifest.contributes.menus;

/** The commands whose context menu entries (not inline) show for a row with this contextValue. */
function menuFor(contextValue: string, trusted = true): string[] {
  return menus["view/item/context"]!.filter((entry) => !entry.group?.startsWith("inline"))
    .filter((entry) => entry.when?.includes("view == parity.endpoints"))
    .filter((entry) => trusted || !entry.when?.includes("isWorkspaceTrusted"))
    .filter((entry) => {
      const pattern = /viewItem =~ \/(.*?)\/(?: |$)/.exec(entry.when ?? "")?.[1];
      return pattern !== undefined && new RegExp(pattern).test(contextValue);
    })
    .map((entry) => entry.command);
}

const workspace = "/w";
const notebook = "/w/serving/train.ipynb";

function endpointRecord(
  runId: string,
  status: RunResult["status"],
  extra: Partial<EndpointRecord> = {},
): StoredRun {
  return {
    dir: `${workspace}/.parity/runs/${runId}`,
    result: {
      runId,
      kind: "endpoint",
      target: "local",
      status,
      exitCode: null,
      oomKilled: false,
      image: "parity/fixture-serving-serve:1",
      notebook,
      memoryLimitBytes: 768 * 2 ** 20,
      startedAt: "2026-12-05T14:00:00.000Z",
      diagnosis: [],
      endpoint: {
        name: "iris",
        modelFile: "/w/serving/outputs/model.joblib",
        modelFormat: "joblib",
        fromRun: "train-20261205-135900-abcd",
        runImage: "parity/fixture-serving:1",
        servingImage: "parity/fixture-serving-serve:1",
        kserveVersion: "0.20.0",
        protocols: ["v1", "v2"],
        protocol: "v1",
        ...(status === "running" || status === "cancelled"
          ? { url: "http://127.0.0.1:49153", port: 49153, containerId: "c0ffee" }
          : {}),
        ...extra,
      },
    },
  };
}

const jobRun: StoredRun = {
  dir: `${workspace}/.parity/runs/train-1`,
  result: { ...endpointRecord("train-1", "succeeded").result, kind: "job", endpoint: undefined },
};

describe("Deploy Model in package.json", () => {
  it("shows on the notebook toolbar and the Endpoints view only in a trusted workspace, with a short toolbar title", () => {
    const command = manifest.contributes.commands.find((entry) => entry.command === "parity.deployModel")!;
    expect(command.shortTitle).toBe("Deploy Model");
    expect(command.title).toMatch(/^Deploy Model .*Local Endpoint$/);
    const placed = Object.entries(menus).flatMap(([menu, entries]) =>
      entries.filter((entry) => entry.command === "parity.deployModel").map((entry) => ({ menu, ...entry })),
    );
    expect(placed.map((entry) => entry.menu).sort()).toEqual(["notebook/toolbar", "view/title"]);
    for (const entry of placed) expect(entry.when).toMatch(/(^|&& )isWorkspaceTrusted( |$)/);
    // Beside Run Locally and Tune on the notebook's toolbar.
    const toolbar = placed.find((entry) => entry.menu === "notebook/toolbar")!;
    expect(toolbar.when).toContain("notebookType == jupyter-notebook");
    expect(toolbar.group).toMatch(/^navigation\/parity@1\.\d+$/);
  });

  it("has an Endpoints view whose panel restores after a reload", () => {
    expect(manifest.contributes.views.parity!.map((view) => view.id)).toContain("parity.endpoints");
    expect(manifest.activationEvents).toContain("onWebviewPanel:parity.endpoint");
  });
});

describe("Deploy Model to the Cluster in package.json", () => {
  const placed = Object.entries(menus).flatMap(([menu, entries]) =>
    entries
      .filter((entry) => entry.command === "parity.deployModelToCluster")
      .map((entry) => ({ menu, ...entry })),
  );

  it("is a Parity command in the palette, named after KServe, that Restricted Mode refuses with the reason", () => {
    const command = manifest.contributes.commands.find(
      (entry) => entry.command === "parity.deployModelToCluster",
    );
    expect(command?.title).toBe("Deploy Model to the Cluster (KServe)");
    // Not hidden from the palette: there it is refused in Restricted Mode, saying why.
    expect(menus.commandPalette!.some((entry) => entry.command === "parity.deployModelToCluster")).toBe(
      false,
    );
  });

  it("is offered beside Deploy Model (the notebook's toolbar menu, the Endpoints view) only in a trusted workspace, leaving the toolbar's one click local", () => {
    expect(placed.map((entry) => entry.menu).sort()).toEqual(["notebook/toolbar", "view/title"]);
    for (const entry of placed) expect(entry.when).toMatch(/(^|&& )isWorkspaceTrusted( |$)/);
    const toolbar = placed.find((entry) => entry.menu === "notebook/toolbar")!;
    expect(toolbar.when).toContain("notebookType == jupyter-notebook");
    // In the toolbar's "..." menu, not a button: Deploy Model stays the one click.
    expect(toolbar.group).not.toMatch(/^navigation/);
    expect(placed.find((entry) => entry.menu === "view/title")!.when).toContain("view == parity.endpoints");
  });
});

describe("what a deployment to the cluster says at its end", () => {
  const canaryRecord = (status: RunResult["status"], diagnosis: RunResult["diagnosis"] = []): RunResult => ({
    ...endpointRecord("deploy-iris-1", status).result,
    target: "cluster",
    diagnosis,
    endpoint: {
      ...endpointRecord("deploy-iris-1", status).result.endpoint!,
      url: "http://iris-team-a.example.com",
      cluster: {
        mode: "Standard",
        modeSource: "annotation",
        conditions: [],
        traffic: [
          { revision: "m-1", percent: 100, tag: "stable", applied: true },
          { revision: "m-2", percent: 20, tag: "canary", applied: false },
        ],
      },
    },
  });
  const note =
    "KServe records the canary's trafficPercent but routes nothing by it. Every request to the endpoint's URL goes to the stable predictor m-1.";

  it("never says a split KServe does not route is applied: a warning with KServe's own note", () => {
    const said = deploymentMessage({
      action: "canary",
      name: "iris",
      namespace: "team-a",
      notes: [note],
      record: canaryRecord("running"),
    });
    expect(said.severity).toBe("warning");
    expect(said.text).toBe(
      `Endpoint iris in team-a has the new model as its canary (m-2). Traffic: m-1 100 % routed; m-2 20 % asked for, not routed by KServe. ${note}`,
    );
  });

  it("says where a new endpoint serves, and why one does not serve yet", () => {
    const created = deploymentMessage({
      action: "created",
      name: "iris",
      namespace: "team-a",
      notes: [],
      record: {
        ...canaryRecord("running"),
        endpoint: {
          ...canaryRecord("running").endpoint!,
          cluster: {
            mode: "Standard",
            modeSource: "cluster default",
            conditions: [],
            traffic: [{ revision: "m-1", percent: 100, tag: "stable", applied: true }],
          },
        },
      },
    });
    expect(created).toEqual({
      severity: "info",
      text: "Endpoint iris serves in team-a (KServe Standard mode) at http://iris-team-a.example.com.",
    });
    const waiting = deploymentMessage({
      action: "promoted",
      name: "iris",
      namespace: "team-a",
      notes: [],
      record: canaryRecord("running", [
        {
          code: "EndpointNotReadyYet",
          severity: "warning",
          message: "Parity stopped waiting.",
          fix: "parity endpoints shows where it stands.",
        },
      ]),
    });
    expect(waiting.severity).toBe("warning");
    expect(waiting.text).toMatch(
      /^Promoted the canary of iris in team-a, but KServe does not serve it yet: Parity stopped waiting\./,
    );
  });
});

describe("the Endpoints view's rows and menus", () => {
  it("lists each endpoint once, by its newest record, and the deployments still building", () => {
    const nodes = endpointNodes(
      [
        endpointRecord("serve-iris-3", "running"),
        jobRun,
        endpointRecord("serve-iris-2", "cancelled"),
        endpointRecord("serve-iris-1", "failed"),
      ],
      [{ key: "building-1", notebookFile: "/w/other/score.ipynb", target: "local" }],
      (folder) => folder.replace("/w/", ""),
    );
    expect(nodes.map((node) => [node.name, node.state, node.runId])).toEqual([
      ["iris", "serving", "serve-iris-3"],
      ["score.ipynb", "building", "building-1"],
    ]);
    expect(presentEndpoint(nodes[0]!).description).toBe("Serving · http://127.0.0.1:49153 · model.joblib");
    expect(presentEndpoint(nodes[1]!).description).toBe("Building");
  });

  it("names the notebook's folder where two endpoints share a name", () => {
    const other = endpointRecord("serve-iris-9", "running");
    other.dir = "/v/.parity/runs/serve-iris-9";
    other.result = { ...other.result, notebook: "/v/train.ipynb" };
    const nodes = endpointNodes([endpointRecord("serve-iris-3", "running"), other], [], (folder) => folder);
    expect(nodes.map((node) => node.folder)).toEqual(["/w/serving", "/v"]);
  });

  it("offer Stop on live endpoints (trusted only), the panel and logs on recorded ones, Copy URL where one serves", () => {
    const [serving] = endpointNodes([endpointRecord("a", "running")], [], String);
    const [loading] = endpointNodes([endpointRecord("b", "pending")], [], String);
    const [stopped] = endpointNodes([endpointRecord("c", "cancelled")], [], String);
    const [failed] = endpointNodes([endpointRecord("d", "failed")], [], String);
    const [building] = endpointNodes(
      [],
      [{ key: "building-1", notebookFile: notebook, target: "local" }],
      String,
    );
    expect(menuFor(presentEndpoint(serving!).contextValue)).toEqual([
      "parity.openEndpoint",
      "parity.showEndpointLogs",
      "parity.copyEndpointUrl",
      "parity.stopEndpoint",
    ]);
    expect(menuFor(presentEndpoint(serving!).contextValue, false)).not.toContain("parity.stopEndpoint");
    expect(menuFor(presentEndpoint(loading!).contextValue)).toEqual([
      "parity.openEndpoint",
      "parity.showEndpointLogs",
      "parity.stopEndpoint",
    ]);
    expect(menuFor(presentEndpoint(stopped!).contextValue)).toEqual([
      "parity.openEndpoint",
      "parity.showEndpointLogs",
    ]);
    expect(presentEndpoint(stopped!).description).toBe("Stopped · model.joblib");
    expect(menuFor(presentEndpoint(failed!).contextValue)).toEqual([
      "parity.openEndpoint",
      "parity.showEndpointLogs",
    ]);
    expect(menuFor(presentEndpoint(building!).contextValue)).toEqual(["parity.stopEndpoint"]);
  });

  it("show a cluster endpoint's traffic split under it, saying which shares KServe applies", () => {
    const cluster: ClusterEndpointState = {
      mode: "Standard",
      modeSource: "status",
      revision: "iris-00001",
      traffic: [
        { revision: "iris-00001", percent: 100, tag: "stable", applied: true },
        {
          revision: "iris-00002",
          percent: 10,
          tag: "canary",
          url: "http://iris-00002.team-a.svc",
          applied: false,
        },
      ],
      conditions: [],
    };
    const stored = endpointRecord("serve-iris-4", "running", {
      url: "http://iris.team-a.example.com",
      cluster,
    });
    stored.result = {
      ...stored.result,
      target: "cluster",
      cluster: { context: "prod", namespace: "team-a" } as never,
    };
    const [node] = endpointNodes([stored], [], String);
    expect(presentEndpoint(node!).description).toBe(
      "Serving · http://iris.team-a.example.com · model.joblib · cluster team-a · Standard mode",
    );
    expect(presentEndpoint(node!).tooltip).toContain("KServe Standard mode (read from the status)");
    const shares = trafficNodes(node!).map(presentTraffic);
    expect(shares.map((share) => [share.label, share.description])).toEqual([
      ["iris-00001", "100 % · stable · routed"],
      ["iris-00002", "10 % · canary · asked for, not routed by KServe"],
    ]);
    expect(shares[1]!.tooltip).toContain("does not route it");
    expect(trafficNodes(endpointNodes([endpointRecord("x", "running")], [], String)[0]!)).toEqual([]);
  });
});
