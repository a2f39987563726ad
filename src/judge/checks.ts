// The checks: one function each, derived from the contract and selectable by name (--checks,
// --exclude-checks), as Schemathesis's are. The planned run, the proxy and the replay all judge an
// answer through `checkAnswer`. A failed check is a violation (the target is wrong), or leniency
// (it accepts what the contract refuses: the contract may be stricter than the target).
import type { ValidationIssue } from "../contract/issues.ts";
import { loadDocument, type OpenApiDocument } from "../contract/document.ts";
import { buildOperationContract, example, exampleMatching, operation } from "../contract/operation.ts";
import { compileContractSchemas, contractSchemas } from "../contract/schemas.ts";
import { envelopeCode, mediaTypeOf } from "../contract/request.ts";
import { isSuccess } from "../http/status.ts";
import type { Expectation, Observed } from "./model.ts";
import { resolver, type Schema } from "./schema.ts";

export type Severity = "violation" | "leniency";

export interface CheckResult {
  name: CheckName;
  ok: boolean;
  detail: string;
  /** Set on a failed check. */
  severity?: Severity;
  /** Leniency: the request's fields the contract refuses and the target took. */
  fields?: string[];
}

/** What a check sees: the answer, what the request should have got, and what it breaks. */
export interface CheckInput {
  expect: Expectation;
  observed: Observed;
  /** What the request breaks of the contract; named by a leniency finding. */
  requestIssues?: readonly ValidationIssue[];
  /** The response_time check's limit, when one is set. */
  maxResponseTimeMs?: number;
  /** The documented responses to judge by; the contract's by default (another for tests of the checks). */
  responses?: Map<number, ResponseContract>;
}

interface Answered extends CheckInput {
  status: number;
  code: string | undefined;
  documented: ResponseContract | undefined;
}

type Verdict = Omit<CheckResult, "name"> | undefined;

interface DeclaredHeader {
  name: string;
  required: boolean;
  /** Whether a value matches the header's schema (read as a number too, where the schema wants one). */
  valid: (value: string) => boolean;
}

export interface ResponseContract {
  mediaTypes: string[];
  codes: string[];
  headers: DeclaredHeader[];
}

let cached: Map<number, ResponseContract> | undefined;

const pointerEscape = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

function responseContracts(): Map<number, ResponseContract> {
  cached ??= responseContractsOf(loadDocument(), contractSchemas());
  return cached;
}

/** Per documented status of a document's operation: its media types, headers, and the codes its schema allows. */
export function responseContractsOf(doc: OpenApiDocument, schemas = compileContractSchemas(doc)): Map<number, ResponseContract> {
  const resolve = resolver(doc);
  const contract = buildOperationContract(doc);
  const contracts = new Map<number, ResponseContract>();
  const codesOf = (schema: Schema): string[] => {
    const s = resolve(schema) as Schema & { allOf?: Schema[] };
    const own = s.properties?.code ? resolve(s.properties.code) : undefined;
    const here = own?.enum ? (own.enum as string[]) : own?.const !== undefined ? [own.const as string] : [];
    return [...here, ...(s.allOf ?? []).flatMap(codesOf)];
  };
  for (const status of contract.statuses) {
    const responsePointer = contract.responseSchemaPointers[status]!.replace(/\/content\/.*$/, "");
    const response = resolve({ $ref: responsePointer }) as {
      content?: Record<string, { schema: Schema }>;
      headers?: Record<string, { $ref?: string; required?: boolean }>;
    };
    const content = response.content ?? {};
    const headers = Object.entries(response.headers ?? {}).map(([name, header]): DeclaredHeader => {
      const resolved = (header.$ref ? resolve({ $ref: header.$ref }) : header) as { required?: boolean; schema?: unknown };
      const pointer = `${header.$ref ?? `${responsePointer}/headers/${pointerEscape(name)}`}/schema`;
      const valid = (value: string) => {
        if (!resolved.schema) return true;
        const asNumber = Number(value);
        return schemas.check(pointer, value).ok || (value.trim() !== "" && Number.isFinite(asNumber) && schemas.check(pointer, asNumber).ok);
      };
      return { name: name.toLowerCase(), required: resolved.required === true, valid };
    });
    contracts.set(status, {
      mediaTypes: Object.keys(content),
      codes: [...new Set(Object.values(content).flatMap((media) => codesOf(media.schema)))],
      headers,
    });
  }
  return contracts;
}

const token = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const mediaTypeSyntax = new RegExp(`^${token}/${token}(\\s*;\\s*${token}=(${token}|"([^"\\\\]|\\\\.)*"))*\\s*$`);
const outcomeOf = (input: Answered) => `${input.status} ${input.code ?? "(no code)"}`;

/** The named example's status and code, which a kind of request must get. */
function expected(name: string): { matches: (input: Answered) => boolean; text: string } {
  const named = example(name);
  const code = envelopeCode(named.value);
  return { matches: (input) => input.status === named.status && input.code === code, text: `${named.status} ${code}` };
}

