import { createHash, randomBytes } from "node:crypto";
import { inspectImage } from "./images";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type Dockerode from "dockerode";
import { CancelledError, ParityError, throwIfCancelled } from "../../core/errors";
import { requirePrograms, runProcess, type ProgramNeed } from "../process";
import { defaultCacheDir, makeCacheDir } from "../cache";

export const DEFAULT_SUITE = "bookworm";
export const DEFAULT_MIRROR = "http://deb.debian.org/debian";
export const BASE_PACKAGES = ["python3", "python3-pip", "python3-venv", "ca-certificates"] as const;
/** Bump when the way the root filesystem is made changes: it invalidates cached tarballs. */
export const RECIPE_VERSION = 1;

/** The Python each Debian suite ships, for the default tag. */
const SUITE_PYTHON: Record<string, string> = { bullseye: "3.9", bookworm: "3.11", trixie: "3.13" };

export function defaultBaseImageTag(suite: string = DEFAULT_SUITE): string {
  const python = SUITE_PYTHON[suite];
  return python ? `parity/python:${python}-${suite}` : `parity/python:${suite}`;
}

export { defaultCacheDir };

export interface BaseImageProgress {
  stage: "check" | "debootstrap" | "pack" | "import" | "done";
  message: string;
  /** A line of a tool's own output (debootstrap's), rather than a step of ours. */
  detail?: boolean;
}

export interface BaseImageOptions {
  docker: Dockerode;
  tag?: string;
  suite?: string;
  /** Debian mirror; the host's apt sources for the suite, else deb.debian.org. */
  mirror?: string;
  /** Defaults to $PARITY_CACHE_DIR or /var/cache/parity. */
  cacheDir?: string;
  /** Do nothing when the tag already exists. */
  ifMissing?: boolean;
  /** Ignore the cached root filesystem and bootstrap a fresh one (e.g. for security updates). */
  refresh?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: BaseImageProgress) => void;
}

export interface BaseImageResult {
  tag: string;
  imageId: string;
  /** existing: the tag was there (ifMissing); cache: imported from the cached tarball; debootstrap: made afresh. */
  source: "existing" | "cache" | "debootstrap";
  pythonVersion?: string;
  cachePath: string;
  durations: { debootstrapMs?: number; packMs?: number; importMs?: number; totalMs: number };
}

/** What is stored beside a cached tarball; the tarball only counts when this matches. */
interface CacheMeta {
  key: string;
  suite: string;
  packages: string[];
  arch: string;
  mirror: string;
  pythonVersion: string;
  createdAt: string;
}

/**
 * Makes a Python base image from Debian packages (debootstrap, then `docker import`) for sites
 * where no image can be pulled. The root filesystem tarball is cached by content key, so only the
 * first run pays for debootstrap.
 */
