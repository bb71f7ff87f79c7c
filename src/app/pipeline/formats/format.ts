import type { HostFolders, JobSpec } from "../../../core/job/types";
import type { ArgoContainer, ArgoPlace } from "../../../core/pipeline/argo/write";
import type { KfpStepPlan } from "../../../core/pipeline/kfp/write";
import type { ClusterSpec } from "../../../core/profile/types";
import type { Pipeline, PipelineStep, StepInput } from "../../../core/pipeline/types";
import type { DockerConnection } from "../../../targets/docker/connection";
import type { Print, SessionContext } from "../../context";

/** What a step that succeeded hands on, as the steps after it read it. */
export interface Produced {
  /** Its outputs folder on this machine: its own run's, or the reused run's. */
  outputsDir: string;
  /** Each output's sha256, for the cache keys of the steps after it. */
  digests: Record<string, string>;
  /** The outputs that are values rather than files (a KFP task's output parameters). */
  values: Record<string, unknown>;
  /** Artifacts' metadata, by output name (what a KFP task's executor wrote about them). */
  metadata: Record<string, Record<string, unknown>>;
}

/** An input of a step with what its producer handed on. */
export type ResolvedInput = StepInput & { produced: Produced };

/** Where a step's run writes and how the container sees the project. */
export interface StepPlace {
  runId: string;
  /** The step's outputs folder on this machine (below its run's folder). */
  outputsDir: string;
  /** A path of the project as the container sees it (the workspace is mounted at /workspace). */
  inContainer(file: string): string;
}

/** What a step runs, in the pipeline's setting (its profile's env, limits and mounts). */
export interface StepCommand {
  image: string;
  command: string[];
  /** Added to the pipeline's env for this step. */
  env: Record<string, string>;
  /** Where it runs, relative to the workspace; the pipeline's own folder when not said. */
  workingDir?: string;
  explainTraceback?: JobSpec["explainTraceback"];
}

/**
 * How the steps of one way of writing a pipeline run locally (a Kale-tagged notebook's cells, a
 * compiled KFP pipeline's tasks): the scheduling, records, cache and cancelling are the runner's
 * (runLocal.ts); what each step runs and what it hands on is the format's. A new format adds a
 * file in this folder, not a branch in the runner.
 */
export interface StepFormat {
  /** What decides a step's result besides the pipeline's parameters, env, limits and its inputs' digests. */
  cacheKey(step: PipelineStep, inputs: ResolvedInput[]): unknown;
  command(step: PipelineStep, inputs: ResolvedInput[], place: StepPlace): Promise<StepCommand> | StepCommand;
  /** How a Python failure in the step's output maps back to its notebook or script, where the format can say. */
  explainTraceback?(step: PipelineStep): JobSpec["explainTraceback"];
  /** What a succeeded step handed on, read from its outputs folder (its own, or a reused run's). */
  produced(step: PipelineStep, outputsDir: string): Promise<Produced>;
  /** How the step runs compiled (a KFP container component, an Argo template), where the format compiles. */
  kfpPlan?(step: PipelineStep): KfpStepPlan;
  /**
   * The step's own container in an Argo Workflow, where it is not Parity's image running the
   * step's script (kfpPlan): a kfp-compiled task's executor, resolved in its pod.
   */
  argoContainer?(step: PipelineStep, place: ArgoStepPlace): ArgoContainer;
}

/** Where a step runs in an Argo Workflow, and how the cluster names an image built here. */
export interface ArgoStepPlace extends ArgoPlace {
  /** The image as the cluster pulls it (the registry's name for a tag built here). */
  image(localTag: string): string;
}

/** A pipeline made ready to run: read, its images built, with the setting every step shares. */
export interface PreparedPipeline {
  pipeline: Pipeline;
  format: StepFormat;
  /** The job every step starts from: the profile's env, limits, workspace and outputs. */
  base: JobSpec;
  /** The project's folders as every step mounts them, checked once for the whole run. */
  folders: HostFolders;
  /** What the pipeline's record names as its image. */
  image: string;
  /** Every image built or found here that a step runs in: what a cluster run pushes. */
  images: string[];
  /** The profile's name, as labels on what goes to a cluster say it. */
  profileName?: string;
  /** The profile's cluster section: where the compiled pipeline's pods may go. */
  cluster?: ClusterSpec;
  /** The profile's image.registry: where a cluster pulls the pipeline's image from. */
  registry?: string;
  /** Said once the pipeline is read ("Pipeline numbers: 3 steps ..."). */
  describe?: string;
}

/** How a pipeline file of one format is made ready: read, checked, built. */
export interface PipelineSource {
  /** Whether this format reads the file (by its name and text). */
  reads(file: string, text: string): boolean;
  prepare(
    context: SessionContext,
    request: {
      file: string;
      text: string;
      profile?: string;
      params: string[];
      verbose?: boolean;
      print: Print;
    },
    connection: DockerConnection,
  ): Promise<PreparedPipeline>;
}
