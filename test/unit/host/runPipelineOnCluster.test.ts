import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Diagnosis } from "../../../src/core/diagnosis/types";
import type { Prediction } from "../../../src/core/preflight";
import type { UnschedulableQuestion } from "../../../src/commands/run/runOnCluster";

const dialog = vi.hoisted(() => ({
  answers: [] as string[],
  asked: [] as { message: string; detail: string; buttons: string[] }[],
}));

vi.mock("vscode", () => ({
  window: {
    showWarningMessage: (
      message: string,
      options: { detail: string },
      ...items: { title: string; isCloseAffordance?: boolean }[]
    ) => {
      dialog.asked.push({ message, detail: options.detail, buttons: items.map((item) => item.title) });
      const answer = dialog.answers.shift();
      return Promise.resolve(items.find((item) => item.title === answer));
    },
  },
}));

const { unschedulableSteps } = await import("../../../src/commands/pipeline/runPipelineOnCluster");
const { confirmUnschedulable } = await import("../../../src/commands/run/runOnCluster");

const memory: Diagnosis = {
  code: "NoNodeFits",
  severity: "error",
  message: "No node has 64 GiB of memory to spare (the largest has 16 GiB).",
  fix: "Ask for less memory in parity.yaml.",
  snippet: { yaml: "limits:\n  memory: 8Gi", changes: [] },
};
const gpu: Diagnosis = {
  code: "NoGpuNode",
  severity: "error",
  message: "No node offers nvidia.com/gpu.",
  fix: "Remove the step's gpu: tag, or run it where GPUs are.",
};
const note: Diagnosis = { code: "Fits", severity: "info", message: "2 nodes fit.", fix: "" };

function step(name: string, problems: Diagnosis[]): { name: string; prediction: Prediction } {
  const schedulable = !problems.some((problem) => problem.severity === "error");
  return { name, prediction: { schedulable, problems, fits: [] } };
}

describe("Run Pipeline on Cluster's question when steps would not schedule", () => {
  it("names the steps that would not, groups those stopped by the same problems, and gives each fix", () => {
    const question = unschedulableSteps(
      [step("load", [note]), step("train", [memory]), step("tune", [memory]), step("score", [gpu])],
      "numbers.ipynb",
    );
    expect(question.message).toBe(
      "The cluster cannot schedule the steps train, tune, score of numbers.ipynb as they are: No node has 64 GiB of memory to spare (the largest has 16 GiB).",
    );
    expect(question.detail).toEqual([
      "train, tune:",
      "• No node has 64 GiB of memory to spare (the largest has 16 GiB).",
      "\u00a0\u00a0Fix: Ask for less memory in parity.yaml.",
      // The YAML keeps its indentation in no-break spaces: a dialog drops leading spaces.
      "\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0limits:",
      "\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0memory: 8Gi",
      "score:",
      "• No node offers nvidia.com/gpu.",
      "\u00a0\u00a0Fix: Remove the step's gpu: tag, or run it where GPUs are.",
      "Submitted anyway, they stay Pending until the cluster changes, and the steps after them wait.",
    ]);
    // A step's limits may be its own, not parity.yaml's: no change to parity.yaml is offered.
    expect(question.changes).toEqual([]);
  });

  it("speaks of one step as one", () => {
    const question = unschedulableSteps([step("score", [gpu]), step("load", [])], "flow.yaml");
    expect(question.message).toBe(
      "The cluster cannot schedule the step score of flow.yaml as it is: No node offers nvidia.com/gpu.",
    );
    expect(question.detail.at(-1)).toBe(
      "Submitted anyway, it stays Pending until the cluster changes, and the steps after it wait.",
    );
  });
});

