import type { V1PodTemplateSpec } from "@kubernetes/client-node";
import { bytesToQuantity, milliCpuToQuantity } from "../profile/quantity";
import type { ClusterSpec } from "../profile/types";

export const GPU_RESOURCE = "nvidia.com/gpu";
const SHM_VOLUME = "dshm";
const WORK_VOLUME = "work";

/** One pod's limits in the units Kubernetes takes. */
export interface PodLimits {
  milliCpu: number;
  memoryBytes: number;
  gpu: number;
  shmBytes: number;
}

export interface PodTemplateInput {
  containerName: string;
  image: string;
  command: string[];
  env: Record<string, string>;
  workingDir: string;
  limits: PodLimits;
  cluster: ClusterSpec;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * The pod every replica runs: requests equal limits (Guaranteed QoS, so the pod gets exactly what
 * it runs with locally), /dev/shm as memory-backed emptyDir, and the profile's placement.
 */
export function podTemplate(input: PodTemplateInput): V1PodTemplateSpec {
  const { limits, cluster } = input;
  const resources: Record<string, string> = {
    cpu: milliCpuToQuantity(limits.milliCpu),
    memory: bytesToQuantity(limits.memoryBytes),
    ...(limits.gpu > 0 ? { [GPU_RESOURCE]: String(limits.gpu) } : {}),
  };
  return {
    metadata: { labels: input.labels, annotations: input.annotations },
    spec: {
      restartPolicy: "Never",
      containers: [
        {
          name: input.containerName,
          image: input.image,
          command: input.command,
          workingDir: input.workingDir,
          env: Object.entries(input.env).map(([name, value]) => ({ name, value })),
          resources: { requests: { ...resources }, limits: { ...resources } },
          volumeMounts: [
            { name: SHM_VOLUME, mountPath: "/dev/shm" },
            { name: WORK_VOLUME, mountPath: input.workingDir },
          ],
        },
      ],
      volumes: [
        { name: SHM_VOLUME, emptyDir: { medium: "Memory", sizeLimit: bytesToQuantity(limits.shmBytes) } },
        // The code is in the image; the job's working folder (where it writes its outputs) is scratch
        // space the image's non-root user can write, as the mounted project is locally.
        { name: WORK_VOLUME, emptyDir: {} },
      ],
      nodeSelector: cluster.nodeSelector,
      tolerations: cluster.tolerations,
    },
  };
}