export async function buildBaseImage(options: BaseImageOptions): Promise<BaseImageResult> {
  const started = Date.now();
  const { docker, signal } = options;
  const suite = options.suite ?? DEFAULT_SUITE;
  const tag = options.tag ?? defaultBaseImageTag(suite);
  const progress = (stage: BaseImageProgress["stage"], message: string): void =>
    options.onProgress?.({ stage, message });
  const arch = debianArch(process.arch);
  const key = baseImageCacheKey({ suite, packages: [...BASE_PACKAGES], arch });
  const cachePath = baseImageCachePath(options.cacheDir ?? defaultCacheDir(), suite, arch);
  const dir = dirname(cachePath);

  throwIfCancelled(signal);
  const existing = await inspectImage(docker, tag);
  if (existing && options.ifMissing) {
    const pythonVersion = existing.Config?.Labels?.["dev.parity.python"];
    progress("done", `${tag} already exists (${shortId(existing.Id)}); nothing to do.`);
    return {
      tag,
      imageId: existing.Id,
      source: "existing",
      pythonVersion,
      cachePath,
      durations: { totalMs: 0 },
    };
  }

  await makeCacheDir(dir);
  await removeAbandonedWork(dir);
  const durations: BaseImageResult["durations"] = { totalMs: 0 };
  let meta = options.refresh ? undefined : await readCacheMeta(cachePath, key);
  let source: BaseImageResult["source"] = "cache";
  if (meta) {
    progress("check", `Using the cached root filesystem ${cachePath} (made ${meta.createdAt}).`);
  } else {
    requireRoot(process.getuid?.(), dir, tag);
    requirePrograms(rootfsPrograms(suite));
    const mirror = options.mirror ?? (await hostDebianMirror(suite)) ?? DEFAULT_MIRROR;
    meta = await makeRootfsTarball({ suite, arch, key, mirror, cachePath, dir, signal, options, durations });
    source = "debootstrap";
  }

  throwIfCancelled(signal);
  progress(
    "import",
    `Importing ${tag}: a base image built locally from Debian ${suite} packages (Python ${meta.pythonVersion}), ` +
      "not an upstream python image.",
  );
  const importStarted = Date.now();
  const imageId = await importTarball(docker, cachePath, tag, meta, signal);
  durations.importMs = Date.now() - importStarted;
  if (existing && existing.Id !== imageId) await removeIfUnused(docker, existing.Id);
  durations.totalMs = Date.now() - started;
  progress("done", `Made ${tag} (${shortId(imageId)}) in ${describeDurations(durations)}.`);
  return { tag, imageId, source, pythonVersion: meta.pythonVersion, cachePath, durations };
}

/** What making the root filesystem runs, checked before anything starts. */
export function rootfsPrograms(suite: string): ProgramNeed[] {
  const purpose = `Making the base image from Debian ${suite} packages`;
  return [
    { program: "debootstrap", debianPackage: "debootstrap", purpose },
    { program: "tar", debianPackage: "tar", purpose },
  ];
}

interface MakeRootfs {
  suite: string;
  arch: string;
  key: string;
  mirror: string;
  cachePath: string;
  dir: string;
  signal?: AbortSignal;
  options: BaseImageOptions;
  durations: BaseImageResult["durations"];
}

async function makeRootfsTarball(job: MakeRootfs): Promise<CacheMeta> {
  const { suite, mirror, signal, options } = job;
  const unique = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const work = join(job.dir, `.work-${unique}`);
  const partial = `${job.cachePath}.partial-${unique}`;
  const metaPartial = `${metaPathOf(job.cachePath)}.partial-${unique}`;
  await mkdir(work);
  try {
    const rootfs = join(await realpath(work), "rootfs");
    options.onProgress?.({
      stage: "debootstrap",
      message:
        `No base image can be pulled here, so Parity builds one from Debian ${suite} packages ` +
        `(${BASE_PACKAGES.join(", ")}) from ${mirror}. This takes about a minute, once; later runs use the cache.`,
    });
    const debootstrapStarted = Date.now();
    await debootstrap(suite, rootfs, mirror, signal, (line) =>
      options.onProgress?.({ stage: "debootstrap", message: line, detail: true }),
    );
    job.durations.debootstrapMs = Date.now() - debootstrapStarted;
    throwIfCancelled(signal);

    await trimRootfs(rootfs);
    const status = await readFile(join(rootfs, "var/lib/dpkg/status"), "utf8");
    const pythonVersion = debianPackageVersion(status, "python3") ?? "unknown";
    options.onProgress?.({ stage: "pack", message: `Packing the root filesystem into ${job.cachePath}.` });
    const packStarted = Date.now();
    // Numeric owners: the image must not depend on the host's user names.
    await runChecked(
      "tar",
      ["--numeric-owner", "-C", rootfs, "-cf", partial, "."],
      signal,
      "Packing the root filesystem",
    );
    await syncFile(partial);
    job.durations.packMs = Date.now() - packStarted;

    const meta: CacheMeta = {
      key: job.key,
      suite,
      packages: [...BASE_PACKAGES],
      arch: job.arch,
      mirror,
      pythonVersion,
      createdAt: new Date().toISOString(),
    };
    // The tarball is renamed last: its presence means that both files are complete.
    await writeFile(metaPartial, `${JSON.stringify(meta, null, 2)}\n`);
    await rename(metaPartial, metaPathOf(job.cachePath));
    await rename(partial, job.cachePath);
    return meta;
  } finally {
    await rm(partial, { force: true });
    await rm(metaPartial, { force: true });
    await removeWorkDir(work);
  }
}

