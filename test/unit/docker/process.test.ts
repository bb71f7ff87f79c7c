import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { CancelledError, ParityError } from "../../../src/core/errors";
import { runProcess } from "../../../src/targets/process";

/** Running, not a zombie waiting for a (slow) reaper. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
});

describe("runProcess", () => {
  it("passes arguments as an array, never through a shell", async () => {
    const result = await runProcess("printf", ["%s|", "a b", "$HOME", "; echo no"]);
    expect(result).toEqual({ code: 0, stdout: "a b|$HOME|; echo no|", stderr: "" });
  });

  it("reports the exit code, stderr, cwd, env and input", async () => {
    const result = await runProcess("sh", ["-c", 'cat; pwd; echo "$GREETING" >&2; exit 3'], {
      cwd: "/tmp",
      env: { PATH: process.env.PATH, GREETING: "hello" },
      input: "from stdin\n",
    });
    expect(result).toEqual({ code: 3, stdout: "from stdin\n/tmp\n", stderr: "hello\n" });
  });

  it("streams output as it comes", async () => {
    const chunks: string[] = [];
    await runProcess("sh", ["-c", "echo one; echo two >&2"], {
      onStdout: (chunk) => chunks.push(`out:${chunk}`),
      onStderr: (chunk) => chunks.push(`err:${chunk}`),
    });
    expect(chunks.sort()).toEqual(["err:two\n", "out:one\n"]);
  });

  it("says which program is missing", async () => {
    const error = await runProcess("parity-no-such-program", []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParityError);
    expect((error as ParityError).message).toContain('"parity-no-such-program" is not installed');
  });

  it("kills the whole process group on cancel, grandchildren included", async () => {
    const controller = new AbortController();
    let grandchild = 0;
    const running = runProcess("sh", ["-c", "sleep 60 & echo $!; wait"], {
      signal: controller.signal,
      onStdout: (chunk) => {
        grandchild = Number(chunk.trim());
        leftovers.push(grandchild);
        controller.abort();
      },
    });
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(grandchild).toBeGreaterThan(0);
    await expect.poll(() => alive(grandchild), { timeout: 2_000 }).toBe(false);
  });

  it("escalates to SIGKILL when the group ignores SIGTERM", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = runProcess("sh", ["-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"], {
      signal: controller.signal,
      killGraceMs: 300,
      onStdout: () => controller.abort(),
    });
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("does not start when already cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runProcess("sleep", ["5"], { signal: controller.signal })).rejects.toBeInstanceOf(
      CancelledError,
    );
  });
});
