import { DEFAULT_REQUIREMENTS, resolveProfile } from "./resolve";
import type { Profile, ResolvedProfile } from "./types";

export const PROFILE_API_VERSION = "parity.dev/v1";
export const DEFAULT_PYTHON = "3.11";
export const DEFAULT_RESOURCES = { memory: "2Gi", cpu: "2", gpu: 0, shm: "256Mi" } as const;
export const DEFAULT_OUTPUTS = "outputs";

/** Parity's own base image for a Python version; the project builds it locally from Debian packages. */
export function defaultBaseImage(python: string = DEFAULT_PYTHON): string {
  return `parity/python:${python}-bookworm`;
}

/** The profile a workspace without parity.yaml runs on: local Docker, modest limits, no cluster. */
export function defaultProfileDocument(): Profile {
  return {
    apiVersion: PROFILE_API_VERSION,
    kind: "Profile",
    image: {
      base: defaultBaseImage(),
      python: DEFAULT_PYTHON,
      requirements: DEFAULT_REQUIREMENTS,
      systemPackages: [],
    },
    resources: { ...DEFAULT_RESOURCES },
    env: {},
    build: { caCertificates: [], network: "bridge" },
    outputs: DEFAULT_OUTPUTS,
  };
}

/**
 * The embedded default profile for a workspace folder. Its requirements file is only a
 * candidate: callers use it when `paths.requirements` exists.
 */
export function defaultProfile(dir: string): ResolvedProfile {
  return resolveProfile(defaultProfileDocument(), { dir, source: "default" });
}
