import { describe, expect, it } from "vitest";
import { runRefOfDir } from "../../../src/app/store/runRef";

describe("a run's reference", () => {
  const folders = ["/w/repo"];

  it("takes the run id from the folder's name and the workspace from its place", () => {
    expect(runRefOfDir("/w/repo/.parity/runs/train-20261129-080000-abcd", folders)).toEqual({
      workspaceDir: "/w/repo",
      runId: "train-20261129-080000-abcd",
    });
    expect(runRefOfDir("/w/repo/examples/train/.parity/runs/train-1", folders)).toEqual({
      workspaceDir: "/w/repo/examples/train",
      runId: "train-1",
    });
  });

  it("rejects . and .., folders not under .parity/runs, and workspaces outside the workspace folders", () => {
    expect(runRefOfDir("/w/repo/.parity/runs/..", folders)).toBeUndefined();
    expect(runRefOfDir("/w/repo/.parity/runs/.", folders)).toBeUndefined();
    expect(runRefOfDir("/w/repo/.parity/other/train-1", folders)).toBeUndefined();
    expect(runRefOfDir("/w/repo/.parity/runs/a/../../../../etc", folders)).toBeUndefined();
    expect(runRefOfDir("/home/u/.parity/runs/train-1", folders)).toBeUndefined();
    expect(runRefOfDir("/w/repo-other/.parity/runs/train-1", folders)).toBeUndefined();
    expect(runRefOfDir("/w/repo/.parity/runs/train-1", [])).toBeUndefined();
  });
});
