// The recording, validating proxy: a team points its application at it; each request goes to the
// upstream as it came (through the kit's shared HTTP edge: no redirect followed, every body
// bounded), the answer goes back as it came, and the exchange is judged against the contract and
// written to the recording with every secret masked. It sends only what the application sends.
import { closeSync, constants, fstatSync, lstatSync, openSync, writeSync, type Stats } from "node:fs";
import { Agent as HttpAgent, createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { contentCoding, decodedCodings, exchange, hasContent } from "../http/exchange.ts";
import { readBody } from "../http/request-body.ts";
import { createMasker, keysIn, withoutCredentials, type Masker } from "../http/secrets.ts";
import { findingsOf, judgeExchange, recordVersion, talliedResult, type ExchangeRecord, type JudgeOptions } from "../judge/recorded.ts";
import type { RunResult } from "../judge/result.ts";
import { OutcomeTally } from "../judge/tally.ts";
import { listenOn } from "../http/listen.ts";
import { parseJson } from "../json/read.ts";
import { printable } from "../http/printable.ts";
import { problemBody, problemMediaType } from "../http/problem.ts";
import { envelopeCode } from "../contract/request.ts";

export interface ProxyOptions {
  /** The upstream's base URL (a pod's, a mock's), without a trailing slash. */
  upstream: string;
  host: string;
  port: number;
  /** Writes one NDJSON record per exchange to this file: a new one, unless `append`. */
  record?: string;
  /** Adds to `record` when it exists (a regular file, never through a link) instead of refusing it. */
  append?: boolean;
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
  /** The drift so far, as a run's result: the same reports as conform; counts exact, outcomes a bounded sample. */
  result(interrupted?: string): RunResult;
  close(): Promise<void>;
}

// Set-Cookie is the one header Node keeps as a list: its values cannot be joined with commas.
function forwardable(headers: IncomingHttpHeaders, drop: Set<string>): Record<string, string | string[]> {
  const named = new Set(
    String(headers.connection ?? "")
      .split(",")
      // An empty name ("close," ends in one) names no header: kept in the set, it matches none.
      .map((name) => name.trim().toLowerCase()),
  );
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
  // Node joins a repeated api-key with ", ": each key it holds is masked on its own.
  const keys = [request.headers["api-key"] ?? []].flat().flatMap(keysIn);
  const authorization = request.headers.authorization;
  return authorization === undefined ? keys : [...keys, authorization, authorization.replace(/^\S+\s+/, "")];
}

function problem(response: ServerResponse, status: number, title: string, detail: string): void {
  const body = JSON.stringify(problemBody({ status, title, detail }));
  response.writeHead(status, { "content-type": problemMediaType, "content-length": Buffer.byteLength(body) }).end(body);
}

/** The recording cannot be opened, or may not be written: it exists (without --append), is a link, or is not a regular file. */
export class RecordingFileError extends Error {
  override readonly name = "RecordingFileError";
  constructor(
    readonly file: string,
    readonly code: string,
    message = `cannot write the recording ${printable(file)} (${code})`,
  ) {
    super(message);
  }
}

/** Why what stands at `file` is not a recording to write to; undefined for a regular file. */
function notWritable(file: string, found: Stats): RecordingFileError | undefined {
  if (found.isSymbolicLink())
    return new RecordingFileError(
      file,
      "ELOOP",
      `cannot write the recording ${printable(file)}: it is a symbolic link, and a recording is never written through one`,
    );
  if (found.isDirectory()) return new RecordingFileError(file, "EISDIR");
  if (!found.isFile())
    return new RecordingFileError(file, "ENOTREG", `cannot write the recording ${printable(file)}: it is not a regular file (a FIFO, a device or a socket)`);
  return undefined;
}

/** What stands at `file`, not following a link; undefined when nothing does or it cannot be seen (open says why). */
function standing(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

/**
 * A new recording, created here (mode 0600: it holds the traffic), or refused when anything is at
 * the path, a link included. With `append`, an existing regular file is added to, opened without
 * following a link or waiting on a FIFO; what was opened is checked, not what the name was.
 */
function openRecording(file: string, append: boolean): number {
  const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW, O_NONBLOCK } = constants;
  const before = append ? standing(file) : undefined;
  const refused = before && notWritable(file, before);
  if (refused) throw refused;
  let fd: number;
  try {
    fd = openSync(file, append ? O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK : O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  } catch (error) {
    const code = String((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    const found = standing(file);
    if (found && !append && found.isFile())
      throw new RecordingFileError(file, code, `the recording ${printable(file)} exists: --append adds to it, or name a new file`);
    throw (found && notWritable(file, found)) ?? new RecordingFileError(file, code);
  }
  const opened = fstatSync(fd);
  if (!opened.isFile()) {
    closeSync(fd);
    throw notWritable(file, opened)!;
  }
  return fd;
}

/**
 * The path to ask the upstream for: an origin-form target as it came; an absolute-form one
 * (RFC 9112 §3.2.2) by its path and query only, so that its authority never reaches the
 * upstream's URL; undefined for any other form (asterisk, authority), which is no path.
 */
export function upstreamPath(target: string): string | undefined {
  if (target.startsWith("/")) return target;
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  if (!authority) return undefined;
  const rest = target.slice(authority[0].length);
  return rest.startsWith("/") ? rest : `/${rest}`;
}

export async function startProxy(options: ProxyOptions): Promise<ProxyServer> {
  const upstream = options.upstream.replace(/\/+$/, "");
  // A URL's href ends in one slash when its path is empty.
  const shown = withoutCredentials(upstream).replace(/\/$/, "");
  const agent = new (upstream.startsWith("https:") ? HttpsAgent : HttpAgent)({ keepAlive: true });
  let recording: number | undefined;
  // Each exchange is counted as it passes, and only a bounded sample of outcomes is kept whole.
  const tally = new OutcomeTally();
  let seq = 0;
  const line = options.line ?? (() => {});
  // Hop-by-hop headers (RFC 9110 §7.6.1) and what the edge recomputes; accept-encoding is
  // dropped so the upstream answers plainly (the edge would decompress anyway), and expect
  // because the whole body is already here.
  const notForwarded = new Set([
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "proxy-authenticate",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "accept-encoding",
    "expect",
  ]);
  const notReturned = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "content-length"]);

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const number = ++seq;
    const at = new Date().toISOString();
    const mask = createMasker([...(options.secrets ?? []), ...requestSecrets(request)]);
    // A server's request always has both (Node types them optional for a client's answer).
    const method = request.method!;
    const target = request.url!;
    const path = upstreamPath(target);
    const read = await readBody(request, options.maxBodyBytes);
    if (read.kind === "aborted") return void response.destroy();
    const requestHeaders = joined(forwardable(request.headers, notForwarded));
    const body = read.kind === "read" ? read.bytes : Buffer.alloc(0);
    const recordedRequest: ExchangeRecord["request"] = {
      method,
      path: mask(path ?? target),
      headers: masked(forwardable(request.headers, new Set(["connection", "keep-alive"])), mask),
      body: mask(body.toString("utf8")),
    };
    // Not forwarded: the application hears why, the recording keeps that it happened.
    const notForwardedRecord = (why: string, requestPart: ExchangeRecord["request"]): ExchangeRecord => ({
      kind: "exchange",
      version: recordVersion,
      seq: number,
      at,
      upstream: shown,
      request: requestPart,
      response: null,
      error: `not forwarded: ${why}`,
      milliseconds: 0,
      contract: "outside",
      findings: [],
    });
    let record: ExchangeRecord;
    if (read.kind === "too-large") {
      problem(
        response,
        413,
        "Payload Too Large",
        `kaleyra-video proxy: the request body is larger than ${options.maxBodyBytes} bytes (--max-body-bytes); not forwarded`,
      );
      record = notForwardedRecord(`the body is larger than ${options.maxBodyBytes} bytes`, { ...recordedRequest, body: "", bodyTruncated: true });
    } else if (path === undefined) {
      problem(response, 400, "Bad Request", "kaleyra-video proxy: the request target is neither a path nor an absolute URL; not forwarded");
      record = notForwardedRecord("the request target is not a path", recordedRequest);
    } else {
      const result = await exchange(
        {
          url: upstream + path,
          method,
          headers: { ...requestHeaders, ...(body.length || !["GET", "HEAD"].includes(method) ? { "content-length": String(body.length) } : {}) },
          body,
        },
        { timeoutMs: options.timeoutMs, maxResponseBytes: options.maxBodyBytes, mask, agent, keepRaw: true },
      );
      if (result.ok && result.answer.raw) {
        const { status } = result.answer;
        const { headers: upstreamHeaders, body: content } = result.answer.raw;
        const headers = forwardable(upstreamHeaders, notReturned);
        // A coding the edge decodes reaches the application plain, so without its header (the
        // application would decode it again); any other comes as it was sent, header and bytes.
        // Plain bytes suit every application, whether or not it asked for a compressed answer.
        const decoded = decodedCodings.includes(contentCoding(upstreamHeaders));
        if (decoded) delete headers["content-encoding"];
        // Without content (HEAD, 204, 304), a length is the one a GET's content would have
        // (RFC 9110 §8.6): handed on while the coding it measures is; none with 204, and none
        // once the coding is dropped, since the plain length is unknown without the bytes.
        const withContent = hasContent(method, status);
        const length = withContent ? content.length : status === 204 || decoded ? undefined : upstreamHeaders["content-length"];
        response.writeHead(status, { ...headers, ...(length === undefined ? {} : { "content-length": length }) }).end(withContent ? content : undefined);
      } else if (!result.ok) {
        const timedOut = result.error.reason === "timeout";
        problem(
          response,
          timedOut ? 504 : 502,
          timedOut ? "Gateway Timeout" : "Bad Gateway",
          `kaleyra-video proxy: no usable answer from ${shown} (${result.error.reason}: ${result.error.message})`,
        );
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
    // What the proxy refused itself never reached the upstream: nothing of the upstream to judge.
    const judged = record.error?.startsWith("not forwarded")
      ? { contract: "outside" as const, outcome: undefined }
      : judgeExchange(record, shown, options.judge);
    record.contract = judged.contract;
    record.findings = findingsOf(judged.outcome);
    tally.record(judged.outcome);
    let unrecorded = "";
    try {
      if (recording !== undefined) writeSync(recording, `${JSON.stringify(record)}\n`);
    } catch (error) {
      // A full disk or a file-size limit costs the record, not the exchange nor its line.
      unrecorded = ` (not recorded: ${(error as NodeJS.ErrnoException).code ?? "write failed"})`;
    }
    const answer = record.response ? `${record.response.status}${codeIn(record.response.body)}` : `no answer (${record.error})`;
    const verdict =
      judged.outcome === undefined
        ? "outside the contract"
        : record.findings.length
          ? record.findings.map((finding) => `✗ ${finding.check}${finding.severity === "leniency" ? " (leniency)" : ""}`).join(" ")
          : "ok";
    // The path, the upstream's code and an edge error's text came from outside: escaped, one line.
    line(printable(`#${number} ${method} ${record.request.path} → ${answer} ${record.milliseconds} ms ${verdict}${unrecorded}`));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) problem(response, 502, "Bad Gateway", "kaleyra-video proxy: the exchange failed");
      else response.destroy();
    });
  });
  const url = await listenOn(server, options.port, options.host);
  // Opened once the port is held: a proxy that cannot listen leaves no new, empty recording behind.
  try {
    if (options.record !== undefined) recording = openRecording(options.record, options.append === true);
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    agent.destroy();
    throw error;
  }
  return {
    url,
    result: (interrupted) => talliedResult({ target: shown, tally, lenient: options.lenient === true, interrupted, file: options.record }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
      if (recording !== undefined) closeSync(recording);
    },
  };
}

function codeIn(body: string): string {
  const parsed = parseJson(body);
  const code = parsed.ok ? envelopeCode(parsed.value) : undefined;
  return code === undefined ? "" : ` ${code}`;
}
