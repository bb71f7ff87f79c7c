import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { parseProfile } from "../../../src/core/profile";

const fixtures = path.resolve(__dirname, "../../fixtures/profiles");
const fixture = (name: string): { text: string; file: string } => {
  const file = path.join(fixtures, name);
  return { text: readFileSync(file, "utf8"), file };
};
const HEADER = "apiVersion: parity.dev/v1\nkind: Profile\n";

function parseError(text: string, file = "/work/project/parity.yaml"): ParityError {
  try {
    parseProfile(text, file);
  } catch (error) {
    if (error instanceof ParityError) return error;
    throw error;
  }
  throw new Error("expected parseProfile to throw");
}

/** Each problem as "line field: message", the way a user reads them. */
function problems(error: ParityError): string[] {
  return error.details.map(
    (detail) => `${detail.location?.line} ${detail.location?.field}: ${detail.message}`,
  );
}

function detail(error: ParityError, field: string): ParityError {
  const found = error.details.find((candidate) => candidate.location?.field === field);
  if (!found) throw new Error(`no problem reported for ${field}: ${problems(error).join("; ")}`);
  return found;
}

describe("parseProfile: a complete profile", () => {
  const { text, file } = fixture("full.yaml");
  const resolved = parseProfile(text, file);

  it("keeps what is written", () => {
    expect(resolved.profile.image).toEqual({
      base: "registry.example.com/ml/pytorch:2.3-cuda12",
      python: "3.11",
      requirements: "requirements.lock",
      systemPackages: ["libgomp1", "git"],
      registry: "registry.example.com/ml-team",
    });
    expect(resolved.profile.cluster).toEqual({
      context: "prod-gpu",
      namespace: "ml-team",
      nodeSelector: { "cloud.google.com/gke-accelerator": "nvidia-tesla-t4" },
      tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
      protected: true,
    });
    expect(resolved.profile.env).toEqual({ TOKENIZERS_PARALLELISM: "false" });
    expect(resolved.name).toBe("churn-model");
    expect(resolved.source).toBe("file");
  });

  it("resolves limits to exact numbers", () => {
    expect(resolved.limits).toEqual({
      memoryBytes: 8 * 1024 ** 3,
      milliCpu: 4000,
      nanoCpus: 4_000_000_000,
      gpu: 1,
      shmBytes: 1024 ** 3,
      // GKE's accelerator in the node selector names production's GPU: a T4, 15360 MiB, 7.5.
      productionGpu: {
        product: "Tesla-T4",
        productSource: "cluster.nodeSelector",
        memoryBytes: 15360 * 1024 ** 2,
        memorySource: "product",
        computeCapability: { major: 7, minor: 5 },
      },
    });
  });

  it("resolves paths against the profile's folder", () => {
    expect(resolved.file).toBe(file);
    expect(resolved.dir).toBe(fixtures);
    expect(resolved.paths).toEqual({
      requirements: path.join(fixtures, "requirements.lock"),
      caCertificates: [path.join(fixtures, "certs/corporate-root.pem")],
      outputs: path.join(fixtures, "results"),
    });
  });

  it("can point later errors at a field's line", () => {
    expect(resolved.lineOf(["image", "requirements"])).toBe(7);
    expect(resolved.lineOf(["cluster", "tolerations", 0, "effect"])).toBe(25);
  });
});

