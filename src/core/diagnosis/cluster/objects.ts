/**
 * The parts of core/v1 objects the diagnosis reads, as both the typed client (Date fields) and a
 * raw watch (ISO strings) deliver them; kept structural so core never imports the client.
 */
export type Timestamp = Date | string | undefined | null;

export interface ContainerStateLike {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: Timestamp };
  terminated?: {
    reason?: string;
    message?: string;
    exitCode: number;
    signal?: number;
    startedAt?: Timestamp;
    finishedAt?: Timestamp;
  };
}

export interface ContainerStatusLike {
  name: string;
  restartCount?: number;
  state?: ContainerStateLike;
  lastState?: ContainerStateLike;
}

export interface PodLike {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    creationTimestamp?: Timestamp;
    deletionTimestamp?: Timestamp;
  };
  spec?: {
    nodeName?: string;
    containers?: {
      name: string;
      image?: string;
      resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
    }[];
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    startTime?: Timestamp;
    conditions?: {
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: Timestamp;
    }[];
    containerStatuses?: ContainerStatusLike[];
    initContainerStatuses?: ContainerStatusLike[];
  };
}

export interface EventLike {
  metadata?: { name?: string; creationTimestamp?: Timestamp; managedFields?: { time?: Timestamp }[] };
  involvedObject?: { kind?: string; name?: string; uid?: string };
  regarding?: { kind?: string; name?: string; uid?: string };
  type?: string;
  reason?: string;
  message?: string;
  note?: string;
  count?: number;
  series?: { count?: number };
  eventTime?: Timestamp;
  firstTimestamp?: Timestamp;
  lastTimestamp?: Timestamp;
}

export function isoTime(value: Timestamp): string | undefined {
  if (!value) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const REPLICA_TYPE = "training.kubeflow.org/replica-type";
const REPLICA_INDEX = "training.kubeflow.org/replica-index";

/** "master-0", "worker-1" for a training job's pod (the Training Operator's labels); else the pod's name. */
export function replicaName(pod: PodLike): string {
  const labels = pod.metadata?.labels ?? {};
  const type = labels[REPLICA_TYPE];
  const index = labels[REPLICA_INDEX];
  if (type && index !== undefined) return `${type.toLowerCase()}-${index}`;
  return pod.metadata?.name ?? "pod";
}

/** The role a pod plays in its workload, as preflight's demands name it ("job", "master", "worker"). */
export function replicaRole(pod: PodLike): string {
  return pod.metadata?.labels?.[REPLICA_TYPE]?.toLowerCase() ?? "job";
}
