import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main";

const ESC = "\u001b";
const RECORDED = `${ESC}]0;training: epoch 1\u0007${ESC}[2K${ESC}[32mepoch 1${ESC}[0m loss=0.5`;

/** A finished local run whose log has a window title, an erase line and colours. */
function recordedWorkspace(): string {
  const workspace = mkdtempSync(join(tmpdir(), "parity-logs-text-"));
  const dir = join(workspace, ".parity", "runs", "train-1");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "run.json"),
    JSON.stringify({
      runId: "train-1",
      target: "local",
      status: "succeeded",
      exitCode: 0,
      oomKilled: false,
      image: "i",
      notebook: join(workspace, "train.ipynb"),
      startedAt: "2026-03-02T10:00:00.000Z",
      finishedAt: "2026-03-02T10:01:00.000Z",
      memoryLimitBytes: 1,
      diagnosis: [],
    }),
  );
  writeFileSync(
    join(dir, "logs.jsonl"),
    [
      { stream: "stdout", text: RECORDED, time: 1 },
      { stream: "stderr", text: `${ESC}[31mwarning${ESC}[0m`, time: 2 },
    ]
      .map((line) => `${JSON.stringify(line)}\n`)
      .join(""),
  );
  return workspace;
}

async function printed(
  args: string[],
  terminals: { out: boolean; err: boolean },
  env: NodeJS.ProcessEnv = { PATH: process.env.PATH },
): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["logs", "train-1", ...args], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    isTTY: terminals.out,
    errIsTTY: terminals.err,
    signal: new AbortController().signal,
    cwd: recordedWorkspace(),
    env,
  });
  expect(code).toBe(0);
  return { out, err };
}

const logs = async (args: string[], isTTY: boolean) => (await printed(args, { out: isTTY, err: isTTY })).out;

describe("parity logs", () => {
  it("prints plain text to a pipe, colours to a terminal, and never a title or a cursor move", async () => {
    expect(await logs([], false)).toEqual(["epoch 1 loss=0.5"]);
    expect(await logs([], true)).toEqual([`${ESC}[32mepoch 1${ESC}[0m loss=0.5`]);
  });

  it("colours each stream by whether it is a terminal, and none with NO_COLOR", async () => {
    expect(await printed([], { out: true, err: false })).toEqual({
      out: [`${ESC}[32mepoch 1${ESC}[0m loss=0.5`],
      err: ["warning"],
    });
    expect(await printed([], { out: false, err: true })).toEqual({
      out: ["epoch 1 loss=0.5"],
      err: [`${ESC}[31mwarning${ESC}[0m`],
    });
    expect(await printed([], { out: true, err: true }, { PATH: process.env.PATH, NO_COLOR: "1" })).toEqual({
      out: ["epoch 1 loss=0.5"],
      err: ["warning"],
    });
  });

  it("keeps the line as recorded with --json", async () => {
    const [line] = await logs(["--json"], false);
    expect(JSON.parse(line!)).toMatchObject({ text: RECORDED });
  });
});