describe("parseProfile: defaults", () => {
  it("fills everything but apiVersion and kind", () => {
    const { text } = fixture("minimal.yaml");
    const resolved = parseProfile(text, "/work/My Project_2/parity.yaml");
    expect(resolved.profile).toEqual({
      apiVersion: "parity.dev/v1",
      kind: "Profile",
      image: { base: "parity/python:3.11-bookworm", python: "3.11", systemPackages: [] },
      resources: { memory: "2Gi", cpu: "2", gpu: 0, shm: "256Mi" },
      env: {},
      build: { caCertificates: [], network: "bridge" },
      outputs: "outputs",
    });
    expect(resolved.name).toBe("my-project-2");
    expect(resolved.paths).toEqual({
      caCertificates: [],
      requirements: "/work/My Project_2/requirements.txt",
      outputs: "/work/My Project_2/outputs",
    });
    expect(resolved.limits).toEqual({
      memoryBytes: 2 * 1024 ** 3,
      milliCpu: 2000,
      nanoCpus: 2_000_000_000,
      gpu: 0,
      shmBytes: 256 * 1024 ** 2,
    });
  });

  it("derives the default base image from the Python version", () => {
    const resolved = parseProfile(`${HEADER}image: { python: "3.12" }\n`, "/p/parity.yaml");
    expect(resolved.profile.image.base).toBe("parity/python:3.12-bookworm");
  });

  it("leaves python unknown for a custom base image", () => {
    const resolved = parseProfile(`${HEADER}image: { base: "corp/torch:2.3" }\n`, "/p/parity.yaml");
    expect(resolved.profile.image.python).toBeUndefined();
  });

  it("keeps the default shm within a small memory limit", () => {
    const resolved = parseProfile(`${HEADER}resources: { memory: 100Mi }\n`, "/p/parity.yaml");
    expect(resolved.profile.resources.shm).toBe("50Mi");
  });

  it("protects a cluster unless told otherwise", () => {
    const resolved = parseProfile(`${HEADER}cluster: { namespace: ml }\n`, "/p/parity.yaml");
    expect(resolved.profile.cluster).toEqual({
      namespace: "ml",
      nodeSelector: {},
      tolerations: [],
      protected: true,
    });
  });

  it("takes numbers for quantities and system CAs for builds", () => {
    const resolved = parseProfile(
      `${HEADER}resources: { memory: 8589934592, cpu: 0.5 }\nbuild: { caCertificates: system }\n`,
      "/p/parity.yaml",
    );
    expect(resolved.limits.memoryBytes).toBe(8589934592);
    expect(resolved.limits.milliCpu).toBe(500);
    expect(resolved.paths.caCertificates).toBe("system");
  });
});

describe("parseProfile: schema errors name every problem with its line", () => {
  it("in nested block YAML", () => {
    const { text, file } = fixture("invalid-block.yaml");
    const error = parseError(text, file);
    expect(error.code).toBe("ProfileInvalid");
    expect(error.message).toBe("The profile has 8 problems.");
    expect(error.location).toEqual({ file, line: 4 });
    expect(problems(error)).toEqual([
      "4 image.python: Expected text, found the number 3.1.",
      '5 resorces: Unknown field "resorces".',
      '8 resources.memory: "8GB" is not a valid Kubernetes quantity.',
      '9 resources.cpu: "2 cores" is not a valid Kubernetes quantity.',
      "10 resources.gpu: Must be at least 0, found -1.",
      '17 cluster.tolerations[1].operatr: Unknown field "operatr".',
      '18 cluster.tolerations[1].effect: "NoSchedul" is not one of: NoSchedule, PreferNoSchedule, NoExecute.',
      '20 build.network: "hosts" is not one of: bridge, host.',
    ]);
    expect(error.details.every((each) => each.location?.file === file)).toBe(true);
    expect(detail(error, "image.python").fix).toBe(
      'Put it in quotes: "3.10". Unquoted, YAML reads 3.10 as the number 3.1.',
    );
    expect(detail(error, "resources.memory").fix).toMatch(
      /^Write "8Gi" for 8 GiB .* or "8G" if you really mean/,
    );
    expect(detail(error, "resources.cpu").fix).toBe('CPUs are plain numbers: write "2".');
    expect(detail(error, "cluster.tolerations[1].effect").fix).toBe('Did you mean "NoSchedule"?');
    expect(error.fix).toContain('resorces: Did you mean "resources"?');
  });

  it("in flow YAML", () => {
    const { text, file } = fixture("invalid-flow.yaml");
    const error = parseError(text, file);
    expect(problems(error)).toEqual([
      '3 resources.memory: "8 gb" is not a valid Kubernetes quantity.',
      '4 cluster.tolerations[1].efect: Unknown field "efect".',
    ]);
    expect(detail(error, "resources.memory").fix).toMatch(/^Write "8Gi"/);
    expect(detail(error, "cluster.tolerations[1].efect").fix).toBe('Did you mean "effect"?');
  });

  it("for missing required fields, at the parent", () => {
    const error = parseError("# header\nkind: Profile\n");
    expect(problems(error)).toEqual(['2 apiVersion: Missing required field "apiVersion".']);
    expect(detail(error, "apiVersion").fix).toBe('Add "apiVersion: parity.dev/v1".');
    expect(error.location).toEqual({ file: "/work/project/parity.yaml", field: "apiVersion", line: 2 });
  });

  it("for a document that is not a mapping", () => {
    expect(problems(parseError("- a\n- b\n"))).toEqual(["1 : Expected a mapping, found a list."]);
  });

  it("for wrong constants and types", () => {
    const error = parseError(
      "apiVersion: parity.dev/v2\nkind: Profile\nenv:\n  DEBUG: true\nimage:\n  systemPackages: git\n",
    );
    expect(problems(error)).toEqual([
      '1 apiVersion: Must be "parity.dev/v1", found "parity.dev/v2".',
      "4 env.DEBUG: Expected text, found the boolean true.",
      '6 image.systemPackages: Expected a list, found the text "git".',
    ]);
    expect(detail(error, "env.DEBUG").fix).toBe('Put it in quotes: "true".');
    expect(detail(error, "image.systemPackages").fix).toBe("Write a list: [git].");
  });

  it("for invalid names, with the rule", () => {
    const error = parseError(`${HEADER}name: My_Project\nenv:\n  "1BAD": x\n`);
    expect(problems(error)).toEqual([
      "3 name: \"My_Project\" is not valid: use lower-case letters, digits and '-', starting and ending with a letter or digit (a Kubernetes name).",
      "5 env[\"1BAD\"]: Invalid name \"1BAD\". environment variable names use letters, digits, '_', '-' and '.', and do not start with a digit.",
    ]);
  });

  it('for caCertificates that are neither a list nor "system"', () => {
    expect(problems(parseError(`${HEADER}build:\n  caCertificates: sytem\n`))).toEqual([
      '4 build.caCertificates: Must be "system", found "sytem".',
    ]);
  });
});