/** A refusal the contract wants, or taken: leniency when the target said yes. */
function refusal(input: Answered, ok: boolean, wanted: string): Verdict {
  if (ok) return { ok, detail: `${outcomeOf(input)}` };
  const fields = [...new Set((input.requestIssues ?? []).map((issue) => issue.field))];
  if (isSuccess(input.status)) {
    const named = fields.length ? `: ${fields.join(", ")}` : "";
    return { ok, severity: "leniency", fields, detail: `${outcomeOf(input)}; the target accepts a request the contract refuses${named}` };
  }
  return { ok, severity: "violation", detail: `${outcomeOf(input)}; expected ${wanted}` };
}

// Which expectations get the checks of a documented answer (the operation's own statuses).
const onOperation = (input: CheckInput) => input.expect !== "unsupported-method";

const checks = {
  // `answered` is judged before the others (see checkAnswer): without an answer none applies.
  answered: () => ({ ok: true, detail: "answered" }),
  status_documented: (input: Answered): Verdict => {
    if (!onOperation(input)) return undefined;
    const documented = [...(input.responses ?? responseContracts()).keys()];
    return {
      ok: input.documented !== undefined,
      detail: input.documented ? `${input.status}` : `${input.status} is not a documented status (${documented.join(", ")})`,
    };
  },
  content_type_documented: (input: Answered): Verdict => {
    if (!input.documented) return undefined;
    const mediaType = mediaTypeOf(input.observed.contentType);
    return {
      ok: mediaType !== undefined && input.documented.mediaTypes.includes(mediaType),
      detail: `${input.observed.contentType ?? "(none)"}; documented: ${input.documented.mediaTypes.join(", ")}`,
    };
  },
  // Schemathesis's response_headers_conformance: a well-formed Content-Type (JSON is UTF-8),
  // and every header the contract declares for the status, present and valid.
  response_headers: (input: Answered): Verdict => {
    if (!input.documented) return undefined;
    const problems: string[] = [];
    const contentType = input.observed.headers["content-type"];
    if (contentType === undefined) problems.push("no Content-Type");
    else if (!mediaTypeSyntax.test(contentType)) problems.push(`Content-Type ${JSON.stringify(contentType)} is not a media type`);
    else {
      const charset = /;\s*charset="?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase();
      if (charset !== undefined && charset !== "utf-8" && mediaTypeOf(contentType)?.endsWith("json"))
        problems.push(`Content-Type says charset=${charset}; JSON is UTF-8`);
    }
    for (const header of input.documented.headers) {
      const value = input.observed.headers[header.name];
      if (value === undefined) {
        if (header.required) problems.push(`${header.name}: required, missing`);
        continue;
      }
      if (!header.valid(value)) problems.push(`${header.name}: ${JSON.stringify(value.slice(0, 80))} does not match its schema`);
    }
    return { ok: problems.length === 0, detail: problems.length ? problems.join("; ") : "valid" };
  },
  response_schema: (input: Answered): Verdict => {
    if (!input.documented) return undefined;
    const issues =
      input.observed.json === undefined
        ? [{ field: "(body)", message: "is not JSON" }]
        : contractSchemas().issues(operation().responseSchemaPointers[input.status]!, input.observed.json);
    return { ok: issues.length === 0, detail: issues.length ? issues.map((i) => `${i.field} ${i.message}`).join("; ") : "valid" };
  },
  code_documented: (input: Answered): Verdict => {
    if (!input.documented) return undefined;
    return {
      ok: input.code !== undefined && input.documented.codes.includes(input.code),
      detail: `${input.code ?? "(no code)"}; documented for ${input.status}: ${input.documented.codes.join(", ")}`,
    };
  },
  // A 5xx asked for by name (Prefer) is not one the client caused.
  no_server_error: (input: Answered): Verdict => (input.expect.startsWith("example:") ? undefined : { ok: input.status < 500, detail: `${input.status}` }),
  accepts_valid: (input: Answered): Verdict => {
    if (input.expect === "accepted") {
      const accepted = expected("accepted");
      return { ok: accepted.matches(input), detail: `${outcomeOf(input)}; expected ${accepted.text} for a request the contract accepts` };
    }
    if (input.expect === "valid") {
      // A team's request the contract accepts may be refused for its key or its account, but
      // not as a malformed payload.
      const malformed = expected("incorrect-payload");
      return {
        ok: !malformed.matches(input),
        detail: `${outcomeOf(input)}${malformed.matches(input) ? "; refused as malformed, but the contract accepts the request" : ""}`,
      };
    }
    return undefined;
  },
  rejects_invalid: (input: Answered): Verdict => {
    if (input.expect === "rejected") {
      const rejected = expected("incorrect-payload");
      return refusal(input, rejected.matches(input), `${rejected.text} for a request the contract refuses`);
    }
    if (input.expect === "refused") {
      const ok = input.status >= 400 && input.status < 500 && input.code !== undefined && (input.documented?.codes.includes(input.code) ?? false);
      return refusal(input, ok, "a documented 4xx refusal");
    }
    return undefined;
  },
  // Schemathesis's ignored_auth: without the key, or with a wrong one, the documented 401.
  auth_enforced: (input: Answered): Verdict => {
    if (input.expect !== "unauthorized") return undefined;
    const refused = expected("incorrect-sid-or-api-key");
    return { ok: refused.matches(input), detail: `${outcomeOf(input)}; expected ${refused.text}` };
  },
  // Schemathesis's unsupported_method: 405 with an Allow header naming the documented method.
  unsupported_method: (input: Answered): Verdict => {
    if (input.expect !== "unsupported-method") return undefined;
    const method = operation().method.toUpperCase();
    const allow = (input.observed.headers.allow ?? "").split(",").map((name) => name.trim().toUpperCase());
    if (input.status === 405 && allow.includes(method)) return { ok: true, detail: `405, Allow: ${allow.join(", ")}` };
    if (isSuccess(input.status))
      return { ok: false, severity: "leniency", detail: `${input.status}; the target accepts a method the contract does not document on this path` };
    return {
      ok: false,
      severity: "violation",
      detail: input.status === 405 ? `405 without an Allow header naming ${method}` : `${input.status}; expected 405 with Allow: ${method}`,
    };
  },
  serves_example: (input: Answered): Verdict => {
    if (!input.expect.startsWith("example:")) return undefined;
    // The example itself: status, code and the keys of `error` (WA-401 has two meanings).
    const wanted = input.expect.slice("example:".length);
    const served = exampleMatching(input.status, input.observed.json)?.name;
    return { ok: served === wanted, detail: `${outcomeOf(input)} (${served ?? "no named example"}); asked for ${wanted}` };
  },
  // Schemathesis's max_response_time: only with --max-response-time.
  response_time: (input: Answered): Verdict => {
    if (input.maxResponseTimeMs === undefined) return undefined;
    const ms = Math.round(input.observed.milliseconds);
    return { ok: input.observed.milliseconds <= input.maxResponseTimeMs, detail: `${ms} ms; limit ${input.maxResponseTimeMs} ms` };
  },
} satisfies Record<string, (input: Answered) => Verdict>;

