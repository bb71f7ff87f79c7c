import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import {
  BASE_PACKAGES,
  baseImageCacheKey,
  debianArch,
  debianPackageVersion,
  defaultBaseImageTag,
  defaultCacheDir,
  imageConfigChanges,
  mirrorFromAptSources,
  mountPointsUnder,
  requireRoot,
  rootfsPrograms,
  splitTag,
} from "../../../src/targets/docker/baseImage";
import { requirePrograms } from "../../../src/targets/process";

describe("base image naming", () => {
  it("names the default tag after the suite's Python", () => {
    expect(defaultBaseImageTag()).toBe("parity/python:3.11-bookworm");
    expect(defaultBaseImageTag("trixie")).toBe("parity/python:3.13-trixie");
    expect(defaultBaseImageTag("sid")).toBe("parity/python:sid");
  });

  it("splits references into repository and tag, minding registry ports", () => {
    expect(splitTag("parity/python:3.11-bookworm")).toEqual({ repo: "parity/python", tag: "3.11-bookworm" });
    expect(splitTag("localhost:5000/team/python")).toEqual({
      repo: "localhost:5000/team/python",
      tag: "latest",
    });
    expect(splitTag("localhost:5000/python:x")).toEqual({ repo: "localhost:5000/python", tag: "x" });
  });

  it("caches under PARITY_CACHE_DIR or /var/cache/parity", () => {
    expect(defaultCacheDir({ PARITY_CACHE_DIR: "/data/cache" })).toBe("/data/cache");
    expect(defaultCacheDir({}, 0)).toBe("/var/cache/parity");
    // Anyone but root could not write there: their own cache folder.
    expect(defaultCacheDir({ HOME: "/home/ada" }, 1000)).toBe("/home/ada/.cache/parity");
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/tmp/xdg" }, 1000)).toBe("/tmp/xdg/parity");
  });

  it("maps Node's architecture names to Debian's", () => {
    expect(debianArch("x64")).toBe("amd64");
    expect(debianArch("arm64")).toBe("arm64");
  });
});

