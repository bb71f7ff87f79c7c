import { execFile, execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRequirements } from "../../../src/core/requirements";

// pip's own parser (pip._internal.req.req_file) on the same files, where this machine's Python has pip.
const PIP_PARSE = `
import json, os, sys
from pip._internal.network.session import PipSession
from pip._internal.req.req_file import parse_requirements
rows = []
for parsed in parse_requirements(sys.argv[1], session=PipSession()):
    option, rest = parsed.comes_from.split(" ", 1)
    file, line = rest.rsplit(" (line ", 1)
    rows.append([parsed.requirement, parsed.constraint, os.path.normpath(file), int(line.rstrip(")"))])
print(json.dumps(rows))
`;
const hasPip = (() => {
  try {
    execFileSync("python3", ["-c", "import pip._internal.req.req_file"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const FILES: Record<string, string> = {
  "requirements.txt": [
    "# continuations join without a space; a comment line ends one",
    "num\\",
    "py==1.26.4 --hash=sha256:0123",
    "requests>=2 \\",
    "# a comment",
    "--extra-index-url https://extra.example/simple",
    "-r sub/base.txt",
    "--constraint=pins.txt",
    'git+https://host/repo.git@v1#egg=featurize ; python_version >= "3"',
    'pandas[parquet]==2.2.2; python_version >= "3.9"  # why',
  ].join("\n"),
  "sub/base.txt": "six\n-r ../more.txt\n",
  "more.txt": "--pre\npyyaml (>=6)\nmetrics @ https://files.example/metrics-1.0-py3-none-any.whl\n",
  "pins.txt": "six<2\n-r more.txt\n",
};

describe.skipIf(!hasPip)("readRequirements against pip's own parser", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "parity-pip-parse-"));
    for (const [file, text] of Object.entries(FILES)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("finds the same requirements and constraints at the same files and lines", async () => {
    const { stdout } = await promisify(execFile)("python3", ["-c", PIP_PARSE, "requirements.txt"], {
      cwd: dir,
    });
    const pip = JSON.parse(stdout) as Array<[string, boolean, string, number]>;
    const ours = await readRequirements([{ file: path.join(dir, "requirements.txt") }], {
      projectDir: dir,
      reader: {
        read: (file) => readFile(file, "utf8").catch(() => undefined),
        kind: async (file) =>
          (await stat(file).catch(() => undefined))?.isDirectory() ? "directory" : "file",
      },
    });
    expect(ours.problems).toEqual([]);
    const where = (entry: { file?: string; line: number }): [string, number] => [
      path.relative(dir, entry.file ?? ours.file),
      entry.line,
    ];
    const rows = [
      ...ours.requirements.map((r) => [r.text, false, ...where(r)]),
      ...ours.unpinnable.map((r) => [r.text, false, ...where(r)]),
      ...ours.constraints.map((r) => [r.text, true, ...where(r)]),
    ];
    const sorted = (list: unknown[][]) => list.map((row) => JSON.stringify(row)).sort();
    // pip reads more.txt twice (from base.txt and from pins.txt as requirements); once is enough here.
    expect(sorted(rows)).toEqual([...new Set(sorted(pip))]);
  });
});
