// `kaleyra-video callbacks`: a receiver that checks every status callback it gets against the
// contract, correlates them by message id, and sums up on Ctrl-C (or after --for-ms).
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import type { CommandIo } from "../cli/send.ts";
import { isUsageError, listenProblem, UsageError, wholeFlag } from "../cli/output.ts";
import { maxTimerMs } from "../http/edge.ts";
import { readBody } from "../http/request-body.ts";
import { parseJson } from "../http/json.ts";
import { printable } from "../http/printable.ts";
import { createCallbackChecker, maxTrackedMessages, type CallbackChecker, type CallbackFinding } from "./checker.ts";
import { defaultCallbackBodyBytes } from "./handler.ts";
import { listenOn } from "../http/listen.ts";

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

export interface ListenResult {
  callbacks: number;
  messages: number;
  /** The first `maxKeptFindings` findings; `violations` and `byCheck` count them all. */
  findings: CallbackFinding[];
  violations: number;
  byCheck: Partial<Record<CallbackFinding["check"], number>>;
  incomplete: string[];
  /** Messages the checker forgot to stay within its limit (their later callbacks judged afresh). */
  forgotten: number;
}

/** Findings a receiver keeps whole; the rest are counted by check. */
export const maxKeptFindings = 1_000;

export interface CallbackReceiver {
  url: string;
  checker: CallbackChecker;
  /** The first `maxKeptFindings` findings so far, a body that was not JSON included. */
  findings: CallbackFinding[];
  /** Every finding so far, counted by check. */
  counts(): { violations: number; byCheck: Partial<Record<CallbackFinding["check"], number>> };
  /** Callbacks received that were JSON. */
  received(): number;
  close(): Promise<void>;
}

/** A receiver on `host:port` that checks every callback it gets; `line` hears one line each. */
export async function startCallbackReceiver(options: { port: number; host: string; path?: string; line?: (text: string) => void }): Promise<CallbackReceiver> {
  const checker = createCallbackChecker();
  const findings: CallbackFinding[] = [];
  const byCheck: Partial<Record<CallbackFinding["check"], number>> = {};
  let violations = 0;
  /** Counted, and kept while there is room: a sender may send anything, any number of times. */
  const found = (...more: CallbackFinding[]) => {
    for (const finding of more) {
      violations++;
      byCheck[finding.check] = (byCheck[finding.check] ?? 0) + 1;
      if (findings.length < maxKeptFindings) findings.push(finding);
    }
  };
  let received = 0;
  // A sender's status, id and fields are anyone's text: escaped before they are printed.
  const line = options.line ? (text: string) => options.line!(printable(text)) : () => {};
  const server = createServer((request, response) => {
    void (async () => {
      const read = await readBody(request, defaultCallbackBodyBytes);
      if (read.kind === "aborted") return response.destroy();
      if (read.kind === "too-large") return response.writeHead(413, { connection: "close" }).end();
      const parsed = parseJson(read.bytes.toString("utf8"));
      if (!parsed.ok) {
        const why = parsed.kind === "malformed" ? "the body is not JSON" : `the body's JSON ${parsed.problem}`;
        found({ check: "valid", messageId: undefined, message: why });
        line(`? (not JSON) ✗ valid: ${why}`);
        return response.writeHead(400).end();
      }
      const body = parsed.value;
      received++;
      const judged = checker.check(body);
      found(...judged);
      const { status, message_id: id } = (body ?? {}) as { status?: unknown; message_id?: unknown };
      line(`${String(status ?? "?")} ${String(id ?? "?")} ${judged.length ? judged.map((f) => `✗ ${f.check}: ${f.message}`).join("; ") : "ok"}`);
      response.writeHead(204).end();
    })();
  });
  const url = await listenOn(server, options.port, options.host);
  return {
    url: `${url}${options.path ?? "/"}`,
    checker,
    findings,
    counts: () => ({ violations, byCheck: { ...byCheck } }),
    received: () => received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Listens until `stop` resolves; `ready` gets the URL once listening. */
export async function listenForCallbacks(options: { port: number; host: string; stop: Promise<unknown>; ready?: (url: string) => void; line?: (text: string) => void }): Promise<ListenResult> {
  const receiver = await startCallbackReceiver(options);
  options.ready?.(receiver.url);
  await options.stop;
  await receiver.close();
  const { violations, byCheck } = receiver.counts();
  return {
    callbacks: receiver.received(),
    messages: receiver.checker.messages().size + receiver.checker.forgotten(),
    findings: receiver.findings,
    violations,
    byCheck,
    incomplete: receiver.checker.incomplete(),
    forgotten: receiver.checker.forgotten(),
  };
}

export function describeResult(result: ListenResult): string {
  const kept = result.findings.length < result.violations ? ` (the first ${result.findings.length} kept in the report)` : "";
  const violations = result.violations ? `${result.violations} violation(s): ${Object.entries(result.byCheck).map(([check, count]) => `${check} ${count}`).join(", ")}${kept}` : "no violation";
  const incomplete = result.incomplete.length ? `; ${result.incomplete.length} message(s) without a whole sequence yet` : "";
  const forgotten = result.forgotten ? `; the oldest ${result.forgotten} message(s) forgotten (at most ${maxTrackedMessages} are remembered)` : "";
  return `${result.callbacks} callback(s) for ${result.messages} message(s): ${violations}${incomplete}${forgotten}.`;
}

/** The flags, as parseArgs reads them: --help and the README are checked against these. */
export const callbacksFlags = { port: { type: "string" }, host: { type: "string" }, "for-ms": { type: "string" }, report: { type: "string" }, help: { type: "boolean", short: "h" } } as const;

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
      result = await listenForCallbacks({ port, host: values.host ?? "127.0.0.1", stop, ready: (url) => io.err(`Listening for status callbacks on ${url}`), line: (text) => io.out(text) });
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