async function debootstrap(
  suite: string,
  rootfs: string,
  mirror: string,
  signal: AbortSignal | undefined,
  onLine: (line: string) => void,
): Promise<void> {
  const args = ["--variant=minbase", `--include=${BASE_PACKAGES.join(",")}`, suite, rootfs, mirror];
  const result = await runProcess("debootstrap", args, {
    signal,
    onStdout: lineSplitter(onLine),
    onStderr: lineSplitter(onLine),
  });
  if (result.code === 0) return;
  const output = `${result.stdout}\n${result.stderr}`.split("\n").filter((line) => line.trim());
  const errors = output.filter((line) => line.startsWith("E:"));
  const shown = (errors.length > 0 ? errors : output.slice(-10)).join("\n");
  throw new ParityError(
    "BaseImageDebootstrapFailed",
    `debootstrap could not make a Debian ${suite} root filesystem from ${mirror} (exit code ${result.code}):\n${shown}`,
    {
      fix:
        `Check that ${mirror} serves Debian ${suite} from this machine (proxy settings included), ` +
        "or give another mirror with --mirror.",
    },
  );
}

function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let pending = "";
  return (chunk) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) onLine(line.trimEnd());
  };
}

/** Downloaded packages and apt's lists are not needed in an image (~100 MB). */
async function trimRootfs(rootfs: string): Promise<void> {
  const archives = join(rootfs, "var/cache/apt/archives");
  for (const name of await readdir(archives)) {
    if (name.endsWith(".deb")) await rm(join(archives, name), { force: true });
  }
  const lists = join(rootfs, "var/lib/apt/lists");
  for (const name of await readdir(lists)) {
    if (name !== "partial" && name !== "lock") await rm(join(lists, name), { force: true, recursive: true });
  }
}

async function importTarball(
  docker: Dockerode,
  tarball: string,
  tag: string,
  meta: CacheMeta,
  signal: AbortSignal | undefined,
): Promise<string> {
  const { repo, tag: version } = splitTag(tag);
  const stream = await docker
    .importImage(createReadStream(tarball), {
      repo,
      tag: version,
      changes: imageConfigChanges(meta),
      message: `Parity base image from Debian ${meta.suite} packages (debootstrap)`,
      abortSignal: signal,
    })
    .catch((error: unknown) => {
      if (signal?.aborted) throw new CancelledError();
      throw importFailed(tag, error);
    });
  let failure: string | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error: Error | null) => (error ? reject(error) : resolve()),
        (message: { error?: string; errorDetail?: { message?: string } }) => {
          if (message.error || message.errorDetail) failure = message.errorDetail?.message ?? message.error;
        },
      );
    });
  } catch (error) {
    if (signal?.aborted) throw new CancelledError();
    throw importFailed(tag, error);
  }
  if (failure !== undefined) throw importFailed(tag, new Error(failure));
  const image = await inspectImage(docker, tag);
  if (!image) throw importFailed(tag, new Error("the engine reported success but has no such image"));
  return image.Id;
}

function importFailed(tag: string, error: unknown): ParityError {
  const why = error instanceof Error ? error.message : String(error);
  return new ParityError("BaseImageImportFailed", `The Docker engine could not import ${tag}: ${why}`, {
    fix: "Check the engine's free disk space and its log, then run the command again (the cached tarball is kept).",
    cause: error,
  });
}

