import { describe, expect, it } from "vitest";
import { checkScope, trustRefusal } from "../../../src/services/trust";
import { sessionEnv, userScopedValue } from "../../../src/services/settings";
import { DOCKER_HOST_SETTING } from "../../../src/core/dockerHostSetting";
import { resolveDockerEndpoint } from "../../../src/targets/docker/connection";

describe("Workspace Trust", () => {
  it("lets everything through in a trusted workspace", () => {
    for (const action of ["build", "run", "deploy"] as const) {
      expect(trustRefusal(action, true)).toBeUndefined();
    }
    expect(checkScope(true)).toEqual({ useDocker: true, probeLocal: true });
  });

  it("refuses builds, runs and deployments in Restricted Mode with what to do", () => {
    for (const action of ["build", "run", "deploy"] as const) {
      const refusal = trustRefusal(action, false);
      expect(refusal).toMatch(/Restricted Mode/);
      expect(refusal).toMatch(/[Tt]rust this workspace/);
    }
    expect(trustRefusal("run", false)).toContain("does not run notebooks");
  });

  it("checks parity in Restricted Mode without running anything of the workspace", () => {
    const scope = checkScope(false);
    expect(scope).toMatchObject({ useDocker: false, probeLocal: false });
    expect(scope.note).toContain("Restricted Mode");
  });
});

describe("settings that name programs or hosts", () => {
  it("ignore workspace and folder values", () => {
    expect(
      userScopedValue({ defaultValue: "", workspaceValue: "/tmp/evil/python", workspaceFolderValue: "x" }),
    ).toBe("");
    expect(
      userScopedValue({ defaultValue: "", globalValue: "/usr/bin/python3", workspaceValue: "/tmp/x" }),
    ).toBe("/usr/bin/python3");
    expect(userScopedValue(undefined)).toBeUndefined();
  });

  it("put the user's Docker host before DOCKER_HOST, marked as the setting's so that messages name it", () => {
    const fromSetting = sessionEnv({ DOCKER_HOST: "unix:///a.sock" }, "tcp://b:2375");
    expect(fromSetting.DOCKER_HOST).toBe("tcp://b:2375");
    expect(
      resolveDockerEndpoint(fromSetting, { homeDir: "/nowhere", readFile: () => undefined }).source,
    ).toBe("parity.docker.host setting");
    const fromVariable = sessionEnv({ DOCKER_HOST: "unix:///a.sock", [DOCKER_HOST_SETTING]: "stale" }, " ");
    expect(fromVariable.DOCKER_HOST).toBe("unix:///a.sock");
    expect(
      resolveDockerEndpoint(fromVariable, { homeDir: "/nowhere", readFile: () => undefined }).source,
    ).toBe("DOCKER_HOST");
  });
});
