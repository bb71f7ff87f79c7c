import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { checkHostFolders } from "../../../src/core/job/hostFolders";

const workspace = { path: "/p", realPath: "/p" };

function refusal(run: () => unknown): ParityError {
  try {
    run();
  } catch (error) {
    if (error instanceof ParityError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("checkHostFolders", () => {
  it("takes a plain outputs folder inside the project, with nothing to say", () => {
    const folders = checkHostFolders({
      workspace,
      outputs: { path: "/p/outputs", realPath: "/p/outputs" },
      written: "outputs",
      allowOutside: false,
    });
    expect(folders).toEqual({
      workspace: "/p",
      outputs: "/p/outputs",
      outputsInsideProject: true,
      notes: [],
    });
  });

  it("refuses outputs a symlink leads out of the project, naming where, on the outputs field", () => {
    const error = refusal(() =>
      checkHostFolders({
        workspace,
        outputs: { path: "/p/lnk/sub", realPath: "/elsewhere/sub" },
        written: "lnk/sub",
        allowOutside: false,
      }),
    );
    expect(error.code).toBe("OutputsOutsideProject");
    expect(error.message).toBe(
      "The outputs folder lnk/sub leads through a symlink to /elsewhere/sub, outside the project (/p).",
    );
    expect(error.location?.field).toBe("outputs");
    expect(error.fix).toContain("allowOutputsOutsideProject: true");
  });

  it("compares real paths: a project reached through a symlink is still the project", () => {
    const folders = checkHostFolders({
      workspace: { path: "/home/u/p", realPath: "/data/p" },
      outputs: { path: "/home/u/p/outputs", realPath: "/data/p/outputs" },
      written: "outputs",
      allowOutside: false,
    });
    expect(folders.outputsInsideProject).toBe(true);
    expect(folders.notes).toEqual([
      "workspace: /home/u/p leads through a symlink to /data/p (mounted read-only)",
    ]);
  });

  it("refuses outputs that lead to the project itself or above it, even when outside is allowed", () => {
    const error = refusal(() =>
      checkHostFolders({
        workspace,
        outputs: { path: "/p/up", realPath: "/" },
        written: "up",
        allowOutside: true,
      }),
    );
    expect(error.code).toBe("OutputsHoldProject");
  });

  it("allows outside outputs when the profile says so, and says so; their owner is never changed", () => {
    const folders = checkHostFolders({
      workspace,
      outputs: { path: "/results", realPath: "/results" },
      written: "/results",
      allowOutside: true,
    });
    expect(folders.outputsInsideProject).toBe(false);
    expect(folders.notes).toEqual([
      "outputs: /results is outside the project, allowed by allowOutputsOutsideProject; its owner is left as it is",
    ]);
  });
});