/** The Dockerfile-like instructions `docker import` applies to the imported filesystem. */
export function imageConfigChanges(
  meta: Pick<CacheMeta, "suite" | "pythonVersion" | "key" | "mirror">,
): string[] {
  const labels: Record<string, string> = {
    "dev.parity.base": `debian-${meta.suite}-debootstrap`,
    "dev.parity.base.recipe": String(RECIPE_VERSION),
    "dev.parity.base.key": meta.key,
    "dev.parity.base.mirror": meta.mirror,
    "dev.parity.python": meta.pythonVersion,
    "org.opencontainers.image.description": `Python ${meta.pythonVersion} from Debian ${meta.suite} packages, built locally by Parity`,
  };
  return [
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    ...Object.entries(labels).map(([name, value]) => `LABEL ${name}=${JSON.stringify(value)}`),
    'CMD ["python3"]',
  ];
}

export function baseImageCacheKey(input: { suite: string; packages: string[]; arch: string }): string {
  const canonical = JSON.stringify({
    recipe: RECIPE_VERSION,
    variant: "minbase",
    suite: input.suite,
    arch: input.arch,
    packages: [...input.packages].sort(),
  });
  return createHash("sha256").update(canonical).digest("hex");
}

/** Where the root filesystem tarball for a suite is cached. */
export function baseImageCachePath(
  cacheDir: string,
  suite: string,
  arch: string = debianArch(process.arch),
): string {
  const key = baseImageCacheKey({ suite, packages: [...BASE_PACKAGES], arch });
  return join(cacheDir, "base-images", `python-${suite}-${arch}-${key.slice(0, 16)}.tar`);
}

export function debianArch(nodeArch: string): string {
  const names: Record<string, string> = {
    x64: "amd64",
    arm64: "arm64",
    arm: "armhf",
    ia32: "i386",
    ppc64: "ppc64el",
  };
  return names[nodeArch] ?? nodeArch;
}

/** "parity/python:3.11-bookworm" → repo and tag; a port in a registry host is not a tag. */
export function splitTag(reference: string): { repo: string; tag: string } {
  const colon = reference.lastIndexOf(":");
  if (colon > reference.lastIndexOf("/"))
    return { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repo: reference, tag: "latest" };
}

/** The upstream version of an installed package from dpkg's status file: "3.11.2-1+b1" → "3.11.2". */
export function debianPackageVersion(status: string, name: string): string | undefined {
  for (const stanza of status.split(/\n\s*\n/)) {
    if (!new RegExp(`^Package: ${name.replace(/[.+]/g, "\\$&")}$`, "m").test(stanza)) continue;
    const version = /^Version: (.+)$/m.exec(stanza)?.[1]?.trim();
    if (!version) return undefined;
    const withoutEpoch = version.replace(/^\d+:/, "");
    const dash = withoutEpoch.lastIndexOf("-");
    return dash > 0 ? withoutEpoch.slice(0, dash) : withoutEpoch;
  }
  return undefined;
}

/**
 * The Debian archive the host's apt uses for `suite` (air-gapped sites point it at their own
 * mirror). Reads one-line `deb` entries and deb822 `.sources` stanzas.
 */
export function mirrorFromAptSources(sources: string[], suite: string): string | undefined {
  for (const text of sources) {
    for (const line of text.split("\n")) {
      const fields = line
        .replace(/\[[^\]]*\]/, " ")
        .trim()
        .split(/\s+/);
      if (fields[0] === "deb" && fields[2] === suite && fields.slice(3).includes("main")) return fields[1];
    }
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string): string[] =>
        new RegExp(`^${name}:[ \\t]*(.*)$`, "mi").exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
      const uri = field("URIs")[0];
      if (
        uri &&
        field("Types").includes("deb") &&
        field("Suites").includes(suite) &&
        field("Components").includes("main")
      ) {
        return uri;
      }
    }
  }
  return undefined;
}

async function hostDebianMirror(suite: string): Promise<string | undefined> {
  const files = ["/etc/apt/sources.list"];
  try {
    const extra = await readdir("/etc/apt/sources.list.d");
    files.push(
      ...extra.filter((f) => /\.(list|sources)$/.test(f)).map((f) => join("/etc/apt/sources.list.d", f)),
    );
  } catch {
    // No sources.list.d: the main file alone.
  }
  const texts = await Promise.all(files.map((file) => readFile(file, "utf8").catch(() => "")));
  return mirrorFromAptSources(texts, suite);
}

