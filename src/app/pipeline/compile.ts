import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { ParityError } from "../../core/errors";
import { writeArgoWorkflow } from "../../core/pipeline/argo/write";
import { writeKfpPipeline, type KfpStepPlan } from "../../core/pipeline/kfp/write";
import type { Print, SessionContext } from "../context";
import { remoteReferenceFor } from "../../core/registry/reference";
import { preparePipeline } from "./prepare";

export interface CompileRequest {
  file: string;
  to: string;
  profile?: string;
  verbose?: boolean;
  print: Print;
}

/** The formats a pipeline compiles to. */
export const COMPILE_TARGETS = ["kfp", "argo"] as const;

export interface Compiled {
  yaml: string;
  notes: string[];
  /** Said after "Wrote <file>": what the file is. */
  what: string;
}

/**
 * A pipeline compiled for a cluster's pipeline engine: `kfp`, a KFP v2 PipelineSpec a team can
 * upload to Kubeflow Pipelines; `argo`, an Argo Workflow. Each step runs its script in the image
 * Parity builds for the pipeline (built here first, as for a run).
 */
export async function compilePipeline(context: SessionContext, request: CompileRequest): Promise<Compiled> {
  if (!(COMPILE_TARGETS as readonly string[]).includes(request.to)) {
    throw new ParityError("CompileTargetUnknown", `--to ${request.to} is not a format Parity compiles to.`, {
      fix: `Give --to ${COMPILE_TARGETS.join(" or ")}.`,
    });
  }
  const { prepared } = await preparePipeline(context, { ...request, params: [] });
  const { pipeline, format } = prepared;
  if (pipeline.format === "kfp" || !format.kfpPlan) {
    throw new ParityError("CompileNotNeeded", `${pipeline.file} is a pipeline compiled by kfp already.`, {
      fix: "Upload it to Kubeflow Pipelines as it is, or run it with parity pipeline run.",
      location: { file: pipeline.file },
    });
  }
  const plan = format.kfpPlan.bind(format);
  const steps = new Map<string, KfpStepPlan>(pipeline.steps.map((step) => [step.name, plan(step)]));
  // The image as the cluster pulls it; said plainly that Parity has not pushed it.
  const image = prepared.registry
    ? remoteReferenceFor(prepared.image, prepared.registry).reference
    : prepared.image;
  const imageNote = prepared.registry
    ? `The steps pull ${image}, which compile does not push: push ${prepared.image} there first (docker tag and docker push, or a parity run --target cluster of the notebook).`
    : `The steps name ${image}, which only this machine's Docker engine has: set image.registry in parity.yaml so they name it where the cluster pulls from, and push it there.`;
  const common = { image, limits: prepared.base.limits, steps };
  if (request.to === "argo") {
    const argo = writeArgoWorkflow(pipeline, {
      ...common,
      nodeSelector: prepared.cluster?.nodeSelector ?? {},
      tolerations: prepared.cluster?.tolerations ?? [],
    });
    return { yaml: argo.yaml, notes: [imageNote, ...argo.notes], what: "an Argo Workflow" };
  }
  const kfp = writeKfpPipeline(pipeline, common);
  return { yaml: kfp.yaml, notes: [imageNote, ...kfp.notes], what: "a KFP v2 PipelineSpec" };
}

/** Writes a compiled pipeline whole, then renames it into place: never half a file. */
export async function writeCompiled(file: string, yaml: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, yaml);
  await rename(partial, file);
}
