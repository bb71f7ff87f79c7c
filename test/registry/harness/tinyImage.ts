import { randomUUID } from "node:crypto";
import type Dockerode from "dockerode";
import { buildImage } from "../../../src/targets/docker/buildImage";

/**
 * A one-layer image FROM scratch holding a single file, tagged `tag`: pushing it takes
 * milliseconds, where a Python image would take minutes. Its content is unique to each call, so
 * no registry or engine has it already.
 */
export async function buildTinyImage(docker: Dockerode, tag: string): Promise<string> {
  const content = `parity registry test ${randomUUID()}\n`;
  const result = await buildImage({
    docker,
    plan: {
      tag,
      contentHash: "",
      dockerfile: "FROM scratch\nCOPY hello.txt /hello.txt\n",
      files: [
        { path: "Dockerfile", content: "FROM scratch\nCOPY hello.txt /hello.txt\n" },
        { path: "hello.txt", content },
      ],
    },
    labels: { "dev.parity.test": "registry" },
  });
  return result.imageId;
}

/** Removes the images a test made (every tag given), ignoring those already gone. */
export async function removeImages(docker: Dockerode, tags: string[]): Promise<void> {
  for (const tag of tags) {
    await docker
      .getImage(tag)
      .remove({ force: true })
      .catch(() => undefined);
  }
}
