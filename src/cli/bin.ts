// The `parity` executable: wires the process (signals, stdout) to main().
import type { CliIO } from "./io";
import { main } from "./main";
import { askOnTerminal } from "./terminal";

const controller = new AbortController();
let interrupts = 0;
process.on("SIGINT", () => {
  interrupts += 1;
  if (interrupts === 1) {
    process.stderr.write("\nparity: stopping...\n");
    controller.abort();
  } else if (interrupts === 2) {
    process.stderr.write(
      "parity: still stopping; Ctrl-C once more quits at once (the next parity command here stops what is left and records it).\n",
    );
  } else {
    process.exit(130);
  }
});
process.on("SIGTERM", () => controller.abort());
// The terminal closed: what this command started stops as on Ctrl-C (an endpoint still loading too).
process.on("SIGHUP", () => controller.abort());
// `parity logs | head` closes stdout early: stop writing, cancel the work, no stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  controller.abort();
  process.exitCode = 0;
});
const io: CliIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: Boolean(process.stdout.isTTY),
  errIsTTY: Boolean(process.stderr.isTTY),
  signal: controller.signal,
  cwd: process.cwd(),
  env: process.env,
  ...(process.stdin.isTTY && process.stderr.isTTY
    ? { ask: (question: string) => askOnTerminal(question, controller.signal) }
    : {}),
};
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`parity: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
