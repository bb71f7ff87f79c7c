import { describe, expect, it } from "vitest";
import { convertNotebook } from "../../../src/core/notebook";
import { parsePipCommand, pipArguments } from "../../../src/core/notebook/pip";
import { cellCode, convertFixture, failureOf, notebookOf } from "./helpers";

describe("pip lines", () => {
  it("become requirements and requirement files, removed from the script", () => {
    const job = convertFixture("pip.ipynb");
    expect(job.requirements).toEqual([
      "torch==2.3.1",
      "numpy>=1.26",
      "pandas",
      "-r requirements.txt",
      "rich",
      "tqdm",
      "pyyaml",
    ]);
    expect(job.script).not.toMatch(/^[^#]*pip install/m);
    expect(cellCode(job)).toContain(
      "    pass  # !python -m pip install pyyaml  (installed in the image from the job's requirements)",
    );
    expect(cellCode(job)).toContain('_parity_pip("list")');
    expect(job.imports).toEqual(["torch", "yaml"]);
  });

  it.each([
    ["pip install x", "install x"],
    ["pip3.11 install x", "install x"],
    ["python -m pip install x", "install x"],
    ["/opt/conda/bin/python3 -m pip install x", "install x"],
    ["{sys.executable} -m pip install x", "install x"],
    ['"{sys.executable}" -m pip install x', "install x"],
    ["pipx install x", undefined],
    ["echo pip install", undefined],
  ])("recognizes %j as pip", (command, args) => {
    expect(pipArguments(command)?.trim()).toBe(args);
  });

  it("reads options, quotes, redirections and comments like pip and the shell do", () => {
    expect(
      parsePipCommand(
        `install -q -U x==1.2 "y>=2" 'z[extra]<3' --requirement=a.txt -rb.txt -r c.txt 2>&1 >/dev/null # why`,
      ),
    ).toEqual({
      kind: "install",
      lines: ["x==1.2", "y>=2", "z[extra]<3", "-r a.txt", "-r b.txt", "-r c.txt"],
    });
    expect(parsePipCommand("install --upgrade-strategy eager --progress-bar off x")).toMatchObject({
      lines: ["x"],
    });
  });

  it("keeps index options and constraints as requirement-file lines, quoted as pip reads them", () => {
    expect(
      parsePipCommand(
        "install -i https://mirror.example/simple --extra-index-url=https://extra.example/simple -f 'my wheels' --trusted-host mirror.example --pre -cc.txt x",
      ),
    ).toEqual({
      kind: "install",
      lines: [
        "--index-url https://mirror.example/simple",
        "--extra-index-url https://extra.example/simple",
        "--find-links 'my wheels'",
        "--trusted-host mirror.example",
        "--pre",
        "-c c.txt",
        "x",
      ],
    });
    expect(parsePipCommand("freeze")).toEqual({ kind: "other", args: ["freeze"] });
  });

  it.each([
    ["install --index-url mirror/simple x", "--index-url mirror/simple is not an http(s) URL"],
    ["install -e .", "pip install -e .: -e . asks for an editable install"],
    // pip's own reading: the requirement ends at "-rf", so the marker is "rm".
    ['install "numpy; rm -rf /"', 'pip install numpy; rm -rf /: the marker "rm" is not valid (at "rm")'],
    ["install --target /tmp x", "pip's --target option is not one Parity can carry into the image build."],
    ["install {package}", "pip's argument {package} depends on a Python variable"],
    [
      "install x && echo done",
      "Parity cannot read this pip line: the shell operator & makes the line more than a pip command.",
    ],
    ["install 'x", "the quote ' is never closed"],
  ])("refuses %j", (args, problem) => {
    const command = parsePipCommand(args);
    expect(command.kind).toBe("refused");
    expect(command.kind === "refused" && command.problem).toContain(problem);
  });

  it("names the cell and line of a refused pip line", () => {
    const error = failureOf(() =>
      convertNotebook(notebookOf("import os", "x = 1\n%pip install -e ."), "t.ipynb"),
    );
    expect(error.code).toBe("NotebookUnsupportedPip");
    expect(error.location).toMatchObject({ file: "t.ipynb", field: "cell 2, line 2" });
    expect(error.message).toContain("editable install");
  });
});
