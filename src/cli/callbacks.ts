// `kaleyra-video callbacks`: the receiver of src/callbacks/ on a port, summed up on Ctrl-C (or
// after --for-ms).
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { isUsageError, listenProblem, UsageError, wholeFlag, type CommandIo } from "./output.ts";
import { maxTimerMs } from "../http/edge.ts";
import { describeResult, listenForCallbacks, type ListenResult } from "../callbacks/receiver.ts";

export const defaultCallbacksPort = 4020;

export const callbacksHelp = `Usage: kaleyra-video callbacks [--port N] [--host H] [--for-ms MS] [--report json=FILE]

Listens for status callbacks (from the kit's mock, or from a real pod through your tunnel) and
checks each one against the contract: valid against its webhook schema, message_id the same in
extra_info, each message's statuses in one of the contract's sequences (SENT, DELIVERED, READ;
SENT, FAILED; NOT-SENT), no status twice, the same ref, ref1, ref2 in all of a message's callbacks.
Every callback is answered 204 (400 when it is not JSON), one line each; a summary at the end.

  --port     port to listen on (default ${defaultCallbacksPort}; 0 picks a free one, printed)
  --host     interface to listen on (default 127.0.0.1)
  --for-ms   stop by itself after this many milliseconds (default: at Ctrl-C or SIGTERM)
  --report   json=FILE: every callback and finding, written at the end

Exit codes: 0 no violation, 1 violations found, 2 bad usage or the port cannot be used.

Example (the mock sends its callbacks here):
  kaleyra-video callbacks --port ${defaultCallbacksPort} &
  KALEYRA_MOCK_CALLBACK_URL=http://127.0.0.1:${defaultCallbacksPort}/ npm start
`;

/** The flags, as parseArgs reads them: --help and the README are checked against these. */
export const callbacksFlags = {
  port: { type: "string" },
  host: { type: "string" },
  "for-ms": { type: "string" },
  report: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export async function callbacksCommand(argv: string[], io: CommandIo): Promise<number> {
  try {
    const { values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: callbacksFlags });
    if (values.help) {
      io.out(callbacksHelp);
      return 0;
    }
    const port = wholeFlag(values.port, "port", 0, 65535) ?? defaultCallbacksPort;
    const forMs = wholeFlag(values["for-ms"], "for-ms", 1, maxTimerMs);
    const report = values.report;
    if (report !== undefined && !/^json=.+/.test(report)) throw new UsageError("--report takes json=FILE");
    let stopBy: (() => void) | undefined;
    const stop = new Promise<void>((resolve) => (stopBy = resolve));
    const onSignal = () => stopBy?.();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const timer = forMs === undefined ? undefined : setTimeout(onSignal, forMs);
    let result: ListenResult;
    try {
      result = await listenForCallbacks({
        port,
        host: values.host ?? "127.0.0.1",
        stop,
        ready: (url) => io.err(`Listening for status callbacks on ${url}`),
        line: (text) => io.out(text),
      });
    } catch (error) {
      throw listenProblem(error, values.host ?? "127.0.0.1", port) ?? error;
    } finally {
      clearTimeout(timer);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    io.out(describeResult(result));
    if (report !== undefined) writeFileSync(report.slice("json=".length), `${JSON.stringify(result, null, 2)}\n`);
    return result.violations ? 1 : 0;
  } catch (error) {
    if (!isUsageError(error)) throw error;
    io.err(`callbacks: ${(error as Error).message}\nRun kaleyra-video callbacks --help.`);
    return 2;
  }
}
