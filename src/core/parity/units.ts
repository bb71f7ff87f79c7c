const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** Kubernetes quantity for parity.yaml: rounds up to whole GiB ("12Gi") or MiB. */
export function formatQuantity(bytes: number): string {
  return bytes >= GIB ? `${Math.ceil(bytes / GIB)}Gi` : `${Math.ceil(bytes / MIB)}Mi`;
}

/** Numeric comparison of dotted versions ("12.10" > "12.4"); non-numeric parts compare as 0. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(".").map((part) => parseInt(part, 10) || 0);
  const right = b.split(".").map((part) => parseInt(part, 10) || 0);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** True when `version` ("3.11.7") matches `wanted` ("3.11") at the precision `wanted` gives. */
export function sameVersionPrefix(version: string, wanted: string): boolean {
  const parts = wanted.split(".");
  return version.split(".").slice(0, parts.length).join(".") === parts.join(".");
}

export function majorMinor(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}
