import { readFile } from "node:fs/promises";
import path from "node:path";
import type { BuildPlan } from "../../core/build/context";
import { ParityError } from "../../core/errors";
import type { ResourceLimits } from "../../core/profile/types";
import { planServingImage } from "../../core/serving/image";
import { modelNameFor } from "../../core/serving/model";
import { KSERVE_VERSION, type EndpointRecord } from "../../core/serving/types";
import type { BuildResult } from "../../targets/docker/buildImage";
import type { DockerConnection } from "../../targets/docker/connection";
import { relativeTo, type Print, type SessionContext } from "../context";
import { readCaBundle, type LoadedJob } from "../job/load";
import { build, buildPlanned, describeJob, imageId } from "../job/session";
import { withinServingRoots, type ServingSource } from "./source";
import { realPathOf } from "../store/realPath";

/** The label that names the endpoint a serving container or image is (its model's name). */
export const ENDPOINT_LABEL = "dev.parity.endpoint";

/** What serving a model needs before anything runs: its name, limits and planned image. */
export interface PlannedServing {
  source: ServingSource;
  /** The endpoint's name: the model's name in the routes (`serving.name`, else the profile's name). */
  name: string;
  /** `serving.resources`, the fields left out taken from `resources`. */
  limits: ResourceLimits;
  runImage: { tag: string; id: string };
  plan: BuildPlan;
}

/** The endpoint's name, as the routes and the cluster take it. */
export function endpointNameOf(job: LoadedJob): string {
  return job.profile.profile.serving?.name ?? modelNameFor(job.profile.name);
}

/**
 * Says what will be served and plans the serving image (the run's image, rebuilt when gone and
 * unchanged); nothing is built yet.
 */
export async function planServing(
  context: SessionContext,
  connection: DockerConnection,
  source: ServingSource,
  options: { verbose?: boolean; print: Print },
): Promise<PlannedServing> {
  const { job, model } = source;
  options.print(describeJob(context, job));
  options.print(`Model:    ${relativeTo(context, model.file)} (${model.format}; ${model.why})`);
  const runImage = await runImageFor(context, connection, source, options);
  const plan = planServingImage({
    runImage: runImage.tag,
    runImageId: runImage.id,
    projectName: job.profile.name,
    model: {
      fileName: path.basename(model.file),
      content: await readModel(job, model.file),
      format: model.format,
    },
    caBundle: await readCaBundle(job.profile, context.env),
  });
  return {
    source,
    name: endpointNameOf(job),
    limits: job.profile.profile.serving?.limits ?? job.profile.limits,
    runImage,
    plan,
  };
}

/** Builds the planned serving image (unless its content tag is there), and how long that took. */
export async function buildServingImage(
  context: SessionContext,
  connection: DockerConnection,
  planned: PlannedServing,
  options: { verbose?: boolean; print: Print },
): Promise<{ built: BuildResult; buildMs: number }> {
  const { job } = planned.source;
  const started = Date.now();
  const built = await buildPlanned(context, connection, planned.plan, {
    workspaceDir: job.workspaceDir,
    network: job.profile.profile.build.network,
    labels: { "dev.parity.profile": job.profile.name, [ENDPOINT_LABEL]: planned.name },
    verbose: Boolean(options.verbose),
    print: options.print,
    explain: explainServingBuild,
  });
  return { built, buildMs: built.upToDate ? 0 : Date.now() - started };
}

/** The endpoint's record as it starts, wherever it serves. */
export function endpointRecordOf(
  planned: PlannedServing,
  servingImage: string,
  extra: Partial<EndpointRecord> = {},
): EndpointRecord {
  const { source } = planned;
  return {
    name: planned.name,
    modelFile: source.model.file,
    modelFormat: source.model.format,
    ...(source.run ? { fromRun: source.run.result.runId } : {}),
    runImage: planned.runImage.tag,
    servingImage,
    kserveVersion: KSERVE_VERSION,
    protocols: ["v1", "v2"],
    protocol: source.job.profile.profile.serving?.protocol ?? "v1",
    ...extra,
  };
}

