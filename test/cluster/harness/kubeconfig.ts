import { writeFileSync } from "node:fs";
import { dump } from "js-yaml";

/** A kubeconfig for one token user, trusting the apiserver's self-signed certificate. */
export function writeKubeconfig(
  path: string,
  server: string,
  caFile: string,
  user: string,
  token: string,
): void {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "parity-test", cluster: { server, "certificate-authority": caFile } }],
    users: [{ name: user, user: { token } }],
    contexts: [
      { name: `parity-test-${user}`, context: { cluster: "parity-test", user, namespace: "default" } },
    ],
    "current-context": `parity-test-${user}`,
  };
  writeFileSync(path, dump(config), { mode: 0o600 });
}
