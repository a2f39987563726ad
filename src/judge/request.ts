// What a request breaks of the contract, read from the request alone: its method, path
// parameters, media type, key and body. The plan knows what it sent; a recording does not, so
// the proxy and the replay ask this, and a leniency finding names exactly these fields.
import { operation } from "../contract/operation.ts";
import { contractSchemas } from "../contract/schemas.ts";
import type { ValidationIssue } from "../contract/issues.ts";
import { parseJson } from "../http/json.ts";

export interface RequestSeen {
  method: string;
  /** The raw path, as on the wire (percent-encoded; a query is ignored). */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  body: string;
}

export type RequestJudgement =
  /** Not the contract's path: the contract says nothing of it. */
  | { kind: "outside" }
  /** The contract's path with a method it does not document. */
  | { kind: "method"; method: string }
  /** The operation: `issues` empty when the contract accepts the request. */
  | { kind: "operation"; hasKey: boolean; issues: ValidationIssue[] };

const mediaTypeOf = (contentType: string | undefined) => contentType?.split(";")[0]?.trim().toLowerCase();

export function judgeRequest(request: RequestSeen): RequestJudgement {
  const contract = operation();
  const rawPath = request.path.split("?")[0]!;
  const params = contract.matchPath(rawPath);
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
    for (const issue of contractSchemas().issues(contract.pathParameterSchemaPointers[name]!, value)) {
      issues.push({ ...issue, field: `path ${name}` });
    }
  }
  const mediaType = mediaTypeOf(request.headers["content-type"]);
  if (mediaType === undefined || !contract.requestMediaTypes.includes(mediaType)) {
    issues.push({
      field: "Content-Type",
      rule: "mediaType",
      message: `${request.headers["content-type"] ?? "(none)"} is not ${contract.requestMediaTypes.join(" or ")}`,
    });
  }
  const parsed = parseJson(request.body);
  if (!parsed.ok) {
    issues.push({
      field: "(body)",
      rule: "json",
      message: request.body === "" ? "is empty" : parsed.kind === "malformed" ? "is not JSON" : `is JSON that ${parsed.problem}`,
    });
    return { kind: "operation", hasKey: hasKey(request), issues };
  }
  issues.push(...contractSchemas().issues(contract.requestSchemaPointer, parsed.value));
  return { kind: "operation", hasKey: hasKey(request), issues };
}

function hasKey(request: RequestSeen): boolean {
  return (request.headers["api-key"] ?? "").trim() !== "";
}
