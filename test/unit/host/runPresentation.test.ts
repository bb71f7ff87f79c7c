import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatDuration } from "../../../src/core/presentation/runStatus";
import { presentRun, type RunSummary } from "../../../src/views/runs/runPresentation";

const finished: RunSummary = {
  runId: "train-20261129-061538-643b",
  target: "local",
  status: "succeeded",
  notebook: "/work/examples/train/train.ipynb",
  exitCode: 0,
  oomKilled: false,
  image: "parity/digits-train:0123456789ab",
  startedAt: "2026-11-29T06:15:38.000Z",
  durationMs: 12_345,
  diagnosis: [],
};

describe("a run in the Runs view", () => {
  it("is labelled with the notebook's file name and described by status, duration and exit code", () => {
    const view = presentRun(finished);
    expect(view.label).toBe("train.ipynb");
    expect(view.description).toBe("Succeeded · 12.3 s · exit 0 · local");
    expect(view.contextValue).toBe("parity:run+succeeded+local");
    expect(view.tooltip).toContain("train-20261129-061538-643b");
    expect(view.icon).toEqual({ id: "pass", color: "testing.iconPassed" });
  });

  it("says an OOM-killed run ran out of memory", () => {
    const view = presentRun({
      ...finished,
      status: "failed",
      exitCode: 137,
      oomKilled: true,
      durationMs: 3100,
    });
    expect(view.description).toBe("Failed · 3.1 s · exit 137 · out of memory · local");
    expect(view.contextValue).toBe("parity:run+failed+local");
  });

  it("spins while running and shows its time so far, no exit code yet", () => {
    const running: RunSummary = { ...finished, status: "running", exitCode: null, durationMs: undefined };
    const now = Date.parse(finished.startedAt!) + 65_400;
    const view = presentRun(running, false, undefined, now);
    expect(view.description).toBe("Running · 1 min 05 s · local");
    expect(presentRun(running, false, undefined, now + 1000).description).toBe(
      "Running · 1 min 06 s · local",
    );
    expect(view.icon.id).toBe("sync~spin");
    // A run whose process went away is not counted on: its time is not shown as growing, and its
    // status is the last one seen, never "running" now.
    const orphaned = presentRun(running, true, undefined, now);
    expect(orphaned.description).toBe("Last seen running · process gone · local");
    expect(orphaned.tooltip.split("\n")[0]).toBe("train.ipynb: last seen running");
  });

  it("says in its tooltip when it started and ended, in local time, and how long ago", () => {
    const startedAt = "2026-11-29T06:15:38.000Z";
    const finishedAt = "2026-11-29T06:15:50.345Z";
    const now = Date.parse(finishedAt) + 2 * 60_000 + 5000;
    const place = { locale: "en-GB", timeZone: "Europe/Berlin" };
    const { tooltip } = presentRun({ ...finished, startedAt, finishedAt }, false, undefined, now, place);
    expect(tooltip).toContain("Started 29 Nov 2026, 07:15:38 CET (2 min ago)");
    expect(tooltip).toContain("Ended 29 Nov 2026, 07:15:50 CET (2 min ago)");
    expect(tooltip).not.toContain(startedAt);
  });

  it("leaves the exit code out of a cancelled run", () => {
    expect(presentRun({ ...finished, status: "cancelled", exitCode: 137 }).description).toBe(
      "Cancelled · 12.3 s · local",
    );
  });

  it("says a pending cluster run's cluster is unreachable, and since when, keeping the status it last had", () => {
    const since = "2026-11-29T06:20:00.000Z";
    const clock = new Date(since).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const view = presentRun({
      ...finished,
      target: "cluster",
      status: "pending",
      exitCode: null,
      durationMs: undefined,
      unreachableSince: since,
    });
    expect(view.description).toBe(`Pending · cluster unreachable since ${clock} · cluster`);
    expect(view.tooltip).toContain("pending is the last status seen");
    expect(view.contextValue).toBe("parity:run+pending+cluster");
    // A run that ended was heard from at its end: an old mark says nothing.
    expect(presentRun({ ...finished, unreachableSince: since }).description).toBe(
      "Succeeded · 12.3 s · exit 0 · local",
    );
  });

  it("describes a run that is still building in this window", () => {
    const view = presentRun({ ...finished, status: "building", exitCode: null, durationMs: undefined });
    expect(view.description).toBe("Building · local");
    expect(view.contextValue).toBe("parity:run+building+local");
  });
});