describe("parseProfile: unknown keys", () => {
  it.each([
    ["resorces: {}\n", 'Did you mean "resources"?'],
    ["Resources: {}\n", 'Did you mean "resources"?'],
    ["resources: { memroy: 8Gi }\n", 'Did you mean "memory"?'],
    ["image: { requirments: r.txt }\n", 'Did you mean "requirements"?'],
    ["memory: 8Gi\n", '"memory" belongs elsewhere: write it as resources.memory.'],
    ["namespace: ml\n", '"namespace" belongs elsewhere: write it as cluster.namespace.'],
    ["effect: NoSchedule\n", '"effect" belongs elsewhere: write it as cluster.tolerations[].effect.'],
    [
      "zzz: 1\n",
      "Known fields here: apiVersion, kind, name, image, resources, env, cluster, build, outputs, allowOutputsOutsideProject, tuning, serving.",
    ],
  ])("%j → %s", (yaml, fix) => {
    const error = parseError(`${HEADER}${yaml}`);
    expect(error.details).toHaveLength(1);
    expect(error.details[0]?.message).toMatch(/^Unknown field "/);
    expect(error.details[0]?.fix).toBe(fix);
    expect(error.details[0]?.location?.line).toBe(3);
  });
});

describe("parseProfile: limits that are valid quantities but not usable", () => {
  it.each([
    ["memory: 0", "resources.memory", /must be more than 0/, undefined],
    ["memory: -1Gi", "resources.memory", /must be more than 0/, undefined],
    ["memory: 8", "resources.memory", /"8" is only 8 B; Docker refuses memory limits under 6 MiB/, /"8Gi"/],
    ["memory: 512m", "resources.memory", /only 1 B/, /"m" means thousandths. Did you mean "512Mi"\?/],
    ["memory: 5Mi", "resources.memory", /under 6 MiB/, /at least "6Mi"/],
    ["memory: 1Ei", "resources.memory", /more than any machine has/, undefined],
    ["shm: 64m", "resources.shm", /\/dev\/shm under 1 MiB/, /"64Mi"/],
    ["cpu: 0", "resources.cpu", /must be more than 0/, undefined],
    ["cpu: 5m", "resources.cpu", /less than 0.01 CPU/, /"10m"/],
    ["cpu: 2G", "resources.cpu", /more than any machine has/, undefined],
    [
      "memory: 1Gi, shm: 2Gi",
      "resources.shm",
      /Shared memory \(2 GiB\) is larger than the memory limit \(1 GiB\)/,
      /count against/,
    ],
  ])("%s", (resources, field, message, fix) => {
    const error = parseError(`${HEADER}resources: { ${resources} }\n`);
    expect(error.details).toHaveLength(1);
    const only = detail(error, field);
    expect(only.message).toMatch(message);
    if (fix) expect(only.fix).toMatch(fix);
    expect(only.location?.line).toBe(3);
  });

  it("accepts the smallest limits Docker takes", () => {
    const resolved = parseProfile(
      `${HEADER}resources: { memory: 6Mi, cpu: 10m, shm: 1Mi }\n`,
      "/p/parity.yaml",
    );
    expect(resolved.limits).toMatchObject({ memoryBytes: 6 * 1024 ** 2, milliCpu: 10, shmBytes: 1024 ** 2 });
  });

  it.each(["/tmp/out", "../out", "a/../../out", "."])("refuses outputs %j", (outputs) => {
    const error = parseError(`${HEADER}outputs: ${JSON.stringify(outputs)}\n`);
    expect(problems(error)).toHaveLength(1);
    expect(detail(error, "outputs").location?.line).toBe(3);
  });

  it.each(["/tmp/out", "../out"])(
    "takes outputs %j outside the project only when the profile allows it",
    (outputs) => {
      const resolved = parseProfile(
        `${HEADER}outputs: ${JSON.stringify(outputs)}\nallowOutputsOutsideProject: true\n`,
        "/p/parity.yaml",
      );
      expect(resolved.profile.allowOutputsOutsideProject).toBe(true);
      expect(resolved.paths.outputs).toBe(path.resolve("/p", outputs));
    },
  );

  it("still refuses the whole project as outputs when outside is allowed", () => {
    const error = parseError(`${HEADER}outputs: "."\nallowOutputsOutsideProject: true\n`);
    expect(detail(error, "outputs").message).toContain("whole project");
  });

  it("refuses an env value too large to reach a job, with its field, line and size", () => {
    const error = parseError(`${HEADER}env:\n  SMALL: "1"\n  BIG: "${"x".repeat(200 * 1024)}"\n`);
    expect(problems(error)).toEqual([
      "5 env.BIG: env.BIG is 200 KiB; Linux passes at most 128 KiB a variable to a program, so the job could not start.",
    ]);
  });

  it("refuses env values that are too large together, on env", () => {
    const values = Array.from({ length: 10 }, (_, index) => `  V${index}: "${"x".repeat(120 * 1024)}"`);
    const error = parseError(`${HEADER}env:\n${values.join("\n")}\n`);
    expect(problems(error)).toEqual([
      "3 env: The job's environment is 1.2 MiB in all; Parity passes at most 1 MiB, half of what Linux allows a program's arguments and environment together.",
    ]);
  });

  it("refuses an opt-in that is not a boolean, with its line", () => {
    const error = parseError(`${HEADER}allowOutputsOutsideProject: "yes"\n`);
    expect(detail(error, "allowOutputsOutsideProject").location?.line).toBe(3);
  });

  it("reports rule problems together with schema problems, in file order", () => {
    const error = parseError(`${HEADER}build: { network: hots }\nresources:\n  memory: 1Mi\n`);
    expect(problems(error)).toEqual([
      '3 build.network: "hots" is not one of: bridge, host.',
      '5 resources.memory: "1Mi" is only 1 MiB; Docker refuses memory limits under 6 MiB.',
    ]);
  });
});

describe("parseProfile: YAML errors", () => {
  it("gives the line of a syntax error", () => {
    const { text, file } = fixture("syntax-error.yaml");
    const error = parseError(text, file);
    expect(error.code).toBe("YamlSyntax");
    expect(error.location).toEqual({ file, line: 5 });
    expect(error.message).toMatch(/^The profile is not valid YAML: .* at line 5, column \d+\.$/);
  });

  it("refuses an empty file", () => {
    const error = parseError("# nothing yet\n");
    expect(error.code).toBe("YamlEmpty");
    expect(error.location).toEqual({ file: "/work/project/parity.yaml", line: 1 });
  });

  it("refuses several documents, at the second one", () => {
    const error = parseError(`${HEADER}---\n${HEADER}`);
    expect(error.code).toBe("YamlMultipleDocuments");
    expect(error.location?.line).toBe(4);
  });

  it("refuses duplicate keys with their line", () => {
    const error = parseError(`${HEADER}resources: {}\nresources: {}\n`);
    expect(error.code).toBe("YamlSyntax");
    expect(error.location?.line).toBe(4);
  });
});
