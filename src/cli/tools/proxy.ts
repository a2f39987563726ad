// `kaleyra-video proxy`: the recording, validating proxy, and its drift summary on stop.
import { parseArgs } from "node:util";
import { summary } from "../../judge/report.ts";
import { baseUrlFlag, checkFlags, judgingFlags, reportFlags, wholeFlag, writeReports } from "./flags.ts";
import { isUsageError, listenProblem, UsageError, type CommandIo } from "../output.ts";
import { defaultMaxResponseBytes, maxResponseBytesLimit, maxTimerMs } from "../../http/edge.ts";
import { podUrls } from "../../client/pods.ts";
import { maxKeptOutcomes } from "../../judge/tally.ts";
import { RecordingFileError, startProxy } from "../../proxy/server.ts";

export const defaultProxyPort = 4030;

export const proxyHelp = `Usage: kaleyra-video proxy --upstream <url|pod> [--port N] [--host H] [--record FILE [--append]]
                           [--timeout-ms N] [--max-body-bytes N] [--checks A,B]
                           [--exclude-checks A,B] [--max-response-time MS] [--lenient]
                           [--report junit=FILE] [--report json=FILE]

A recording, validating proxy. Point your application (or Postman, or curl) at it instead of the
pod: each request goes to the upstream unchanged, and its answer comes back unchanged; no
redirect is followed, every body is bounded, and nothing is sent that your application did not
send. Each exchange is checked against the contract (request and answer) and printed as one
line; with --record it is written to FILE as one JSON record (request, answer, timing,
findings), the api-key masked in every form.

On Ctrl-C or SIGTERM, a drift summary: for each check, how many exchanges failed it; statuses
and codes the contract does not document, with counts and a sample; request fields the upstream
accepted that the contract refuses (leniency). Every count is exact; the reports keep at most
${maxKeptOutcomes} exchanges whole (violations first, then leniency, then passes). Judge a
recording again later, against the contract as it is then, with:
kaleyra-video conform --replay FILE.

  --upstream      the API behind the proxy: a base URL, or a pod: ${Object.keys(podUrls()).join(", ")}
  --port          port to listen on (default ${defaultProxyPort}; 0 picks a free one, printed)
  --host          interface to listen on (default 127.0.0.1)
  --record        write one NDJSON record per exchange to FILE, a new file (mode 0600); a path
                  that exists is refused, and so is a symbolic link
  --append        with --record: add to FILE if it exists (a regular file, never through a
                  symbolic link) instead of refusing it
  --timeout-ms    one limit for each whole exchange with the upstream (default 30000); past
                  it your application gets 504
  --max-body-bytes  the largest request body taken and answer read (default ${defaultMaxResponseBytes});
                  past it: 413 for a request (not forwarded), 502 for an answer
  --checks, --exclude-checks, --max-response-time, --lenient, --report: as for conform

Each request's own api-key (and Authorization) is masked in the recording and the output, and so
are KALEYRA_API_KEY and KALEYRA_MOCK_ADMIN_TOKEN when they are set.

Exit codes (after Ctrl-C or SIGTERM): 0 no drift, 1 drift found (a violation, or leniency
without --lenient), 2 bad usage, a recording that exists (without --append) or cannot be
written, or the port cannot be used.

Example (the application sends to http://127.0.0.1:4030 instead of the pod):
  kaleyra-video proxy --upstream in --record traffic.ndjson
`;

/** The flags, as parseArgs reads them: --help and the README are checked against these. */
export const proxyFlags = {
  upstream: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  record: { type: "string" },
  append: { type: "boolean" },
  "timeout-ms": { type: "string" },
  "max-body-bytes": { type: "string" },
  ...judgingFlags,
  help: { type: "boolean", short: "h" },
} as const;

export async function proxyCommand(argv: string[], io: CommandIo): Promise<number> {
  try {
    const { values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: proxyFlags });
    if (values.help) {
      io.out(proxyHelp);
      return 0;
    }
    if (values.upstream === undefined) throw new UsageError("--upstream is required: the URL or pod the proxy forwards to");
    const upstream = baseUrlFlag(values.upstream, "upstream");
    const port = wholeFlag(values.port, "port", 0, 65535) ?? defaultProxyPort;
    const host = values.host ?? "127.0.0.1";
    const checks = checkFlags(values.checks, values["exclude-checks"]);
    const maxResponseTimeMs = wholeFlag(values["max-response-time"], "max-response-time", 1, maxTimerMs);
    const reports = reportFlags(values.report);
    const lenient = values.lenient === true;
    if (values.append && values.record === undefined) throw new UsageError("--append adds to the --record file: give --record FILE");

    // Either signal ends the run the same way: the proxy's work is done when its user says so.
    let onSignal: () => void = () => {};
    const stopped = new Promise<void>((resolve) => (onSignal = () => resolve()));
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    try {
      proxy = await startProxy({
        upstream,
        host,
        port,
        timeoutMs: wholeFlag(values["timeout-ms"], "timeout-ms", 1, maxTimerMs) ?? 30_000,
        maxBodyBytes: wholeFlag(values["max-body-bytes"], "max-body-bytes", 1, maxResponseBytesLimit) ?? defaultMaxResponseBytes,
        lenient,
        judge: { ...(checks ? { selected: new Set(checks) } : {}), ...(maxResponseTimeMs === undefined ? {} : { maxResponseTimeMs }) },
        secrets: [io.env.KALEYRA_API_KEY?.trim(), io.env.KALEYRA_MOCK_ADMIN_TOKEN?.trim()],
        ...(values.record === undefined ? {} : { record: values.record, append: values.append === true }),
        line: (text) => io.out(text),
      });
    } catch (error) {
      const problem = listenProblem(error, host, port);
      if (problem) throw problem;
      if (error instanceof RecordingFileError) throw new UsageError(error.message);
      throw error;
    }
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    io.err(`Proxy on ${proxy.url} → ${upstream}${values.record ? `, recording to ${values.record}` : ""}. Ctrl-C for the drift summary.`);
    try {
      await stopped;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    await proxy.close();
    const result = proxy.result();
    io.out(summary(result));
    writeReports(result, reports, io);
    return result.ok ? 0 : 1;
  } catch (error) {
    if (!isUsageError(error)) throw error;
    io.err(`proxy: ${(error as Error).message}\nRun kaleyra-video proxy --help.`);
    return 2;
  }
}
