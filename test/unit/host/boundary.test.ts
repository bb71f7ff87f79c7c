import { describe, expect, it, vi } from "vitest";
import { ParityError } from "../../../src/core/errors";

/*
 * The vscode API the error boundary uses, in memory (no real one can run in a unit test): the
 * notification's buttons, the one the user clicks, and the commands that click runs.
 */
const fake = vi.hoisted(() => ({
  shown: [] as Array<{ message: string; buttons: string[] }>,
  click: undefined as string | undefined,
  commands: [] as unknown[][],
}));
vi.mock("vscode", () => ({
  env: { remoteName: undefined },
  window: {
    showErrorMessage: async (message: string, ...buttons: string[]) => {
      fake.shown.push({ message, buttons });
      return fake.click;
    },
    showWarningMessage: async () => undefined,
  },
  commands: { executeCommand: async (...args: unknown[]) => void fake.commands.push(args) },
}));
const { reportFailure } = await import("../../../src/commands/support/boundary");

const services = { log: () => undefined, output: { show: () => undefined } } as never;
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("the error boundary's next steps", () => {
  it("offers Open Settings, not Retry, when the user may not use the Docker socket: only another group or engine helps", async () => {
    fake.click = "Open Settings";
    const denied = new ParityError(
      "DockerPermissionDenied",
      "Parity may not use the Docker socket at unix:///x.",
      {
        fix: 'Add your user to the "docker" group.',
      },
    );
    reportFailure(services, "parity.runLocally", denied, { attempt: 1, retry: () => undefined });
    await settle();
    expect(fake.shown[0]?.buttons).toEqual(["Open Settings", "Show Output"]);
    // A local window: the User tab, where a machine setting is read (the Workspace tab's value is ignored).
    expect(fake.commands).toEqual([["workbench.action.openGlobalSettings", { query: "parity.docker.host" }]]);
  });
});
