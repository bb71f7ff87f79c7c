import { describe, expect, it } from "vitest";
import { archSupport, parseBuiltArch } from "../../../src/core/gpu/computeCapability";

const A100 = { major: 8, minor: 0 };
const A10 = { major: 8, minor: 6 };
const H100 = { major: 9, minor: 0 };
const B200 = { major: 10, minor: 0 };
const K80 = { major: 3, minor: 7 };

/**
 * Architecture lists as the frameworks print them. The torch cu102 list is quoted from PyTorch's
 * own warning in upstream issue https://github.com/Turoad/CLRNet/issues/83 ("The current PyTorch
 * install supports CUDA capabilities sm_37 sm_50 sm_60 sm_70."); the others are the lists official
 * wheels were built with, as get_arch_list() and tf.sysconfig.get_build_info() return them.
 */
const TORCH_CU102 = ["sm_37", "sm_50", "sm_60", "sm_70"];
const TORCH_CU121 = ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"];
const TORCH_CU128 = ["sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120", "compute_120"];
const TENSORFLOW_2_16 = ["sm_50", "sm_60", "sm_70", "sm_80", "compute_90"];

describe("compute capabilities a build can run on", () => {
  it("reads sm_, compute_, arch-specific and dotted names", () => {
    expect(parseBuiltArch("sm_86")).toEqual({ kind: "sass", capability: A10 });
    expect(parseBuiltArch("compute_120")).toEqual({ kind: "ptx", capability: { major: 12, minor: 0 } });
    expect(parseBuiltArch("sm_90a")).toEqual({ kind: "sass", capability: H100, variant: "a" });
    expect(parseBuiltArch("sm_100")).toEqual({ kind: "sass", capability: B200 });
    expect(parseBuiltArch("7.5")).toEqual({ kind: "sass", capability: { major: 7, minor: 5 } });
    expect(parseBuiltArch("gfx90a")).toBeUndefined();
  });

  it("runs machine code on the same major version at the same or a newer minor one", () => {
    expect(archSupport(TORCH_CU121, A100)).toBe("native");
    expect(archSupport(["sm_80"], A10)).toBe("native");
    expect(archSupport(["sm_86"], A100)).toBe("none");
    expect(archSupport(["sm_80"], H100)).toBe("none");
    expect(archSupport(["sm_90a"], H100)).toBe("native");
    expect(archSupport(["sm_90a"], { major: 9, minor: 1 })).toBe("none");
  });

  it("says which builds have no kernel for a GPU, and which only PTX", () => {
    // The upstream case: an sm_37..sm_70 torch on an A100 or an RTX 3090 (sm_86).
    expect(archSupport(TORCH_CU102, A100)).toBe("none");
    expect(archSupport(TORCH_CU102, A10)).toBe("none");
    expect(archSupport(TORCH_CU121, B200)).toBe("none");
    expect(archSupport(TORCH_CU128, K80)).toBe("none");
    expect(archSupport(TORCH_CU128, B200)).toBe("native");
    // TensorFlow ships PTX for the newest architecture: an H100 compiles it when the job starts.
    expect(archSupport(TENSORFLOW_2_16, H100)).toBe("ptx");
    expect(archSupport(TENSORFLOW_2_16, B200)).toBe("ptx");
    expect(archSupport(["compute_90a"], B200)).toBe("none");
  });
});
