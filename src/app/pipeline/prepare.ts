import path from "node:path";
import { ParityError } from "../../core/errors";
import type { DockerConnection } from "../../targets/docker/connection";
import type { Print, SessionContext } from "../context";
import { connect } from "../job/session";
import type { PipelineSource, PreparedPipeline } from "./formats/format";
import { kaleSource } from "./formats/kale";
import { kfpSource } from "./formats/kfp";
import { pipelineYamlSource } from "./formats/pipelineYaml";
import { readPipelineText } from "./load";

/** The ways of writing a pipeline Parity runs, each in its own file under formats/; the first that reads a file takes it. */
const SOURCES: PipelineSource[] = [kfpSource, pipelineYamlSource, kaleSource];

/**
 * A pipeline file made ready to run or compile: read by the format that reads it (a compiled KFP
 * pipeline, a pipeline.yaml, a notebook tagged as Kale tags it), its images built on the engine.
 */
export async function preparePipeline(
  context: SessionContext,
  request: { file: string; profile?: string; params: string[]; verbose?: boolean; print: Print },
): Promise<{ connection: DockerConnection; prepared: PreparedPipeline; source: PipelineSource }> {
  const file = path.resolve(context.cwd, request.file);
  const text = await readPipelineText(file);
  const source = SOURCES.find((candidate) => candidate.reads(file, text));
  if (!source) {
    throw new ParityError(
      "PipelineFormatUnsupported",
      `${file} is neither a notebook, a pipeline.yaml nor a compiled KFP pipeline.`,
      {
        fix: "Run a notebook tagged as Kale tags it, a pipeline.yaml, or a pipeline compiled by kfp (its YAML).",
        location: { file },
      },
    );
  }
  const connection = await connect(context, request.print);
  const prepared = await source.prepare(context, { ...request, file, text }, connection);
  return { connection, prepared, source };
}
