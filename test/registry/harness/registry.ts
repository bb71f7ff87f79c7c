import { spawn, execFileSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTokenIssuer, type TokenIssuer } from "./tokenIssuer";
import { freePort } from "../../helpers/system";

export { freePort };

/**
 * A real Docker registry (Debian's distribution 2.8, /usr/bin/docker-registry) on loopback, with
 * its storage in a temp folder. The engine treats 127.0.0.0/8 registries as insecure, so it pushes
 * there over plain HTTP, with or without htpasswd auth (checked: `docker login` and `docker push`
 * both work against it; distribution only warns about basic auth without TLS).
 * Install the programs with test/registry/harness/ensure-registry.sh.
 */
export interface TestRegistry {
  /** "127.0.0.1:<port>", as it goes in an image reference. */
  host: string;
  /** The token issuer, when the registry asks for Bearer tokens. */
  tokenIssuer?: TokenIssuer;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /**
   * Basic auth through an htpasswd file (bcrypt, written by `htpasswd -B`), or with
   * `scheme: "bearer"` token auth: the registry sends clients to a token issuer that checks them.
   */
  auth?: { username: string; password: string; scheme?: "basic" | "bearer" };
}

const BINARY = "/usr/bin/docker-registry";
const READY_TIMEOUT_MS = 15_000;

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), "parity-registry-"));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const tokenIssuer =
    options.auth?.scheme === "bearer"
      ? await startTokenIssuer(dir, options.auth, await freePort())
      : undefined;
  const authSection = tokenIssuer
    ? tokenSection(tokenIssuer)
    : options.auth
      ? await writeHtpasswd(dir, options.auth)
      : "";
  const config = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${path.join(dir, "data")}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: ${host}`,
    authSection,
  ].join("\n");
  const configPath = path.join(dir, "config.yml");
  await writeFile(configPath, `${config}\n`);

  const logPath = path.join(dir, "registry.log");
  const log = createWriteStream(logPath);
  const child = spawn(BINARY, ["serve", configPath], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );

  const stop = async (): Promise<void> => {
    if (!exited && child.pid !== undefined) process.kill(child.pid, "SIGTERM");
    await exit;
    await tokenIssuer?.stop();
    log.end();
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answers(host))) {
    if (exited || Date.now() > deadline) {
      const text = await readFile(logPath, "utf8").catch(() => "");
      await stop();
      throw new Error(`The test registry did not answer on ${host}; its log says:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { host, tokenIssuer, stop };
}

function tokenSection(issuer: TokenIssuer): string {
  return [
    "auth:",
    "  token:",
    `    realm: ${issuer.realm}`,
    `    service: ${issuer.service}`,
    `    issuer: ${issuer.issuer}`,
    `    rootcertbundle: ${issuer.certPath}`,
  ].join("\n");
}

async function writeHtpasswd(dir: string, auth: { username: string; password: string }): Promise<string> {
  const file = path.join(dir, "htpasswd");
  // -i takes the password on stdin, so it never shows in a process listing.
  const line = execFileSync("htpasswd", ["-Bin", auth.username], { input: auth.password, encoding: "utf8" });
  await writeFile(file, line);
  return ["auth:", "  htpasswd:", "    realm: parity-test", `    path: ${file}`].join("\n");
}

/** GET /v2/ answers 200 without auth and 401 with it: either means the registry is up. */
async function answers(host: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1_000) });
    return response.status === 200 || response.status === 401;
  } catch {
    return false;
  }
}
