import { DEFAULT_SUITE, defaultBaseImageTag, makeBaseImage } from "../../app/baseImage";
import { parseCommand } from "../args";
import type { CliCommand } from "../io";

const USAGE = `Usage: parity base-image [options]

Builds a Python base image from Debian packages (debootstrap, then docker import), for machines
where no image can be pulled. The root filesystem is cached in $PARITY_CACHE_DIR/base-images
(default /var/cache/parity for root, ~/.cache/parity for anyone else), so only the first run
takes about a minute.

Options:
  --tag <image>      Image to make (default: ${defaultBaseImageTag()})
  --suite <name>     Debian suite (default: ${DEFAULT_SUITE})
  --mirror <url>     Debian mirror (default: the host's apt mirror for the suite, else deb.debian.org)
  --if-missing       Do nothing when the image already exists
  --refresh          Ignore the cached root filesystem and bootstrap a fresh one
  --verbose          Show debootstrap's own output
  -h, --help         Show this help`;

export const baseImageCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    {
      tag: { type: "string" },
      suite: { type: "string" },
      mirror: { type: "string" },
      "if-missing": { type: "boolean" },
      refresh: { type: "boolean" },
      verbose: { type: "boolean" },
    },
    { min: 0, max: 0 },
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;

  const result = await makeBaseImage(io, {
    tag: values.tag,
    suite: values.suite,
    mirror: values.mirror,
    ifMissing: values["if-missing"],
    refresh: values.refresh,
    print: io.err,
    onProgress: (progress) => {
      if (!progress.detail || values.verbose)
        io.err(progress.detail ? `  ${progress.message}` : progress.message);
    },
  });
  io.out(`${result.tag} ${result.imageId}`);
  return 0;
};
