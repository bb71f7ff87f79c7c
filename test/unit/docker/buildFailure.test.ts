import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { explainBuildFailure } from "../../../src/targets/docker/buildImage";

// pip 23.0.1 (Debian bookworm's, the base image's) given "numpy; rm -rf /", recorded: without -v it
// prints "ERROR: Exception:" and a traceback whose last line is the real reason.
const INVALID_MARKER = readFileSync(
  path.join(__dirname, "../../fixtures/pip/invalid-marker-pip-23.0.1.txt"),
  "utf8",
).split("\n");
const FAILED = "The command '/bin/sh -c python3 -m venv ... pip install' returned a non-zero code: 2";

describe("explainBuildFailure with pip's tracebacks", () => {
  it("shows the exception a traceback ends with instead of a bare 'ERROR: Exception:'", () => {
    const tail = ["Step 9/18 : RUN python3 -m venv ...", ...INVALID_MARKER].slice(-40);
    const error = explainBuildFailure(FAILED, tail);
    expect(error.code).toBe("DependencyInstallFailed");
    expect(error.message).toBe(
      "Installing the requirements failed:\nInvalidMarker: Invalid marker: 'rm', parse error at 'rm'",
    );
  });

  it("says to add git to the system packages when pip cannot find it for a git+ requirement", () => {
    const error = explainBuildFailure(FAILED, [
      "ERROR: Cannot find command 'git' - do you have 'git' installed and in your PATH?",
    ]);
    expect(error.message).toContain("ERROR: Cannot find command 'git'");
    expect(error.fix).toContain("add git to image.systemPackages");
  });
});
