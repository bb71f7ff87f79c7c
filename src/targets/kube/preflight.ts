import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1Pod,
} from "@kubernetes/client-node";
import type { Diagnosis } from "../../core/diagnosis/types";
import { ParityError } from "../../core/errors";
import { gpuPlacementProblems, landingGpuDriver } from "../../core/gpu/placement";
import type { ProductionGpu } from "../../core/gpu/productionGpu";
import { podDemands } from "../../core/manifests";
import {
  limitRangeFactsFrom,
  nodeFactsFrom,
  predictScheduling,
  quotaFactsFrom,
  type ClusterFacts,
  type FactSource,
  type Prediction,
} from "../../core/preflight";

/** Pods that still hold their requests: the scheduler frees those of Succeeded and Failed pods. */
const UNFINISHED = "status.phase!=Succeeded,status.phase!=Failed";
const PAGE = 500;

const WHAT: Record<FactSource, { words: string; skipped: string; grant: string }> = {
  nodes: {
    words: "nodes",
    skipped: "whether any node can hold the job",
    grant: "list on nodes (a ClusterRole)",
  },
  pods: {
    words: "pods in all namespaces",
    skipped: "how much of each node is already taken",
    grant: "list on pods cluster-wide",
  },
  quotas: {
    words: "resourcequotas",
    skipped: "the namespace's ResourceQuota",
    grant: "list on resourcequotas",
  },
  limitRanges: { words: "limitranges", skipped: "the namespace's LimitRange", grant: "list on limitranges" },
};

/** Reads what the scheduler and admission would judge the job by; a 403 skips that part and says so. */
export async function clusterFacts(config: KubeConfig, namespace: string): Promise<ClusterFacts> {
  const core = config.makeApiClient(CoreV1Api);
  const unchecked: ClusterFacts["unchecked"] = [];
  const read = async <T>(source: FactSource, list: () => Promise<T[]>): Promise<T[] | undefined> => {
    try {
      return await list();
    } catch (error) {
      if (error instanceof ApiException && error.code === 403) {
        const what = WHAT[source];
        unchecked.push({
          source,
          message: `Could not check ${what.skipped}: you may not list ${what.words}${source === "nodes" || source === "pods" ? "" : ` in ${namespace}`}.`,
          fix: `Ask a cluster admin for ${what.grant}, or rely on the scheduler: a pod that cannot be placed stays Pending with a FailedScheduling event.`,
        });
        return undefined;
      }
      throw new ParityError(
        "PreflightFailed",
        `Could not read ${WHAT[source].words} from the cluster: ${describe(error)}`,
        {
          fix: "Check that the cluster is reachable (parity check --target cluster), then try again.",
          cause: error,
        },
      );
    }
  };
  const [nodes, pods, quotas, limitRanges] = await Promise.all([
    read("nodes", async () => (await core.listNode()).items),
    read("pods", () => listUnfinishedPods(core)),
    read("quotas", async () => (await core.listNamespacedResourceQuota({ namespace })).items),
    read("limitRanges", async () => (await core.listNamespacedLimitRange({ namespace })).items),
  ]);
  const order = Object.keys(WHAT);
  unchecked.sort((a, b) => order.indexOf(a.source) - order.indexOf(b.source));
  return {
    nodes: nodes ? nodeFactsFrom(nodes, pods ?? []) : [],
    quotas: quotaFactsFrom(quotas ?? []),
    limitRanges: limitRangeFactsFrom(limitRanges ?? []),
    unchecked,
  };
}

async function listUnfinishedPods(core: CoreV1Api): Promise<V1Pod[]> {
  const pods: V1Pod[] = [];
  let next: string | undefined;
  do {
    const page = await core.listPodForAllNamespaces({
      fieldSelector: UNFINISHED,
      limit: PAGE,
      _continue: next,
    });
    pods.push(...page.items);
    next = page.metadata?._continue || undefined;
  } while (next);
  return pods;
}

/**
 * Whether the workload's pods would be admitted and placed now, with what could not be checked.
 * `known` is the cluster as already read (one read for several workloads, a pipeline's steps);
 * `production` is the profile's GPU, checked against the GPUs of the nodes the pods can land on.
 */
export async function preflight(
  config: KubeConfig,
  namespace: string,
  workload: KubernetesObject,
  known?: ClusterFacts,
  production?: ProductionGpu,
): Promise<Prediction> {
  const facts = known ?? (await clusterFacts(config, namespace));
  const nodesKnown = !facts.unchecked.some((entry) => entry.source === "nodes");
  const demands = podDemands(workload);
  const prediction = predictScheduling({
    namespace,
    demands,
    nodes: nodesKnown ? facts.nodes : undefined,
    quotas: facts.quotas,
    limitRanges: facts.limitRanges,
  });
  const warnings: Diagnosis[] = facts.unchecked.map(({ message, fix }) => ({
    code: "PreflightIncomplete",
    severity: "warning",
    message,
    fix,
  }));
  const gpus = nodesKnown ? gpuPlacementProblems(facts.nodes, demands, production) : [];
  const gpuDriver = nodesKnown ? landingGpuDriver(facts.nodes, demands) : undefined;
  return {
    ...prediction,
    problems: [...prediction.problems, ...gpus, ...warnings],
    ...(gpuDriver && { gpuDriver }),
  };
}

function describe(error: unknown): string {
  if (error instanceof ApiException) return `the API server answered ${error.code}.`;
  return error instanceof Error ? `${error.message}.` : "unknown error.";
}