describe("durations", () => {
  it("read as seconds, minutes or hours", () => {
    expect(formatDuration(800)).toBe("0.8 s");
    expect(formatDuration(59_940)).toBe("59.9 s");
    expect(formatDuration(125_000)).toBe("2 min 05 s");
    expect(formatDuration(3_720_000)).toBe("1 h 02 min");
  });

  it("says where a run ran, and the notebook's folder when it is given", () => {
    const onCluster = presentRun({
      runId: "train-1",
      target: "cluster",
      status: "pending",
      notebook: "/w/examples/train/train.ipynb",
      exitCode: null,
      oomKilled: false,
      cluster: { context: "kwok", namespace: "team-a" },
    });
    expect(onCluster.description).toBe("Pending · cluster team-a");
    expect(onCluster.tooltip).toContain("(context kwok, namespace team-a)");
    const inFolder = presentRun(
      {
        runId: "train-2",
        target: "local",
        status: "running",
        notebook: "/w/b/train.ipynb",
        exitCode: null,
        oomKilled: false,
      },
      false,
      "b",
    );
    expect(inFolder).toMatchObject({ label: "train.ipynb", description: "Running · local · b" });
  });
});

describe("pipeline runs in the Runs view", () => {
  const base = { target: "local" as const, notebook: "/w/numbers.ipynb", exitCode: 0, oomKilled: false };

  it("name the pipeline and each step, and say in the context value which they are (no Rerun or Cancel Run on them)", () => {
    const pipeline = presentRun({ ...base, runId: "numbers-1", status: "succeeded", kind: "pipeline" });
    expect(pipeline.label).toBe("numbers.ipynb (pipeline)");
    expect(pipeline.contextValue).toBe("parity:run+succeeded+local+pipeline");
    const step = presentRun({
      ...base,
      runId: "numbers-load-1",
      status: "running",
      kind: "job",
      step: "load",
    });
    expect(step.label).toBe("numbers.ipynb › load");
    expect(step.contextValue).toBe("parity:run+running+local+step");
    // The Runs view's menus, as package.json declares them: Rerun matches a job run, orphaned or
    // not, and neither of these; Cancel Run does not match a step.
    const rerun = runsMenuPattern("parity.rerun");
    expect(rerun.test(pipeline.contextValue)).toBe(false);
    expect(rerun.test("parity:run+failed+local+step")).toBe(false);
    expect(rerun.test("parity:run+failed+local")).toBe(true);
    expect(rerun.test("parity:run+lost+cluster+orphaned")).toBe(true);
    expect(runsMenuPattern("parity.cancelRun").test(step.contextValue)).toBe(false);
    expect(runsMenuPattern("parity.cancelRun").test("parity:run+running+local")).toBe(true);
  });
});

/** The viewItem pattern of a command's entry in the Runs view's context menu, read from package.json. */
function runsMenuPattern(command: string): RegExp {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, "../../../package.json"), "utf8")) as {
    contributes: { menus: Record<string, { command: string; when?: string }[]> };
  };
  const when = manifest.contributes.menus["view/item/context"]?.find(
    (entry) => entry.command === command && entry.when?.includes("view == parity.runs"),
  )?.when;
  const pattern = when && /viewItem =~ \/(.*?)\/(?: |$)/.exec(when)?.[1];
  if (!pattern) throw new Error(`package.json has no Runs view menu entry for ${command}`);
  return new RegExp(pattern);
}
