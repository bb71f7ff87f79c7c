import { compareVersions } from "../parity/units";
/**
 * The least Linux driver each CUDA release was shipped for (CUDA's release notes, "CUDA Toolkit
 * and Corresponding Driver Versions", the GA release of each).
 */
const RELEASE_DRIVERS: readonly [cuda: string, driver: string][] = [
  ["13.1", "590.44.01"],
  ["13.0", "580.65.06"],
  ["12.9", "575.51.03"],
  ["12.8", "570.26"],
  ["12.6", "560.28.03"],
  ["12.5", "555.42.02"],
  ["12.4", "550.54.14"],
  ["12.3", "545.23.06"],
  ["12.2", "535.54.03"],
  ["12.1", "530.30.02"],
  ["12.0", "525.60.13"],
  ["11.8", "520.61.05"],
  ["11.7", "515.43.04"],
  ["11.6", "510.39.01"],
  ["11.5", "495.29.05"],
  ["11.4", "470.42.01"],
  ["11.3", "465.19.01"],
  ["11.2", "460.27.03"],
  ["11.1", "455.23"],
  ["11.0", "450.51.05"], // 11.0.2, the GA release (11.0.1 was a release candidate)
  ["10.2", "440.33"],
  ["10.1", "418.39"],
  ["10.0", "410.48"],
];

/**
 * Since CUDA 11 a program built with any release of a major version runs on the driver of that
 * major version's first release ("minor version compatibility"), except PTX that must be compiled
 * by a newer driver.
 */
const FAMILY_DRIVERS: Readonly<Record<number, string>> = {
  11: "450.80.02",
  12: "525.60.13",
  13: "580.65.06",
};

/** Whether a driver runs what was built with a CUDA release. */
export type DriverFit =
  /** The driver is at least the release's own: everything runs. */
  | { fit: "full" }
  /** Older than the release's driver but of its major version's family: it runs, but PTX the release made cannot be compiled by it. */
  | { fit: "minor-compatible"; releaseDriver: string }
  /** Too old: "CUDA driver version is insufficient for CUDA runtime version". */
  | { fit: "too-old"; leastDriver: string }
  /** A CUDA release this table does not know. */
  | { fit: "unknown" };

/** How `driver` ("535.104.05") runs code built with CUDA `cuda` ("12.4"). */
export function driverFit(cuda: string, driver: string): DriverFit {
  const release = minimumDriverFor(cuda);
  if (!release) return { fit: "unknown" };
  if (compareDriver(driver, release) >= 0) return { fit: "full" };
  const family = FAMILY_DRIVERS[Number(cuda.split(".")[0])];
  if (family && compareDriver(driver, family) >= 0)
    return { fit: "minor-compatible", releaseDriver: release };
  return { fit: "too-old", leastDriver: family ?? release };
}

/** The driver a CUDA release was shipped for: 12.4 → 550.54.14; a release between known ones takes the one before. */
export function minimumDriverFor(cuda: string): string | undefined {
  const wanted = cuda.split(".").slice(0, 2).join(".");
  const exact = RELEASE_DRIVERS.find(([release]) => release === wanted);
  if (exact) return exact[1];
  const older = RELEASE_DRIVERS.find(([release]) => compareDriver(release, wanted) < 0);
  const newest = RELEASE_DRIVERS[0]!;
  // Newer than any release known here: its driver is at least the newest one's.
  return compareDriver(wanted, newest[0]) > 0 ? newest[1] : older?.[1];
}

/** The newest CUDA release a driver runs in full: 535.104.05 → "12.2". */
export function cudaOfDriver(driver: string): string | undefined {
  return RELEASE_DRIVERS.find(([, least]) => compareDriver(driver, least) >= 0)?.[0];
}

/** Numeric comparison of dotted driver versions ("535.104.05" < "550.54.14"). */
export const compareDriver = compareVersions;
