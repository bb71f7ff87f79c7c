import { beforeEach, describe, expect, it, vi } from "vitest";
import * as fake from "../panels/fakeVscode";

// The vscode API in memory (no real one runs in a unit test).
vi.mock("vscode", async () => await import("../panels/fakeVscode"));
// Fault injection: the views' registration fails, once it has tracked a listener, as a bug in
// any of start-up's steps would.
const startup = vi.hoisted(() => ({
  failure: undefined as Error | undefined,
  listener: { disposed: false },
}));
vi.mock("../../../src/views/registerViews", () => ({
  registerViews: (services: { track(disposable: { dispose(): void }): void }) => {
    services.track({ dispose: () => void (startup.listener.disposed = true) });
    if (startup.failure) throw startup.failure;
    return {};
  },
}));
// Fault injection: the commands' bundle (dist/commands.js) fails to load until a test lets it.
const commandsBundle = vi.hoisted(() => ({ failure: undefined as Error | undefined, ran: [] as string[] }));
vi.mock("../../../src/commands/registerCommands", () => {
  if (commandsBundle.failure) throw commandsBundle.failure;
  return { registerCommands: () => async (id: string) => void commandsBundle.ran.push(id) };
});
// Stand-ins for the start-up steps these tests do not exercise, which watch files, settings and the
// active notebook through more of the vscode API than the in-memory one has.
const idle = () => ({ dispose: () => undefined });
vi.mock("../../../src/statusBar/statusBar", () => ({ registerStatusBar: idle }));
vi.mock("../../../src/statusBar/clusterStatusBar", () => ({ registerClusterStatusBar: idle }));
vi.mock("../../../src/services/clusterSettings", () => ({ trackClusterAvailability: idle }));
vi.mock("../../../src/services/reportFreshness", () => ({
  ReportFreshness: class {
    dispose(): void {}
  },
}));
const { startHost } = await import("../../../src/host");

beforeEach(() => {
  fake.reset();
  startup.listener.disposed = false;
});

describe("the host's start", () => {
  it("that fails stops what it started and leaves nothing to the extension's subscriptions", () => {
    startup.failure = new Error("the views could not register");
    const context = { ...fake.fakeContext(), extension: {} };
    expect(() => startHost(context as never, { provide: () => ({}) } as never)).toThrow(startup.failure);
    expect(startup.listener.disposed).toBe(true);
    expect(context.subscriptions).toEqual([]);
  });
});

describe("the host's commands", () => {
  it("report a commands bundle that failed to load through the error boundary, and load it again on the next command", async () => {
    startup.failure = undefined;
    commandsBundle.failure = new Error("Cannot find module './commands.js'");
    const context = { ...fake.fakeContext(), extension: {} };
    const host = startHost(context as never, { provide: () => ({}) } as never);

    await expect(host.runCommand("parity.checkParity", [])).resolves.toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 0));
    // (vitest words the failed load its own way.)
    expect(fake.state.errors).toHaveLength(1);
    expect(fake.state.errors[0]).toMatch(
      /^Parity failed unexpectedly: .+ The Parity output channel has the details\.$/,
    );
    expect(fake.state.output[0]).toMatch(/^parity\.checkParity failed: /);

    commandsBundle.failure = undefined;
    vi.resetModules();
    await host.runCommand("parity.checkParity", []);
    expect(commandsBundle.ran).toEqual(["parity.checkParity"]);
    for (const subscription of context.subscriptions) subscription.dispose();
  });
});

describe("the host's panel restore", () => {
  it("closes a panel it cannot restore, logs it and reports why through the error boundary", async () => {
    startup.failure = undefined;
    const context = { ...fake.fakeContext(), extension: {} };
    const host = startHost(context as never, { provide: () => ({}) } as never);
    const panel = fake.fakePanel("parity.unknown", "Unknown");

    await expect(host.restorePanel("parity.unknown", panel as never, {})).resolves.toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(panel.disposed).toBe(true);
    expect(fake.state.output[0]).toBe('Could not restore the parity.unknown panel "Unknown"; closed it.');
    expect(fake.state.errors).toEqual([
      "Parity failed unexpectedly: Parity's panels have no serializer for parity.unknown. The Parity output channel has the details.",
    ]);
    for (const subscription of context.subscriptions) subscription.dispose();
  });
});
