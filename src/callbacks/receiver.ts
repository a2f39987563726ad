// A receiver that checks every status callback it gets against the contract and correlates them
// by message id: conformance's callback stage and the `kaleyra-video callbacks` command use it.
import { createServer } from "node:http";
import { readBody } from "../http/request-body.ts";
import { parseJson } from "../json/read.ts";
import { printable } from "../http/printable.ts";
import { createCallbackChecker, maxTrackedMessages, type CallbackChecker, type CallbackFinding } from "./checker.ts";
import { defaultCallbackBodyBytes } from "./handler.ts";
import { listenOn } from "../http/listen.ts";

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
export async function listenForCallbacks(options: {
  port: number;
  host: string;
  stop: Promise<unknown>;
  ready?: (url: string) => void;
  line?: (text: string) => void;
}): Promise<ListenResult> {
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
  const violations = result.violations
    ? `${result.violations} violation(s): ${Object.entries(result.byCheck)
        .map(([check, count]) => `${check} ${count}`)
        .join(", ")}${kept}`
    : "no violation";
  const incomplete = result.incomplete.length ? `; ${result.incomplete.length} message(s) without a whole sequence yet` : "";
  const forgotten = result.forgotten ? `; the oldest ${result.forgotten} message(s) forgotten (at most ${maxTrackedMessages} are remembered)` : "";
  return `${result.callbacks} callback(s) for ${result.messages} message(s): ${violations}${incomplete}${forgotten}.`;
}
