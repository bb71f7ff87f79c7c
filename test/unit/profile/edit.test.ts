import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { applyProfileChanges, profileChangesYaml, type ProfileChange } from "../../../src/core/profile/edit";

const GPU_TAINT: ProfileChange = {
  kind: "addTolerations",
  tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }],
};

const PROFILE = `# production
apiVersion: parity.dev/v1
kind: Profile
name: digits-train
image:
  base: parity/python:3.11-bookworm
  python: "3.11" # as production
resources:
  memory: 1Gi
  cpu: "1"
  gpu: 16 # what we hoped for
outputs: outputs
`;

function applied(text: string, changes: ProfileChange[]): string {
  const result = applyProfileChanges(text, changes);
  if (!result.ok) throw new Error(result.reason);
  return result.text;
}

describe("a fix's change to parity.yaml", () => {
  it("replaces one value in place, keeping its comment and every other line", () => {
    const text = applied(PROFILE, [{ kind: "set", path: ["resources", "gpu"], value: 8 }]);
    expect(text).toBe(PROFILE.replace("gpu: 16 # what we hoped for", "gpu: 8 # what we hoped for"));
  });

  it("adds cluster.tolerations where the profile has no cluster section, and reads back as exactly that", () => {
    const text = applied(PROFILE, [GPU_TAINT]);
    expect(text).toBe(
      `${PROFILE}cluster:\n  tolerations:\n    - key: nvidia.com/gpu\n      operator: Equal\n      value: "present"\n      effect: NoSchedule\n`,
    );
    expect((load(text) as { cluster: unknown }).cluster).toEqual({
      tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }],
    });
  });

  it("appends to an existing block list with its own indentation, once", () => {
    const withList = `${PROFILE}cluster:\n  namespace: team-a\n  tolerations:\n  - key: dedicated\n    operator: Exists\n    effect: NoSchedule\n  protected: true\n`;
    const text = applied(withList, [GPU_TAINT]);
    expect(text).toContain(
      "  - key: dedicated\n    operator: Exists\n    effect: NoSchedule\n  - key: nvidia.com/gpu\n    operator: Equal\n",
    );
    expect(text).toMatch(/effect: NoSchedule\n {2}protected: true\n$/);
    // Applied twice, it is there once.
    expect(applied(text, [GPU_TAINT])).toBe(text);
  });

  it("replaces an empty flow list, and adds a missing key under an existing section", () => {
    const empty = `${PROFILE}cluster:\n  tolerations: []\n  namespace: team-a\n`;
    const text = applied(empty, [GPU_TAINT]);
    expect((load(text) as { cluster: { tolerations: unknown[]; namespace: string } }).cluster).toMatchObject({
      namespace: "team-a",
      tolerations: [{ key: "nvidia.com/gpu" }],
    });
    const noGpu = PROFILE.replace("  gpu: 16 # what we hoped for\n", "");
    expect(load(applied(noGpu, [{ kind: "set", path: ["resources", "gpu"], value: 8 }]))).toMatchObject({
      resources: { memory: "1Gi", cpu: "1", gpu: 8 },
    });
  });

  it("makes both changes of a combined fix (fewer GPUs and the toleration for the node that has them)", () => {
    const text = applied(PROFILE, [{ kind: "set", path: ["resources", "gpu"], value: 8 }, GPU_TAINT]);
    expect(load(text)).toMatchObject({
      resources: { gpu: 8 },
      cluster: { tolerations: [{ key: "nvidia.com/gpu", value: "present" }] },
    });
  });

  it("refuses, with the reason, a section written in flow style or a file that is not YAML", () => {
    const flow = PROFILE.replace(
      /resources:\n[\s\S]*?outputs/,
      'resources: { memory: 1Gi, cpu: "1", gpu: 16 }\noutputs',
    );
    expect(applyProfileChanges(flow, [{ kind: "set", path: ["resources", "gpu"], value: 8 }])).toEqual({
      ok: false,
      reason: "parity.yaml writes resources in flow style ({ ... } or [ ... ]); add the lines to it by hand.",
    });
    expect(applyProfileChanges(`${PROFILE}cluster: { protected: true }\n`, [GPU_TAINT]).ok).toBe(false);
    expect(applyProfileChanges("resources: [\n", [GPU_TAINT])).toMatchObject({ ok: false });
  });

  it("shows the same change as the lines to paste, with their indentation", () => {
    expect(profileChangesYaml([{ kind: "set", path: ["resources", "gpu"], value: 8 }, GPU_TAINT])).toBe(
      'resources:\n  gpu: 8\ncluster:\n  tolerations:\n    - key: nvidia.com/gpu\n      operator: Equal\n      value: "present"\n      effect: NoSchedule',
    );
  });
});
