/** What `WorkspaceConfiguration.inspect` returns, as far as the reading below needs it. */
export interface InspectedSetting<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/**
 * A setting that names a program, socket or host: only the user's own value counts. A workspace
 * (a cloned repository) must not choose what Parity executes or connects to.
 */
export function userScopedValue<T>(inspected: InspectedSetting<T> | undefined): T | undefined {
  return inspected?.globalValue ?? inspected?.defaultValue;
}

/** The environment Parity's targets see: the user's Docker host setting wins over DOCKER_HOST. */
export function sessionEnv(base: NodeJS.ProcessEnv, dockerHost: string | undefined): NodeJS.ProcessEnv {
  const host = dockerHost?.trim();
  return host ? { ...base, DOCKER_HOST: host } : { ...base };
}
