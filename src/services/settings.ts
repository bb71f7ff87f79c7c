import { DOCKER_HOST_SETTING } from "../core/dockerHostSetting";

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

/**
 * The environment Parity's targets see: the user's Docker host setting wins over DOCKER_HOST, and
 * is marked as the setting's, so that a message about it names the setting.
 */
export function sessionEnv(base: NodeJS.ProcessEnv, dockerHost: string | undefined): NodeJS.ProcessEnv {
  const { [DOCKER_HOST_SETTING]: _inherited, ...env } = base;
  const host = dockerHost?.trim();
  return host ? { ...env, DOCKER_HOST: host, [DOCKER_HOST_SETTING]: "parity.docker.host" } : env;
}