export function requireRoot(uid: number | undefined, cacheDir: string, tag: string): void {
  if (uid === undefined || uid === 0) return;
  throw new ParityError(
    "BaseImageNeedsRoot",
    `Making the base image needs root the first time: debootstrap creates device files and runs chroot, and Parity runs as uid ${uid}.`,
    {
      fix:
        `Run it once as root (sudo parity base-image); later runs reuse the root filesystem cached in ${cacheDir}. ` +
        `Or tag a Python image you already have as ${tag} (docker tag <image> ${tag}).`,
    },
  );
}

/** Mount points at or below `dir` in /proc/self/mountinfo text, deepest first. */
export function mountPointsUnder(mountinfo: string, dir: string): string[] {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  const points = mountinfo
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((point): point is string => point !== undefined)
    .map((point) =>
      point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))),
    )
    .filter((point) => point === dir || point.startsWith(prefix));
  return points.sort((a, b) => b.length - a.length);
}

/**
 * Removes a work folder that may still hold debootstrap's mounts (/proc, /sys) if it was killed:
 * deleting through a live mount would delete the host's files, so unmount first or refuse.
 */
async function removeWorkDir(work: string): Promise<void> {
  const real = await realpath(work).catch(() => undefined);
  if (!real) return;
  const mounts = async (): Promise<string[]> =>
    mountPointsUnder(await readFile("/proc/self/mountinfo", "utf8").catch(() => ""), real);
  for (const point of await mounts()) await runProcess("umount", ["-l", point]);
  const left = await mounts();
  if (left.length > 0) {
    throw new ParityError(
      "BaseImageMountsLeft",
      `Parity left ${real} in place: it still has mounts (${left.join(", ")}).`,
      {
        fix: `Unmount them (umount -l <path>) and then delete ${real}.`,
      },
    );
  }
  await rm(real, { recursive: true, force: true });
}

/** Work folders and partial files of runs that died (killed, power loss) without cleaning up. */
async function removeAbandonedWork(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const owner = /^\.work-(\d+)-|\.partial-(\d+)-/.exec(name);
    const pid = Number(owner?.[1] ?? owner?.[2]);
    if (!owner || isAlive(pid)) continue;
    if (name.startsWith(".work-")) await removeWorkDir(join(dir, name));
    else await rm(join(dir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readCacheMeta(cachePath: string, key: string): Promise<CacheMeta | undefined> {
  try {
    const [meta, info] = await Promise.all([readFile(metaPathOf(cachePath), "utf8"), stat(cachePath)]);
    const parsed = JSON.parse(meta) as CacheMeta;
    return parsed.key === key && info.size > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function metaPathOf(cachePath: string): string {
  return cachePath.replace(/\.tar$/, ".json");
}

/** tar does not fsync; a tarball renamed into the cache must be on disk first. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function runChecked(
  command: string,
  args: string[],
  signal: AbortSignal | undefined,
  what: string,
): Promise<void> {
  const result = await runProcess(command, args, { signal });
  if (result.code !== 0) {
    throw new ParityError(
      "BaseImageStepFailed",
      `${what} failed (${command} exit code ${result.code}): ${result.stderr.trim()}`,
      {
        fix: "Check the free disk space of the cache folder (PARITY_CACHE_DIR), then run the command again.",
      },
    );
  }
}

/** The previous image of a re-made tag, unless something still uses or names it. */
async function removeIfUnused(docker: Dockerode, imageId: string): Promise<void> {
  try {
    await docker.getImage(imageId).remove();
  } catch {
    // In use by a container or tagged elsewhere: it stays.
  }
}

function describeDurations(durations: BaseImageResult["durations"]): string {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const parts = [
    durations.debootstrapMs !== undefined && `debootstrap ${seconds(durations.debootstrapMs)}`,
    durations.packMs !== undefined && `pack ${seconds(durations.packMs)}`,
    durations.importMs !== undefined && `import ${seconds(durations.importMs)}`,
  ].filter(Boolean);
  return `${seconds(durations.totalMs)} (${parts.join(", ")})`;
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}
