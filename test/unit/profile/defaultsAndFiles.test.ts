import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import {
  defaultProfile,
  defaultProfileDocument,
  findProfileFile,
  loadProfile,
  nameFromFolder,
  parseProfile,
  renderProfileYaml,
  type Profile,
} from "../../../src/core/profile";

describe("defaultProfile", () => {
  const resolved = defaultProfile("/work/notebooks");

  it("runs on local Docker with modest limits and Parity's base image", () => {
    expect(resolved.profile.image.base).toBe("parity/python:3.11-bookworm");
    expect(resolved.profile.image.python).toBe("3.11");
    expect(resolved.profile.cluster).toBeUndefined();
    expect(resolved.limits).toEqual({
      memoryBytes: 2 * 1024 ** 3,
      milliCpu: 2000,
      nanoCpus: 2_000_000_000,
      gpu: 0,
      shmBytes: 256 * 1024 ** 2,
    });
    expect(resolved.source).toBe("default");
    expect(resolved.file).toBeUndefined();
    expect(resolved.lineOf(["resources"])).toBeUndefined();
  });

  it("offers requirements.txt next to the notebook as a candidate", () => {
    expect(resolved.paths.requirements).toBe("/work/notebooks/requirements.txt");
    expect(resolved.paths.outputs).toBe("/work/notebooks/outputs");
    expect(resolved.name).toBe("notebooks");
  });

  it("is a fresh object each time", () => {
    defaultProfileDocument().image.systemPackages.push("git");
    expect(defaultProfileDocument().image.systemPackages).toEqual([]);
  });
});

describe("nameFromFolder", () => {
  it.each([
    ["/work/My Project_2", "my-project-2"],
    ["/work/churn-model/", "churn-model"],
    ["/work/__x__", "x"],
    ["/work/Ünïcode", "unicode"],
    ["/", "parity-project"],
    [`/work/${"a".repeat(70)}`, "a".repeat(63)],
  ])("%s → %s", (dir, name) => {
    expect(nameFromFolder(dir)).toBe(name);
  });
});

describe("renderProfileYaml", () => {
  it("renders the default profile with comments, and parses back to it", () => {
    const profile = defaultProfileDocument();
    const yaml = renderProfileYaml(profile);
    expect(yaml).toContain('python: "3.11"  # quoted');
    expect(yaml).toContain("memory: 2Gi\n");
    expect(yaml).toContain('cpu: "2"\n');
    expect(yaml).toContain("# cluster:\n#   context: prod-gpu");
    expect(yaml).toMatch(/^# Parity profile/);
    expect(parseProfile(yaml, "/p/parity.yaml").profile).toEqual(profile);
  });

  it("offers a cluster example that is valid once uncommented", () => {
    const lines = renderProfileYaml(defaultProfileDocument()).split("\n");
    const start = lines.indexOf("# cluster:");
    const example = lines.slice(start, start + 7).map((line) => line.slice(2));
    const yaml = `apiVersion: parity.dev/v1\nkind: Profile\n${example.join("\n")}\n`;
    expect(parseProfile(yaml, "/p/parity.yaml").profile.cluster).toMatchObject({
      namespace: "ml-team",
      tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
    });
  });

  it("round-trips a profile that uses every field", () => {
    const profile: Profile = {
      apiVersion: "parity.dev/v1",
      kind: "Profile",
      name: "churn",
      image: {
        base: "corp/torch:2.3",
        python: "3.10",
        requirements: "requirements.lock",
        systemPackages: ["libgomp1", "git"],
        registry: "registry.example.com/ml",
      },
      resources: { memory: "8Gi", cpu: "500m", gpu: 1, shm: "1Gi" },
      env: { DEBUG: "true", WORKERS: "4" },
      cluster: {
        context: "prod",
        namespace: "ml",
        nodeSelector: { "nvidia.com/gpu.present": "true" },
        tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
        protected: false,
      },
      build: { caCertificates: ["certs/root.pem"], network: "host" },
      outputs: "results",
    };
    const yaml = renderProfileYaml(profile);
    expect(yaml).toContain('  python: "3.10"');
    expect(yaml).toContain('  DEBUG: "true"');
    expect(parseProfile(yaml, "/p/parity.yaml").profile).toEqual(profile);
  });
});

describe("findProfileFile and loadProfile", () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "parity-profile-"));
    await mkdir(path.join(root, "workspace/notebooks/deep"), { recursive: true });
    await mkdir(path.join(root, "both"), { recursive: true });
    await writeFile(path.join(root, "parity.yaml"), "apiVersion: parity.dev/v1\nkind: Profile\n");
    await writeFile(
      path.join(root, "workspace/parity.yml"),
      "apiVersion: parity.dev/v1\nkind: Profile\nresources:\n  memory: 4Gi\n",
    );
    await writeFile(path.join(root, "both/parity.yaml"), "");
    await writeFile(path.join(root, "both/parity.yml"), "");
    await writeFile(
      path.join(root, "broken.yaml"),
      "apiVersion: parity.dev/v1\nkind: Profile\nresources: { memory: 8GB }\n",
    );
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("finds the nearest profile upward, parity.yml included", async () => {
    const start = path.join(root, "workspace/notebooks/deep");
    expect(await findProfileFile(start, path.join(root, "workspace"))).toBe(
      path.join(root, "workspace/parity.yml"),
    );
  });

  it("does not look above the stop folder", async () => {
    const start = path.join(root, "workspace/notebooks/deep");
    expect(await findProfileFile(start, path.join(root, "workspace/notebooks"))).toBeUndefined();
  });

  it("refuses to guess between parity.yaml and parity.yml", async () => {
    await expect(findProfileFile(path.join(root, "both"), root)).rejects.toMatchObject({
      code: "ProfileAmbiguous",
    });
  });

  it("loads and resolves a file", async () => {
    const resolved = await loadProfile(path.join(root, "workspace/parity.yml"));
    expect(resolved.limits.memoryBytes).toBe(4 * 1024 ** 3);
    expect(resolved.dir).toBe(path.join(root, "workspace"));
    expect(resolved.name).toBe("workspace");
  });

  it("names the file and line of a problem", async () => {
    const file = path.join(root, "broken.yaml");
    const error = await loadProfile(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ParityError);
    expect((error as ParityError).details[0]?.location).toEqual({ file, field: "resources.memory", line: 3 });
  });

  it("says what to do when the file is missing", async () => {
    const file = path.join(root, "nope.yaml");
    await expect(loadProfile(file)).rejects.toMatchObject({
      code: "ProfileUnreadable",
      location: { file },
      fix: expect.stringMatching(/^Create it \(the README shows a complete parity.yaml\)/),
    });
  });
});
