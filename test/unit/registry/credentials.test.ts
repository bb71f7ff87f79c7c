import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import {
  credentialsFromAuths,
  helperFor,
  parseDockerConfig,
  serverAddressFor,
  type DockerConfigFile,
} from "../../../src/targets/registry/credentials";

const FILE = "/home/me/.docker/config.json";
const base64 = (text: string): string => Buffer.from(text).toString("base64");

describe("credentialsFromAuths", () => {
  it("decodes a base64 auth entry, keeping colons in the password", () => {
    const config: DockerConfigFile = { auths: { "127.0.0.1:5000": { auth: base64("me:pa:ss") } } };
    expect(credentialsFromAuths(config, "127.0.0.1:5000", FILE)).toEqual({
      username: "me",
      password: "pa:ss",
      serveraddress: "127.0.0.1:5000",
    });
  });

  it("takes username and password entries, and keys written as URLs", () => {
    const config: DockerConfigFile = {
      auths: { "https://registry.example.com/v1/": { username: "me", password: "secret" } },
    };
    expect(credentialsFromAuths(config, "registry.example.com", FILE)).toMatchObject({
      username: "me",
      password: "secret",
    });
  });

  it("finds Docker Hub credentials under any of its names, for the CLI's server address", () => {
    const config: DockerConfigFile = { auths: { "https://index.docker.io/v1/": { auth: base64("me:hub") } } };
    expect(credentialsFromAuths(config, "docker.io", FILE)).toEqual({
      username: "me",
      password: "hub",
      serveraddress: "https://index.docker.io/v1/",
    });
    expect(serverAddressFor("registry-1.docker.io")).toBe("https://index.docker.io/v1/");
  });

  it("has nothing for another host or an entry without a secret", () => {
    const config: DockerConfigFile = {
      auths: { "127.0.0.1:5000": { auth: base64("me:x") }, "b.example.com": {} },
    };
    expect(credentialsFromAuths(config, "127.0.0.1:5001", FILE)).toBeUndefined();
    expect(credentialsFromAuths(config, "b.example.com", FILE)).toBeUndefined();
    expect(credentialsFromAuths({}, "b.example.com", FILE)).toBeUndefined();
  });

  it("names the field of a malformed auth, without its content", () => {
    const config: DockerConfigFile = { auths: { "a.example.com": { auth: base64("no-colon-secret") } } };
    let caught: unknown;
    try {
      credentialsFromAuths(config, "a.example.com", FILE);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ParityError);
    expect(caught).toMatchObject({
      code: "DockerConfigInvalid",
      location: { file: FILE, field: "auths.a.example.com.auth" },
    });
    expect((caught as ParityError).message).not.toContain("no-colon-secret");
  });
});

describe("helperFor", () => {
  it("prefers the host's credHelpers entry over credsStore", () => {
    const config: DockerConfigFile = { credHelpers: { "a.example.com": "ecr-login" }, credsStore: "desktop" };
    expect(helperFor(config, "a.example.com")).toBe("ecr-login");
    expect(helperFor(config, "b.example.com")).toBe("desktop");
    expect(helperFor({}, "b.example.com")).toBeUndefined();
  });
});

describe("parseDockerConfig", () => {
  it("reads a JSON object and refuses anything else without quoting it", () => {
    expect(parseDockerConfig('{"credsStore":"pass"}', FILE)).toEqual({ credsStore: "pass" });
    for (const text of ['{"auths": {"x": {"auth": "c2VjcmV0"', "[]", "null"]) {
      expect(() => parseDockerConfig(text, FILE)).toThrow(`${FILE} is not a JSON object`);
    }
  });
});
