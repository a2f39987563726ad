// The one request judge (src/contract/request.ts): where a request falls, whether it carries a
// key, and every issue the contract finds, each rule at its limit and one past it, with the
// exact list of issues.
import { describe, expect, it } from "vitest";
import { envelopeCode, judgeRequest, mediaTypeOf, operationIssues, type RequestSeen } from "../src/contract/request.ts";
import { maxBodyDepth } from "../src/json/read.ts";
import { messagesPath } from "./support/mock.ts";
import { businessNumber, sid, validBody } from "./support/requests.ts";

const path = messagesPath(sid, businessNumber);
const body = JSON.stringify(validBody());
const json = "application/json";
const seen = (request: Partial<RequestSeen>): RequestSeen => ({ method: "POST", path, headers: { "content-type": json, "api-key": "k" }, body, ...request });
const issuesOf = (request: Partial<RequestSeen>) => {
  const judged = judgeRequest(seen(request));
  return judged.kind === "operation" ? judged.issues : judged;
};
/** JSON nesting exactly `depth` levels. */
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const withCaption = (length: number) => {
  const value = validBody();
  value.messaging_object.video.caption = "x".repeat(length);
  return JSON.stringify(value);
};

describe("where a request falls", () => {
  it("outside the contract: another path, a prefix of it, more after it", () => {
    for (const other of ["/", "/v1/other", path.replace("/messages", ""), `${path}/more`, path.replace("/v2/", "/v3/")]) {
      expect(judgeRequest(seen({ path: other }))).toEqual({ kind: "outside" });
    }
  });
  it("another method on the operation's path, named in upper case, whatever the body", () => {
    expect(judgeRequest(seen({ method: "get", body: "" }))).toEqual({ kind: "method", method: "GET" });
    expect(judgeRequest(seen({ method: "DELETE", body: "{" }))).toEqual({ kind: "method", method: "DELETE" });
  });
  it("the operation, its method in any case, a query ignored", () => {
    expect(judgeRequest(seen({}))).toEqual({ kind: "operation", hasKey: true, issues: [] });
    expect(judgeRequest(seen({ method: "post", path: `${path}?x=1&y` }))).toEqual({ kind: "operation", hasKey: true, issues: [] });
  });
});

