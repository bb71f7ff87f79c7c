import { describe, expect, it } from "vitest";
import { parseChallenge } from "../../../src/targets/registry/registryApi";
import { describeNetworkFailure, redact } from "../../../src/targets/registry/errors";
import { explainPushFailure } from "../../../src/targets/registry/push";
import { remoteReferenceFor } from "../../../src/core/registry/reference";

const remote = remoteReferenceFor("parity/train:3f2a", "127.0.0.1:5000");

describe("explainPushFailure (messages captured from Docker 28 pushing to distribution 2.8)", () => {
  it("reads the engine's sign-in refusals as RegistryUnauthorized", () => {
    for (const message of ["unauthorized: authentication required", "no basic auth credentials"]) {
      expect(explainPushFailure(message, remote, true).code).toBe("RegistryUnauthorized");
    }
    expect(
      explainPushFailure("denied: requested access to the resource is denied", remote, false).message,
    ).toBe("The registry 127.0.0.1:5000 needs you to sign in, and Parity has no credentials for it.");
  });

  it("reads dial failures as RegistryUnreachable", () => {
    const error = explainPushFailure(
      'Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused',
      remote,
      false,
    );
    expect(error).toMatchObject({ code: "RegistryUnreachable", location: { field: "image.registry" } });
    expect(error.message).toBe(
      "The registry 127.0.0.1:5000 cannot be reached: connection refused (nothing listens there).",
    );
  });

  it("keeps the registry's own sentence for anything else", () => {
    const error = explainPushFailure("blob upload unknown: blob upload invalid", remote, true);
    expect(error.code).toBe("RegistryPushFailed");
    expect(error.message).toBe(
      "Pushing 127.0.0.1:5000/train:3f2a failed: blob upload unknown: blob upload invalid.",
    );
  });
});

describe("redact", () => {
  it("blanks the password in plain, base64 and URL-encoded forms", () => {
    const credentials = { username: "me", password: "p@ss word", serveraddress: "x" };
    const basic = Buffer.from("me:p@ss word").toString("base64");
    const text = `a p@ss word b ${basic} c p%40ss%20word`;
    expect(redact(text, credentials)).toBe("a *** b *** c ***");
    expect(redact(text, undefined)).toBe(text);
  });
});

describe("describeNetworkFailure", () => {
  it("finds the reason in an error's causes (fetch wraps the socket error)", () => {
    const socket = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    expect(describeNetworkFailure(new TypeError("fetch failed", { cause: socket }))).toBe(
      "connection refused (nothing listens there)",
    );
    const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    expect(describeNetworkFailure(timeout, 10_000)).toBe("no answer within 10 s");
    expect(describeNetworkFailure(new Error("something else"))).toBeUndefined();
  });
});

describe("parseChallenge", () => {
  it("reads Basic and Bearer challenges with their parameters", () => {
    expect(parseChallenge('Basic realm="parity-test"')).toEqual({
      scheme: "basic",
      params: { realm: "parity-test" },
    });
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/train:pull"',
      ),
    ).toEqual({
      scheme: "bearer",
      params: {
        realm: "https://auth.example.com/token",
        service: "registry.example.com",
        scope: "repository:team/train:pull",
      },
    });
    expect(parseChallenge("").scheme).toBe("other");
  });
});
