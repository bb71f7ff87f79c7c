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
 * Parity builds for the pipeline (built here first, as for a run), or, for a pipeline compiled by
 * kfp (to argo only), each task its own container, resolved in its pod.
 */
export async function compilePipeline(context: SessionContext, request: CompileRequest): Promise<Compiled> {
  if (!(COMPILE_TARGETS as readonly string[]).includes(request.to)) {
    throw new ParityError("CompileTargetUnknown", `--to ${request.to} is not a format Parity compiles to.`, {
      fix: `Give --to ${COMPILE_TARGETS.join(" or ")}.`,
    });
  }
  const { prepared } = await preparePipeline(context, { ...request, params: [] });
  const { pipeline, format } = prepared;
  if (request.to === "kfp" && (pipeline.format === "kfp" || !format.kfpPlan)) {
    throw new ParityError("CompileNotNeeded", `${pipeline.file} is a pipeline compiled by kfp already.`, {
      fix: "Upload it to Kubeflow Pipelines as it is, run it with parity pipeline run, or compile it --to argo.",
      location: { file: pipeline.file },
    });
  }
  // Each image as the cluster pulls it; said plainly that Parity has not pushed them.
  const pulled = (local: string) =>
    prepared.registry ? remoteReferenceFor(local, prepared.registry).reference : local;
  const notes = [imagesNote(prepared.images, pulled, prepared.registry)];
  const steps = () => {
    if (!format.kfpPlan) throw new Error(`The ${pipeline.format} format says no step's plan`);
    const plan = format.kfpPlan.bind(format);
    return new Map<string, KfpStepPlan>(pipeline.steps.map((step) => [step.name, plan(step)]));
  };
  if (request.to === "argo") {
    const argoContainer = format.argoContainer?.bind(format);
    const argo = writeArgoWorkflow(pipeline, {
      image: prepared.images.map(pulled).join(", "),
      limits: prepared.base.limits,
      ...(argoContainer
        ? { container: (step, place) => argoContainer(step, { ...place, image: pulled }) }
        : { steps: steps() }),
      nodeSelector: prepared.cluster?.nodeSelector ?? {},
      tolerations: prepared.cluster?.tolerations ?? [],
    });
    const containerComponents = pipeline.steps.filter(
      (step) => step.code.kind === "kfp" && !step.code.task.pipInstalls,
    );
    if (containerComponents.length > 0) {
      const [images, need] =
        containerComponents.length === 1
          ? ["the image of the container component", "needs python3 on its PATH"]
          : ["the images of the container components", "need python3 on their PATH"];
      notes.push(
        `In its pod a task first runs python3, which resolves KFP's placeholders (the values of the tasks before it and of the Workflow's parameters) as KFP's launcher would: ${images} ${containerComponents.map((step) => step.name).join(", ")} ${need}.`,
      );
    }
    return { yaml: argo.yaml, notes: [...notes, ...argo.notes], what: "an Argo Workflow" };
  }
  const kfp = writeKfpPipeline(pipeline, {
    image: pulled(prepared.image),
    limits: prepared.base.limits,
    steps: steps(),
  });
  return { yaml: kfp.yaml, notes: [...notes, ...kfp.notes], what: "a KFP v2 PipelineSpec" };
}

/** Which images the compiled steps name, and that compile pushes none of them. */
function imagesNote(
  images: string[],
  pulled: (local: string) => string,
  registry: string | undefined,
): string {
  const them = images.length === 1 ? "it" : "them";
  if (!registry) {
    return `The steps name ${images.join(", ")}, which only this machine's Docker engine has: set image.registry in parity.yaml so they name ${them} where the cluster pulls from, and push ${them} there.`;
  }
  const pushes = images.map(
    (local) => `docker tag ${local} ${pulled(local)} && docker push ${pulled(local)}`,
  );
  return `The steps pull ${images.map(pulled).join(", ")}, which compile does not push: push ${them} there first (${pushes.join("; ")}), or run the pipeline with parity pipeline run --target cluster, which pushes ${them}.`;
}

/** Writes a compiled pipeline whole, then renames it into place: never half a file. */
export async function writeCompiled(file: string, yaml: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, yaml);
  await rename(partial, file);
}