/**
 * The model's bytes, read only where its real path (symlinks followed now, as it is read) lies in
 * the project or the profile's allowed outputs folder: what goes into an image that may be pushed
 * to a registry is a file of the project's, never one a link swapped in points at.
 */
async function readModel(job: LoadedJob, file: string): Promise<Buffer> {
  const real = await realPathOf(file);
  if (!(await withinServingRoots(job, real))) {
    throw new ParityError(
      "ModelOutsideProject",
      `The model file ${file} leads outside the project, to ${real}; Parity does not put it in an image.`,
      {
        fix: "Serve a model file the notebook wrote inside the project (its outputs folder).",
      },
    );
  }
  return readFile(real);
}

/** The image the model was trained in: the run's, rebuilt when it is gone and the notebook is unchanged. */
async function runImageFor(
  context: SessionContext,
  connection: DockerConnection,
  { job, run }: ServingSource,
  options: { verbose?: boolean; print: Print },
): Promise<{ tag: string; id: string }> {
  const tag = run?.result.image ?? job.plan.tag;
  const id = await imageId(connection, tag);
  if (id) return { tag, id };
  if (tag !== job.plan.tag) {
    throw new ParityError(
      "RunImageGone",
      `The image run ${run!.result.runId} trained the model in (${tag}) is no longer in the Docker engine, and the notebook or its requirements changed since.`,
      { fix: `Run ${relativeTo(context, job.notebookFile)} again, then serve its new model.` },
    );
  }
  const built = await build(context, connection, job, Boolean(options.verbose), options.print);
  return { tag: built.tag, id: built.imageId };
}

/** A failed install of KServe's server in the run's image, in words about serving, naming the package in conflict. */
function explainServingBuild(error: unknown): unknown {
  if (!(error instanceof ParityError) || error.code !== "DependencyInstallFailed") return error;
  const detail = error.message.replace(/^Installing the requirements failed:\n?/, "");
  // kserve has no release for the image's Python (0.20.0 takes 3.10 to 3.12).
  if (
    /No matching distribution found for kserve==/.test(detail) &&
    /Requires-Python|requires a different Python/i.test(
      detail + (error.details?.map((each) => each.message).join("\n") ?? ""),
    )
  ) {
    return new ParityError(
      "ServingPythonUnsupported",
      `KServe's model server (kserve==${KSERVE_VERSION}) does not install on the run image's Python:\n${detail}`,
      {
        fix: `kserve ${KSERVE_VERSION} needs Python 3.10 to 3.12: set image.python (or a base image) to one of those in parity.yaml, run the notebook again, then serve it.`,
        cause: error,
      },
    );
  }
  // Anything but a resolver conflict (a TLS proxy, no network) keeps the build's own explanation.
  if (!/ResolutionImpossible|conflicting dependencies/.test(detail)) return error;
  const pinned = /The user requested \(constraint\) ([A-Za-z0-9._-]+)==(\S+)/.exec(detail);
  const wanted =
    pinned &&
    new RegExp(`depends on ${pinned[1]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^\\n]*)`, "i").exec(detail);
  return new ParityError(
    "ServingInstallFailed",
    `KServe's model server (kserve==${KSERVE_VERSION}) cannot be installed in the run's image without changing a package the model was trained with:\n${detail}`,
    {
      fix: pinned
        ? `The run's image has ${pinned[1]} ${pinned[2]}${wanted ? `, and kserve ${KSERVE_VERSION} needs ${pinned[1]}${wanted[1]!.trim()}` : ""}: pin ${pinned[1]} in the notebook's requirements to a version kserve accepts, run the notebook again, then serve it.`
        : `The serving image keeps every package of the run's image. Pin the notebook's requirements to versions kserve ${KSERVE_VERSION} accepts (it needs Python 3.10 to 3.12, numpy<3, pandas>=2.2,<3, protobuf>=6.33.5,<7), run the notebook again, then serve it.`,
      cause: error,
    },
  );
}
