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

describe("explainBuildFailure with pip's resolver conflict", () => {
  // The serving image's install of KServe under the run image's own `pip freeze` as constraints.
  const TAIL = [
    "Step 4/11 : RUN ... pip install ... -c /tmp/parity-constraints.txt kserve==0.20.0 ...",
    "ERROR: Cannot install kserve==0.20.0 because these package versions have conflicting dependencies.",
    "ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts",
    "",
    "The conflict is caused by:",
    "    kserve 0.20.0 depends on python-dateutil<3.0.0 and >=2.8.0",
    "    The user requested (constraint) python-dateutil==4.0.0",
    "",
    "To fix this you could try to:",
    "1. loosen the range of package versions you've specified",
  ];
  const SERVING_FAILED = "The command '/bin/sh -c ...pip install...' returned a non-zero code: 1";

  it("names the two packages whose versions conflict, after pip's own error lines", () => {
    const error = explainBuildFailure(SERVING_FAILED, TAIL);
    expect(error.code).toBe("DependencyInstallFailed");
    expect(error.message).toBe(
      [
        "Installing the requirements failed:",
        "ERROR: Cannot install kserve==0.20.0 because these package versions have conflicting dependencies.",
        "ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts",
        "kserve 0.20.0 depends on python-dateutil<3.0.0 and >=2.8.0",
        "The user requested (constraint) python-dateutil==4.0.0",
      ].join("\n"),
    );
    expect(error.message).not.toContain("loosen the range");
  });

  it("reads the cause to its end when the tail stops before pip's advice", () => {
    const error = explainBuildFailure(SERVING_FAILED, TAIL.slice(0, 7));
    expect(error.message).toContain("kserve 0.20.0 depends on python-dateutil<3.0.0 and >=2.8.0");
    expect(error.message).toContain("The user requested (constraint) python-dateutil==4.0.0");
  });
});
