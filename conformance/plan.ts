// What a run sends, decided before anything is sent: every case is derived from the contract,
// and each says whether the target could accept it (and so deliver a message and cost money).
import { loadDocument } from "../src/contract/document.ts";
import { operation } from "../src/contract/operation.ts";
import { contractSchemas } from "../src/contract/schemas.ts";
import { derive } from "./derive.ts";
import type { Case, CaseRequest } from "../src/judge/model.ts";
import { resolver, type Json, type Schema } from "../src/judge/schema.ts";
import { operationIssues } from "../src/contract/request.ts";

export interface PlanOptions {
  sid: string;
  phoneNumber: string;
  /** Recipient of requests that may be accepted. Probes use a fictional number. */
  to: string;
  /** Whether requests that could be accepted may be sent at all. */
  allowSend: boolean;
  /**
   * Every acceptable request goes to `to` (a remote target: no stranger may be messaged). Off on
   * loopback, where boundary values of `to` itself are tried too.
   */
  recipientFixed: boolean;
  /** The target checks keys; false only for a mock started without an account. */
  checksKeys: boolean;
  /** Ask the target (a mock that honours Prism's Prefer header) for every named example. */
  preferExamples?: boolean;
}

/** NANP numbers 555-0100 to 555-0199 are reserved for fiction: no customer can be reached. */
export const fictionalRecipient = "+12025550100";

/** Tried on the operation's path; OPTIONS, HEAD and TRACE are left to proxies and CORS. */
export const unsupportedMethods = ["GET", "PUT", "PATCH", "DELETE"];

export function requestExamples(): Record<string, Json> {
  return operation().requestExamples as Record<string, Json>;
}

/** The body with its recipient set: probes go to the fictional number, sends to the user's. */
export function addressed(body: Json, to: string): Json {
  const copy = structuredClone(body) as { messaging_object?: { to?: Json } };
  // A primitive's property is undefined: one test covers null, strings and numbers at every level.
  if (typeof copy?.messaging_object?.to === "string") copy.messaging_object.to = to;
  return copy as Json;
}

/**
 * Whether a server could take the request as a real send: it carries the run's key and its body
 * is a valid message when read leniently, as a server that sniffs JSON whatever the
 * Content-Type says, and does not care how the path's SID or number are written. A live target
 * gets no such request unless the user allowed sends.
 */
export function couldDeliver(request: CaseRequest): boolean {
  if (request.key !== "account") return false;
  const issues = operationIssues({
    pathParameters: { sid: request.sid, phone_number: request.phoneNumber },
    contentType: request.contentType,
    body: { text: request.body.replace(/^\uFEFF/, "") },
  });
  return issues.every((issue) => ignoredByALenientServer(issue.field, issue.rule));
}

/**
 * What a lenient server overlooks: the path's parameters, the media type, and nesting deeper
 * than the mock reads (the contract's objects take extra members, so a deep body may still be a
 * valid message to a server without the mock's bound).
 */
const ignoredByALenientServer = (field: string, rule: string) => field.startsWith("path ") || rule === "mediaType" || rule === "depth";

