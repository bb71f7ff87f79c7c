import { describe, expect, it } from "vitest";
import { cudaOfDriver, driverFit, minimumDriverFor } from "../../../src/core/gpu/driver";

describe("which NVIDIA driver runs which CUDA", () => {
  it("knows the driver each CUDA release was shipped for", () => {
    expect(minimumDriverFor("12.4")).toBe("550.54.14");
    expect(minimumDriverFor("12.1.105")).toBe("530.30.02");
    expect(minimumDriverFor("13.0")).toBe("580.65.06");
    // 12.7 was never released: the one before it; newer than any known: at least the newest.
    expect(minimumDriverFor("12.7")).toBe("560.28.03");
    expect(minimumDriverFor("14.0")).toBe("590.44.01");
    expect(minimumDriverFor("9.0")).toBeUndefined();
    // 11.0's GA release (11.0.2), not its release candidate's 450.36.06.
    expect(minimumDriverFor("11.0")).toBe("450.51.05");
  });

  it("runs a newer CUDA of the same major version on an older driver, without PTX compilation", () => {
    expect(driverFit("12.1", "535.104.05")).toEqual({ fit: "full" });
    expect(driverFit("12.4", "535.104.05")).toEqual({ fit: "minor-compatible", releaseDriver: "550.54.14" });
    expect(driverFit("12.8", "525.60.13")).toEqual({ fit: "minor-compatible", releaseDriver: "570.26" });
    expect(driverFit("12.1", "470.182.03")).toEqual({ fit: "too-old", leastDriver: "525.60.13" });
    expect(driverFit("13.0", "575.51.03")).toEqual({ fit: "too-old", leastDriver: "580.65.06" });
    expect(driverFit("11.8", "450.80.02")).toEqual({ fit: "minor-compatible", releaseDriver: "520.61.05" });
    expect(driverFit("8.0", "450.80.02")).toEqual({ fit: "unknown" });
  });

  it("names the newest CUDA a driver runs in full", () => {
    expect(cudaOfDriver("535.104.05")).toBe("12.2");
    expect(cudaOfDriver("580.159.04")).toBe("13.0");
    expect(cudaOfDriver("390.1")).toBeUndefined();
  });
});