describe("baseImageCacheKey", () => {
  const input = { suite: "bookworm", packages: [...BASE_PACKAGES], arch: "amd64" };

  it("is stable and ignores package order", () => {
    expect(baseImageCacheKey(input)).toBe(
      baseImageCacheKey({ ...input, packages: [...BASE_PACKAGES].reverse() }),
    );
    expect(baseImageCacheKey(input)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes with the suite, the packages and the architecture", () => {
    const key = baseImageCacheKey(input);
    expect(baseImageCacheKey({ ...input, suite: "trixie" })).not.toBe(key);
    expect(baseImageCacheKey({ ...input, packages: [...BASE_PACKAGES, "git"] })).not.toBe(key);
    expect(baseImageCacheKey({ ...input, arch: "arm64" })).not.toBe(key);
  });
});

describe("debianPackageVersion", () => {
  const status = [
    "Package: python3.11\nStatus: install ok installed\nVersion: 3.11.2-6+deb12u6\n",
    "Package: python3\nStatus: install ok installed\nSource: python3-defaults (3.11.2-1)\nVersion: 3.11.2-1+b1\n",
    "Package: libc6\nVersion: 2:2.36-9+deb12u10\n",
  ].join("\n");

  it("returns the upstream version without epoch or Debian revision", () => {
    expect(debianPackageVersion(status, "python3")).toBe("3.11.2");
    expect(debianPackageVersion(status, "python3.11")).toBe("3.11.2");
    expect(debianPackageVersion(status, "libc6")).toBe("2.36");
  });

  it("returns undefined for a package that is not installed", () => {
    expect(debianPackageVersion(status, "python3-numpy")).toBeUndefined();
  });
});

describe("mirrorFromAptSources", () => {
  const deb822 = [
    "Types: deb",
    "URIs: http://deb.debian.org/debian-security",
    "Suites: bookworm-security",
    "Components: main",
    "",
    "Types: deb",
    "# a comment",
    "URIs: http://mirror.internal/debian",
    "Suites: bookworm bookworm-updates",
    "Components: main contrib",
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg",
  ].join("\n");

  it("finds the suite's main archive in deb822 sources", () => {
    expect(mirrorFromAptSources([deb822], "bookworm")).toBe("http://mirror.internal/debian");
  });

  it("finds it in one-line sources, options included", () => {
    const list =
      "# deb http://old/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] https://apt.corp/debian bookworm main\n";
    expect(mirrorFromAptSources([list], "bookworm")).toBe("https://apt.corp/debian");
  });

  it("returns undefined when no source serves the suite", () => {
    const other = "deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n";
    expect(mirrorFromAptSources([other, deb822], "trixie")).toBeUndefined();
  });
});

describe("mountPointsUnder", () => {
  const mountinfo = [
    "22 1 0:21 / / rw - overlay overlay rw",
    "600 22 0:5 / /var/cache/parity/base-images/.work-1-a/rootfs/proc rw - proc proc rw",
    "601 22 0:6 / /var/cache/parity/base-images/.work-1-a/rootfs/sys rw - sysfs sysfs rw",
    "602 601 0:7 / /var/cache/parity/base-images/.work-1-a/rootfs/sys/fs/cgroup rw - cgroup2 cgroup2 rw",
    "603 22 0:8 / /var/cache/parity/base-images/.work-1-ab/rootfs/proc rw - proc proc rw",
    "604 22 0:9 / /tmp/with\\040space/proc rw - proc proc rw",
  ].join("\n");

  it("lists the mounts inside a folder, deepest first", () => {
    expect(mountPointsUnder(mountinfo, "/var/cache/parity/base-images/.work-1-a")).toEqual([
      "/var/cache/parity/base-images/.work-1-a/rootfs/sys/fs/cgroup",
      "/var/cache/parity/base-images/.work-1-a/rootfs/proc",
      "/var/cache/parity/base-images/.work-1-a/rootfs/sys",
    ]);
  });

  it("decodes escaped characters in mount points", () => {
    expect(mountPointsUnder(mountinfo, "/tmp/with space")).toEqual(["/tmp/with space/proc"]);
  });
});

describe("imageConfigChanges", () => {
  it("sets PATH, LANG, CMD and labels that say where the image comes from", () => {
    const changes = imageConfigChanges({
      suite: "bookworm",
      pythonVersion: "3.11.2",
      key: "abc",
      mirror: "http://deb.debian.org/debian",
    });
    expect(changes).toContain('CMD ["python3"]');
    expect(changes).toContain("ENV LANG=C.UTF-8");
    expect(changes.some((line) => line.startsWith("ENV PATH=/usr/local/sbin:/usr/local/bin:"))).toBe(true);
    expect(changes).toContain('LABEL dev.parity.base="debian-bookworm-debootstrap"');
    expect(changes).toContain('LABEL dev.parity.python="3.11.2"');
  });
});

describe("requireRoot", () => {
  it("lets root through", () => {
    expect(() =>
      requireRoot(0, "/var/cache/parity/base-images", "parity/python:3.11-bookworm"),
    ).not.toThrow();
  });

  it("tells other users why root is needed and what else works", () => {
    try {
      requireRoot(1000, "/var/cache/parity/base-images", "parity/python:3.11-bookworm");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ParityError);
      expect((error as ParityError).message).toContain("needs root");
      expect((error as ParityError).fix).toContain("sudo parity base-image");
      expect((error as ParityError).fix).toContain("docker tag <image> parity/python:3.11-bookworm");
    }
  });
});

describe("the programs a base image needs", () => {
  const without = { PATH: "/nonexistent" };

  it("names the missing package and, for root on Debian, the exact install command", () => {
    try {
      requirePrograms(rootfsPrograms("bookworm"), without, { uid: 0, debian: true });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ParityError);
      expect((error as ParityError).code).toBe("ProgramMissing");
      expect((error as ParityError).message).toBe(
        "Making the base image from Debian bookworm packages needs the program debootstrap (Debian package debootstrap), which is not installed or not on PATH.",
      );
      expect((error as ParityError).fix).toBe(
        "Install it with: apt-get install -y debootstrap (then run the command again).",
      );
    }
  });

  it("offers sudo to other users, and the package name elsewhere than Debian", () => {
    const fixFor = (host: { uid: number; debian: boolean }) => {
      try {
        requirePrograms(rootfsPrograms("bookworm"), without, host);
      } catch (error) {
        return (error as ParityError).fix;
      }
      return undefined;
    };
    expect(fixFor({ uid: 1000, debian: true })).toBe(
      "Install it with: sudo apt-get install -y debootstrap (then run the command again).",
    );
    expect(fixFor({ uid: 0, debian: false })).toContain(
      "Install debootstrap with your system's package manager (on Debian and Ubuntu its package is debootstrap)",
    );
  });

  it("finds programs on PATH as a shell would", () => {
    expect(() =>
      requirePrograms([{ program: "sh", debianPackage: "dash", purpose: "A test" }]),
    ).not.toThrow();
  });
});
