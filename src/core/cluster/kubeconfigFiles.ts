import path from "node:path";

/**
 * The files kubectl would read, in order, whether they exist or not: KUBECONFIG's, else
 * ~/.kube/config. Apart from the kubeconfig reader so that the extension's activation can name and
 * watch them without loading a Kubernetes client.
 */
export function kubeconfigFiles(options: { env: NodeJS.ProcessEnv; homeDir: string }): string[] {
  const listed = (options.env.KUBECONFIG ?? "").split(path.delimiter).filter((file) => file !== "");
  const candidates = listed.length > 0 ? listed : [path.join(options.homeDir, ".kube", "config")];
  return [...new Set(candidates.map((file) => path.resolve(file)))];
}
