import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { claimFollower } from "../../../src/app/store/follower";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const runDir = () => mkdtempSync(join(tmpdir(), "h7-follower-"));
/** A pid no process has: above Linux's pid_max. */
const GONE_PID = 2 ** 22 + 1;

describe("claimFollower", () => {
  it("claims a run nobody follows, and releases it once", async () => {
    const dir = runDir();
    const release = await claimFollower(dir, "r1");
    expect(JSON.parse(readFileSync(join(dir, "follower.json"), "utf8"))).toEqual({
      pid: process.pid,
      host: hostname(),
    });
    await release();
    expect(existsSync(join(dir, "follower.json"))).toBe(false);
  });

  it("lets exactly one of many simultaneous claims win: none reads a half-written claim as stale", async () => {
    const dir = runDir();
    const claims = await Promise.allSettled(Array.from({ length: 20 }, () => claimFollower(dir, "r1")));
    expect(claims.filter((claim) => claim.status === "fulfilled")).toHaveLength(1);
    for (const claim of claims) {
      if (claim.status === "rejected") expect(claim.reason).toMatchObject({ code: "RunFollowedElsewhere" });
    }
  });

  it("lets exactly one of many simultaneous take-overs of a stale claim win (the CLI and a window at once)", async () => {
    for (let round = 0; round < 10; round += 1) {
      const dir = runDir();
      writeFileSync(join(dir, "follower.json"), JSON.stringify({ pid: GONE_PID, host: hostname() }));
      // Started a little apart, so that one reads the stale claim while another already replaced it.
      const claims = await Promise.allSettled(
        Array.from({ length: 20 }, (_, index) => delay(index % 5).then(() => claimFollower(dir, "r1"))),
      );
      expect(claims.filter((claim) => claim.status === "fulfilled")).toHaveLength(1);
      for (const claim of claims) {
        if (claim.status === "rejected") expect(claim.reason).toMatchObject({ code: "RunFollowedElsewhere" });
      }
    }
  });

  it("refuses while a live process follows the run", async () => {
    const dir = runDir();
    writeFileSync(join(dir, "follower.json"), JSON.stringify({ pid: process.ppid, host: hostname() }));
    await expect(claimFollower(dir, "r1")).rejects.toMatchObject({
      code: "RunFollowedElsewhere",
      message: `Run r1 is already followed by process ${process.ppid}.`,
    });
  });

  it("takes over from a follower that went away, and from a claim cut short by a crash", async () => {
    const dir = runDir();
    writeFileSync(join(dir, "follower.json"), JSON.stringify({ pid: GONE_PID, host: hostname() }));
    await (
      await claimFollower(dir, "r1")
    )();
    writeFileSync(join(dir, "follower.json"), "");
    const release = await claimFollower(dir, "r1");
    expect(JSON.parse(readFileSync(join(dir, "follower.json"), "utf8")).pid).toBe(process.pid);
    await release();
  });

  it("leaves a follower on another machine alone (it cannot be checked)", async () => {
    const dir = runDir();
    writeFileSync(join(dir, "follower.json"), JSON.stringify({ pid: GONE_PID, host: "elsewhere" }));
    await expect(claimFollower(dir, "r1")).rejects.toMatchObject({
      message: `Run r1 is already followed by process ${GONE_PID} on elsewhere.`,
    });
  });
});
