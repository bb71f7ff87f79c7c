import { describe, expect, it } from "vitest";
import { diagnoseRun } from "../../../src/core/diagnosis/diagnose";
import { diagnoseEndpoint, type EndpointEvidence } from "../../../src/core/serving/diagnosis";

const MI = 1024 ** 2;

function evidence(overrides: Partial<EndpointEvidence> = {}): EndpointEvidence {
  return {
    exitCode: 137,
    oomKilled: true,
    memoryLimitBytes: 512 * MI,
    logTail: ["INFO:kserve:Starting model server", "parity: loading /models/model.joblib"],
    wasReady: false,
    ...overrides,
  };
}

describe("diagnoseEndpoint", () => {
  it("places an OOM kill before the model was loaded at loading, its fix naming serving.resources.memory", () => {
    const [item, ...rest] = diagnoseEndpoint(evidence());
    expect(rest).toEqual([]);
    expect(item!.code).toBe("OOMKilled");
    expect(item!.severity).toBe("error");
    expect(item!.message).toBe(
      "The model server was killed by the out-of-memory killer at the 512 MiB memory limit while loading the model, as production's would be.",
    );
    expect(item!.fix).toContain("raise serving.resources.memory in parity.yaml");
    expect(item!.fix).toContain("loading takes about the model file's size");
  });

  it("places an OOM kill after the 'parity: model <name> loaded' line at serving requests", () => {
    const logTail = ["parity: model iris loaded", "INFO:     127.0.0.1 - POST /v1/models/iris:predict 200"];
    const [item] = diagnoseEndpoint(evidence({ logTail }));
    expect(item!.code).toBe("OOMKilled");
    expect(item!.message).toContain("while serving requests");
    expect(item!.message).toContain("512 MiB");
    expect(item!.fix).toContain("send smaller batches");
    expect(item!.fix).toContain("serving.resources.memory");
  });

  it("reads the loaded line with surrounding spaces, and not a line that only mentions it", () => {
    expect(diagnoseEndpoint(evidence({ logTail: ["  parity: model iris loaded  "] }))[0]!.message).toContain(
      "while serving requests",
    );
    expect(
      diagnoseEndpoint(evidence({ logTail: ["error: parity: model iris loaded twice"] }))[0]!.message,
    ).toContain("while loading the model");
  });

  it("places an OOM kill of an endpoint that had been ready at serving requests, whatever its log", () => {
    const [item] = diagnoseEndpoint(evidence({ wasReady: true, logTail: [] }));
    expect(item!.message).toContain("while serving requests");
  });

  it("keeps the run's diagnosis of an end that was not an OOM kill", () => {
    for (const ended of [
      evidence({ oomKilled: false, exitCode: 1, logTail: ["ValueError: bad pickle"] }),
      evidence({ oomKilled: false, exitCode: 127, engineError: "exec: python: not found" }),
      evidence({ oomKilled: false, exitCode: 137, wasReady: true }),
    ]) {
      const items = diagnoseEndpoint(ended);
      expect(items.length).toBeGreaterThan(0);
      expect(items).toEqual(diagnoseRun({ ...ended, cancelled: false }));
      expect(items.map((item) => item.code)).not.toContain("OOMKilled");
    }
  });

  it("finds nothing to say of a clean exit", () => {
    expect(diagnoseEndpoint(evidence({ oomKilled: false, exitCode: 0 }))).toEqual([]);
  });
});
