import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import type { Diagnosis } from "../../../src/core/diagnosis/types";

vi.mock("vscode", () => ({}));

const { podQuestion } = await import("../../../src/commands/run/runOnCluster");

const memory: Diagnosis = {
  code: "NoNodeFits",
  severity: "error",
  message: "No node has 64 GiB of memory to spare (the largest has 16 GiB).",
  fix: "Ask for less memory in parity.yaml.",
  snippet: {
    yaml: "resources:\n  memory: 8Gi",
    changes: [{ kind: "set", path: ["resources", "memory"], value: "8Gi" }],
  },
};
const note: Diagnosis = { code: "Fits", severity: "info", message: "2 nodes fit.", fix: "" };

describe("Tune on Cluster's question when a trial's pod would not schedule", () => {
  it("speaks of the trials, each staying Pending, with the fix to parity.yaml the trials run under", () => {
    const question = podQuestion(
      { schedulable: false, problems: [note, memory], fits: [] },
      { what: "the trials of train.ipynb as they are", pending: "each trial stays" },
    );
    expect(question.message).toBe(
      "The cluster cannot schedule the trials of train.ipynb as they are: No node has 64 GiB of memory to spare (the largest has 16 GiB).",
    );
    expect(question.detail).toEqual([
      "• No node has 64 GiB of memory to spare (the largest has 16 GiB).",
      "\u00a0\u00a0Fix: Ask for less memory in parity.yaml.",
      "\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0resources:",
      "\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0memory: 8Gi",
      "Submitted anyway, each trial stays Pending until the cluster changes.",
    ]);
    expect(question.changes).toEqual([{ kind: "set", path: ["resources", "memory"], value: "8Gi" }]);
  });
});

interface Contributed {
  command: string;
  title?: string;
  category?: string;
  icon?: string;
  when?: string;
  group?: string;
}
const manifest = JSON.parse(readFileSync("package.json", "utf8")) as {
  contributes: { commands: Contributed[]; menus: Record<string, Contributed[]> };
};

describe("Tune on Cluster in package.json", () => {
  const entries = (menu: string, id: string) =>
    (manifest.contributes.menus[menu] ?? []).filter((entry) => entry.command === id);

  it("is a Parity command in the palette, with the cloud icon the other cluster commands have", () => {
    expect(manifest.contributes.commands.find((entry) => entry.command === "parity.tuneOnCluster")).toEqual({
      command: "parity.tuneOnCluster",
      title: "Tune on Cluster",
      category: "Parity",
      icon: manifest.contributes.commands.find((entry) => entry.command === "parity.runOnCluster")!.icon,
    });
    expect(entries("commandPalette", "parity.tuneOnCluster")).toEqual([]);
  });

  it("shows on the notebook toolbar right after Tune, for the same notebooks", () => {
    const [tune] = entries("notebook/toolbar", "parity.tune");
    const [cluster] = entries("notebook/toolbar", "parity.tuneOnCluster");
    expect(cluster?.when).toBe(tune?.when);
    expect(tune?.group).toBe("navigation/parity@1.5");
    expect(cluster?.group).toBe("navigation/parity@1.6");
  });

  it("has its handler in the cluster commands' bundle", () => {
    expect(readFileSync("src/commands/registerCommands.ts", "utf8")).toContain(
      '"parity.tuneOnCluster": later((cluster) => cluster.tuneOnCluster)',
    );
    expect(readFileSync("src/commands/cluster/index.ts", "utf8")).toContain(
      'export { tuneOnCluster } from "../tuning/tuneOnCluster";',
    );
  });
});
