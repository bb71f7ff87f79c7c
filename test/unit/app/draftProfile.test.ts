import { chmod, mkdtemp, mkdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { load } from "js-yaml";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { draftProfile, requirementsAdditionFor } from "../../../src/app/job/draft";
import { installedVersion, notebookPython } from "../../helpers/notebookPython";
import { notebookOf } from "../notebook/helpers";

// The real probe in a real interpreter: numpy and scikit-learn from PyPI (test/helpers/ensure-notebook-python.sh).
let python: string;
beforeAll(async () => {
  python = await notebookPython();
}, 300_000);

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

async function project(source: string): Promise<string> {
  dir = await mkdtemp(path.join(tmpdir(), "parity-draft-"));
  await mkdir(path.join(dir, "analysis"));
  await writeFile(path.join(dir, "analysis", "helpers.py"), "def tidy(frame):\n    return frame\n");
  const notebook = path.join(dir, "analysis", "explore.ipynb");
  await writeFile(notebook, notebookOf(source));
  return notebook;
}

const context = (env: NodeJS.ProcessEnv = process.env) => ({
  env,
  cwd: dir,
  signal: new AbortController().signal,
});

/** A distribution's metadata in `site` (a folder put on PYTHONPATH), as pip leaves it: its files in RECORD. */
async function installed(
  site: string,
  name: string,
  version: string,
  files: string[],
  directUrl?: object,
): Promise<void> {
  const info = path.join(site, `${name.replace(/-/g, "_")}-${version}.dist-info`);
  await mkdir(info, { recursive: true });
  await writeFile(path.join(info, "METADATA"), `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`);
  await writeFile(path.join(info, "RECORD"), files.map((file) => `${file},,\n`).join(""));
  if (directUrl) await writeFile(path.join(info, "direct_url.json"), JSON.stringify(directUrl));
  for (const file of files.filter((file) => file.endsWith(".py"))) {
    await mkdir(path.dirname(path.join(site, file)), { recursive: true });
    await writeFile(path.join(site, file), "");
  }
}

describe("a drafted profile", () => {
  it("lists the notebook's imports by distribution, pinned to the interpreter's versions", async () => {
    const notebook = await project(
      "import os\nimport numpy as np\nfrom sklearn.linear_model import Ridge\nfrom helpers import tidy\nimport not_installed_anywhere",
    );
    const printed: string[] = [];
    const draft = await draftProfile(context(), path.dirname(notebook), {
      notebook,
      python,
      probeLocal: true,
      print: (line) => printed.push(line),
    });
    const numpy = await installedVersion(python, "numpy");
    const sklearn = await installedVersion(python, "scikit-learn");
    expect(draft.requirements.map((requirement) => requirement.line)).toEqual([
      `numpy==${numpy}`,
      `scikit-learn==${sklearn}`,
    ]);
    expect(draft.notInstalled).toEqual(["not_installed_anywhere"]);
    expect(draft.requirementsFile).toBe(path.join(dir, "analysis", "requirements.txt"));
    const profile = load(draft.profile) as { image: { python: string; requirements?: string } };
    expect(profile.image.requirements).toBe("requirements.txt");
    expect(profile.image.python).toMatch(/^3\.\d+$/);
    expect(printed.join("\n")).toContain(
      `Requirements from explore.ipynb: numpy==${numpy}, scikit-learn==${sklearn}`,
    );
  }, 120_000);

  it("in Restricted Mode runs nothing and leaves the requirements unpinned", async () => {
    const notebook = await project("import numpy\nimport cv2");
    // An interpreter that leaves a mark when it is run at all.
    const marker = path.join(dir, "interpreter-ran");
    const python = path.join(dir, "python");
    await writeFile(python, `#!/bin/sh\ntouch '${marker}'\nexit 1\n`);
    await chmod(python, 0o755);
    const draft = await draftProfile(
      context({ ...process.env, PARITY_PYTHON: python }),
      path.dirname(notebook),
      {
        notebook,
        python,
        probeLocal: false,
        print: () => undefined,
      },
    );
    expect(draft.requirements.map((requirement) => requirement.line)).toEqual(["numpy", "opencv-python"]);
    expect(await stat(marker).catch(() => undefined)).toBeUndefined();
  });

  it("leaves out the project's editable install, and takes a shared package's distribution by the part imported", async () => {
    const notebook = await project(
      "from google.cloud import storage\nfrom google.api_core import retry\nimport google\nimport forecastlib\nimport numpy",
    );
    const site = path.join(dir, "site");
    await installed(site, "google-cloud-storage", "2.19.0", [
      "google/cloud/storage/__init__.py",
      "google/cloud/storage/blob.py",
    ]);
    await installed(site, "google-api-core", "2.24.0", [
      "google/api_core/__init__.py",
      "google/api_core/retry.py",
    ]);
    await installed(
      site,
      "forecastlib",
      "0.1.0",
      ["__editable__.forecastlib-0.1.0.pth", "forecastlib/__init__.py"],
      {
        url: `file://${dir}/forecastlib`,
        dir_info: { editable: true },
      },
    );
    const env = { ...process.env, PYTHONPATH: site };
    const draft = await draftProfile(context(env), path.dirname(notebook), {
      notebook,
      python,
      probeLocal: true,
      print: () => undefined,
    });
    const numpy = await installedVersion(python, "numpy");
    expect(draft.requirements.map((requirement) => requirement.line)).toEqual([
      "google-api-core==2.24.0",
      "google-cloud-storage==2.19.0",
      `numpy==${numpy}`,
    ]);
    expect(draft.localInstalls).toEqual(["forecastlib"]);
    expect(draft.unresolved).toEqual(["google"]);
  }, 120_000);

  it("takes folders beside the notebook (namespace packages) and linked modules as the notebook's own", async () => {
    const notebook = await project("import shapes\nimport linked\nimport helpers");
    await mkdir(path.join(dir, "analysis", "shapes"));
    await writeFile(path.join(dir, "analysis", "shapes", "square.py"), "SIDES = 4\n");
    await writeFile(path.join(dir, "shared.py"), "VALUE = 1\n");
    await symlink(path.join(dir, "shared.py"), path.join(dir, "analysis", "linked.py"));
    const draft = await draftProfile(context(), path.dirname(notebook), {
      notebook,
      python,
      probeLocal: true,
      print: () => undefined,
    });
    expect(draft.requirements).toEqual([]);
    expect(draft.notInstalled).toEqual([]);
  }, 120_000);

  it("adds to requirements.txt only what neither it nor a file it includes lists", async () => {
    const notebook = await project("import numpy\nimport sklearn");
    const analysis = path.dirname(notebook);
    await writeFile(path.join(analysis, "requirements.txt"), "-r base.txt\n");
    await writeFile(path.join(analysis, "base.txt"), "numpy>=2\n");
    const draft = await draftProfile(context(), analysis, {
      notebook,
      python,
      probeLocal: true,
      print: () => undefined,
    });
    const addition = await requirementsAdditionFor(
      draft.requirementsFile,
      analysis,
      draft.requirements,
      "explore.ipynb",
    );
    const sklearn = await installedVersion(python, "scikit-learn");
    expect(addition.text).toBe(`scikit-learn==${sklearn}\n`);
  }, 120_000);

  it("without a notebook or requirements names no requirements file", async () => {
    await project("import numpy");
    const draft = await draftProfile(context(), dir, { probeLocal: false, print: () => undefined });
    expect(draft.requirements).toEqual([]);
    expect((load(draft.profile) as { image: { requirements?: string } }).image.requirements).toBeUndefined();
  });
});
