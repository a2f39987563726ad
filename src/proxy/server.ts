// The recording, validating proxy: a team points its application at it; each request goes to the
// upstream as it came (through the kit's shared HTTP edge: no redirect followed, every body
// bounded), the answer goes back as it came, and the exchange is judged against the contract and
// appended to the recording with every secret masked. It sends only what the application sends.
import { closeSync, openSync, writeSync } from "node:fs";
import { Agent as HttpAgent, createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { exchange } from "../http/exchange.ts";
import { readBody } from "../http/request-body.ts";
import { createMasker, withoutCredentials, type Masker } from "../http/secrets.ts";
import { findingsOf, judgeExchange, recordedResult, recordVersion, type ExchangeRecord, type JudgeOptions } from "../../conformance/recorded.ts";
import type { CaseOutcome, RunResult } from "../../conformance/runner.ts";
import { listenOn } from "../http/listen.ts";

export interface ProxyOptions {
  /** The upstream's base URL (a pod's, a mock's), without a trailing slash. */
  upstream: string;
  host: string;
  port: number;
  /** Appends one NDJSON record per exchange to this file. */
  record?: string;
  /** One deadline for each whole exchange with the upstream. */
  timeoutMs: number;
  /** The largest request body taken from the application, and answer read from the upstream. */
  maxBodyBytes: number;
  judge?: JudgeOptions;
  lenient?: boolean;
  /** Secrets known ahead (KALEYRA_API_KEY); each request's own api-key is masked too. */
  secrets?: readonly (string | undefined)[];
  /** One line per exchange. */
  line?: (text: string) => void;
}

export interface ProxyServer {
  url: string;
  /** The drift so far, as a run's result: the same reports as conform. */
  result(interrupted?: string): RunResult;
  close(): Promise<void>;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) and what the edge recomputes; accept-encoding is dropped
// so the upstream answers plainly (the edge would decompress anyway), and expect because the
// whole body is already here.
const notForwarded = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "accept-encoding", "expect"]);
const notReturned = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "content-length"]);
// The codings the kit's exchange decodes (src/http/exchange.ts): their body comes back plain, so
// their Content-Encoding must not reach the application, which would decode it again. Any other
// (zstd, codings applied twice) comes back as it was sent and keeps its header. Plain bytes
// without the header suit every application, whether or not it asked for a compressed answer.
const decodedByExchange = new Set(["gzip", "x-gzip", "deflate", "br"]);

// Set-Cookie is the one header Node keeps as a list: its values cannot be joined with commas.
function forwardable(headers: IncomingHttpHeaders, drop: Set<string>): Record<string, string | string[]> {
  const named = new Set((String(headers.connection ?? "")).split(",").map((name) => name.trim().toLowerCase()).filter(Boolean));
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || drop.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

const joined = (headers: Record<string, string | string[]>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value]));

function masked(headers: Record<string, string | string[]>, mask: Masker): Record<string, string> {
  return Object.fromEntries(Object.entries(joined(headers)).map(([name, value]) => [name, mask(value)]));
}

/** The request's own credentials: the api-key, and a bearer token if it carries one. */
function requestSecrets(request: IncomingMessage): string[] {
  const key = request.headers["api-key"];
  const authorization = request.headers.authorization;
  return [...(Array.isArray(key) ? key : key ? [key] : []), ...(authorization ? [authorization, authorization.replace(/^\S+\s+/, "")] : [])].filter((value) => value.trim() !== "");
}

function problem(response: ServerResponse, status: number, title: string, detail: string): void {
  const body = JSON.stringify({ type: "about:blank", title, status, detail });
  response.writeHead(status, { "content-type": "application/problem+json", "content-length": Buffer.byteLength(body) }).end(body);
}

/** The recording file cannot be opened for appending, whatever the reason (missing folder, a folder, no permission). */
export class RecordingFileError extends Error {
  override readonly name = "RecordingFileError";
  constructor(
    readonly file: string,
    readonly code: string,
  ) {
    super(`cannot write the recording ${file} (${code})`);
  }
}

function openRecording(file: string): number {
  try {
    return openSync(file, "a");
  } catch (error) {
    throw new RecordingFileError(file, String((error as NodeJS.ErrnoException).code ?? (error as Error).message));
  }
}

