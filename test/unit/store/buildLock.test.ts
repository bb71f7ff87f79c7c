import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lockBuild } from "../../../src/app/store/buildLock";

const workspaces: string[] = [];
const workspace = () => {
  const dir = mkdtempSync(join(tmpdir(), "parity-build-lock-unit-"));
  workspaces.push(dir);
  return dir;
};
afterAll(() => workspaces.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("lockBuild", () => {
  it("makes a second build of the tag wait until the first releases it", async () => {
    const dir = workspace();
    const order: string[] = [];
    const release = await lockBuild(dir, "parity/x:1");
    const waited: number[] = [];
    const second = lockBuild(dir, "parity/x:1", { onWait: (holder) => waited.push(holder.pid) }).then(
      (releaseSecond) => {
        order.push("second");
        return releaseSecond;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    order.push("first done");
    await release();
    await (
      await second
    )();
    expect(order).toEqual(["first done", "second"]);
    expect(waited).toEqual([process.pid]);
  });

  it("lets builds of other tags go on at once", async () => {
    const dir = workspace();
    const release = await lockBuild(dir, "parity/x:1");
    await (
      await lockBuild(dir, "parity/x:2")
    )();
    await release();
  });

  it("stops waiting when cancelled", async () => {
    const dir = workspace();
    const release = await lockBuild(dir, "parity/x:1");
    const controller = new AbortController();
    const waiting = lockBuild(dir, "parity/x:1", { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: "CancelledError" });
    await release();
  });
});
