import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  convertNotebook,
  mapTraceback,
  missingModule,
  parseParameterOverrides,
  type NotebookJob,
} from "../../../src/core/notebook";
import { convertFixture, notebookOf } from "./helpers";

/** The generated scripts run under the real python3 of this machine, each in its own folder. */
const workDir = mkdtempSync(join(tmpdir(), "parity-notebook-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let runs = 0;
async function run(job: NotebookJob, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(workDir, `run-${++runs}-`));
  const scriptPath = join(dir, "main.py");
  writeFileSync(scriptPath, job.script);
  try {
    const { stdout, stderr } = await promisify(execFile)("python3", [scriptPath], {
      cwd: dir,
      env: { ...process.env, PARITY_PARAMETERS: "", ...env },
    });
    return { code: 0, stdout, stderr, dir, scriptPath };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr, dir, scriptPath };
  }
}

describe("generated scripts under python3", () => {
  it("run every supported magic", async () => {
    const result = await run(convertFixture("magics.ipynb"));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain("hello world\nbackend Agg\n");
    expect(out).toMatch(/total 499500\nWall time: \d+\.\d{3} s\n/);
    expect(out).toMatch(/Wall time \(timeit, run once by Parity\): \d+\.\d{3} s\nsquares 10\n/);
    expect(out).toContain("captured: hidden output\n");
    expect(out).not.toMatch(/^hidden output$/m);
    expect(out).toContain("hello parity parity\n");
    expect(out).toContain("files ['a', 'b']\n");
    expect(out).toContain("Writing out/notes.txt\nAppending to out/notes.txt\nfrom bash\n");
    expect(readFileSync(join(result.dir, "out/notes.txt"), "utf8")).toBe(
      "first line\n  second {not expanded}\nthird line\n",
    );
    expect(out).toContain(`from sh\n${join(result.dir, "out")}\n${join(result.dir, "out")}\n${result.dir}\n`);
  });

  it("apply parameter overrides from PARITY_PARAMETERS after the defaults", async () => {
    const job = convertFixture("parameters.ipynb");
    const defaults = await run(job);
    expect(defaults.stdout).toContain(
      "learning_rate 0.01\nepochs 3\noptimizer 'adam'\nuse_gpu False\nlayers [64, 32]\n",
    );
    const overrides = parseParameterOverrides(
      ["learning_rate=0.5", "optimizer=42", "use_gpu=true"],
      job.parameters,
    );
    const result = await run(job, { PARITY_PARAMETERS: JSON.stringify(overrides) });
    expect(result.stdout).toContain("learning_rate 0.5\nepochs 3\noptimizer '42'\nuse_gpu True\n");
    expect(result.stdout).toContain("Parameter learning_rate = 0.5 (overridden)\n");
    const unknown = await run(job, { PARITY_PARAMETERS: '{"lr": 1}' });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("PARITY_PARAMETERS names unknown parameters ['lr']");
  });

  it("run percent-format scripts, with !commands expanding Python values", async () => {
    const job = convertFixture("percent.py");
    const result = await run(job, { PARITY_PARAMETERS: '{"threshold": 0.9}' });
    expect(result.stdout).toContain('threshold=0.9\n{"threshold": 0.9, "label": "run"}\n');
  });

  it("fail with a traceback that maps to the notebook cell and line", async () => {
    const job = convertFixture("traceback.ipynb");
    const result = await run(job);
    expect(result.code).toBe(1);
    expect(mapTraceback(result.stderr, job.lineMap, result.scriptPath)).toMatchObject({
      exceptionType: "ZeroDivisionError",
      message: "division by zero",
      origin: { cell: 2, cellId: "helpers", line: 2, code: "    return a / b" },
    });
  });

  it("stop at a failing !command, mapped to its line", async () => {
    const job = convertFixture("shell-failure.ipynb");
    const result = await run(job);
    expect(result.stdout).toBe("before\n");
    const mapped = mapTraceback(result.stderr, job.lineMap, result.scriptPath);
    expect(mapped?.exceptionType).toBe("subprocess.CalledProcessError");
    expect(mapped?.origin).toMatchObject({ cell: 1, line: 2, code: "!exit 3" });
  });

  it("report a missing module by name", async () => {
    const job = convertFixture("missing-module.ipynb");
    const result = await run(job);
    const mapped = mapTraceback(result.stderr, job.lineMap, result.scriptPath);
    expect(mapped?.origin).toMatchObject({ cell: 1, cellId: "imports", line: 2 });
    expect(mapped && missingModule(mapped)).toBe("parity_surely_missing_module");
    expect(mapTraceback(result.stderr, job.lineMap, join(workDir, "elsewhere.py"))?.origin).toBeUndefined();
  });

  it("print an error raised inside %%capture to the real stderr", async () => {
    const job = convertNotebook(
      notebookOf("%%capture out\nprint('hidden')\nraise ValueError('inside capture')"),
      "c.ipynb",
    );
    const result = await run(job);
    expect(result.stdout).toBe("");
    expect(mapTraceback(result.stderr, job.lineMap, result.scriptPath)).toMatchObject({
      summary: "ValueError: inside capture",
      origin: { cell: 1, line: 3 },
    });
  });

  it("parse as Python 3.8", async () => {
    const job = convertFixture("magics.ipynb");
    const parameters = convertFixture("parameters.ipynb");
    const dir = mkdtempSync(join(workDir, "ast-"));
    writeFileSync(join(dir, "a.py"), job.script);
    writeFileSync(join(dir, "b.py"), parameters.script);
    const check =
      "import ast, sys\nfor path in sys.argv[1:]: ast.parse(open(path).read(), feature_version=(3, 8))";
    await expect(
      promisify(execFile)("python3", ["-c", check, join(dir, "a.py"), join(dir, "b.py")]),
    ).resolves.toBeTruthy();
  });
});
