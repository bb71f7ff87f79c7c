import { open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { readCells } from "../../core/notebook/readCells";
import { isTaggedPipeline } from "../../core/pipeline/kale";
import type { FoundPipeline } from "./pipelinesModel";

export const NOTEBOOK_GLOB = "**/*.ipynb";
/** Compiled KFP pipelines have any name: every YAML file is looked at, its first bytes only. */
export const YAML_GLOB = "**/*.{yaml,yml}";
/** kfp's compiler starts every file it writes with this line. */
const KFP_HEADER = "# PIPELINE DEFINITION";
const EXCLUDE = "**/{node_modules,.git,.venv,venv,.parity,dist,.ipynb_checkpoints}/**";
/** Enough for any project; a bound on the work of one search. */
const MAX_FILES = 2000;
/** Every tag that starts a step (step:, block:, pipeline-metrics) has one of these in the file's text. */
const STEP_TAG_HINT = /"(step|block):|"pipeline-metrics"/;

/**
 * The pipelines of the workspace: notebooks whose cells are tagged as Kale tags them,
 * pipeline.yaml files, and pipelines compiled by kfp (known by the header kfp writes). A file is
 * read again only when it changed since it was last read.
 */
export class PipelineFiles {
  private readonly seen = new Map<string, { mtimeMs: number; size: number; pipeline: boolean }>();

  async find(): Promise<FoundPipeline[]> {
    const [notebooks, yamls] = await Promise.all([
      vscode.workspace.findFiles(NOTEBOOK_GLOB, EXCLUDE, MAX_FILES),
      vscode.workspace.findFiles(YAML_GLOB, EXCLUDE, MAX_FILES),
    ]);
    const local = (uris: vscode.Uri[]) =>
      uris.filter((uri) => uri.scheme === "file").map((uri) => uri.fsPath);
    const found: FoundPipeline[] = [];
    for (const file of local(yamls)) {
      // kfp's header first: kfp's own examples compile to pipeline.yaml too.
      if (await this.is(file, isKfpFile)) found.push({ file, format: "kfp" });
      else if (/^pipeline\.ya?ml$/i.test(path.basename(file))) found.push({ file, format: "pipeline-yaml" });
    }
    const files = local(notebooks);
    const checks = await Promise.all(files.map((file) => this.is(file, isTaggedNotebook)));
    files.forEach((file, index) => {
      if (checks[index]) found.push({ file, format: "kale" });
    });
    return found;
  }

  private async is(file: string, test: (file: string) => Promise<boolean>): Promise<boolean> {
    try {
      const info = await stat(file);
      const known = this.seen.get(file);
      if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known.pipeline;
      const pipeline = await test(file);
      this.seen.set(file, { mtimeMs: info.mtimeMs, size: info.size, pipeline });
      return pipeline;
    } catch {
      // Gone since the search, unreadable, or not a file Parity can read: not a pipeline.
      return false;
    }
  }
}

async function isTaggedNotebook(file: string): Promise<boolean> {
  const text = await readFile(file, "utf8");
  return STEP_TAG_HINT.test(text) && isTaggedPipeline(readCells(text, file));
}

/** Only the first bytes are read: a workspace's other YAML files (manifests, CI) may be large. */
async function isKfpFile(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(KFP_HEADER.length), 0, KFP_HEADER.length, 0);
    return buffer.toString("utf8", 0, bytesRead) === KFP_HEADER;
  } finally {
    await handle.close();
  }
}
