// The one request judge: what a request breaks of the contract, read from the request alone
// (method, path, headers, body text). It says where the request falls (the operation, another
// method on its path, or outside the contract), whether it carries a key, and every issue the
// contract finds: path parameters, media type, a repeated key or credential header, the body's
// JSON (nesting bounded as the mock bounds it) and its schema. The client's pre-flight,
// conformance's plan and runner, the replay, the proxy and the mock's refusals ask it (see
// ARCHITECTURE.md).
import { maxBodyDepth, parseJson } from "../json/read.ts";
import type { ValidationIssue } from "./issues.ts";
import { operation } from "./operation.ts";
import { contractSchemas } from "./schemas.ts";

export interface RequestSeen {
  method: string;
  /** The raw path, as on the wire (percent-encoded; a query is ignored). */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  /**
   * The header lines as on the wire, name and value alternating (Node's `rawHeaders`): a
   * repeated `api-key` or `Authorization` is only seen here. Without it, each header counts once.
   */
  rawHeaders?: readonly string[];
  body: string;
}

export type RequestJudgement =
  /** Not the contract's path: the contract says nothing of it. */
  | { kind: "outside" }
  /** The contract's path with a method it does not document. */
  | { kind: "method"; method: string }
  /** The operation: `issues` empty when the contract accepts the request. */
  | { kind: "operation"; hasKey: boolean; issues: ValidationIssue[] };

/** The operation's request, its parts already apart: what a client checks before it writes the request. */
export interface OperationParts {
  /** Path parameters by name, percent-decoded (a client's own values, of any type). */
  pathParameters: Record<string, unknown>;
  /** The Content-Type header as sent. */
  contentType: string | undefined;
  /** As in `RequestSeen`. */
  rawHeaders?: readonly string[];
  /** The body's text as sent, or the value a client is about to serialize. */
  body: { text: string } | { value: unknown };
}

/** A Content-Type's bare media type, lower case; undefined for none or an empty one. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(";")[0]?.trim().toLowerCase() || undefined;
}

/** The `code` of a vendor's envelope (`{"code": "WA400", …}`), when the body has a string one. */
export function envelopeCode(body: unknown): string | undefined {
  const code = typeof body === "object" && body !== null ? (body as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** Headers a request carries once, with the words the mock refuses a second with (400). */
const onceOnly = [
  { name: "api-key", field: "api-key", problem: (count: number) => `${count} api-key headers; a request carries one key` },
  { name: "authorization", field: "Authorization", problem: (count: number) => `${count} Authorization headers; a request carries one` },
] as const;

/**
 * A repeated `api-key` or `Authorization` among the header lines (name and value alternating):
 * which one counts would be a guess (Node joins two api-keys, and drops a second Authorization).
 * One pass, no allocation for a request without one: the mock asks this of every request.
 */
export function repeatedHeaderIssues(rawHeaders: readonly string[]): ValidationIssue[] {
  let keys = 0;
  let credentials = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 7 && name.toLowerCase() === "api-key") keys++;
    else if (name.length === 13 && name.toLowerCase() === "authorization") credentials++;
  }
  if (keys < 2 && credentials < 2) return [];
  const issues: ValidationIssue[] = [];
  for (const [once, count] of [
    [onceOnly[0], keys],
    [onceOnly[1], credentials],
  ] as const) {
    if (count > 1) issues.push({ field: once.field, rule: "duplicate", message: once.problem(count) });
  }
  return issues;
}

export function judgeRequest(request: RequestSeen): RequestJudgement {
  const contract = operation();
  const params = contract.matchPath(request.path.split("?")[0]!);
  if (!params) return { kind: "outside" };
  if (request.method.toLowerCase() !== contract.method) return { kind: "method", method: request.method.toUpperCase() };
  const issues: ValidationIssue[] = [];
  for (const [name, raw] of Object.entries(params)) {
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      issues.push({ field: `path ${name}`, rule: "encoding", message: "is not valid percent-encoding" });
      continue;
    }
    issues.push(...parameterIssues(name, value));
  }
  issues.push(...headerIssues(request.headers["content-type"], request.rawHeaders), ...bodyIssues({ text: request.body }));
  return { kind: "operation", hasKey: (request.headers["api-key"] ?? "").trim() !== "", issues };
}

/** Every issue the contract finds in the operation's request, given its parts. */
export function operationIssues(parts: OperationParts): ValidationIssue[] {
  return [...pathParameterIssues(parts.pathParameters), ...headerIssues(parts.contentType, parts.rawHeaders), ...bodyIssues(parts.body)];
}

/** The path parameters' issues, given their values (percent-decoded), each field named `path <name>`. */
export function pathParameterIssues(values: Record<string, unknown>): ValidationIssue[] {
  return operation().pathParameters.flatMap((name) => parameterIssues(name, values[name]));
}

/** A parsed body's issues against the request schema. */
export function bodyValueIssues(value: unknown): ValidationIssue[] {
  return contractSchemas().issues(operation().requestSchemaPointer, value);
}

/** One path parameter's issues, given its value (percent-decoded), its field named `path <name>`. */
export function parameterIssues(name: string, value: unknown): ValidationIssue[] {
  return contractSchemas()
    .issues(operation().pathParameterSchemaPointers[name]!, value)
    .map((issue) => ({ ...issue, field: `path ${name}` }));
}

function headerIssues(contentType: string | undefined, rawHeaders: readonly string[] | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const accepted = operation().requestMediaTypes;
  const mediaType = mediaTypeOf(contentType);
  if (mediaType === undefined || !accepted.includes(mediaType)) {
    issues.push({ field: "Content-Type", rule: "mediaType", message: `${contentType ?? "(none)"} is not ${accepted.join(" or ")}` });
  }
  if (rawHeaders !== undefined) issues.push(...repeatedHeaderIssues(rawHeaders));
  return issues;
}

/** The body: JSON nested no deeper than the mock reads (`maxBodyDepth`), valid against the request schema. */
function bodyIssues(body: OperationParts["body"]): ValidationIssue[] {
  let value: unknown;
  if ("text" in body) {
    const parsed = parseJson(body.text, maxBodyDepth);
    if (!parsed.ok) {
      if (parsed.kind === "too-deep") return [{ field: "(body)", rule: "depth", message: `is JSON that ${parsed.problem}` }];
      return [{ field: "(body)", rule: "json", message: body.text === "" ? "is empty" : "is not JSON" }];
    }
    value = parsed.value;
  } else value = body.value;
  return bodyValueIssues(value);
}
