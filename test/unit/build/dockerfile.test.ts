import { describe, expect, it } from "vitest";
import { generateDockerfile } from "../../../src/core/build/dockerfile";
import { imageNameFor, planBuild } from "../../../src/core/build/context";
import { ParityError } from "../../../src/core/errors";

const spec = {
  baseImage: "parity/python:3.11-bookworm",
  systemPackages: [] as string[],
  env: { OMP_NUM_THREADS: "1" },
  entryScript: "train.py",
};

describe("generateDockerfile", () => {
  it("installs dependencies before copying code, and runs as a non-root user", () => {
    const dockerfile = generateDockerfile(spec);
    const lines = dockerfile.split("\n");
    const pipInstall = lines.findIndex((line) => line.includes("pip install"));
    const copyCode = lines.findIndex((line) => line.startsWith("COPY job/"));
    expect(pipInstall).toBeGreaterThan(0);
    expect(copyCode).toBeGreaterThan(pipInstall);
    expect(lines.filter((line) => line.startsWith("USER ")).at(-1)).toBe("USER 1000");
    expect(dockerfile).toContain('CMD ["python","/opt/parity/job/train.py"]');
    expect(dockerfile).toContain('OMP_NUM_THREADS="1"');
  });

  it("keeps the build CA bundle in the dependencies stage only", () => {
    const dockerfile = generateDockerfile(spec);
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(finalStage).not.toContain("parity-build-ca.pem");
    expect(finalStage).toContain("COPY --from=dependencies /opt/parity/venv /opt/parity/venv");
    expect(dockerfile.slice(0, dockerfile.lastIndexOf("\nFROM "))).toContain(
      "PIP_CERT=/tmp/parity-build-ca.pem",
    );
  });

  it("installs system packages with apt in the shared system stage", () => {
    const dockerfile = generateDockerfile({ ...spec, systemPackages: ["libgomp1", "curl=7.88.1-10"] });
    expect(dockerfile).toMatch(/FROM parity\/python:3.11-bookworm AS system\nUSER root\nRUN apt-get update/);
    expect(dockerfile).toContain("--no-install-recommends libgomp1 curl=7.88.1-10");
  });

  it("refuses a system package name that could inject shell", () => {
    expect(() => generateDockerfile({ ...spec, systemPackages: ["curl; rm -rf /"] })).toThrow(ParityError);
  });

  it("refuses an invalid environment variable name and escapes values", () => {
    expect(() => generateDockerfile({ ...spec, env: { "BAD NAME": "x" } })).toThrow(
      /not a valid environment variable/,
    );
    expect(generateDockerfile({ ...spec, env: { A: 'say "$HOME"' } })).toContain('A="say \\"\\$HOME\\""');
  });
});

describe("planBuild", () => {
  const input = {
    imageName: "parity/train",
    dockerfile: spec,
    requirements: ["scikit-learn==1.7.2"],
    jobFiles: [{ path: "train.py", content: "print('hi')\n" }],
  };

  it("gives the same tag for the same inputs and a new one when code changes", () => {
    const first = planBuild(input);
    expect(planBuild(input).tag).toBe(first.tag);
    expect(first.tag).toMatch(/^parity\/train:[0-9a-f]{12}$/);
    const edited = planBuild({ ...input, jobFiles: [{ path: "train.py", content: "print('bye')\n" }] });
    expect(edited.tag).not.toBe(first.tag);
  });

  it("does not change the tag when only the build CA bundle changes", () => {
    const withCa = planBuild({ ...input, caBundle: "-----BEGIN CERTIFICATE-----\n..." });
    expect(withCa.tag).toBe(planBuild(input).tag);
    expect(withCa.files.find((file) => file.path === "parity-build-ca.pem")?.content).toContain("BEGIN");
  });

  it("changes the tag when the base image id changes", () => {
    expect(planBuild({ ...input, baseImageId: "sha256:a" }).tag).not.toBe(
      planBuild({ ...input, baseImageId: "sha256:b" }).tag,
    );
  });

  it("puts the code under job/ and the requirements in the context", () => {
    const plan = planBuild(input);
    expect(plan.files.map((file) => file.path)).toEqual([
      "Dockerfile",
      "requirements.txt",
      "job/train.py",
      "parity-build-ca.pem",
    ]);
    expect(plan.files[1]?.content).toBe("scikit-learn==1.7.2\n");
  });
});

describe("imageNameFor", () => {
  it("makes a valid repository name", () => {
    expect(imageNameFor("My Project!")).toBe("parity/my-project");
    expect(imageNameFor("digits-train", "localhost:5000/team/")).toBe("localhost:5000/team/digits-train");
    expect(imageNameFor("???")).toBe("parity/job");
  });
});
