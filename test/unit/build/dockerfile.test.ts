import { describe, expect, it } from "vitest";
import { generateDockerfile } from "../../../src/core/build/dockerfile";
import { imageNameFor, planBuild } from "../../../src/core/build/context";
import { ParityError } from "../../../src/core/errors";

const spec = {
  baseImage: "parity/python:3.11-bookworm",
  systemPackages: [] as string[],
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
    // The profile's env reaches the container at run time; nothing of it is in a layer.
    expect(dockerfile).not.toContain("OMP_NUM_THREADS");
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

  it("runs as an existing uid-1000 user of the base image, or makes one", () => {
    const dockerfile = generateDockerfile(spec);
    expect(dockerfile).toContain(
      "RUN getent passwd 1000 >/dev/null || useradd --create-home --uid 1000 parity",
    );
  });
});

describe("planBuild", () => {
  const input = {
    imageName: "parity/train",
    dockerfile: spec,
    pip: {
      roots: ["requirements.txt"],
      files: [
        { path: "requirements.txt", content: "-r base.txt\n" },
        { path: "base.txt", content: "scikit-learn==1.7.2\n" },
      ],
    },
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

  it("changes the tag when a file pip reads changes, an included one too", () => {
    const edited = planBuild({
      ...input,
      pip: {
        ...input.pip,
        files: [input.pip.files[0]!, { path: "base.txt", content: "scikit-learn==1.7.1\n" }],
      },
    });
    expect(edited.tag).not.toBe(planBuild(input).tag);
  });

  it("puts the code under job/ and the project's requirement files under pip/project/, named with -r", () => {
    const plan = planBuild({
      ...input,
      pip: { roots: ["requirements.txt", "my notebook.ipynb.pip-requirements.txt"], files: input.pip.files },
    });
    expect(plan.files.map((file) => file.path)).toEqual([
      "Dockerfile",
      "pip/requirements.txt",
      "pip/project/base.txt",
      "pip/project/requirements.txt",
      "job/train.py",
      "parity-build-ca.pem",
    ]);
    // pip reads the -r lines with shlex: a name with a space is quoted.
    expect(plan.files[1]?.content).toBe(
      "-r project/requirements.txt\n-r 'project/my notebook.ipynb.pip-requirements.txt'\n",
    );
    expect(plan.dockerfile).toContain("COPY pip/ /opt/parity/pip/\nWORKDIR /opt/parity/pip/project\n");
    expect(plan.dockerfile).toContain("-r /opt/parity/pip/requirements.txt");
  });
});

describe("imageNameFor", () => {
  it("makes a valid repository name", () => {
    expect(imageNameFor("My Project!")).toBe("parity/my-project");
    expect(imageNameFor("digits-train", "localhost:5000/team/")).toBe("localhost:5000/team/digits-train");
    expect(imageNameFor("???")).toBe("parity/job");
  });
});