export type CheckName = keyof typeof checks;
export const checkNames = Object.keys(checks) as CheckName[];

/** What each check asks of an answer, for --help and the README. */
export const checkDescriptions: Record<CheckName, string> = {
  answered: "an answer came, within the time and size limits",
  status_documented: "the status is one the contract documents",
  content_type_documented: "the media type is one the contract documents for the status",
  response_headers: "a well-formed Content-Type (JSON in UTF-8), and every header the contract declares",
  response_schema: "the body matches the status's schema",
  code_documented: "the body's code is one the contract documents for the status",
  no_server_error: "no 5xx",
  accepts_valid: "a request the contract accepts is accepted (or, recorded, not refused as malformed)",
  rejects_invalid: "a request the contract refuses is refused (a 2xx is leniency)",
  auth_enforced: "without the key, or with a wrong one, the documented 401",
  unsupported_method: "another method on the path gets 405 with Allow (a 2xx is leniency)",
  serves_example: "a mock asked for a named example (Prefer) serves it",
  response_time: "the answer came within --max-response-time",
};

/** The order findings are worth reading in: a missing answer explains everything after it. */
export const usefulness: readonly CheckName[] = [
  "answered",
  "no_server_error",
  "auth_enforced",
  "status_documented",
  "accepts_valid",
  "response_schema",
  "code_documented",
  "content_type_documented",
  "response_headers",
  "rejects_invalid",
  "unsupported_method",
  "serves_example",
  "response_time",
];

/** Names from --checks/--exclude-checks; the unknown ones, to refuse them by name. */
export function selectChecks(only: readonly string[] | undefined, exclude: readonly string[] | undefined): { selected: Set<CheckName>; unknown: string[] } {
  const unknown = [...(only ?? []), ...(exclude ?? [])].filter((name) => !(checkNames as string[]).includes(name));
  const base = only?.length ? (only.filter((name) => (checkNames as string[]).includes(name)) as CheckName[]) : checkNames;
  const selected = new Set(base.filter((name) => !(exclude ?? []).includes(name)));
  return { selected, unknown };
}

export function checkAnswer(input: CheckInput, selected: ReadonlySet<CheckName> = new Set(checkNames)): CheckResult[] {
  const { observed } = input;
  if (observed.status === undefined) {
    return selected.has("answered") ? [{ name: "answered", ok: false, severity: "violation", detail: `no answer: ${observed.transportError}` }] : [];
  }
  const answered: Answered = {
    ...input,
    status: observed.status,
    code: envelopeCode(observed.json),
    documented: onOperation(input) ? (input.responses ?? responseContracts()).get(observed.status) : undefined,
  };
  const results: CheckResult[] = [];
  for (const name of checkNames) {
    if (name === "answered" || !selected.has(name)) continue;
    const verdict = checks[name](answered);
    if (!verdict) continue;
    results.push(verdict.ok ? { name, ok: true, detail: verdict.detail } : { name, severity: "violation", ...verdict });
  }
  return results;
}
