import type { RunHandle, RunResult, TargetName } from "../../core/job/types";
import type { Prediction } from "../../core/preflight";
import type { RegistryCredentials } from "../../targets/registry/credentials";
import type { SessionContext } from "../context";
import type { LoadedJob } from "../job/load";
import type { RunSteps } from "../job/session";
import type { StoredRun } from "../store/runStore";

/** What to run and how: the same request for every target; a target ignores what it has no use for. */
export interface RunRequest extends RunSteps {
  /** kubeconfig context and namespace chosen for this workspace (a setting or a flag); they win over the profile. */
  placement?: { context?: string; namespace?: string };
  /** Kept in VS Code's SecretStorage; they win over the docker config's. */
  registryCredentials?: RegistryCredentials;
  /**
   * Asked when the preflight predicts the job would not schedule, with the manifest that would be
   * submitted; false stops before anything is built.
   */
  confirmUnschedulable?(prediction: Prediction, manifest: string): Promise<boolean>;
}

/** What a request carries when its workload outlives the process that follows it (a cluster's Workflow, Experiment). */
export interface DetachableRequest {
  /**
   * Aborted: stop following and leave the workload running, its record saying so (a window that
   * closes), for the next process to follow again (the cluster target's attach).
   */
  detach?: AbortSignal;
}

/** A run that has started: its handle, and the words to say where it runs and what cancelling does. */
export interface StartedRun {
  handle: RunHandle;
  job: LoadedJob;
  /** "on local Docker", "on the cluster as Job team-a/train-x". */
  where: string;
  /** "stops and removes its container", "deletes the Job". */
  cancelEffect: string;
  /** The context and namespace it went to, where the target has them. */
  placement?: { context: string; namespace: string };
}

/** What `check` found: a sentence-per-line report, the --json object, and whether it passed. */
export interface TargetCheck {
  notebookFile: string;
  passed: boolean;
  /** The report as the terminal shows it. */
  text: string;
  json: Record<string, unknown>;
}

/** What the user answered before a target stopped or removed work. */
export interface Confirmation {
  /** The name typed, where the target asked for it (a protected namespace). */
  typedName?: string;
}

/** What stopping or removing a run's work touches, for the user to confirm first. */
export interface ConfirmationNeeded {
  /** "Job train-x in team-a (context prod)". */
  what: string;
  /** The name the user must type exactly (a protected namespace); otherwise a yes is enough. */
  typeToConfirm?: string;
  /** Why the name must be typed: "team-a is a protected namespace". */
  why?: string;
}

/**
 * Where a job runs: local Docker or a Kubernetes cluster, behind one interface, so the CLI and the
 * commands never ask which one it is. A new target is a folder beside local/ and cluster/ with an
 * object of this shape, registered in targets/index.ts.
 */
export interface Target {
  readonly name: TargetName;
  /** "local Docker", "the cluster". */
  readonly label: string;
  /**
   * True when its work goes on without the process that follows it (a workload on a cluster), so a
   * record whose follower went away may be followed again (attach); false when the follower is the
   * work's only owner (a local container), so such a record is settled at once (reconcile).
   */
  readonly outlivesFollower: boolean;
  /** Before anything is built: would it run here, and is it allowed (permissions, preflight, image route)? */
  check(context: SessionContext, request: RunRequest): Promise<TargetCheck>;
  /** Builds what is needed and starts the run; the handle follows it to its end. */
  start(context: SessionContext, request: RunRequest): Promise<StartedRun>;
  /** The manifest a run would submit, where the target has manifests; nothing is built or created. */
  manifest?(context: SessionContext, request: RunRequest): Promise<string>;
  /** Follows a run recorded by a process that went away to its end, recording what that process missed. */
  attach(context: SessionContext, stored: StoredRun): Promise<RunHandle>;
  /**
   * What cancel or remove would touch, when the user must confirm it first (deleting a workload);
   * undefined when nothing needs confirming (stopping a local container).
   */
  confirmation(context: SessionContext, stored: StoredRun): Promise<ConfirmationNeeded | undefined>;
  /** Stops a run that another process follows; that process records the end. */
  cancel(context: SessionContext, stored: StoredRun, confirmation?: Confirmation): Promise<void>;
  /**
   * Removes what a finished run left on the target that holds nothing of value (a container its
   * killed process could not remove), as its record is removed. What still holds its logs (a
   * cluster workload's pods) stays until the user deletes it.
   */
  remove(context: SessionContext, stored: StoredRun): Promise<void>;
  /**
   * Makes a record whose follower went away say what really happened, now: how it ended (exit code,
   * OOM, logs completed), `lost` when nothing remains, or unchanged while it really goes on.
   */
  reconcile(context: SessionContext, stored: StoredRun): Promise<RunResult>;
}
