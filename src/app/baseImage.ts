import {
  buildBaseImage,
  defaultCacheDir,
  type BaseImageProgress,
  type BaseImageResult,
} from "../targets/docker/baseImage";
import type { Print, SessionContext } from "./context";
import { connect } from "./job/session";

export { DEFAULT_SUITE, defaultBaseImageTag } from "../targets/docker/baseImage";

export interface BaseImageRequest {
  tag?: string;
  suite?: string;
  mirror?: string;
  ifMissing?: boolean;
  refresh?: boolean;
  print: Print;
  onProgress(progress: BaseImageProgress): void;
}

/** `parity base-image`: Parity's Python base image from Debian packages, on the engine the docker CLI would use. */
export async function makeBaseImage(
  context: SessionContext,
  request: BaseImageRequest,
): Promise<BaseImageResult> {
  const connection = await connect(context, request.print);
  return buildBaseImage({
    docker: connection.docker,
    tag: request.tag,
    suite: request.suite,
    mirror: request.mirror,
    cacheDir: defaultCacheDir(context.env),
    ifMissing: request.ifMissing,
    refresh: request.refresh,
    signal: context.signal,
    onProgress: request.onProgress,
  });
}
