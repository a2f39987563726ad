// Reading a request: its body off the socket, decoded into what the engines validate (only the
// media types the contract lists are parsed as JSON; anything else stays text, which the request
// schema rejects as the vendor does, WA400), and its URL and headers as the engines need them.
import type { IncomingMessage } from "node:http";
import { mediaTypeOf, repeatedHeaderIssues } from "../contract/request.ts";
import { maxBodyDepth, parseJson } from "../json/read.ts";
import type { BodyRead } from "../http/request-body.ts";
import { refusals } from "./refusals.ts";
import { refused, type Stage } from "./stage.ts";

// Bodies are read with a limit by the kit's one HTTP edge.
export { readBody, type BodyRead } from "../http/request-body.ts";

export interface DecodedBody {
  /** Parsed JSON, the raw text when it is not JSON of an accepted media type, or undefined when empty. */
  body: unknown;
  /**
   * The Content-Type the engine should see: the bare accepted media type, or none. Prism throws
   * on a header it cannot parse, and needs nothing but the media type.
   */
  contentType: string | undefined;
  /** Why the body was not parsed, for the log. */
  problem?: string;
  /** The JSON text `body` was parsed from: one string is cheaper to keep (the journal) than the tree. */
  json?: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeBody(bytes: Buffer, contentTypeHeader: string | undefined, accepted: readonly string[]): DecodedBody {
  // Most requests send an accepted media type exactly as listed: no parsing of the header for those.
  const mediaType = contentTypeHeader !== undefined && accepted.includes(contentTypeHeader) ? contentTypeHeader : mediaTypeOf(contentTypeHeader);
  const contentType = mediaType !== undefined && accepted.includes(mediaType) ? mediaType : undefined;
  if (bytes.length === 0) return { body: undefined, contentType, problem: "empty body" };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { body: bytes.toString("latin1"), contentType, problem: "body is not valid UTF-8" };
  }
  if (contentType === undefined) {
    return { body: text, contentType, problem: `Content-Type ${contentTypeHeader ?? "(none)"} is not ${accepted.join(" or ")}` };
  }
  const parsed = parseJson(text, maxBodyDepth);
  if (!parsed.ok) return { body: text, contentType, problem: parsed.kind === "malformed" ? parsed.problem : `the JSON ${parsed.problem}` };
  return { body: parsed.value, contentType, json: text };
}

/** The body as the journal keeps it (and the callbacks read it). */
export interface KeptBody {
  /** The body's text (JSON text when `bodyJson`), or undefined when empty or not read. */
  body: string | undefined;
  bodyJson: boolean;
  bodyTruncated: boolean;
}

/** The body stage's result: the body decoded for the engines, and as the journal keeps it. */
export interface Intake extends KeptBody {
  decoded: DecodedBody;
}

/** No body kept: a request answered before its body was read, or one refused for its path. */
export const noBody: KeptBody = Object.freeze({ body: undefined, bodyJson: false, bodyTruncated: false });
/** A body past the mock's limit: nothing of it kept, and said so. */
export const cutBody: KeptBody = Object.freeze({ body: undefined, bodyJson: false, bodyTruncated: true });

/**
 * Stage: the body, once read (with the mock's limit): a body past the limit and a path with a
 * malformed percent-escape are refused; any other is decoded by media type, and kept for the
 * journal up to `keptBytes`. Undefined when the client went away mid-body.
 */
export function takeBody(
  read: BodyRead,
  request: IncomingMessage,
  path: string,
  onOperation: boolean,
  accepted: readonly string[],
  keptBytes: number,
): Stage<Intake> | undefined {
  if (read.kind === "aborted") return undefined;
  if (read.kind === "too-large") return refused(refusals.bodyTooLarge(read.limit, onOperation));
  if (hasMalformedEscape(path)) return refused(refusals.malformedEscape(onOperation));
  const decoded = decodeBody(read.bytes, request.headers["content-type"], accepted);
  if (read.bytes.length > keptBytes) {
    // A copy of the start, so the journal does not hold the whole body through a sliced string.
    return {
      ok: true,
      value: { body: new TextDecoder().decode(read.bytes.subarray(0, keptBytes)), bodyJson: false, bodyTruncated: true, decoded },
    };
  }
  if (decoded.json !== undefined) return { ok: true, value: { body: decoded.json, bodyJson: true, bodyTruncated: false, decoded } };
  return { ok: true, value: { body: decoded.body as string | undefined, bodyJson: false, bodyTruncated: false, decoded } };
}

// Accept: the vendor answers JSON whatever it says; Prism would answer 406 to a browser's.
// Content-Type: the decoded body's own is set instead.
const headersNotForTheEngine = new Set(["accept", "content-type"]);

export function engineHeaders(request: IncomingMessage, contentType: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || headersNotForTheEngine.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  if (contentType !== undefined) headers["content-type"] = contentType;
  return headers;
}

export function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Prism decodes the path with decodeURIComponent and throws on a malformed escape. */
export function hasMalformedEscape(path: string): boolean {
  // Nearly every path has no escape at all: no decoded copy made for it on the hot path.
  if (!path.includes("%")) return false;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

/** More header lines than this get 431: Node would otherwise drop the rest without a word. */
export const maxHeaderLines = 100;

export interface RequestTarget {
  /** The raw path, before percent-decoding. */
  path: string;
  query: Record<string, string | string[]>;
}

/**
 * The request line and headers, before the body is read: one Host, a bounded number of header
 * lines, and a target in origin-form (`/path`) or absolute-form (`http://host/path`, routed by
 * its path, as RFC 9112 asks of a server).
 */
export function checkHead(request: IncomingMessage): Stage<RequestTarget> {
  const lines = request.rawHeaders.length / 2;
  if (lines > maxHeaderLines) return refused(refusals.headerLines(`${lines} header lines; at most ${maxHeaderLines} are read`));
  // A second Host routes a request twice; a second key or credential is the judge's to name.
  let hosts = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!;
    if (name.toLowerCase() === "host") hosts++;
  }
  if (hosts > 1) return refused(refusals.duplicateHeader(`${hosts} Host headers; a request has one`));
  const repeated = repeatedHeaderIssues(request.rawHeaders)[0];
  if (repeated !== undefined) return refused(refusals.duplicateHeader(repeated.message));
  const url = request.url as string; // always set on a server's request
  if (url.startsWith("/")) return { ok: true, value: splitUrl(url) };
  const absolute = /^[Hh][Tt][Tt][Pp][Ss]?:\/\/[^/?#]*/.exec(url);
  if (absolute) {
    const rest = url.slice(absolute[0].length);
    if (rest === "" || rest.startsWith("/")) return { ok: true, value: splitUrl(rest || "/") };
    if (rest.startsWith("?")) return { ok: true, value: splitUrl(`/${rest}`) };
  }
  return refused(refusals.requestTarget("a request target that is neither a path nor an absolute http(s) URL"));
}

export function splitUrl(url: string): RequestTarget {
  const mark = url.indexOf("?");
  if (mark < 0) return { path: url, query: {} };
  // No prototype: a parameter named __proto__ or constructor is a parameter like any other.
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(url.slice(mark + 1))) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return { path: url.slice(0, mark), query };
}
