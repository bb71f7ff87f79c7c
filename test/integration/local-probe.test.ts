import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ParityError } from "../../src/core/errors";
import { captureLocalEnvironment, chooseInterpreter } from "../../src/targets/local/python";

const python3 = execFileSync("python3", ["-c", "import sys; print(sys.executable)"]).toString().trim();
const scratch = mkdtempSync(path.join(os.tmpdir(), "parity-probe-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function pythonSays(code: string): string {
  return execFileSync(python3, ["-c", code]).toString().trim();
}

describe("captureLocalEnvironment against this machine's python3", () => {
  it("reports the interpreter, distributions and stdlib as python3 itself does", async () => {
    const environment = await captureLocalEnvironment({ python: python3, env: {} });

    expect(environment.source).toBe(`local ${python3}`);
    expect(environment.python.version).toBe(pythonSays("import platform; print(platform.python_version())"));
    expect(environment.python.executable).toBe(python3);
    expect(environment.python.platform).toBe(process.platform);
    expect(environment.problems).toEqual([]);
    expect(environment.distributions.pip).toBe(
      pythonSays("import importlib.metadata as m; print(m.version('pip'))"),
    );
    expect(environment.stdlibModules).toEqual(expect.arrayContaining(["json", "os", "asyncio"]));
    expect(environment.moduleDistributions.pip).toEqual(["pip"]);
  });

  it("reads memory and CPU the way the kernel reports them", async () => {
    const environment = await captureLocalEnvironment({ python: python3, env: {} });
    const memTotalKib = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))![1]);

    expect(environment.memory.totalBytes).toBe(memTotalKib * 1024);
    expect(environment.cpu.count).toBe(Number(pythonSays("import os; print(len(os.sched_getaffinity(0)))")));
    expect(environment.shmBytes).toBeGreaterThan(0);
  });

  it("uses PARITY_PYTHON, then the workspace's .venv, then python3", () => {
    const workspace = path.join(scratch, "workspace");
    mkdirSync(path.join(workspace, ".venv", "bin"), { recursive: true });
    symlinkSync(python3, path.join(workspace, ".venv", "bin", "python"));

    expect(chooseInterpreter({ workspaceFolder: workspace, env: { PARITY_PYTHON: "/opt/py" } })).toEqual({
      python: "/opt/py",
      reason: "PARITY_PYTHON",
    });
    expect(chooseInterpreter({ workspaceFolder: workspace, env: {} }).reason).toBe("workspace .venv");
    expect(chooseInterpreter({ workspaceFolder: scratch, env: {} })).toEqual({
      python: "python3",
      reason: "default",
    });
  });

  it("probes the workspace's .venv interpreter", async () => {
    const environment = await captureLocalEnvironment({
      workspaceFolder: path.join(scratch, "workspace"),
      env: {},
    });
    expect(environment.source).toBe(`local ${path.join(scratch, "workspace", ".venv", "bin", "python")}`);
  });

  it("says which interpreter is missing and how to choose another", async () => {
    const missing = path.join(scratch, "nowhere", "python");
    const failure = await captureLocalEnvironment({ env: { PARITY_PYTHON: missing } }).catch(
      (error) => error,
    );

    expect(failure).toBeInstanceOf(ParityError);
    expect(failure.code).toBe("PythonNotFound");
    expect(failure.message).toBe(`Python interpreter ${missing} (chosen by PARITY_PYTHON) not found.`);
    expect(failure.fix).toContain("PARITY_PYTHON");
  });

  it("explains an interpreter that fails before the probe prints", async () => {
    const broken = path.join(scratch, "broken-python");
    writeFileSync(broken, "#!/bin/sh\necho 'sitecustomize: boom' >&2\nexit 1\n");
    chmodSync(broken, 0o755);
    const failure = await captureLocalEnvironment({ python: broken, env: {} }).catch((error) => error);

    expect(failure.code).toBe("ProbeFailed");
    expect(failure.message).toContain("sitecustomize: boom");
  });

  it("stops a probe that outlives its timeout", async () => {
    const slow = path.join(scratch, "slow-python");
    writeFileSync(slow, "#!/bin/sh\nexec sleep 5\n");
    chmodSync(slow, 0o755);
    const failure = await captureLocalEnvironment({ python: slow, timeoutMs: 200, env: {} }).catch((e) => e);

    expect(failure.code).toBe("ProbeTimeout");
  });

  it("stays a cancellation when the caller aborts", async () => {
    const controller = new AbortController();
    const pending = captureLocalEnvironment({ python: python3, signal: controller.signal, env: {} });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "CancelledError" });
  });
});

const oldPython = "/root/.pyenv/versions/3.7.16/bin/python";
describe.skipIf(!existsSync(oldPython))("an interpreter older than 3.8", () => {
  it("is refused with the version it has", async () => {
    const failure = await captureLocalEnvironment({ python: oldPython, env: {} }).catch((error) => error);
    expect(failure.code).toBe("PythonTooOld");
    expect(failure.message).toContain("3.7.16");
  });
});
