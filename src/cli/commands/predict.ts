import { formatLatencies } from "../../core/serving/latency";
import { parseCommand } from "../args";
import type { CliCommand } from "../io";

const USAGE = `Usage: parity predict <name|url> (--data <file.json> | --sample) [options]

Sends a request to an endpoint (a name from parity endpoints, or a URL) and prints the answer and
how long it took. The file holds a V1 body ({"instances": ...}), a V2 body ({"inputs": [...]}),
or the rows alone ([[5.1, 3.5, 1.4, 0.2]] or [{"column": value}]), which become the protocol's.

Options:
  -d, --data <file>       The request's JSON
  --sample                Rows of the notebook's data instead: the first rows of a CSV file beside
                          the model or the notebook holding the columns the model was fitted on
  --protocol v1|v2        The inference protocol (default: the endpoint's serving.protocol, else v1)
  --model <name>          The model's name, where a URL serves several
  --requests <n>          Send it n times: the latency distribution and the errors
  --concurrency <n>       Requests in flight at once during --requests (default 1)
  --json                  One JSON object on stdout
  -h, --help              Show this help`;

export const predictCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    {
      data: { type: "string", short: "d" },
      sample: { type: "boolean" },
      protocol: { type: "string" },
      model: { type: "string" },
      requests: { type: "string" },
      concurrency: { type: "string" },
      json: { type: "boolean" },
    },
    { min: 1, max: 1 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (!values.data === !values.sample) {
    io.err(
      "parity predict: give the request's rows or body with --data <file.json>, or --sample for rows of the notebook's data.",
    );
    return 2;
  }
  if (values.protocol !== undefined && values.protocol !== "v1" && values.protocol !== "v2") {
    io.err(`parity predict: --protocol is v1 or v2, not "${values.protocol}".`);
    return 2;
  }
  const requests = count(values.requests, "--requests", io.err);
  const concurrency = count(values.concurrency, "--concurrency", io.err);
  if (requests === null || concurrency === null) return 2;
  const { predict } = await import("../../app/serving/predict");
  const result = await predict(
    { env: io.env, cwd: io.cwd, signal: io.signal },
    {
      endpoint: positionals[0]!,
      dataFile: values.data,
      sample: values.sample,
      protocol: values.protocol as "v1" | "v2" | undefined,
      model: values.model,
      requests,
      concurrency,
    },
  );
  if (values.json) {
    io.out(
      JSON.stringify({
        url: result.url,
        model: result.model,
        protocol: result.protocol,
        status: result.answer.status,
        ok: result.answer.ok,
        predictions: result.answer.predictions ?? null,
        error: result.answer.error ?? null,
        latencyMs: result.latencyMs,
        source: result.source ?? null,
        ...(result.load ? { load: result.load } : {}),
        response: result.answer.body,
      }),
    );
  } else {
    const where = `${result.url}${result.request.path}`;
    io.out(
      `${result.protocol.toUpperCase()} ${where}: ${result.answer.status === 0 ? "no answer" : `HTTP ${result.answer.status}`} after ${result.latencyMs.toFixed(1)} ms`,
    );
    io.out(
      result.answer.ok
        ? `Predictions: ${JSON.stringify(result.answer.predictions)}`
        : `Error: ${result.answer.error}`,
    );
    if (result.load) for (const line of formatLatencies(result.load)) io.out(line);
    if (result.firstError && result.answer.ok) io.out(`First error: ${result.firstError}`);
  }
  return result.answer.ok && (result.load?.errors ?? 0) === 0 ? 0 : 1;
};

/** A positive whole number flag, undefined when absent, null (after saying why) when wrong. */
function count(
  value: string | undefined,
  flag: string,
  err: (line: string) => void,
): number | undefined | null {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (Number.isInteger(number) && number >= 1 && number <= 100_000) return number;
  err(`parity predict: ${flag} takes a whole number from 1 to 100000, not "${value}".`);
  return null;
}
