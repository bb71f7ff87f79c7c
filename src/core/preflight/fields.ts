import { formatBytes, milliCpuToQuantity } from "../profile/quantity";

export type ResourceName = "gpu" | "memory" | "cpu";

/** The parity.yaml field that sets a resource for pods of this role. */
export function profileField(role: string, resource: ResourceName): string {
  return role === "worker" ? `cluster.distributed.workerResources.${resource}` : `resources.${resource}`;
}

/** "8 GPUs", "16 GiB of memory", "2 CPUs". */
export function amount(resource: ResourceName, value: number): string {
  if (resource === "gpu") return `${value} GPU${value === 1 ? "" : "s"}`;
  if (resource === "memory") return `${formatBytes(value)} of memory`;
  const cpus = milliCpuToQuantity(value);
  return value % 1000 === 0 ? `${cpus} CPU${value === 1000 ? "" : "s"}` : `${cpus} CPU`;
}

/** "4", "8 GiB", "500m": the number alone, after "has". */
export function bare(resource: ResourceName, value: number): string {
  if (resource === "gpu") return String(value);
  return resource === "memory" ? formatBytes(value) : milliCpuToQuantity(value);
}

/** How a value is written in parity.yaml: 4, "8Gi", "500m". */
export function written(resource: ResourceName, value: number): string {
  if (resource === "gpu") return String(value);
  if (resource === "cpu") return `"${milliCpuToQuantity(value)}"`;
  const mebibytes = Math.floor(value / 1024 ** 2);
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`;
}

/** "the worker pods", "the job's pod". */
export function whose(role: string): string {
  return role === "job" ? "the job's pod" : `each ${role} pod`;
}
