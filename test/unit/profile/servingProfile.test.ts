import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { parseProfile } from "../../../src/core/profile";

const FILE = "/work/project/parity.yaml";
const GI = 1024 ** 3;
const MI = 1024 ** 2;
const HEADER = "apiVersion: parity.dev/v1\nkind: Profile\n";
const RESOURCES = "resources: { memory: 8Gi, cpu: 4, gpu: 1, shm: 1Gi }\n";

function profileWith(serving: string, resources = RESOURCES): string {
  return `${HEADER}${resources}serving:\n${serving}`;
}

function parseError(text: string): ParityError {
  try {
    parseProfile(text, FILE);
  } catch (error) {
    if (error instanceof ParityError) return error;
    throw error;
  }
  throw new Error("expected parseProfile to throw");
}

/** Each problem as "line field: message", the way a user reads them. */
function problems(text: string): string[] {
  return parseError(text).details.map(
    (detail) => `${detail.location?.line} ${detail.location?.field}: ${detail.message}`,
  );
}

describe("serving: defaults", () => {
  it("leaves serving out when the profile does", () => {
    expect(parseProfile(`${HEADER}${RESOURCES}`, FILE).profile).not.toHaveProperty("serving");
  });

  it("defaults the protocol to v1 and the limits to resources' own", () => {
    const { profile, limits } = parseProfile(profileWith("  model: outputs/model.joblib\n"), FILE);
    expect(profile.serving).toEqual({
      model: "outputs/model.joblib",
      protocol: "v1",
      limits: { memoryBytes: 8 * GI, milliCpu: 4000, nanoCpus: 4e9, gpu: 1, shmBytes: GI },
    });
    expect(profile.serving?.limits).toEqual(limits);
  });

  it("takes an empty serving section, with resources' defaults when resources is left out too", () => {
    const { profile, limits } = parseProfile(`${HEADER}serving: {}\n`, FILE);
    expect(profile.serving).toEqual({ protocol: "v1", limits });
    expect(limits).toEqual({
      memoryBytes: 2 * GI,
      milliCpu: 2000,
      nanoCpus: 2e9,
      gpu: 0,
      shmBytes: 256 * MI,
    });
  });

  it("keeps the name and protocol as written", () => {
    const { profile } = parseProfile(profileWith("  name: iris-v2\n  protocol: v2\n"), FILE);
    expect(profile.serving).toMatchObject({ name: "iris-v2", protocol: "v2" });
  });
});

describe("serving.resources", () => {
  it("takes the memory limit from serving.resources.memory and the rest from resources", () => {
    const { profile } = parseProfile(profileWith("  resources: { memory: 1Gi }\n"), FILE);
    expect(profile.serving?.resources).toEqual({ memory: "1Gi" });
    expect(profile.serving?.limits).toEqual({
      memoryBytes: GI,
      milliCpu: 4000,
      nanoCpus: 4e9,
      gpu: 1,
      shmBytes: GI,
    });
  });

  it("keeps numbers written for quantities as text, as resources does", () => {
    const { profile } = parseProfile(profileWith("  resources: { cpu: 0.5, gpu: 0 }\n"), FILE);
    expect(profile.serving?.resources).toEqual({ cpu: "0.5", gpu: 0 });
    expect(profile.serving?.limits).toMatchObject({
      milliCpu: 500,
      nanoCpus: 5e8,
      gpu: 0,
      memoryBytes: 8 * GI,
    });
  });
});

describe("serving: problems", () => {
  it("refuses a name that is not a lower-case Kubernetes name, with its line", () => {
    const error = parseError(profileWith("  name: Iris\n"));
    expect(error.details).toHaveLength(1);
    const [detail] = error.details;
    expect(detail!.location).toMatchObject({ file: FILE, field: "serving.name", line: 5 });
    expect(`${detail!.message} ${detail!.fix ?? ""}`).toContain("lower-case");
  });

  it("refuses a name longer than 45 characters", () => {
    expect(problems(profileWith(`  name: ${"a".repeat(46)}\n`))).toEqual([
      expect.stringMatching(/^5 serving\.name: /),
    ]);
  });

  it("refuses a protocol other than v1 or v2", () => {
    expect(problems(profileWith("  protocol: grpc\n"))).toEqual([
      '5 serving.protocol: "grpc" is not one of: v1, v2.',
    ]);
  });

  it("names serving.resources.memory when it is not a valid quantity", () => {
    const error = parseError(profileWith("  resources:\n    memory: 1GB\n"));
    expect(error.details).toHaveLength(1);
    expect(error.details[0]!.location).toMatchObject({ field: "serving.resources.memory", line: 6 });
    expect(error.details[0]!.message).toBe('"1GB" is not a valid Kubernetes quantity.');
    expect(error.details[0]!.fix).toContain("1Gi");
  });

  it("checks the endpoint's limits as resources are: the minimum memory and CPU", () => {
    expect(problems(profileWith("  resources:\n    memory: 5Mi\n    cpu: 1m\n"))).toEqual([
      '6 serving.resources.memory: "5Mi" is only 5 MiB; Docker refuses memory limits under 6 MiB.',
      '7 serving.resources.cpu: "1m" is less than 0.01 CPU, the least Docker accepts.',
    ]);
  });

  it("refuses serving.resources.shm larger than its memory, with a fix naming serving.resources.shm", () => {
    const error = parseError(profileWith("  resources:\n    memory: 1Gi\n    shm: 2Gi\n"));
    expect(error.details).toHaveLength(1);
    const [detail] = error.details;
    expect(detail!.location).toMatchObject({ field: "serving.resources.shm", line: 7 });
    expect(detail!.message).toBe("Shared memory (2 GiB) is larger than the memory limit (1 GiB).");
    expect(detail!.fix).toContain("serving.resources.shm");
  });

  it("refuses resources' shm that the endpoint's smaller memory cannot hold, at serving.resources.memory", () => {
    expect(problems(profileWith("  resources: { memory: 512Mi }\n"))).toEqual([
      "5 serving.resources.memory: Shared memory (1 GiB) is larger than the memory limit (512 MiB).",
    ]);
  });

  it("refuses an unknown key under serving and under serving.resources", () => {
    const text = profileWith("  modle: outputs/model.joblib\n  resources: { gpus: 1 }\n");
    const error = parseError(text);
    expect(problems(text)).toEqual([
      '5 serving.modle: Unknown field "modle".',
      '6 serving.resources.gpus: Unknown field "gpus".',
    ]);
    expect(error.details[0]!.fix).toBe('Did you mean "model"?');
  });

  it("refuses a serving section that is not a mapping", () => {
    expect(problems(`${HEADER}serving: outputs/model.joblib\n`)).toEqual([
      expect.stringMatching(/^3 serving: /),
    ]);
  });
});

describe("serving: rendered back", () => {
  it("renders the section as written, and parsing the rendering gives the same section", async () => {
    const { renderProfileYaml } = await import("../../../src/core/profile/render");
    const parsed = parseProfile(
      profileWith(
        "  model: outputs/model.joblib\n  name: iris\n  protocol: v2\n  resources: { memory: 1Gi }\n",
      ),
      FILE,
    );
    const text = renderProfileYaml(parsed.profile);
    expect(text).toContain("serving:\n  model: outputs/model.joblib\n  name: iris\n  protocol: v2\n");
    expect(text).not.toMatch(/memoryBytes|nanoCpus/);
    expect(parseProfile(text, FILE).profile.serving).toEqual(parsed.profile.serving);
  });
});
