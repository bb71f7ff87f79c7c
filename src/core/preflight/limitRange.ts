import type { Diagnosis } from "../diagnosis/types";
import { quantityToBytes, quantityToMilliCpu } from "../profile/quantity";
import { GPU_RESOURCE } from "../manifests/podTemplate";
import { bare, profileField, whose, written, type ResourceName } from "./fields";
import { demandOf } from "./nodes";
import type { LimitRangeFacts, PodDemand } from "./types";

const KEYS: Record<ResourceName, string> = { cpu: "cpu", memory: "memory", gpu: GPU_RESOURCE };

function valueOf(resource: ResourceName, text: string): number {
  if (resource === "cpu") return quantityToMilliCpu(text);
  if (resource === "memory") return quantityToBytes(text);
  return Number(text);
}

/**
 * LimitRange max and min per Container and per Pod: the API server refuses a pod outside them.
 * Parity's pods have one container whose requests equal its limits, so a pod's values are its container's.
 */
export function checkLimitRanges(
  namespace: string,
  demands: PodDemand[],
  ranges: LimitRangeFacts[],
): Diagnosis[] {
  const problems: Diagnosis[] = [];
  for (const range of ranges) {
    for (const item of range.limits) {
      if (item.type !== "Container" && item.type !== "Pod") continue;
      for (const demand of demands) {
        for (const resource of ["cpu", "memory", "gpu"] as const) {
          const asked = demandOf(demand, resource);
          const max = item.max?.[KEYS[resource]];
          const min = item.min?.[KEYS[resource]];
          const where = `LimitRange ${range.name} in ${namespace}`;
          const field = profileField(demand.role, resource);
          if (max !== undefined && asked > valueOf(resource, max)) {
            problems.push({
              code: "LimitRangeViolation",
              severity: "error",
              message: `${where} allows a ${item.type} at most ${bare(resource, valueOf(resource, max))} ${resource}; ${whose(demand.role)} asks for ${bare(resource, asked)}.`,
              fix: `Set ${field} to at most ${written(resource, valueOf(resource, max))} in parity.yaml, or ask the namespace admin to raise ${range.name}.`,
            });
          }
          if (min !== undefined && asked < valueOf(resource, min)) {
            problems.push({
              code: "LimitRangeViolation",
              severity: "error",
              message: `${where} requires a ${item.type} to have at least ${bare(resource, valueOf(resource, min))} ${resource}; ${whose(demand.role)} asks for ${bare(resource, asked)}.`,
              fix: `Set ${field} to at least ${written(resource, valueOf(resource, min))} in parity.yaml.`,
            });
          }
        }
      }
    }
  }
  return problems;
}
