import type { Diagnosis } from "../diagnosis/types";
import { ceilQuantity, formatBytes, milliCpuToQuantity, parseQuantity } from "../profile/quantity";
import { GPU_RESOURCE } from "../manifests/podTemplate";
import type { PodDemand, QuotaFacts } from "./types";

/** Everything in thousandths, as bigint: quantities as the API counts them, without float drift. */
interface Totals {
  cpu: bigint;
  memory: bigint;
  gpu: bigint;
  pods: bigint;
}

/** Quota names that count what a pod asks for (requests equal limits in Parity's pods). */
const COUNTED: Record<string, keyof Totals> = {
  cpu: "cpu",
  "requests.cpu": "cpu",
  "limits.cpu": "cpu",
  memory: "memory",
  "requests.memory": "memory",
  "limits.memory": "memory",
  [`requests.${GPU_RESOURCE}`]: "gpu",
  [`limits.${GPU_RESOURCE}`]: "gpu",
  pods: "pods",
  "count/pods": "pods",
};

/** A quota the job's pods would push over its hard limit: the API server refuses those pods. */
export function checkQuotas(namespace: string, demands: PodDemand[], quotas: QuotaFacts[]): Diagnosis[] {
  const totals = demandTotals(demands);
  const problems: Diagnosis[] = [];
  for (const quota of quotas) {
    const resources = Object.entries(quota.hard).sort(([a], [b]) => a.localeCompare(b));
    for (const [resource, hardText] of resources) {
      const counted = COUNTED[resource];
      if (!counted || totals[counted] === 0n) continue;
      const hard = thousandths(hardText);
      const used = thousandths(quota.used[resource] ?? "0");
      const wanted = totals[counted];
      if (used + wanted <= hard) continue;
      const show = (value: bigint) => format(counted, value);
      const left = hard > used ? hard - used : 0n;
      problems.push({
        code: "QuotaExceeded",
        severity: "error",
        message:
          `ResourceQuota ${quota.name} in ${namespace}: ${resource} would be ${show(used + wanted)} of ${show(hard)} ` +
          `(${show(used)} used + ${show(wanted)} for this job); the API server refuses the pods that do not fit.`,
        fix:
          left > 0n
            ? `Ask for at most ${show(left)} of ${resource} in total (parity.yaml resources, or fewer workers), wait for other jobs in ${namespace} to finish, or ask its admin to raise quota ${quota.name}.`
            : `Nothing of ${resource} is left in ${namespace}: wait for other jobs there to finish, use another namespace, or ask its admin to raise quota ${quota.name}.`,
      });
    }
  }
  return problems;
}

function demandTotals(demands: PodDemand[]): Totals {
  const totals: Totals = { cpu: 0n, memory: 0n, gpu: 0n, pods: 0n };
  for (const demand of demands) {
    const count = BigInt(demand.count);
    totals.cpu += count * BigInt(demand.cpuMilli);
    totals.memory += count * BigInt(demand.memoryBytes) * 1000n;
    totals.gpu += count * BigInt(demand.gpu) * 1000n;
    totals.pods += count * 1000n;
  }
  return totals;
}

function thousandths(text: string): bigint {
  return ceilQuantity(parseQuantity(text), 1000n);
}

function format(kind: keyof Totals, value: bigint): string {
  const whole = Number(value / 1000n);
  if (kind === "cpu") return milliCpuToQuantity(Number(value));
  if (kind === "memory") return formatBytes(whole);
  return String(whole);
}
