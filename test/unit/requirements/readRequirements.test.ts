import { describe, expect, it } from "vitest";
import { readRequirements, type RequirementsRoot } from "../../../src/core/requirements";

const PROJECT = "/w/project";

/** A project's files in memory: path → text, or "dir" for a folder. */
function reader(files: Record<string, string>) {
  const at = (file: string) => files[file.replace(`${PROJECT}/`, "")];
  return {
    read: async (file: string) => (at(file) === "dir" ? undefined : at(file)),
    kind: async (file: string) =>
      at(file) === undefined ? undefined : at(file) === "dir" ? ("directory" as const) : ("file" as const),
  };
}

function read(
  files: Record<string, string>,
  roots: RequirementsRoot[] = [{ file: `${PROJECT}/requirements.txt` }],
) {
  return readRequirements(roots, { projectDir: PROJECT, reader: reader(files) });
}

describe("readRequirements", () => {
  it("follows -r and -c relative to the file that names them, and says where each line was written", async () => {
    const parsed = await read({
      "requirements.txt": "numpy==2.2.6\n-r deps/base.txt\n-c deps/constraints.txt\n",
      "deps/base.txt": "--extra-index-url https://extra.example/simple\n\npyyaml==6.0.3\n-r ../more.txt\n",
      "deps/constraints.txt": "urllib3<3\n",
      "more.txt": "six\n",
    });
    expect(parsed.problems).toEqual([]);
    expect(parsed.files).toEqual([
      `${PROJECT}/requirements.txt`,
      `${PROJECT}/deps/base.txt`,
      `${PROJECT}/more.txt`,
      `${PROJECT}/deps/constraints.txt`,
    ]);
    expect(parsed.requirements.map((r) => [r.text, r.file, r.line])).toEqual([
      ["numpy==2.2.6", undefined, 1],
      ["pyyaml==6.0.3", `${PROJECT}/deps/base.txt`, 3],
      ["six", `${PROJECT}/more.txt`, 1],
    ]);
    // A constraint bounds a version; it is not a package the project asks for.
    expect(parsed.constraints.map((r) => [r.text, r.file])).toEqual([
      ["urllib3<3", `${PROJECT}/deps/constraints.txt`],
    ]);
    expect(parsed.options).toEqual([
      {
        name: "--extra-index-url",
        value: "https://extra.example/simple",
        line: 1,
        file: `${PROJECT}/deps/base.txt`,
      },
    ]);
  });

  it("names the including file and line when an included file is missing", async () => {
    const parsed = await read({ "requirements.txt": "six\n", "base.txt": "x\n-r nested/missing.txt\n" }, [
      { file: `${PROJECT}/base.txt` },
    ]);
    expect(parsed.problems).toEqual([
      {
        line: 2,
        file: undefined,
        text: "-r nested/missing.txt",
        field: "-r",
        message: `-r nested/missing.txt: ${PROJECT}/nested/missing.txt does not exist`,
      },
    ]);
  });

  it("refuses a cycle of includes, naming it", async () => {
    const parsed = await read({
      "requirements.txt": "-r a.txt\n",
      "a.txt": "six\n-r b.txt\n",
      "b.txt": "-r a.txt\n",
    });
    expect(parsed.problems).toMatchObject([
      {
        file: `${PROJECT}/b.txt`,
        line: 1,
        message: "-r a.txt: the files include one another in a cycle (a.txt → b.txt → a.txt)",
      },
    ]);
    expect(parsed.requirements.map((r) => r.text)).toEqual(["six"]);
  });

  it("reads a file included twice once, and the same file as a constraint again", async () => {
    const parsed = await read({
      "requirements.txt": "-r a.txt\n-r a.txt\n-c a.txt\n",
      "a.txt": "six==1.16.0\n",
    });
    expect(parsed.problems).toEqual([]);
    expect(parsed.requirements.map((r) => r.text)).toEqual(["six==1.16.0"]);
    expect(parsed.constraints.map((r) => r.text)).toEqual(["six==1.16.0"]);
  });

  it("refuses what lies outside the project: an included file, a package, a wheel folder", async () => {
    const parsed = await read({
      "requirements.txt": "-r ../shared.txt\n../lib/pkg\n--find-links ../wheels\n-r /w/project/abs.txt\n",
    });
    expect(parsed.problems.map((p) => [p.line, p.message])).toEqual([
      [
        2,
        `../lib/pkg: /w/lib/pkg is outside the project folder (${PROJECT}), which is all the image build sees`,
      ],
      [
        3,
        `--find-links ../wheels: /w/wheels is outside the project folder (${PROJECT}), which is all the image build sees`,
      ],
      [
        1,
        `-r ../shared.txt: /w/shared.txt is outside the project folder (${PROJECT}), which is all the image build sees`,
      ],
      [
        4,
        "-r /w/project/abs.txt: an absolute path names a place on this machine, which the image build cannot see; write it relative to this file",
      ],
    ]);
  });

  it("takes local packages and wheel folders of the project, as pip finds them", async () => {
    const parsed = await read({
      "requirements.txt": "./vendor/pkg\nwheels/mine-1.0-py3-none-any.whl\n-r deps/base.txt\n",
      "deps/base.txt": "--find-links wheels\n--find-links ./shared-wheels\nmine==1.0\n",
      "vendor/pkg": "dir",
      "vendor/pkg/pyproject.toml": "[project]\n",
      "wheels/mine-1.0-py3-none-any.whl": "zip",
      // pip looks beside the requirements file first, then in its current folder.
      "deps/wheels": "dir",
      "shared-wheels": "dir",
    });
    expect(parsed.problems).toEqual([]);
    expect(parsed.localPaths.map((p) => [p.kind, p.path])).toEqual([
      ["package", `${PROJECT}/vendor/pkg`],
      ["package", `${PROJECT}/wheels/mine-1.0-py3-none-any.whl`],
      ["find-links", `${PROJECT}/deps/wheels`],
      ["find-links", `${PROJECT}/shared-wheels`],
    ]);
  });

  it("refuses a local package pip could not install, with pip's reason", async () => {
    const parsed = await read({ "requirements.txt": "./vendor/pkg\n./gone\n", "vendor/pkg": "dir" });
    expect(parsed.problems.map((p) => p.message)).toEqual([
      `./vendor/pkg: ${PROJECT}/vendor/pkg is a folder with neither setup.py nor pyproject.toml, so pip cannot install it`,
      `./gone: ${PROJECT}/gone does not exist`,
    ]);
  });

  it("reads a notebook's %pip lines from the notebook's folder, naming the notebook without a line", async () => {
    const notebook = `${PROJECT}/nb/train.ipynb`;
    const parsed = await read({ "nb/extra.txt": "six\n", "nb/pkg": "dir", "nb/pkg/setup.py": "" }, [
      {
        file: `${PROJECT}/nb/train.ipynb.pip-requirements.txt`,
        text: "-r extra.txt\n./pkg\nnumpy; rm -rf /\n",
        origin: notebook,
      },
    ]);
    expect(parsed.requirements.map((r) => [r.text, r.file, r.line])).toEqual([["six", notebook, 0]]);
    expect(parsed.problems).toMatchObject([
      { file: notebook, line: 0, message: 'the marker "rm" is not valid (at "rm")' },
      {
        file: notebook,
        line: 0,
        message: expect.stringContaining("./pkg: pip reads this path from the notebook's folder"),
      },
    ]);
  });
});