describe("the dialog when the cluster cannot schedule a run", () => {
  beforeEach(() => {
    dialog.answers = [];
    dialog.asked = [];
  });

  it("offers a look first (the default button submits nothing), asks again after it, and submits only on Submit Anyway", async () => {
    const question = unschedulableSteps([step("score", [gpu])], "numbers.ipynb");
    const show = vi.fn(() => Promise.resolve());
    dialog.answers = ["Show Output", "Submit Anyway"];
    await expect(confirmUnschedulable(question, { look: { title: "Show Output", show } })).resolves.toBe(
      true,
    );
    expect(show).toHaveBeenCalledOnce();
    expect(dialog.asked.map((asked) => asked.buttons)).toEqual([
      ["Show Output", "Submit Anyway", "Cancel"],
      ["Show Output", "Submit Anyway", "Cancel"],
    ]);
    expect(dialog.asked[0]!.detail).toBe(question.detail.join("\n"));

    dialog.answers = ["Cancel"];
    await expect(confirmUnschedulable(question, { look: { title: "Show Output", show } })).resolves.toBe(
      false,
    );
  });

  it("offers the fix to parity.yaml only with changes and a profile to apply them to", async () => {
    const question: UnschedulableQuestion = {
      message: "The cluster cannot schedule train.ipynb as it is: no node fits it.",
      detail: [],
      changes: [{ kind: "set", path: ["resources", "memory"], value: "8Gi" }],
    };
    const profileDir = () => Promise.resolve(undefined);
    dialog.answers = ["Cancel", "Cancel"];
    await confirmUnschedulable(question, { profileDir });
    await confirmUnschedulable({ ...question, changes: [] }, { profileDir });
    expect(dialog.asked.map((asked) => asked.buttons)).toEqual([
      ["Add the Fix to parity.yaml", "Submit Anyway", "Cancel"],
      ["Submit Anyway", "Cancel"],
    ]);
  });
});

interface Contributed {
  command: string;
  title?: string;
  category?: string;
  icon?: string;
  enablement?: string;
  when?: string;
  group?: string;
}
const manifest = JSON.parse(readFileSync("package.json", "utf8")) as {
  contributes: { commands: Contributed[]; menus: Record<string, Contributed[]> };
};

describe("Run Pipeline on Cluster in package.json", () => {
  const command = (id: string) => manifest.contributes.commands.find((entry) => entry.command === id);
  const entries = (menu: string, id: string) =>
    (manifest.contributes.menus[menu] ?? []).filter((entry) => entry.command === id);

  it("is a Parity command with the cloud icon Run on Cluster has", () => {
    expect(command("parity.runPipelineOnCluster")).toEqual({
      command: "parity.runPipelineOnCluster",
      title: "Run Pipeline on Cluster",
      shortTitle: "Pipeline on Cluster",
      category: "Parity",
      icon: command("parity.runOnCluster")!.icon,
    });
  });

  it("shows wherever Run Pipeline Locally does on a notebook and a pipeline's row, right after it", () => {
    for (const menu of ["notebook/toolbar", "view/item/context", "commandPalette"]) {
      const local = entries(menu, "parity.runPipelineLocally");
      const cluster = entries(menu, "parity.runPipelineOnCluster");
      expect(cluster.map((entry) => entry.when)).toEqual(local.map((entry) => entry.when));
      const next = (group: string | undefined) =>
        group?.replace(/\d+$/, (order) => String(Number(order) + 1));
      expect(cluster.map((entry) => entry.group)).toEqual(local.map((entry) => next(entry.group)));
    }
  });

  it("has a handler, as every contributed command does", () => {
    const registered = readFileSync("src/commands/registerCommands.ts", "utf8");
    const handled = new Set([...registered.matchAll(/^\s+"(parity\.\w+)":/gm)].map((match) => match[1]));
    expect(
      manifest.contributes.commands.map((entry) => entry.command).filter((id) => !handled.has(id)),
    ).toEqual([]);
    expect(readFileSync("src/commands/cluster/index.ts", "utf8")).toContain("runPipelineOnCluster");
  });
});
