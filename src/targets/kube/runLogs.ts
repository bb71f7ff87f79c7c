import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { replicaName } from "../../core/diagnosis/cluster/objects";
import type { LogLine } from "../../core/job/types";
import type { KubeConnection } from "./connection";
import { LogCursor, splitTimestamp, type LogPosition } from "./logCursor";
import { followPodLogs } from "./podLogs";
import { newLinesAfter, type RecordedPosition } from "./recordedLogs";
import { ReplicaMerge } from "./replicaMerge";

interface Follower {
  key: string;
  pod: string;
  container: string;
  source: string;
  controller: AbortController;
  position?: LogPosition;
  /** False for lines an earlier process already recorded (a run attached to again). */
  isNew: (timeMs: number) => boolean;
  done: Promise<void>;
}

/**
 * The logs of every pod of a run, merged by the kubelet's times (ReplicaMerge): one follower per
 * container once it has started, each line tagged with its replica. `finish` stops following and
 * reads every log in full once more, passing on only the lines the followers had not, merged with
 * what still waits, so the run keeps its complete output in time order.
 */
export class RunLogs {
  private readonly followers = new Map<string, Follower>();
  /** Once finishing or stopped, no new follower starts (it would never be stopped). */
  private closed = false;
  private readonly merge: ReplicaMerge;

  constructor(
    private readonly conn: KubeConnection,
    private readonly namespace: string,
    onLine: (line: LogLine) => void,
    /** Per source, where the run's recorded log stops: lines up to there are not passed on again. */
    private readonly recorded = new Map<string, RecordedPosition>(),
    /** The containers whose logs are the run's (all, when not said): an Argo pod's `main`, not its `wait`. */
    private readonly followsContainer: (name: string) => boolean = () => true,
    /** A followed container's line as the run keeps it; undefined leaves it out (a sidecar's own lines). */
    private readonly textOf: (container: string, text: string) => string | undefined = (_, text) => text,
  ) {
    this.merge = new ReplicaMerge(onLine);
  }

  /** Starts following the containers of a pod that have started; call on every pod change. */
  watchPod(pod: V1Pod): void {
    if (this.closed) return;
    const name = pod.metadata?.name ?? "";
    for (const status of pod.status?.containerStatuses ?? []) {
      const key = `${name}/${status.name}`;
      if (this.followers.has(key) || !(status.state?.running || status.state?.terminated)) continue;
      if (!this.followsContainer(status.name)) continue;
      const source = replicaName(pod);
      const follower: Follower = {
        key,
        pod: name,
        container: status.name,
        source,
        controller: new AbortController(),
        isNew: newLinesAfter(this.recorded.get(source)),
        done: Promise.resolve(),
      };
      this.merge.open(key);
      follower.done = followPodLogs(this.conn, this.namespace, name, status.name, {
        signal: follower.controller.signal,
        onLine: (line) => this.emit(follower, line),
      }).then((position) => {
        follower.position = position;
        // Stopped by finish: its last lines are still to come from the full read.
        if (!this.closed) this.merge.close(key);
      });
      this.followers.set(key, follower);
    }
  }

  /** Stops the followers, then takes each pod's whole log and keeps what they had not passed on. */
  async finish(pods: V1Pod[]): Promise<void> {
    for (const pod of pods) this.watchPod(pod);
    this.closed = true;
    for (const follower of this.followers.values()) follower.controller.abort();
    await Promise.all([...this.followers.values()].map((follower) => follower.done));
    const core = this.conn.config.makeApiClient(CoreV1Api);
    const missed = new Map<string, LogLine[]>();
    for (const follower of this.followers.values()) {
      let text: string;
      try {
        text = await core.readNamespacedPodLog({
          name: follower.pod,
          namespace: this.namespace,
          container: follower.container,
          timestamps: true,
        });
      } catch {
        continue; // The pod is gone (or its node is): what was followed is all there is.
      }
      const cursor = new LogCursor(follower.position);
      cursor.startStream();
      const lines: LogLine[] = [];
      for (const line of text.split("\n")) {
        const parsed = splitTimestamp(line);
        const read = parsed && cursor.accept(parsed.time) && this.lineOf(follower, parsed);
        if (read) lines.push(read);
      }
      missed.set(follower.key, lines);
    }
    this.merge.addAll(missed);
    this.merge.flush();
  }

  /** Stops following without a last read (the run was cancelled and its pods are being deleted). */
  async stop(): Promise<void> {
    this.closed = true;
    for (const follower of this.followers.values()) follower.controller.abort();
    await Promise.all([...this.followers.values()].map((follower) => follower.done));
    this.merge.flush();
  }

  private emit(follower: Follower, line: { time: string; text: string }): void {
    const read = this.lineOf(follower, line);
    if (read) this.merge.add(follower.key, read);
  }

  /** The line to record, or undefined for one an earlier process already recorded. */
  private lineOf(follower: Follower, line: { time: string; text: string }): LogLine | undefined {
    const time = Date.parse(line.time);
    if (!follower.isNew(time)) return undefined;
    const text = this.textOf(follower.container, line.text);
    return text === undefined ? undefined : { stream: "stdout", text, time, source: follower.source };
  }
}
