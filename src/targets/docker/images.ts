import type Dockerode from "dockerode";

/** The image's details, or undefined when the engine does not have it. */
export async function inspectImage(
  docker: Dockerode,
  reference: string,
): Promise<Dockerode.ImageInspectInfo | undefined> {
  try {
    return await docker.getImage(reference).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}