describe("the key", () => {
  it("is carried when the api-key header has more than blanks", () => {
    const hasKey = (headers: RequestSeen["headers"]) => (judgeRequest(seen({ headers: { "content-type": json, ...headers } })) as { hasKey: boolean }).hasKey;
    expect([hasKey({ "api-key": "k" }), hasKey({ "api-key": " k " }), hasKey({ "api-key": "  " }), hasKey({ "api-key": "" }), hasKey({})]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
  it("one api-key or Authorization header is no issue; two of either are, in the mock's words", () => {
    expect(issuesOf({ rawHeaders: ["Content-Type", json, "api-key", "k", "Authorization", "Bearer t"] })).toEqual([]);
    expect(issuesOf({ rawHeaders: ["api-key", "k", "API-Key", "k2"] })).toEqual([
      { field: "api-key", rule: "duplicate", message: "2 api-key headers; a request carries one key" },
    ]);
    expect(issuesOf({ rawHeaders: ["authorization", "a", "AUTHORIZATION", "b", "Authorization", "c", "api-key", "k"] })).toEqual([
      { field: "Authorization", rule: "duplicate", message: "3 Authorization headers; a request carries one" },
    ]);
    expect(issuesOf({ rawHeaders: ["api-key", "k", "authorization", "a", "api-key", "k", "authorization", "b"] })).toEqual([
      { field: "api-key", rule: "duplicate", message: "2 api-key headers; a request carries one key" },
      { field: "Authorization", rule: "duplicate", message: "2 Authorization headers; a request carries one" },
    ]);
    // A header's value is not its name; and without the raw lines each header counts once.
    expect(issuesOf({ rawHeaders: ["x-note", "api-key", "x-other", "api-key", "api-key", "k"] })).toEqual([]);
    expect(issuesOf({ headers: { "content-type": json, "api-key": "k, k2" } })).toEqual([]);
  });
});

describe("the media type", () => {
  it("is the contract's, whatever its case, blanks or parameters", () => {
    for (const contentType of [json, "application/json; charset=utf-8", "APPLICATION/JSON", " application/json ", "Application/Json;charset=UTF-8"]) {
      expect(issuesOf({ headers: { "content-type": contentType, "api-key": "k" } })).toEqual([]);
    }
  });
  it("anything else is one issue quoting the header as sent", () => {
    const issue = (sent: string | undefined) => issuesOf({ headers: { "content-type": sent, "api-key": "k" } });
    expect([issue("text/plain"), issue("application/jsonx"), issue("application/json-patch+json"), issue(""), issue(undefined)]).toEqual([
      [{ field: "Content-Type", rule: "mediaType", message: "text/plain is not application/json" }],
      [{ field: "Content-Type", rule: "mediaType", message: "application/jsonx is not application/json" }],
      [{ field: "Content-Type", rule: "mediaType", message: "application/json-patch+json is not application/json" }],
      [{ field: "Content-Type", rule: "mediaType", message: " is not application/json" }],
      [{ field: "Content-Type", rule: "mediaType", message: "(none) is not application/json" }],
    ]);
  });
  it("mediaTypeOf: the bare media type in lower case, none for none", () => {
    expect([
      mediaTypeOf("Application/JSON ; charset=utf-8"),
      mediaTypeOf("text/plain"),
      mediaTypeOf(""),
      mediaTypeOf(" ; x=1"),
      mediaTypeOf(undefined),
    ]).toEqual([json, "text/plain", undefined, undefined, undefined]);
  });
});

describe("the path parameters", () => {
  it("each breaks alone, named by its parameter; a bad escape is its own issue", () => {
    expect(issuesOf({ path: path.replace(sid, "HX-AP") })).toEqual([{ field: "path sid", rule: "pattern", message: 'must match pattern "^[A-Za-z0-9]+$"' }]);
    expect(issuesOf({ path: path.replace(businessNumber, "%E0%A4%A") })).toEqual([
      { field: "path phone_number", rule: "encoding", message: "is not valid percent-encoding" },
    ]);
    expect(issuesOf({ path: path.replace(businessNumber, "%2B918630005920") })).toEqual([]);
  });
});

describe("the body", () => {
  it("a caption at its limit passes; one past is one issue", () => {
    expect(issuesOf({ body: withCaption(1024) })).toEqual([]);
    expect(issuesOf({ body: withCaption(1025) })).toEqual([
      { field: "messaging_object.video.caption", rule: "maxLength", message: "must NOT have more than 1024 characters" },
    ]);
  });
  it("JSON at the mock's depth bound is read (and judged by the schema); one past is refused unread, in the mock's words", () => {
    expect(issuesOf({ body: nested(maxBodyDepth) })).toEqual([{ field: "(body)", rule: "type", message: "must be object" }]);
    expect(issuesOf({ body: nested(maxBodyDepth + 1) })).toEqual([
      { field: "(body)", rule: "depth", message: `is JSON that nests deeper than ${maxBodyDepth} levels` },
    ]);
    expect(issuesOf({ body: nested(5_000) })).toEqual([{ field: "(body)", rule: "depth", message: `is JSON that nests deeper than ${maxBodyDepth} levels` }]);
  });
  it("empty, not JSON, or JSON that is not the request", () => {
    expect([issuesOf({ body: "" }), issuesOf({ body: "{" }), issuesOf({ body: "null" }), issuesOf({ body: "{}" })]).toEqual([
      [{ field: "(body)", rule: "json", message: "is empty" }],
      [{ field: "(body)", rule: "json", message: "is not JSON" }],
      [{ field: "(body)", rule: "type", message: "must be object" }],
      [{ field: "messaging_object", rule: "required", message: "is required" }],
    ]);
  });
  it("every issue at once, in order: path parameters, media type, repeated headers, body", () => {
    expect(
      issuesOf({
        path: path.replace(sid, "HX-AP"),
        headers: { "content-type": "text/plain", "api-key": "k" },
        rawHeaders: ["api-key", "a", "api-key", "b"],
        body: "",
      }),
    ).toEqual([
      { field: "path sid", rule: "pattern", message: 'must match pattern "^[A-Za-z0-9]+$"' },
      { field: "Content-Type", rule: "mediaType", message: "text/plain is not application/json" },
      { field: "api-key", rule: "duplicate", message: "2 api-key headers; a request carries one key" },
      { field: "(body)", rule: "json", message: "is empty" },
    ]);
  });
});

describe("operationIssues: the same rules on a request's parts", () => {
  it("takes values as a client holds them, before they are written", () => {
    const parts = { pathParameters: { sid, phone_number: businessNumber }, contentType: json, body: { value: validBody() } };
    expect(operationIssues(parts)).toEqual([]);
    expect(operationIssues({ ...parts, pathParameters: { sid: 42, phone_number: businessNumber }, body: { value: JSON.parse(withCaption(1025)) } })).toEqual([
      { field: "path sid", rule: "type", message: "must be string" },
      { field: "messaging_object.video.caption", rule: "maxLength", message: "must NOT have more than 1024 characters" },
    ]);
    expect(operationIssues({ ...parts, contentType: undefined, body: { text: nested(maxBodyDepth + 1) } })).toEqual([
      { field: "Content-Type", rule: "mediaType", message: "(none) is not application/json" },
      { field: "(body)", rule: "depth", message: `is JSON that nests deeper than ${maxBodyDepth} levels` },
    ]);
  });
});

describe("envelopeCode", () => {
  it("is the envelope's string code, or none", () => {
    expect([
      envelopeCode({ code: "WA400" }),
      envelopeCode({ code: 400 }),
      envelopeCode({}),
      envelopeCode(null),
      envelopeCode("WA400"),
      envelopeCode([]),
    ]).toEqual(["WA400", undefined, undefined, undefined, undefined, undefined]);
  });
});