export async function startProxy(options: ProxyOptions): Promise<ProxyServer> {
  const upstream = options.upstream.replace(/\/+$/, "");
  const shown = withoutCredentials(upstream).replace(/\/+$/, "");
  const agent = upstream.startsWith("https:") ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const recording = options.record === undefined ? undefined : openRecording(options.record);
  const outcomes: CaseOutcome[] = [];
  let exchanges = 0;
  let outside = 0;
  let seq = 0;
  const line = options.line ?? (() => {});

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const number = ++seq;
    const at = new Date().toISOString();
    const mask = createMasker([...(options.secrets ?? []), ...requestSecrets(request)]);
    const method = request.method ?? "GET";
    const path = request.url ?? "/";
    const read = await readBody(request, options.maxBodyBytes);
    if (read.kind === "aborted") return void response.destroy();
    const requestHeaders = joined(forwardable(request.headers, notForwarded));
    const body = read.kind === "read" ? read.bytes : Buffer.alloc(0);
    const recordedRequest: ExchangeRecord["request"] = { method, path: mask(path), headers: masked(forwardable(request.headers, new Set(["connection", "keep-alive"])), mask), body: mask(body.toString("utf8")) };
    let record: ExchangeRecord;
    if (read.kind === "too-large") {
      // Not forwarded: the application hears why, the recording keeps that it happened.
      problem(response, 413, "Payload Too Large", `kaleyra-video proxy: the request body is larger than ${options.maxBodyBytes} bytes (--max-body-bytes); not forwarded`);
      record = { kind: "exchange", version: recordVersion, seq: number, at, upstream: shown, request: { ...recordedRequest, body: "", bodyTruncated: true }, response: null, error: `not forwarded: the body is larger than ${options.maxBodyBytes} bytes`, milliseconds: 0, contract: "outside", findings: [] };
    } else {
      const result = await exchange(
        { url: upstream + path, method, headers: { ...requestHeaders, ...(body.length || !["GET", "HEAD"].includes(method) ? { "content-length": String(body.length) } : {}) }, body },
        { timeoutMs: options.timeoutMs, maxResponseBytes: options.maxBodyBytes, mask, agent, keepRaw: true },
      );
      if (result.ok && result.answer.raw) {
        const headers = forwardable(result.answer.raw.headers, notReturned);
        const coding = result.answer.raw.headers["content-encoding"];
        if (coding !== undefined && decodedByExchange.has(coding.toLowerCase())) delete headers["content-encoding"];
        // A HEAD answer has no body: its length (if the upstream gave one) is the GET's, handed on as it came.
        const length = method === "HEAD" ? result.answer.raw.headers["content-length"] : result.answer.raw.body.length;
        response.writeHead(result.answer.status, { ...headers, ...(length === undefined ? {} : { "content-length": length }) }).end(method === "HEAD" ? undefined : result.answer.raw.body);
      } else if (!result.ok) {
        const timedOut = result.error.reason === "timeout";
        problem(response, timedOut ? 504 : 502, timedOut ? "Gateway Timeout" : "Bad Gateway", `kaleyra-video proxy: no usable answer from ${shown} (${result.error.reason}: ${result.error.message})`);
      }
      record = {
        kind: "exchange",
        version: recordVersion,
        seq: number,
        at,
        upstream: shown,
        request: recordedRequest,
        response: result.ok ? { status: result.answer.status, headers: result.answer.headers, body: result.answer.text } : null,
        error: result.ok ? null : `${result.error.reason}: ${result.error.message}`,
        milliseconds: Math.round(result.milliseconds),
        contract: "outside",
        findings: [],
      };
    }
    exchanges++;
    // What the proxy refused itself never reached the upstream: nothing of the upstream to judge.
    const judged = record.error?.startsWith("not forwarded") ? { contract: "outside" as const, outcome: undefined } : judgeExchange(record, shown, options.judge);
    record.contract = judged.contract;
    record.findings = findingsOf(judged.outcome);
    if (judged.outcome) outcomes.push(judged.outcome);
    else outside++;
    if (recording !== undefined) writeSync(recording, `${JSON.stringify(record)}\n`);
    const answer = record.response ? `${record.response.status}${codeIn(record.response.body)}` : `no answer (${record.error})`;
    const verdict = judged.outcome === undefined ? "outside the contract" : record.findings.length ? record.findings.map((finding) => `✗ ${finding.check}${finding.severity === "leniency" ? " (leniency)" : ""}`).join(" ") : "ok";
    line(`#${number} ${method} ${record.request.path} → ${answer} ${record.milliseconds} ms ${verdict}`);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) problem(response, 502, "Bad Gateway", "kaleyra-video proxy: the exchange failed");
      else response.destroy();
    });
  });
  const url = await listenOn(server, options.port, options.host);
  return {
    url,
    result: (interrupted) => recordedResult({ target: shown, outcomes: [...outcomes], exchanges, outside, lenient: options.lenient === true, interrupted, file: options.record }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
      if (recording !== undefined) closeSync(recording);
    },
  };
}

function codeIn(body: string): string {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === "string" ? ` ${code}` : "";
  } catch {
    return "";
  }
}
