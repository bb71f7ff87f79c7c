import type Dockerode from "dockerode";

/** Runs a throwaway container to its end on the real engine: its exit status and its output (stdout and stderr, in order). */
export async function runToEnd(
  docker: Dockerode,
  options: Dockerode.ContainerCreateOptions,
): Promise<{ status: number; output: string }> {
  const container = await docker.createContainer(options);
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = await container.logs({ stdout: true, stderr: true });
    // Without a TTY the log is multiplexed: 8-byte frame headers before each chunk.
    let output = "";
    for (let offset = 0; offset + 8 <= logs.length;) {
      const size = logs.readUInt32BE(offset + 4);
      output += logs.subarray(offset + 8, offset + 8 + size).toString();
      offset += 8 + size;
    }
    return { status: StatusCode, output };
  } finally {
    await container.remove({ force: true });
  }
}
