import { ParityError } from "../../core/errors";
import type { TargetName } from "../../core/job/types";
import { clusterTarget } from "./cluster";
import { localTarget } from "./local";
import type { Target } from "./target";

/** Every target Parity runs on, by name: the one place that lists them. */
const TARGETS: Record<TargetName, Target> = { local: localTarget, cluster: clusterTarget };

export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];

/** The target of this name; a name Parity does not know is the user's error, said as such. */
export function targetNamed(name: string): Target {
  if (Object.hasOwn(TARGETS, name)) return TARGETS[name as TargetName];
  throw new ParityError("UnknownTarget", `Parity has no target "${name}".`, {
    fix: `Use one of: ${TARGET_NAMES.join(", ")}.`,
  });
}
