import { describe, expect, it } from "vitest";
import { BUILD_CA_FILE } from "../../../src/core/build/dockerfile";
import { ParityError } from "../../../src/core/errors";
import { MODEL_DIR, planServingImage, serverArgs, SERVER_DIR } from "../../../src/core/serving/image";
import { KSERVE_VERSION, type ServedFormat } from "../../../src/core/serving/types";

const MODEL = new TextEncoder().encode("joblib bytes of a fitted estimator");
const RUN_IMAGE = "parity/iris:0123456789ab";
const RUN_IMAGE_ID = "sha256:aaaa1111";

function input(
  overrides: {
    runImage?: string;
    runImageId?: string;
    projectName?: string;
    registry?: string;
    fileName?: string;
    content?: Uint8Array;
    format?: ServedFormat;
    caBundle?: string;
  } = {},
): Parameters<typeof planServingImage>[0] {
  return {
    runImage: overrides.runImage ?? RUN_IMAGE,
    runImageId: overrides.runImageId ?? RUN_IMAGE_ID,
    projectName: overrides.projectName ?? "Iris",
    ...(overrides.registry === undefined ? {} : { registry: overrides.registry }),
    model: {
      fileName: overrides.fileName ?? "outputs/model.joblib",
      content: overrides.content ?? MODEL,
      format: overrides.format ?? "joblib",
    },
    ...(overrides.caBundle === undefined ? {} : { caBundle: overrides.caBundle }),
  };
}

describe("planServingImage's Dockerfile", () => {
  const { dockerfile, files } = planServingImage(input());
  const lines = dockerfile.split("\n");
  const instructions = lines.filter((line) => /^[A-Z]+ /.test(line));

  it("starts from the run's own image", () => {
    expect(instructions[0]).toBe(`FROM ${RUN_IMAGE}`);
  });

  it("installs the pinned KServe constrained by the image's own pip freeze", () => {
    expect(KSERVE_VERSION).toBe("0.20.0");
    const freeze = /pip freeze .*> (\S+)/.exec(dockerfile);
    expect(freeze).not.toBeNull();
    const constraints = freeze![1]!;
    expect(dockerfile).toContain(`-c ${constraints} kserve==0.20.0`);
    // Freezing comes before installing, in the same RUN.
    expect(dockerfile.indexOf("pip freeze")).toBeLessThan(dockerfile.indexOf("pip install"));
    const run = instructions.find((line) => line.startsWith("RUN "))!;
    const runAt = lines.indexOf(run);
    const installAt = lines.findIndex((line) => line.includes("kserve==0.20.0"));
    expect(installAt).toBeGreaterThan(runAt);
    expect(lines.slice(runAt + 1, installAt + 1).every((line) => line.startsWith("  && "))).toBe(true);
  });

  it("copies the server and then the model after the install, last before the user and entrypoint", () => {
    const at = (prefix: string): number => instructions.findIndex((line) => line.startsWith(prefix));
    const install = instructions.findIndex((line) => line.startsWith("RUN "));
    expect(at(`COPY serve/ ${SERVER_DIR}/`)).toBeGreaterThan(install);
    expect(at(`COPY model/ ${MODEL_DIR}/`)).toBe(at(`COPY serve/ ${SERVER_DIR}/`) + 1);
    expect(instructions.slice(at(`COPY model/ ${MODEL_DIR}/`) + 1).map((line) => line.split(" ")[0])).toEqual(
      ["USER", "ENTRYPOINT", "CMD"],
    );
  });

  it("runs the generated server on the model file, by its base name, with its format", () => {
    const entrypoint = instructions.find((line) => line.startsWith("ENTRYPOINT "))!;
    expect(JSON.parse(entrypoint.slice("ENTRYPOINT ".length))).toEqual([
      "python",
      "/opt/parity/serve/server.py",
      "--model_file=/models/model.joblib",
      "--model_format=joblib",
    ]);
    expect(planServingImage(input({ fileName: "clf.pkl", format: "pickle" })).dockerfile).toContain(
      '"--model_file=/models/clf.pkl","--model_format=pickle"',
    );
  });

  it("sends the server, the model and the CA bundle in the context", () => {
    expect(files.map((file) => file.path)).toEqual([
      "Dockerfile",
      "serve/server.py",
      "model/model.joblib",
      BUILD_CA_FILE,
    ]);
    expect(files.find((file) => file.path === "model/model.joblib")!.content).toBe(MODEL);
    expect(String(files.find((file) => file.path === "serve/server.py")!.content)).toContain("parity: model");
  });
});

describe("planServingImage's tag", () => {
  const base = planServingImage(input());

  it("is parity/<project>-serve:<12 hex>", () => {
    expect(base.tag).toMatch(/^parity\/iris-serve:[0-9a-f]{12}$/);
    expect(base.tag.endsWith(base.contentHash.slice(0, 12))).toBe(true);
  });

  it("takes the registry as its prefix when given", () => {
    const tag = planServingImage(input({ registry: "registry.example.com:5000/ml/" })).tag;
    expect(tag).toMatch(/^registry\.example\.com:5000\/ml\/iris-serve:[0-9a-f]{12}$/);
    expect(tag.split(":").at(-1)).toBe(base.tag.split(":").at(-1));
  });

  it("is the same for the same inputs", () => {
    expect(
      planServingImage(input({ content: new TextEncoder().encode("joblib bytes of a fitted estimator") }))
        .tag,
    ).toBe(base.tag);
  });

  it.each([
    ["the model's bytes", input({ content: new TextEncoder().encode("another estimator") })],
    ["the run image's id", input({ runImageId: "sha256:bbbb2222" })],
    ["the run image", input({ runImage: "parity/iris:ba9876543210" })],
    ["the format", input({ format: "pickle" })],
    ["the model file's name", input({ fileName: "outputs/other.joblib" })],
  ])("changes with %s", (_what, changed) => {
    expect(planServingImage(changed).tag).not.toBe(base.tag);
  });

  it("does not change with the CA bundle, which is still sent", () => {
    const withCa = planServingImage(input({ caBundle: "-----BEGIN CERTIFICATE-----\nMIIB\n" }));
    expect(withCa.tag).toBe(base.tag);
    expect(withCa.files.find((file) => file.path === BUILD_CA_FILE)!.content).toContain("BEGIN CERTIFICATE");
    expect(base.files.find((file) => file.path === BUILD_CA_FILE)!.content).toBe("");
  });
});

describe("planServingImage refuses a model file name it cannot put in a command", () => {
  it.each(["my model.joblib", 'model".pkl', "model's.pkl", "model$1.pkl"])("%j", (fileName) => {
    let error: unknown;
    try {
      planServingImage(input({ fileName: `outputs/${fileName}` }));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ParityError);
    expect((error as ParityError).code).toBe("ModelFileName");
    expect((error as ParityError).message).toContain(JSON.stringify(fileName));
    expect((error as ParityError).fix).toContain("model.joblib");
  });

  it("accepts letters, digits, '.', '_' and '-' under any folder", () => {
    expect(planServingImage(input({ fileName: "/tmp/a b/Model_v2-final.1.joblib" })).dockerfile).toContain(
      "--model_file=/models/Model_v2-final.1.joblib",
    );
  });
});

describe("serverArgs", () => {
  it("names the model and port, one worker, no gRPC and no per-request latency lines", () => {
    expect(serverArgs("iris", 8080)).toEqual([
      "--model_name=iris",
      "--http_port=8080",
      "--workers=1",
      "--enable_grpc=false",
      "--enable_latency_logging=false",
    ]);
  });
});