export function buildPlan(options: PlanOptions): Case[] {
  const doc = loadDocument();
  const contract = operation();
  const resolve = resolver(doc);
  const checks = contractSchemas();
  const examples = requestExamples();
  const json = contract.requestMediaTypes[0]!;
  const cases: Case[] = [];
  const base = (body: string, overrides: Partial<CaseRequest> = {}): CaseRequest => ({
    sid: options.sid,
    phoneNumber: options.phoneNumber,
    body,
    contentType: json,
    key: "account",
    ...overrides,
  });
  const valid = (category: Case["category"], title: string, body: Json) => {
    const sent = options.recipientFixed ? addressed(body, options.to) : body;
    cases.push({ category, title, request: base(JSON.stringify(sent)), expect: "accepted", mayBeAccepted: true });
  };
  const invalid = (category: Case["category"], title: string, body: string, overrides: Partial<CaseRequest> = {}) =>
    cases.push({ category, title, request: base(body, overrides), expect: "rejected", mayBeAccepted: false });

  // Auth probes: a valid request to the fictional recipient, without the key and with a wrong one.
  const probe = JSON.stringify(addressed(examples["by-media-id"]!, fictionalRecipient));
  cases.push({ category: "auth", title: "no api-key", request: base(probe, { key: "none" }), expect: "unauthorized", mayBeAccepted: false });
  if (options.checksKeys) {
    cases.push({ category: "auth", title: "wrong api-key", request: base(probe, { key: "wrong" }), expect: "unauthorized", mayBeAccepted: false });
  }

  // The contract's request examples, and values at each limit: all must be accepted.
  for (const [name, body] of Object.entries(examples)) valid("example", `request example ${name}`, addressed(body, options.to));
  const requestSchema: Schema = { $ref: contract.requestSchemaPointer };
  const seen = new Set<string>();
  for (const example of Object.values(examples)) {
    for (const boundary of derive(requestSchema, addressed(example, options.to), resolve).boundaries) {
      if (seen.has(boundary.title) || !checks.check(contract.requestSchemaPointer, boundary.value).ok) continue;
      seen.add(boundary.title);
      valid("boundary", boundary.title, boundary.value);
    }
    // Each constraint broken alone, from a base addressed to the fictional recipient: all must
    // be rejected with WA400, and a target that wrongly accepts one reaches nobody.
    for (const negative of derive(requestSchema, addressed(example, fictionalRecipient), resolve).negatives) {
      if (seen.has(negative.title) || checks.check(contract.requestSchemaPointer, negative.value).ok) continue;
      seen.add(negative.title);
      invalid("negative", negative.title, JSON.stringify(negative.value));
    }
  }

  // Path parameters, the same way.
  const probeBody = probe;
  for (const [name, value] of [
    ["sid", options.sid],
    ["phone_number", options.phoneNumber],
  ] as const) {
    const { negatives } = derive({ $ref: contract.pathParameterSchemaPointers[name]! }, value, resolve);
    for (const negative of negatives) {
      if (typeof negative.value !== "string" || negative.value === "") continue; // an empty segment is another path
      const title = negative.title.replace("(body)", `path ${name}`);
      cases.push({
        category: "negative",
        title,
        request: base(probeBody, name === "sid" ? { sid: negative.value } : { phoneNumber: negative.value }),
        expect: "refused",
        mayBeAccepted: false,
      });
    }
  }

  // Bodies that are not JSON of the contract's media type.
  invalid("negative", "malformed JSON", '{"messaging_object": {');
  invalid("negative", "empty body", "");
  invalid("negative", "JSON null", "null");
  invalid("negative", "valid JSON as text/plain", probeBody, { contentType: "text/plain" });
  // A server may sniff a body that comes without a media type; the contract does not say.
  cases.push({
    category: "negative",
    title: "valid JSON with no Content-Type",
    request: base(probeBody, { contentType: undefined }),
    expect: "documented",
    mayBeAccepted: false,
  });

  // Methods the path does not document, with the key and no body (nothing to deliver): 405.
  const documentedMethods = Object.keys(doc.paths[contract.path] ?? {}).map((key) => key.toUpperCase());
  for (const method of unsupportedMethods.filter((method) => !documentedMethods.includes(method))) {
    cases.push({
      category: "method",
      title: `${method} on the operation's path`,
      request: base("", { method, contentType: undefined }),
      expect: "unsupported-method",
      mayBeAccepted: false,
    });
  }

  // Every documented answer, asked for by name from a mock: a valid request, so only where sends are allowed.
  if (options.preferExamples) {
    for (const example of contract.examples) {
      cases.push({
        category: "example",
        title: `Prefer example ${example.name}`,
        request: base(JSON.stringify(addressed(examples["by-media-id"]!, options.to)), { prefer: `code=${example.status}, example=${example.name}` }),
        expect: `example:${example.name}`,
        mayBeAccepted: true,
      });
    }
  }

  const labelled = cases.map((c) => ({ ...c, mayBeAccepted: c.mayBeAccepted || couldDeliver(c.request) }));
  return options.allowSend ? labelled : labelled.filter((c) => !c.mayBeAccepted);
}
