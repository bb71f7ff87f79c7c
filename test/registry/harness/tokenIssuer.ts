import { createSign, randomUUID, X509Certificate } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";

/**
 * A token issuer for the registry's Bearer auth (the Docker token spec, as Docker Hub and most
 * hosted registries use it). A test stand-in for a real issuer, which cannot run here: it checks
 * basic credentials and signs ES256 JWTs granting the scopes asked for; the registry verifies
 * them against the certificate in its rootcertbundle, as it would a real issuer's.
 */
export interface TokenIssuer {
  realm: string;
  service: string;
  issuer: string;
  certPath: string;
  /** How many tokens were asked for with the right credentials. */
  readonly granted: number;
  stop(): Promise<void>;
}

export async function startTokenIssuer(
  dir: string,
  auth: { username: string; password: string },
  port: number,
): Promise<TokenIssuer> {
  const keyPath = path.join(dir, "token.key");
  const certPath = path.join(dir, "token.crt");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "1",
      "-subj",
      "/CN=parity-test-token-issuer",
    ],
    { stdio: "ignore" },
  );
  const key = readFileSync(keyPath, "utf8");
  const certDer = new X509Certificate(readFileSync(certPath)).raw.toString("base64");
  const service = "parity-test-registry";
  const issuer = "parity-test-issuer";
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  let granted = 0;

  const sign = (subject: string, scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(":");
      return type && name && actions ? [{ type, name, actions: actions.split(",") }] : [];
    });
    const header = { alg: "ES256", typ: "JWT", x5c: [certDer] };
    const claims = {
      iss: issuer,
      sub: subject,
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const body = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = createSign("SHA256").update(body).sign({ key, dsaEncoding: "ieee-p1363" });
    return `${body}.${signature.toString("base64url")}`;
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://issuer");
    const authorization = request.headers.authorization;
    if (authorization !== undefined && authorization !== expected) {
      response.writeHead(401, { "Content-Type": "application/json" }).end('{"details":"wrong credentials"}');
      return;
    }
    // Anonymous callers get a token without access, as public issuers do.
    const scopes = authorization ? url.searchParams.getAll("scope") : [];
    if (authorization) granted += 1;
    const token = sign(authorization ? auth.username : "", scopes);
    response
      .writeHead(200, { "Content-Type": "application/json" })
      .end(JSON.stringify({ token, access_token: token }));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    get granted() {
      return granted;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function base64url(text: string): string {
  return Buffer.from(text).toString("base64url");
}
