import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as fake from "../panels/fakeVscode";

// The vscode API in memory (no real one runs in a unit test). The host (dist/host.js) is replaced
// by one whose start fails or succeeds as a test says: the stubs' own handling is under test.
vi.mock("vscode", async () => await import("../panels/fakeVscode"));
const host = vi.hoisted(() => ({
  failure: undefined as Error | undefined,
  started: 0,
  commands: [] as Array<{ id: string; args: unknown[] }>,
  restored: [] as string[],
  deactivated: 0,
}));
vi.mock("../../../src/host", () => ({
  startHost: () => {
    host.started++;
    if (host.failure) throw host.failure;
    return {
      runCommand: async (id: string, args: unknown[]) => void host.commands.push({ id, args }),
      restorePanel: async (viewType: string) => void host.restored.push(viewType),
      deactivate: async () => void host.deactivated++,
    };
  },
}));
const extension = await import("../../../src/extension");
const { DeferredTreeView, ResolvingDeferredTreeView } = await import("../../../src/views/deferredTreeView");

const SENTENCE = "Parity could not start: dist/host.js is missing. Reload the window to try again.";

function activate() {
  const context = {
    subscriptions: [] as Array<{ dispose(): void }>,
    extension: {
      packageJSON: {
        activationEvents: ["onWebviewPanel:parity.logs"],
        contributes: {
          commands: [{ command: "parity.checkParity" }],
          views: { parity: [{ id: "parity.environment" }, { id: "parity.runs" }] },
        },
      },
    },
  };
  extension.activate(context as never);
  return context;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  fake.reset();
  Object.assign(host, { failure: undefined, started: 0, commands: [], restored: [], deactivated: 0 });
  vi.spyOn(console, "error").mockImplementation(() => undefined);
});
afterEach(async () => {
  await extension.deactivate();
  vi.restoreAllMocks();
});

describe("the command stubs registered at activation", () => {
  it("say in one sentence that Parity could not start, and start the host again on the next use", async () => {
    activate();
    host.failure = new Error("dist/host.js is missing.\nRequire stack:\n- dist/extension.js");
    const command = fake.state.commands.get("parity.checkParity")!;

    await expect(command("first")).resolves.toBeUndefined();
    await settle();
    expect(fake.state.errors).toEqual([SENTENCE]);
    // The details (the require stack) go to the extension host's log.
    expect(console.error).toHaveBeenCalledWith(SENTENCE, host.failure);

    host.failure = undefined;
    await command("second");
    expect(host.started).toBe(2);
    expect(host.commands).toEqual([{ id: "parity.checkParity", args: ["second"] }]);
  });
});

describe("the panel serializers registered at activation", () => {
  it("close a panel they cannot restore and say why, and restore the next one once the host starts", async () => {
    activate();
    host.failure = new Error("dist/host.js is missing");
    const serializer = fake.state.serializers.get("parity.logs")!;
    const blank = fake.fakePanel("parity.logs", "Logs: r1");

    await expect(serializer.deserializeWebviewPanel(blank, {})).resolves.toBeUndefined();
    await settle();
    expect(blank.disposed).toBe(true);
    expect(fake.state.errors).toEqual([SENTENCE]);

    host.failure = undefined;
    await serializer.deserializeWebviewPanel(fake.fakePanel("parity.logs", "Logs: r2"), {});
    expect(host.restored).toEqual(["parity.logs"]);
  });
});

describe("deactivate", () => {
  it("starts no host to stop its runs, and stops those of the host that started", async () => {
    activate();
    await extension.deactivate();
    expect(host.started).toBe(0);

    activate();
    await fake.state.commands.get("parity.checkParity")!();
    await extension.deactivate();
    expect(host.deactivated).toBe(1);
  });
});

describe("a view registered at activation", () => {
  const provider = (rows: string[]) => ({
    getChildren: () => rows,
    getTreeItem: (row: string) => ({ label: row }),
  });

  it("shows the failed start as its message instead of rows, logged once for all views, and takes it away once the host starts", async () => {
    const failure = new Error("dist/host.js is missing");
    let load = (): Promise<unknown> => Promise.reject(failure);
    const environment = new DeferredTreeView("parity.environment", () => load());
    const runs = new DeferredTreeView("parity.runs", () => load());

    expect(await environment.getChildren()).toEqual([]);
    expect(await runs.getChildren()).toEqual([]);
    expect(fake.state.treeViews.get("parity.environment")!.message).toBe(SENTENCE);
    expect(fake.state.treeViews.get("parity.runs")!.message).toBe(SENTENCE);
    expect(console.error).toHaveBeenCalledTimes(1);
    expect(fake.state.errors).toEqual([]);

    load = async () => environment.provide(provider(["python 3.11"]));
    expect(await environment.getChildren()).toEqual(["python 3.11"]);
    expect(fake.state.treeViews.get("parity.environment")!.message).toBeUndefined();
  });

  it("that the host did not provide says so rather than throwing", async () => {
    const view = new DeferredTreeView("parity.pipelines", async () => undefined);
    expect(await view.getChildren()).toEqual([]);
    expect(fake.state.treeViews.get("parity.pipelines")!.message).toBe(
      "Parity could not start: its host did not provide the view parity.pipelines. Reload the window to try again.",
    );
  });

  it("is resolvable on hover only where its provider fills rows in (the Runs view)", () => {
    const plain = new DeferredTreeView("parity.environment", async () => undefined);
    const resolving = new ResolvingDeferredTreeView("parity.runs", async () => undefined);
    expect("resolveTreeItem" in plain).toBe(false);
    expect("resolveTreeItem" in resolving).toBe(true);

    activate();
    expect("resolveTreeItem" in (fake.state.treeViews.get("parity.runs")!.treeDataProvider as object)).toBe(
      true,
    );
    expect(
      "resolveTreeItem" in (fake.state.treeViews.get("parity.environment")!.treeDataProvider as object),
    ).toBe(false);
  });
});
