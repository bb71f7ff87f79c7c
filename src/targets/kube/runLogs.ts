import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { replicaName } from "../../core/diagnosis/cluster/objects";
import type { LogLine } from "../../core/job/types";
import type { KubeConnection } from "./connection";
import { LogCursor, splitTimestamp, type LogPosition } from "./logCursor";
import { followPodLogs } from "./podLogs";
import { newLinesAfter, type RecordedPosition } from "./recordedLogs";

interface Follower {
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
 * The logs of every pod of a run, merged: one follower per container once it has started, each
 * line tagged with its replica. `finish` stops following and reads every log in full once more,
 * passing on only the lines the followers had not, so the run keeps its complete output.
 */
export class RunLogs {
  private readonly followers = new Map<string, Follower>();
  /** Once finishing or stopped, no new follower starts (it would never be stopped). */
  private closed = false;

  constructor(
    private readonly conn: KubeConnection,
    private readonly namespace: string,
    private readonly onLine: (line: LogLine) => void,
    /** Per source, where the run's recorded log stops: lines up to there are not passed on again. */
    private readonly recorded = new Map<string, RecordedPosition>(),
  ) {}

  /** Starts following the containers of a pod that have started; call on every pod change. */
  watchPod(pod: V1Pod): void {
    if (this.closed) return;
    const name = pod.metadata?.name ?? "";
    for (const status of pod.status?.containerStatuses ?? []) {
      const key = `${name}/${status.name}`;
      if (this.followers.has(key) || !(status.state?.running || status.state?.terminated)) continue;
      const source = replicaName(pod);
      const follower: Follower = {
        pod: name,
        container: status.name,
        source,
        controller: new AbortController(),
        isNew: newLinesAfter(this.recorded.get(source)),
        done: Promise.resolve(),
      };
      follower.done = followPodLogs(this.conn, this.namespace, name, status.name, {
        signal: follower.controller.signal,
        onLine: (line) => this.emit(follower, line),
      }).then((position) => {
        follower.position = position;
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
      for (const line of text.split("\n")) {
        const parsed = splitTimestamp(line);
        if (parsed && cursor.accept(parsed.time)) this.emit(follower, parsed);
      }
    }
  }

  /** Stops following without a last read (the run was cancelled and its pods are being deleted). */
  async stop(): Promise<void> {
    this.closed = true;
    for (const follower of this.followers.values()) follower.controller.abort();
    await Promise.all([...this.followers.values()].map((follower) => follower.done));
  }

  private emit(follower: Follower, line: { time: string; text: string }): void {
    const time = Date.parse(line.time);
    if (!follower.isNew(time)) return;
    this.onLine({ stream: "stdout", text: line.text, time, source: follower.source });
  }
}
