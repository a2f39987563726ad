// The mock's refusals table (src/mock/refusals.ts) as a unit: each entry's name, status, body,
// headers and reasons; a refusal in the vendor's words is one of the contract's documented answers
// (its status documented, its body the named example and valid against that status's schema); the
// others are problem+json with the title the docs name; the constant ones are built once.
import { describe, expect, it } from "vitest";
import { example, operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { refusals } from "../src/mock/refusals.ts";
import type { Refusal, RefusalName } from "../src/mock/stage.ts";

const contract = operation();
const schemas = compileContractSchemas();
const allow = { allow: "POST" };

/** Every refusal, built as a stage builds it: typed so that a name left out does not compile. */
const built: Record<RefusalName, Refusal> = {
  "header-lines": refusals.headerLines("101 header lines; at most 100 are read"),
  "duplicate-header": refusals.duplicateHeader("2 Host headers; a request has one"),
  "request-target": refusals.requestTarget("a request target that is neither a path nor an absolute http(s) URL"),
  "body-too-large": refusals.bodyTooLarge(1024, true),
  "malformed-escape": refusals.malformedEscape(true),
  prefer: refusals.prefer("Prefer code=299 is not a documented status"),
  "incorrect-sid-or-api-key": refusals.incorrectSidOrApiKey(),
  "phone-number-not-in-account": refusals.phoneNumberNotInAccount(),
  "no-api-key": refusals.noApiKey(),
  "path-parameter": refusals.pathParameter(["path sid must NOT have fewer than 1 characters"]),
  "body-required": refusals.bodyRequired(),
  schema: refusals.schema(["messaging_object must have required property 'to'"]),
  "not-an-http-method": refusals.notAnHttpMethod("SEARCH", allow),
  "no-path-matched": refusals.noPathMatched("/nowhere"),
  "no-method-matched": refusals.noMethodMatched("/v2/S/whatsapp/1/messages", "get", allow),
  "mock-defect": refusals.mockDefect("boom"),
};

const vendorSide = (name: string) => ({ status: example(name).status, headers: { "content-type": "application/json" }, body: example(name).value });
const problem = (status: number, title: string, detail: string, type = "about:blank", headers: Record<string, string> = {}) => ({
  status,
  headers: { ...headers, "content-type": "application/problem+json" },
  body: { type, title, status, detail },
});

/** What each refusal answers and why, word for word: the rows of docs/mock.md's answers table. */
const expected: Record<RefusalName, { reply: object; notes: string[]; closes: boolean }> = {
  "header-lines": {
    reply: problem(431, "Request header fields too large", "The request has 101 header lines; at most 100 are read."),
    notes: ["101 header lines; at most 100 are read"],
    closes: true,
  },
  "duplicate-header": {
    reply: problem(400, "Bad request", "The request has 2 Host headers; a request has one."),
    notes: ["2 Host headers; a request has one"],
    closes: true,
  },
  "request-target": {
    reply: problem(400, "Bad request", "The request has a request target that is neither a path nor an absolute http(s) URL."),
    notes: ["a request target that is neither a path nor an absolute http(s) URL"],
    closes: true,
  },
  "body-too-large": { reply: vendorSide("incorrect-payload"), notes: ["body larger than the mock's limit of 1024 bytes"], closes: true },
  "malformed-escape": { reply: vendorSide("incorrect-payload"), notes: ["the path has a malformed percent-escape"], closes: false },
  prefer: {
    reply: {
      ...vendorSide("incorrect-payload"),
      body: { ...(example("incorrect-payload").value as object), error: { prefer: "Prefer code=299 is not a documented status" } },
    },
    notes: ["Prefer code=299 is not a documented status"],
    closes: false,
  },
  "incorrect-sid-or-api-key": { reply: vendorSide("incorrect-sid-or-api-key"), notes: ["incorrect-sid-or-api-key"], closes: false },
  "phone-number-not-in-account": { reply: vendorSide("phone-number-not-in-account"), notes: ["phone-number-not-in-account"], closes: false },
  "no-api-key": { reply: vendorSide("incorrect-sid-or-api-key"), notes: ["no api-key"], closes: false },
  "path-parameter": { reply: vendorSide("incorrect-payload"), notes: ["path sid must NOT have fewer than 1 characters"], closes: false },
  "body-required": { reply: vendorSide("incorrect-payload"), notes: ["the body is required"], closes: false },
  schema: { reply: vendorSide("incorrect-payload"), notes: ["messaging_object must have required property 'to'"], closes: false },
  "not-an-http-method": {
    reply: problem(405, "Method not allowed", "SEARCH is not an HTTP method this API uses", "about:blank", allow),
    notes: ["Method not allowed"],
    closes: false,
  },
  "no-path-matched": {
    reply: problem(
      404,
      "Route not resolved, no path matched",
      "The route /nowhere hasn't been found in the specification file",
      "https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR",
    ),
    notes: ["Route not resolved, no path matched"],
    closes: false,
  },
  "no-method-matched": {
    reply: problem(
      405,
      "Route resolved, but no method matched",
      'The route /v2/S/whatsapp/1/messages has been matched, but it does not have "get" method defined',
      "https://stoplight.io/prism/errors#NO_METHOD_MATCHED_ERROR",
      allow,
    ),
    notes: ["Route resolved, but no method matched"],
    closes: false,
  },
  "mock-defect": {
    reply: problem(500, "Mock defect", "The mock failed on this request; see its log."),
    notes: ["mock defect: boom"],
    closes: false,
  },
};

describe("the mock's refusals table", () => {
  it.each(Object.keys(built) as RefusalName[])("%s: its name, reply and reasons, word for word", (name) => {
    const { name: given, reply, notes } = built[name];
    const { status, headers, body, closeConnection } = reply;
    const answered = { status, headers, body: reply.raw === undefined ? body : JSON.parse(reply.raw) };
    expect(given).toBe(name);
    expect(answered).toEqual(expected[name].reply);
    expect([...notes]).toEqual(expected[name].notes);
    expect(closeConnection === true).toBe(expected[name].closes);
  });

  it("in the vendor's words, each is an answer the contract documents: its status, and a body valid against that status's schema", () => {
    const vendorNames = (Object.keys(built) as RefusalName[]).filter((name) => built[name].reply.headers["content-type"] === "application/json");
    expect(vendorNames).toEqual([
      "body-too-large",
      "malformed-escape",
      "prefer",
      "incorrect-sid-or-api-key",
      "phone-number-not-in-account",
      "no-api-key",
      "path-parameter",
      "body-required",
      "schema",
    ]);
    for (const name of vendorNames) {
      const { status, body, raw } = built[name].reply;
      expect(contract.statuses, name).toContain(status);
      const pointer = contract.responseSchemaPointers[status];
      expect(pointer, name).toBeDefined();
      expect(schemas.issues(pointer!, raw === undefined ? body : JSON.parse(raw)), name).toEqual([]);
    }
  });

  it("the others are problem+json, the status in the body the reply's own", () => {
    const others = (Object.keys(built) as RefusalName[]).filter((name) => built[name].reply.headers["content-type"] === "application/problem+json");
    expect(others).toEqual(["header-lines", "duplicate-header", "request-target", "not-an-http-method", "no-path-matched", "no-method-matched", "mock-defect"]);
    expect(others.map((name) => built[name].reply.status)).toEqual([431, 400, 400, 405, 404, 405, 500]);
    for (const name of others) expect((built[name].reply.body as { status: number }).status, name).toBe(built[name].reply.status);
  });

  it("elsewhere than the operation, a body too large is 413 and a malformed escape 400, as problem+json", () => {
    expect(refusals.bodyTooLarge(2048, false)).toEqual({
      name: "body-too-large",
      reply: { ...problem(413, "Payload too large", "The body is larger than 2048 bytes."), closeConnection: true },
      notes: ["body larger than the mock's limit of 2048 bytes"],
    });
    expect(refusals.malformedEscape(false)).toEqual({
      name: "malformed-escape",
      reply: problem(400, "Bad request", "The path has a malformed percent-escape."),
      notes: ["the path has a malformed percent-escape"],
    });
  });

  it("a refusal that is the same for every request is built once, and cannot be written to", () => {
    expect(refusals.noApiKey()).toBe(refusals.noApiKey());
    expect(refusals.bodyRequired()).toBe(refusals.bodyRequired());
    expect(Object.isFrozen(refusals.noApiKey()) && Object.isFrozen(refusals.noApiKey().notes)).toBe(true);
    expect(Object.isFrozen(refusals.bodyRequired()) && Object.isFrozen(refusals.bodyRequired().notes)).toBe(true);
    // One built per request where the reply says something of that request, or is handed on to be changed.
    expect(refusals.incorrectSidOrApiKey()).not.toBe(refusals.incorrectSidOrApiKey());
    expect(refusals.incorrectSidOrApiKey().reply.body).not.toBe(refusals.incorrectSidOrApiKey().reply.body);
  });
});
