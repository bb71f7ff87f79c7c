import { rejectionOf } from "../helpers/failures";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeError } from "../../src/core/errors";
import { jobSpecFor, loadJob } from "../../src/app/job/load";
import { notebookJson } from "./helpers/workspace";

// The loader reads real files from a temporary folder: notebook, profile, requirements, CA files.
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "parity-workspace-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function notebook(cells: Array<{ source: string; tags?: string[] }>): string {
  return notebookJson(cells);
}

const profile = (extra = "") => `apiVersion: parity.dev/v1
kind: Profile
name: loader
image:
  base: parity/python:3.11-bookworm
  python: "3.11"
  requirements: requirements.txt
resources: { memory: 512Mi, cpu: "1", gpu: 0, shm: 64Mi }
${extra}`;

describe("loadJob", () => {
  it("merges the requirements file, %pip lines and files named by %pip -r, without duplicates", async () => {
    await writeFile(path.join(dir, "parity.yaml"), profile());
    await writeFile(path.join(dir, "requirements.txt"), "numpy==2.2.6\n");
    await writeFile(path.join(dir, "extra.txt"), "pyyaml==6.0.3\n");
    await writeFile(
      path.join(dir, "nb.ipynb"),
      notebook([{ source: "%pip install numpy==2.2.6 requests==2.32.3\n%pip install -r extra.txt" }]),
    );
    await writeFile(path.join(dir, "helpers.py"), "VALUE = 1\n");
    const job = await loadJob("nb.ipynb", { cwd: dir });
    expect(job.requirements.requirements.map((r) => r.text)).toEqual([
      "numpy==2.2.6",
      "requests==2.32.3",
      "pyyaml==6.0.3",
    ]);
    // Each keeps where it was written, so the report points at the right place.
    expect(job.requirements.requirements.map((r) => [r.file, r.line])).toEqual([
      [undefined, 1],
      [path.join(dir, "nb.ipynb"), 0],
      [path.join(dir, "nb.ipynb"), 0],
    ]);
    expect(job.workspaceModules).toEqual(["helpers"]);
    expect(job.plan.files.map((file) => file.path)).toContain("job/helpers.py");
    // pip reads the files themselves in the build: the profile's, the %pip lines, the -r one.
    const context = Object.fromEntries(job.plan.files.map((file) => [file.path, String(file.content)]));
    expect(context["pip/requirements.txt"]).toBe(
      "-r project/requirements.txt\n-r project/nb.ipynb.pip-requirements.txt\n",
    );
    expect(context["pip/project/nb.ipynb.pip-requirements.txt"]).toBe(
      "numpy==2.2.6\nrequests==2.32.3\n-r extra.txt\n",
    );
    expect(context["pip/project/extra.txt"]).toBe("pyyaml==6.0.3\n");
  });

  it("takes every file -r and -c include into the build, and a changed included file changes the tag", async () => {
    await writeFile(path.join(dir, "parity.yaml"), profile());
    await mkdir(path.join(dir, "deps", "wheels"), { recursive: true });
    await writeFile(path.join(dir, "requirements.txt"), "-r deps/base.txt\n-c deps/pins.txt\n");
    await writeFile(path.join(dir, "deps", "base.txt"), "--find-links wheels\nsix\n");
    await writeFile(path.join(dir, "deps", "pins.txt"), "six==1.16.0\n");
    await writeFile(
      path.join(dir, "deps", "wheels", "six-1.16.0-py2.py3-none-any.whl"),
      "not really a wheel",
    );
    await writeFile(path.join(dir, "nb.ipynb"), notebook([{ source: "import six" }]));
    const first = await loadJob("nb.ipynb", { cwd: dir });
    expect(first.plan.files.map((file) => file.path).filter((file) => file.startsWith("pip/"))).toEqual([
      "pip/requirements.txt",
      "pip/project/deps/base.txt",
      "pip/project/deps/pins.txt",
      "pip/project/deps/wheels/six-1.16.0-py2.py3-none-any.whl",
      "pip/project/requirements.txt",
    ]);
    await writeFile(path.join(dir, "deps", "pins.txt"), "six==1.17.0\n");
    const second = await loadJob("nb.ipynb", { cwd: dir });
    expect(second.plan.tag).not.toBe(first.plan.tag);
  });

  it("names the including file and line when an included file is missing, and refuses paths outside", async () => {
    await writeFile(path.join(dir, "parity.yaml"), profile());
    await writeFile(path.join(dir, "requirements.txt"), "six\n-r missing.txt\n");
    await writeFile(path.join(dir, "nb.ipynb"), notebook([{ source: "print(1)" }]));
    const missing = await rejectionOf(loadJob("nb.ipynb", { cwd: dir }));
    expect(missing.location).toEqual({ file: path.join(dir, "requirements.txt"), line: 2, field: "-r" });
    expect(describeError(missing)).toContain(
      `requirements.txt line 2: -r missing.txt: ${path.join(dir, "missing.txt")} does not exist.`,
    );
    await writeFile(path.join(dir, "requirements.txt"), "six\n../outside/pkg\n");
    const outside = await rejectionOf(loadJob("nb.ipynb", { cwd: dir }));
    expect(outside.location).toEqual({ file: path.join(dir, "requirements.txt"), line: 2 });
    expect(outside.message).toContain("is outside the project folder");
  });

  it("refuses a requirements file outside the project, naming the profile's field", async () => {
    await mkdir(path.join(dir, "project"));
    await writeFile(
      path.join(dir, "project", "parity.yaml"),
      profile().replace("requirements.txt", "../shared.txt"),
    );
    await writeFile(path.join(dir, "shared.txt"), "six\n");
    await writeFile(path.join(dir, "project", "nb.ipynb"), notebook([{ source: "print(1)" }]));
    const error = await rejectionOf(loadJob("project/nb.ipynb", { cwd: dir }));
    expect(error.code).toBe("RequirementsOutsideProject");
    expect(error.location).toMatchObject({ field: "image.requirements", line: 7 });
  });

  it("refuses a local package that is a link out of the project", async () => {
    const elsewhere = await mkdtemp(path.join(tmpdir(), "parity-elsewhere-"));
    try {
      await writeFile(path.join(elsewhere, "setup.py"), "");
      await symlink(elsewhere, path.join(dir, "pkg"));
      await writeFile(path.join(dir, "parity.yaml"), profile());
      await writeFile(path.join(dir, "requirements.txt"), "./pkg\n");
      await writeFile(path.join(dir, "nb.ipynb"), notebook([{ source: "print(1)" }]));
      const error = await rejectionOf(loadJob("nb.ipynb", { cwd: dir }));
      expect(error.code).toBe("LocalRequirementRefused");
      expect(error.message).toContain(`leads to ${await realpath(elsewhere)}, outside the project folder`);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it("names the profile field and line when the requirements file is missing", async () => {
    await writeFile(path.join(dir, "parity.yaml"), profile());
    await writeFile(path.join(dir, "nb.ipynb"), notebook([{ source: "print(1)" }]));
    const error = await rejectionOf(loadJob("nb.ipynb", { cwd: dir }));
    expect(error.location).toMatchObject({ field: "image.requirements", line: 7 });
    expect(describeError(error)).toContain("requirements.txt does not exist");
  });

  it("names the file and line of an invalid requirement", async () => {
    await writeFile(path.join(dir, "parity.yaml"), profile());
    await writeFile(path.join(dir, "requirements.txt"), "numpy==2.2.6\nnot a requirement!!\n");
    await writeFile(path.join(dir, "nb.ipynb"), notebook([{ source: "print(1)" }]));
    const error = await rejectionOf(loadJob("nb.ipynb", { cwd: dir }));
    expect(error.location).toMatchObject({ file: path.join(dir, "requirements.txt"), line: 2 });
  });

  it("refuses a CA file that is not a PEM certificate, naming build.caCertificates", async () => {
    await writeFile(path.join(dir, "parity.yaml"), profile("build:\n  caCertificates: [corp.pem]\n"));
    await writeFile(path.join(dir, "requirements.txt"), "");
    await writeFile(path.join(dir, "corp.pem"), "not a certificate");
    await writeFile(path.join(dir, "nb.ipynb"), notebook([{ source: "print(1)" }]));
    const error = await rejectionOf(loadJob("nb.ipynb", { cwd: dir }));
    expect(error.location).toMatchObject({ field: "build.caCertificates", line: 10 });
  });

  it("uses the embedded default profile when no parity.yaml exists", async () => {
    await mkdir(path.join(dir, "sub"));
    await writeFile(path.join(dir, "sub", "nb.ipynb"), notebook([{ source: "x = 1", tags: ["parameters"] }]));
    const job = await loadJob("sub/nb.ipynb", { cwd: dir });
    expect(job.profile.source).toBe("default");
    expect(job.plan.tag).toMatch(/^parity\/sub:[0-9a-f]{12}$/);
    const spec = jobSpecFor(job, job.plan.tag, ["x=5"]);
    expect(spec.env.PARITY_PARAMETERS).toBe('{"x":5}');
    expect(spec.limits.memoryBytes).toBe(2 * 1024 ** 3);
    expect(spec.command).toEqual(["python", "/opt/parity/job/nb.parity.py"]);
  });
});
