import type Dockerode from "dockerode";

export interface DockerConnection {
  docker: Dockerode;
  /** Where the engine is, e.g. "unix:///var/run/docker.sock". */
  endpoint: string;
  /** Why that endpoint: "DOCKER_HOST", "context <name>" or "default". */
  source: string;
}

/** Connects to the Docker engine the docker CLI would use. dockerode loads here, on first use. */
export async function connectDocker(env: NodeJS.ProcessEnv = process.env): Promise<DockerConnection> {
  const { default: Docker } = await import("dockerode");
  const host = env.DOCKER_HOST;
  if (host?.startsWith("unix://")) {
    return {
      docker: new Docker({ socketPath: host.slice("unix://".length) }),
      endpoint: host,
      source: "DOCKER_HOST",
    };
  }
  const socketPath = "/var/run/docker.sock";
  return { docker: new Docker({ socketPath }), endpoint: `unix://${socketPath}`, source: "default" };
}
